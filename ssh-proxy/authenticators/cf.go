package authenticators

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"code.cloudfoundry.org/lager/v3"
	"golang.org/x/crypto/ssh"
)

// CFUserRegexp matches `cf:<app-guid>/<index>` (unanchored, as upstream).
var CFUserRegexp = regexp.MustCompile(`cf:([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/(\d+)`)

// CF authenticates Cloud Foundry users: the password is a one-time UAA
// authorization code (from `cf ssh-code`), exchanged for a token, with
// which Cloud Controller is asked whether the user may reach the instance
// and which process it belongs to.
type CF struct {
	logger      lager.Logger
	http        *http.Client
	ccURL       string
	uaaTokenURL string
	uaaUsername string
	uaaPassword string
	permissions PermissionsBuilder
}

// CFConfig configures the cf authenticator.
type CFConfig struct {
	CCAPIURL    string // Cloud Controller's internal API, e.g. http://cloud-controller-ng.service.cf.internal:9022
	UAATokenURL string // UAA's token endpoint
	UAAUsername string // the ssh-proxy's UAA client
	UAAPassword string
}

// NewCF returns the cf authenticator.
func NewCF(logger lager.Logger, client *http.Client, cfg CFConfig, permissions PermissionsBuilder) *CF {
	return &CF{logger: logger, http: client, ccURL: cfg.CCAPIURL, uaaTokenURL: cfg.UAATokenURL,
		uaaUsername: cfg.UAAUsername, uaaPassword: cfg.UAAPassword, permissions: permissions}
}

// UserRegexp is CFUserRegexp.
func (c *CF) UserRegexp() *regexp.Regexp { return CFUserRegexp }

// Authenticate runs the UAA and Cloud Controller exchange, then builds the
// permissions for the process Cloud Controller names.
func (c *CF) Authenticate(metadata ssh.ConnMetadata, password []byte) (*ssh.Permissions, error) {
	logger := c.logger.Session("cf-authenticate")
	logger.Info("authenticate-starting")
	defer logger.Info("authenticate-finished")

	match := CFUserRegexp.FindStringSubmatch(metadata.User())
	if match == nil {
		logger.Error("regex-match-fail", ErrInvalidCredentials)
		return nil, ErrInvalidCredentials
	}
	appGUID := match[1]
	index, err := strconv.Atoi(match[2])
	if err != nil {
		logger.Error("atoi-failed", err)
		return nil, ErrInvalidCredentials
	}

	authorization, err := c.exchangeCode(logger, string(password))
	if err != nil {
		return nil, err
	}
	parts := strings.Split(authorization, " ")
	if len(parts) != 2 {
		return nil, ErrAuthenticationFailed
	}
	username, principal := tokenIdentity(parts[1])
	logger = logger.WithData(lager.Data{
		"app":       fmt.Sprintf("%s/%d", appGUID, index),
		"principal": principal,
		"username":  username,
	})

	processGUID, err := c.checkAccess(logger, appGUID, index, authorization)
	if err != nil {
		return nil, err
	}
	perms, err := c.permissions.Build(logger, processGUID, index, metadata)
	if err != nil {
		logger.Error("building-ssh-permissions-failed", err)
	}
	logger.Info("app-access-success")
	return perms, err
}

// exchangeCode trades the authorization code for "<token type> <token>".
func (c *CF) exchangeCode(logger lager.Logger, code string) (string, error) {
	logger = logger.Session("exchange-access-code-for-token")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}}
	req, err := http.NewRequest(http.MethodPost, c.uaaTokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.SetBasicAuth(c.uaaUsername, c.uaaPassword)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.http.Do(req)
	if err != nil {
		logger.Error("request-failed", err)
		return "", ErrAuthenticationFailed
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		logger.Error("response-status-not-ok", ErrAuthenticationFailed, lager.Data{"status-code": resp.StatusCode})
		return "", ErrAuthenticationFailed
	}
	var token struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&token); err != nil {
		logger.Error("decode-token-response-failed", err)
		return "", ErrAuthenticationFailed
	}
	return token.TokenType + " " + token.AccessToken, nil
}

// checkAccess asks Cloud Controller for the instance's process guid.
func (c *CF) checkAccess(logger lager.Logger, appGUID string, index int, authorization string) (string, error) {
	path := fmt.Sprintf("%s/internal/apps/%s/ssh_access/%d", c.ccURL, appGUID, index)
	req, err := http.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		logger.Error("creating-request-failed", ErrInvalidRequest)
		return "", ErrInvalidRequest
	}
	req.Header.Add("Authorization", authorization)
	resp, err := c.http.Do(req)
	if err != nil {
		logger.Error("fetching-app-failed", err)
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		logger.Error("fetching-app-failed", ErrFetchAppFailed, lager.Data{"status": resp.Status})
		return "", ErrFetchAppFailed
	}
	var app struct {
		ProcessGUID string `json:"process_guid"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&app); err != nil {
		logger.Error("invalid-cc-response", err)
		return "", ErrInvalidCCResponse
	}
	return app.ProcessGUID, nil
}

// tokenIdentity reads user_name and user_id from a JWT's claims without
// verifying it (the proxy only logs them; UAA and CC did the checking).
// Anything unreadable is "unknown".
func tokenIdentity(token string) (username, principal string) {
	username, principal = "unknown", "unknown"
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return
	}
	var claims map[string]any
	if json.Unmarshal(raw, &claims) != nil {
		return
	}
	if s, ok := claims["user_name"].(string); ok {
		username = s
	}
	if s, ok := claims["user_id"].(string); ok {
		principal = s
	}
	return
}

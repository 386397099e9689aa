package routingapi

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/godiego/diego/internal/tlsconf"
)

// UAAConfig is what the route-emitter's oauth block says about UAA.
type UAAConfig struct {
	URL            string // uaa_url, e.g. https://uaa.service.cf.internal:8443
	ClientName     string
	ClientSecret   string
	CACertsFile    string // ca_certs
	SkipCertVerify bool
	Timeout        time.Duration // uaa_request_timeout; none when zero
}

// UAATokenSource fetches client-credentials tokens from UAA and caches each
// until shortly before it expires. It is safe for concurrent use.
type UAATokenSource struct {
	tokenURL     string
	clientName   string
	clientSecret string
	http         *http.Client
	now          func() time.Time

	mu        sync.Mutex
	token     string
	refreshAt time.Time
}

// NewUAATokenSource returns a token source for cfg. now is the clock
// (time.Now when nil).
func NewUAATokenSource(cfg UAAConfig, now func() time.Time) (*UAATokenSource, error) {
	if cfg.URL == "" {
		return nil, fmt.Errorf("oauth.uaa_url is required when routing_api.auth_enabled is set")
	}
	if _, err := url.Parse(cfg.URL); err != nil {
		return nil, fmt.Errorf("oauth.uaa_url: %w", err)
	}
	var tlsCfg *tls.Config
	if cfg.CACertsFile != "" || cfg.SkipCertVerify {
		var err error
		if tlsCfg, err = tlsconf.Client("", "", cfg.CACertsFile, cfg.SkipCertVerify); err != nil {
			return nil, fmt.Errorf("oauth.ca_certs: %w", err)
		}
	}
	if now == nil {
		now = time.Now
	}
	client := &http.Client{
		Transport: &http.Transport{TLSClientConfig: tlsCfg, Proxy: http.ProxyFromEnvironment},
		Timeout:   cfg.Timeout,
		// UAA answers the token endpoint directly; a redirect means a
		// misconfigured URL, not a place to send credentials to.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &UAATokenSource{
		tokenURL:     strings.TrimRight(cfg.URL, "/") + "/oauth/token",
		clientName:   cfg.ClientName,
		clientSecret: cfg.ClientSecret,
		http:         client,
		now:          now,
	}, nil
}

// tokenResponse is UAA's answer to a token request.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

// Token returns a cached token, or a new one when none is cached, the
// cached one is about to expire, or fresh is set (the routing API refused
// the cached one).
func (s *UAATokenSource) Token(ctx context.Context, fresh bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !fresh && s.token != "" && s.now().Before(s.refreshAt) {
		return s.token, nil
	}
	issued := s.now()
	tok, err := s.fetch(ctx)
	if err != nil {
		return "", err
	}
	s.token, s.refreshAt = tok.AccessToken, refreshTime(issued, tok.ExpiresIn)
	return s.token, nil
}

// refreshTime is when a token issued at issued and valid for expiresIn
// seconds should be replaced: a margin of a quarter of its lifetime, at
// most 30 s, before it expires. A token without a lifetime is not reused.
func refreshTime(issued time.Time, expiresIn int64) time.Time {
	if expiresIn <= 0 {
		return issued
	}
	life := time.Duration(expiresIn) * time.Second
	return issued.Add(life - min(30*time.Second, life/4))
}

func (s *UAATokenSource) fetch(ctx context.Context) (tokenResponse, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "token_format": {"jwt"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return tokenResponse{}, fmt.Errorf("building UAA token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(url.QueryEscape(s.clientName), url.QueryEscape(s.clientSecret))
	resp, err := s.http.Do(req)
	if err != nil {
		return tokenResponse{}, fmt.Errorf("fetching UAA token: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return tokenResponse{}, fmt.Errorf("reading UAA token response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return tokenResponse{}, fmt.Errorf("fetching UAA token: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	var tok tokenResponse
	if err := json.Unmarshal(body, &tok); err != nil {
		return tokenResponse{}, fmt.Errorf("decoding UAA token response: %w", err)
	}
	if tok.AccessToken == "" {
		return tokenResponse{}, fmt.Errorf("UAA token response holds no access_token")
	}
	return tok, nil
}

package authenticators

import (
	"crypto/subtle"
	"regexp"
	"strconv"

	"code.cloudfoundry.org/lager/v3"
	"golang.org/x/crypto/ssh"
)

// DiegoUserRegexp matches `diego:<process-guid>/<index>` (unanchored, as upstream).
var DiegoUserRegexp = regexp.MustCompile(`diego:([a-zA-Z0-9_-]+)/(\d+)`)

// Diego authenticates operators with the shared Diego credentials.
type Diego struct {
	logger      lager.Logger
	credentials []byte
	permissions PermissionsBuilder
}

// NewDiego returns the diego authenticator.
func NewDiego(logger lager.Logger, credentials []byte, permissions PermissionsBuilder) *Diego {
	return &Diego{logger: logger, credentials: credentials, permissions: permissions}
}

// UserRegexp is DiegoUserRegexp.
func (d *Diego) UserRegexp() *regexp.Regexp { return DiegoUserRegexp }

// Authenticate checks the password against the Diego credentials, then
// builds the permissions for the named instance.
func (d *Diego) Authenticate(metadata ssh.ConnMetadata, password []byte) (*ssh.Permissions, error) {
	logger := d.logger.Session("diego-authenticate")
	logger.Info("authenticate-starting")
	defer logger.Info("authenticate-finished")

	match := DiegoUserRegexp.FindStringSubmatch(metadata.User())
	if match == nil {
		logger.Error("regex-match-fail", ErrInvalidDomain)
		return nil, ErrInvalidDomain
	}
	if subtle.ConstantTimeCompare(d.credentials, password) != 1 {
		logger.Error("invalid-credentials", ErrInvalidCredentials)
		return nil, ErrInvalidCredentials
	}
	index, err := strconv.Atoi(match[2])
	if err != nil {
		logger.Error("atoi-failed", err)
		return nil, err
	}
	perms, err := d.permissions.Build(logger, match[1], index, metadata)
	if err != nil {
		logger.Error("building-ssh-permissions-failed", err)
	}
	return perms, err
}

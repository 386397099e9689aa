package authenticators

import (
	"regexp"

	"golang.org/x/crypto/ssh"
)

// PasswordAuthenticator authenticates the users its regexp matches.
type PasswordAuthenticator interface {
	UserRegexp() *regexp.Regexp
	Authenticate(metadata ssh.ConnMetadata, password []byte) (*ssh.Permissions, error)
}

// Composite hands each login to the first authenticator whose regexp
// matches the user name; a user no authenticator claims is refused.
type Composite struct {
	authenticators []PasswordAuthenticator
}

// NewComposite combines authenticators, tried in the order given.
func NewComposite(authenticators ...PasswordAuthenticator) *Composite {
	return &Composite{authenticators: authenticators}
}

// Authenticate is an ssh.ServerConfig PasswordCallback.
func (c *Composite) Authenticate(metadata ssh.ConnMetadata, password []byte) (*ssh.Permissions, error) {
	for _, a := range c.authenticators {
		if a.UserRegexp().MatchString(metadata.User()) {
			return a.Authenticate(metadata, password)
		}
	}
	return nil, ErrInvalidCredentials
}

package authenticators

import (
	"errors"
	"regexp"
	"testing"

	"golang.org/x/crypto/ssh"
)

func TestDiegoAuthenticator(t *testing.T) {
	perms := &ssh.Permissions{CriticalOptions: map[string]string{"k": "v"}}
	cases := []struct {
		name      string
		user      string
		password  string
		buildErr  error
		wantErr   error
		wantCalls []buildCall
	}{
		{name: "good", user: "diego:some-guid_1/3", password: "secret", wantCalls: []buildCall{{"some-guid_1", 3}}},
		{name: "wrong password", user: "diego:guid/0", password: "nope", wantErr: ErrInvalidCredentials},
		{name: "empty password", user: "diego:guid/0", password: "", wantErr: ErrInvalidCredentials},
		{name: "not a diego user", user: "cf:guid/0", password: "secret", wantErr: ErrInvalidDomain},
		{name: "no index", user: "diego:guid", password: "secret", wantErr: ErrInvalidDomain},
		{name: "builder fails", user: "diego:guid/1", password: "secret", buildErr: ErrRouteNotFound,
			wantErr: ErrRouteNotFound, wantCalls: []buildCall{{"guid", 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := &recordingBuilder{perms: perms, err: c.buildErr}
			a := NewDiego(testLogger(), []byte("secret"), b)
			got, err := a.Authenticate(connMeta{user: c.user}, []byte(c.password))
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			}
			if c.wantErr == nil && got != perms {
				t.Fatalf("permissions not the builder's: %+v", got)
			}
			calls := b.Calls()
			if len(calls) != len(c.wantCalls) || (len(calls) == 1 && calls[0] != c.wantCalls[0]) {
				t.Fatalf("builder calls = %+v, want %+v", calls, c.wantCalls)
			}
		})
	}
}

type fixedAuth struct {
	re    string
	calls int
}

func (f *fixedAuth) UserRegexp() *regexp.Regexp { return regexp.MustCompile(f.re) }
func (f *fixedAuth) Authenticate(ssh.ConnMetadata, []byte) (*ssh.Permissions, error) {
	f.calls++
	return &ssh.Permissions{}, nil
}

func TestCompositePicksByUserRegexp(t *testing.T) {
	diego := &fixedAuth{re: DiegoUserRegexp.String()}
	cf := &fixedAuth{re: CFUserRegexp.String()}
	c := NewComposite(diego, cf)
	if _, err := c.Authenticate(connMeta{user: "diego:abc/0"}, nil); err != nil || diego.calls != 1 || cf.calls != 0 {
		t.Fatalf("diego user: err %v, calls %d/%d", err, diego.calls, cf.calls)
	}
	if _, err := c.Authenticate(connMeta{user: "cf:12345678-1234-1234-1234-123456789abc/2"}, nil); err != nil || cf.calls != 1 {
		t.Fatalf("cf user: err %v, calls %d", err, cf.calls)
	}
	for _, user := range []string{"root", "jim:", "cf:not-a-guid/0", ""} {
		if _, err := c.Authenticate(connMeta{user: user}, nil); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("user %q: err %v, want Invalid credentials", user, err)
		}
	}
	if _, err := NewComposite().Authenticate(connMeta{user: "diego:abc/0"}, nil); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("no authenticators: %v", err)
	}
}

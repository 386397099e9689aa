package authenticators

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
)

const (
	appGUID     = "a1b2c3d4-0000-4000-8000-123456789abc"
	processGUID = "a1b2c3d4-0000-4000-8000-123456789abc-v3"
)

// fakeJWT builds an unsigned token with the given claims.
func fakeJWT(claims map[string]any) string {
	enc := base64.RawURLEncoding
	body, _ := json.Marshal(claims)
	return enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + enc.EncodeToString(body) + ".sig"
}

// cfWorld is a UAA and a Cloud Controller as HTTP servers.
type cfWorld struct {
	mu       sync.Mutex
	uaaReqs  []*http.Request
	uaaForms []map[string][]string
	ccReqs   []*http.Request

	uaaStatus int
	uaaBody   string
	ccStatus  int
	ccBody    string

	uaa, cc *httptest.Server
}

func newCFWorld(t *testing.T) *cfWorld {
	w := &cfWorld{
		uaaStatus: http.StatusOK,
		uaaBody:   `{"token_type":"bearer","access_token":"` + fakeJWT(map[string]any{"user_name": "alice", "user_id": "u-1"}) + `"}`,
		ccStatus:  http.StatusOK,
		ccBody:    `{"process_guid":"` + processGUID + `"}`,
	}
	w.uaa = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.mu.Lock()
		w.uaaReqs = append(w.uaaReqs, r)
		w.uaaForms = append(w.uaaForms, r.PostForm)
		status, body := w.uaaStatus, w.uaaBody
		w.mu.Unlock()
		rw.WriteHeader(status)
		_, _ = rw.Write([]byte(body))
	}))
	w.cc = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		w.ccReqs = append(w.ccReqs, r)
		status, body := w.ccStatus, w.ccBody
		w.mu.Unlock()
		rw.WriteHeader(status)
		_, _ = rw.Write([]byte(body))
	}))
	t.Cleanup(w.uaa.Close)
	t.Cleanup(w.cc.Close)
	return w
}

func (w *cfWorld) authenticator(b PermissionsBuilder) *CF {
	return NewCF(testLogger(), http.DefaultClient, CFConfig{
		CCAPIURL: w.cc.URL, UAATokenURL: w.uaa.URL + "/oauth/token",
		UAAUsername: "ssh-proxy", UAAPassword: "proxy-secret",
	}, b)
}

func TestCFAuthenticatorExchangesTheCodeAndAsksCloudController(t *testing.T) {
	w := newCFWorld(t)
	perms := &ssh.Permissions{}
	b := &recordingBuilder{perms: perms}
	got, err := w.authenticator(b).Authenticate(connMeta{user: "cf:" + appGUID + "/2"}, []byte("one-time-code"))
	if err != nil {
		t.Fatal(err)
	}
	if got != perms {
		t.Fatal("permissions are not the builder's")
	}
	if calls := b.Calls(); len(calls) != 1 || calls[0] != (buildCall{processGUID, 2}) {
		t.Fatalf("builder calls %+v", calls)
	}

	uaa := w.uaaReqs[0]
	if uaa.Method != http.MethodPost || uaa.URL.Path != "/oauth/token" {
		t.Fatalf("UAA request %s %s", uaa.Method, uaa.URL.Path)
	}
	if user, pass, ok := uaa.BasicAuth(); !ok || user != "ssh-proxy" || pass != "proxy-secret" {
		t.Fatalf("UAA basic auth %q %q %t", user, pass, ok)
	}
	if uaa.Header.Get("Accept") != "application/json" || uaa.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Fatalf("UAA headers %v", uaa.Header)
	}
	form := w.uaaForms[0]
	if form["grant_type"][0] != "authorization_code" || form["code"][0] != "one-time-code" || len(form) != 2 {
		t.Fatalf("UAA form %v", form)
	}

	cc := w.ccReqs[0]
	if cc.Method != http.MethodGet || cc.URL.Path != "/internal/apps/"+appGUID+"/ssh_access/2" {
		t.Fatalf("CC request %s %s", cc.Method, cc.URL.Path)
	}
	wantAuth := "bearer " + fakeJWT(map[string]any{"user_name": "alice", "user_id": "u-1"})
	if got := cc.Header.Get("Authorization"); got != wantAuth {
		t.Fatalf("CC Authorization %q, want %q", got, wantAuth)
	}
}

func TestCFAuthenticatorFailures(t *testing.T) {
	cases := []struct {
		name     string
		user     string
		setup    func(w *cfWorld)
		buildErr error
		wantErr  error
		wantUAA  int
		wantCC   int
	}{
		{name: "user is not cf:<guid>/<index>", user: "cf:app/0", wantErr: ErrInvalidCredentials},
		{name: "UAA refuses the code", setup: func(w *cfWorld) { w.uaaStatus = http.StatusUnauthorized },
			wantErr: ErrAuthenticationFailed, wantUAA: 1},
		{name: "UAA answers garbage", setup: func(w *cfWorld) { w.uaaBody = "<html>" },
			wantErr: ErrAuthenticationFailed, wantUAA: 1},
		{name: "UAA token has a space", setup: func(w *cfWorld) { w.uaaBody = `{"token_type":"bearer","access_token":"a b"}` },
			wantErr: ErrAuthenticationFailed, wantUAA: 1},
		{name: "UAA unreachable", setup: func(w *cfWorld) { w.uaa.Close() }, wantErr: ErrAuthenticationFailed},
		{name: "CC refuses access", setup: func(w *cfWorld) { w.ccStatus = http.StatusForbidden },
			wantErr: ErrFetchAppFailed, wantUAA: 1, wantCC: 1},
		{name: "CC answers garbage", setup: func(w *cfWorld) { w.ccBody = "not json" },
			wantErr: ErrInvalidCCResponse, wantUAA: 1, wantCC: 1},
		{name: "builder fails", buildErr: ErrRouteNotFound, wantErr: ErrRouteNotFound, wantUAA: 1, wantCC: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newCFWorld(t)
			if c.setup != nil {
				c.setup(w)
			}
			user := c.user
			if user == "" {
				user = "cf:" + appGUID + "/0"
			}
			b := &recordingBuilder{perms: &ssh.Permissions{}, err: c.buildErr}
			_, err := w.authenticator(b).Authenticate(connMeta{user: user}, []byte("code"))
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			}
			if len(w.uaaReqs) != c.wantUAA || len(w.ccReqs) != c.wantCC {
				t.Fatalf("requests: UAA %d (want %d), CC %d (want %d)", len(w.uaaReqs), c.wantUAA, len(w.ccReqs), c.wantCC)
			}
		})
	}
}

func TestTokenIdentity(t *testing.T) {
	if u, p := tokenIdentity(fakeJWT(map[string]any{"user_name": "bob", "user_id": "42"})); u != "bob" || p != "42" {
		t.Fatalf("got %q %q", u, p)
	}
	for _, tok := range []string{"", "opaque", "a.b.c", fakeJWT(map[string]any{"user_name": 7})} {
		if u, p := tokenIdentity(tok); u != "unknown" || p != "unknown" {
			t.Fatalf("%q: got %q %q", tok, u, p)
		}
	}
}

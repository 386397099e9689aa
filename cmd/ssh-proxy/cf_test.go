package main_test

import (
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/godiego/diego/internal/localrun"
)

const appGUID = "0b0b0b0b-1111-4222-8333-444444444444"

// cfLogin runs a second proxy with cf authentication against a UAA (over
// TLS, trusted through uaa_ca_cert) and a Cloud Controller served here, and
// logs in as cf:<app-guid>/0 with a one-time code.
func cfLogin(t *testing.T, bbsURL string, st localrun.State) {
	var (
		mu       sync.Mutex
		uaaCalls int
		ccAuth   string
	)
	uaa := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		_ = r.ParseForm()
		mu.Lock()
		uaaCalls++
		mu.Unlock()
		if r.URL.Path != "/oauth/token" || user != "ssh-proxy" || pass != "uaa-secret" ||
			r.PostForm.Get("grant_type") != "authorization_code" || r.PostForm.Get("code") != "one-time-code" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"token_type":"bearer","access_token":"tok.en.sig"}`)
	}))
	defer uaa.Close()
	cc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ccAuth = r.Header.Get("Authorization")
		mu.Unlock()
		if r.URL.Path != "/internal/apps/"+appGUID+"/ssh_access/0" || r.Header.Get("Authorization") != "bearer tok.en.sig" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		fmt.Fprintf(w, `{"process_guid":%q}`, processGUID)
	}))
	defer cc.Close()
	uaaCA := filepath.Join(t.TempDir(), "uaa-ca.crt")
	if err := os.WriteFile(uaaCA, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: uaa.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}

	_, hostKeyPEM := newKey(t)
	addr := freeAddr(t)
	cfgPath := writeJSON(t, map[string]any{
		"address": addr, "disable_health_check_server": true, "host_key": hostKeyPEM,
		"bbs_address": bbsURL, "bbs_ca_cert": st.Certs.CACert,
		"bbs_client_cert": st.Certs.ClientCert, "bbs_client_key": st.Certs.ClientKey,
		"enable_cf_auth": true, "cc_api_url": cc.URL, "uaa_token_url": uaa.URL + "/oauth/token",
		"uaa_username": "ssh-proxy", "uaa_password": "uaa-secret", "uaa_ca_cert": uaaCA,
	})
	var out syncBuffer
	startProcess(t, &out, nil, "ssh-proxy", "-config", cfgPath)
	waitListening(t, addr)

	dial := func(user, code string) (*ssh.Client, error) {
		return ssh.Dial("tcp", addr, &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{ssh.Password(code)},
			HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	}
	client, err := dial("cf:"+appGUID+"/0", "one-time-code")
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	session, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := session.Output("echo hello cf"); err != nil || string(got) != "hello cf\n" {
		t.Fatalf("echo: %q %v", got, err)
	}
	mu.Lock()
	if uaaCalls != 1 || ccAuth != "bearer tok.en.sig" {
		t.Errorf("UAA calls %d, CC Authorization %q", uaaCalls, ccAuth)
	}
	mu.Unlock()

	if _, err := dial("cf:"+appGUID+"/0", "stale-code"); err == nil {
		t.Fatal("a code UAA refuses must not log in")
	}
	if _, err := dial("diego:"+processGUID+"/0", credentials); err == nil {
		t.Fatal("diego auth is not enabled on this proxy")
	}
}

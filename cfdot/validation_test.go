package cfdot_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godiego/diego/internal/certs"
)

// TestArgumentValidation covers upstream's argument, flag and environment
// checks: each exits 3 with upstream's message followed by the usage.
func TestArgumentValidation(t *testing.T) {
	dir := t.TempDir()
	paths, err := certs.Generate(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	bbs := []string{"BBS_URL=http://127.0.0.1:1"}
	tlsEnv := func(extra ...string) []string {
		return append([]string{"CA_CERT_FILE=" + paths.CACert, "CLIENT_CERT_FILE=" + paths.ClientCert, "CLIENT_KEY_FILE=" + paths.ClientKey}, extra...)
	}
	locket := []string{"LOCKET_API_LOCATION=127.0.0.1:1"}
	cases := []struct {
		env    []string
		args   []string
		stderr string
	}{
		{nil, []string{"domains"}, "BBS URL not set. Please specify one with the '--bbsURL' flag or the 'BBS_URL' environment variable."},
		{[]string{"BBS_URL=ftp://x"}, []string{"domains"}, "The URL 'ftp://x' does not have an 'http' or 'https' scheme."},
		{[]string{"BBS_URL=://bad"}, []string{"domains"}, "The value '://bad' is not a valid BBS URL."},
		{[]string{"BBS_URL=https://127.0.0.1:1"}, []string{"domains"}, "--caCertFile must be specified if using HTTPS and --skipCertVerify is not set"},
		{[]string{"BBS_URL=https://127.0.0.1:1", "CA_CERT_FILE=/nope"}, []string{"domains"}, "CA cert file '/nope' doesn't exist or is not readable: open /nope: no such file or directory"},
		{[]string{"BBS_URL=https://127.0.0.1:1", "CA_CERT_FILE=" + paths.CACert}, []string{"domains"}, "--clientCertFile and --clientKeyFile must both be specified for TLS connections."},
		{tlsEnv("BBS_URL=https://127.0.0.1:1", "CLIENT_KEY_FILE=/nokey"), []string{"domains"}, "key file '/nokey' doesn't exist or is not readable"},
		{tlsEnv("BBS_URL=https://127.0.0.1:1"), []string{"domains", "--clientCertFile", "/nocert"}, "cert file '/nocert' doesn't exist or is not readable"},
		{append(bbs, "SKIP_CERT_VERIFY=maybe"), []string{"domains"}, "The value 'maybe' is not a valid value for SKIP_CERT_VERIFY."},
		{append(bbs, "CFDOT_TIMEOUT=soon"), []string{"domains"}, `parsing "soon": invalid syntax`},
		{bbs, []string{"domains", "extra"}, "Too many arguments specified"},
		{bbs, []string{"desired-lrp"}, "Missing arguments"},
		{bbs, []string{"desired-lrp", "a", "b"}, "Too many arguments specified"},
		{bbs, []string{"desired-lrp", ""}, "Process guid should be non empty string"},
		{bbs, []string{"actual-lrp-groups-for-guid", "g", "-i", "-1"}, "Index must be a non-negative integer"},
		{bbs, []string{"actual-lrps", "-i", "x"}, `invalid argument "x" for "-i, --index" flag`},
		{bbs, []string{"retire-actual-lrp", "g"}, "Missing arguments"},
		{bbs, []string{"retire-actual-lrp", "g", "x"}, "Index must be a non-negative integer"},
		{bbs, []string{"retire-actual-lrp", "", "1"}, "Process guid should be non empty string"},
		{bbs, []string{"create-desired-lrp"}, "missing spec argument"},
		{bbs, []string{"create-desired-lrp", "{nope"}, "Invalid JSON: invalid character 'n' looking for beginning of object key string"},
		{bbs, []string{"create-desired-lrp", `{"instances":"2"}`}, "Invalid JSON: json: cannot unmarshal string into Go struct field DesiredLRP.instances of type int32"},
		{bbs, []string{"create-desired-lrp", "@/no/such/file"}, "stat /no/such/file: no such file or directory"},
		{bbs, []string{"create-task", "[]"}, "Invalid JSON: json: cannot unmarshal array into Go value of type models.Task"},
		{bbs, []string{"update-desired-lrp", "g"}, "Missing arguments"},
		{bbs, []string{"update-desired-lrp", "g", `{"instances":true}`}, "Invalid JSON: "},
		{bbs, []string{"set-domain"}, "No domain given"},
		{bbs, []string{"set-domain", "d", "--ttl", "-5"}, "ttl is negative"},
		{bbs, []string{"set-domain", "d", "-t", "soon"}, "ttl is non-numeric"},
		{bbs, []string{"cancel-task"}, "Missing arguments"},
		{bbs, []string{"task", "a", "b"}, "Too many arguments specified"},
		{bbs, []string{"cell"}, "Missing arguments"},
		{bbs, []string{"lrp-events", "x"}, "Too many arguments specified"},
		{bbs, []string{"tasks", "-c", "a", "--cell-id", "b"}, "Only one of -c and --cell-id should be passed"},
		{bbs, []string{"domains", "--output", "yaml"}, `unknown output format "yaml"`},
		{bbs, []string{"domains", "--bogus"}, "unknown flag: --bogus"},
		{bbs, []string{"domains", "-z"}, "unknown shorthand flag: 'z' in -z"},
		{bbs, []string{"desired-lrp", "--bbsURL"}, "flag needs an argument: --bbsURL"},
		{nil, []string{"locks"}, "Locket API Location not set. Please specify one with the '--locketAPILocation' flag or the 'LOCKET_API_LOCATION' environment variable."},
		{locket, []string{"claim-lock", "-o", "me", "-t", "5"}, "key cannot be empty"},
		{locket, []string{"claim-lock", "-k", "k", "-t", "5"}, "owner cannot be empty"},
		{locket, []string{"claim-presence", "-k", "k", "-o", "me"}, "ttl should be an integer greater than zero"},
		{locket, []string{"claim-lock", "-k", "a", "--key", "b", "-o", "me", "-t", "5"}, "Only one of -k and --key should be passed"},
		{locket, []string{"release-lock", "-k", "a"}, "owner cannot be empty"},
		{locket, []string{"presences", "x"}, "Too many arguments specified"},
		{nil, []string{"no-such-command"}, `unknown command "no-such-command" for "cfdot"`},
		{nil, []string{"completion", "fish"}, "completion needs one argument: bash or zsh"},
	}
	for _, c := range cases {
		o := cfdot(t, c.env, c.args...)
		if o.code != 3 || !strings.Contains(o.stderr, c.stderr) {
			t.Errorf("cfdot %q (env %q): want exit 3 and %q, got %s", c.args, c.env, c.stderr, o)
		}
	}
	// Validation errors are followed by the command's usage, as cobra prints it.
	o := cfdot(t, bbs, "desired-lrp")
	if !strings.Contains(o.stderr, "Error: Missing arguments\nUsage:\n  cfdot desired-lrp PROCESS_GUID [flags]\n") {
		t.Errorf("usage after a validation error: %q", o.stderr)
	}
}

// TestConnectionFailures: an unreachable BBS exits 5, an unreachable
// Locket 4, certificates the server rejects 5.
func TestConnectionFailures(t *testing.T) {
	closed := freeAddr(t)
	fails(t, []string{"BBS_URL=http://" + closed, "CFDOT_TIMEOUT=2"}, 5, "connection refused", "domains")

	// A BBS that does not answer in time: the client's Timeout error (exit 4).
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	t.Cleanup(func() { close(release); slow.Close() })
	fails(t, []string{"BBS_URL=" + slow.URL}, 4, "BBS error\nType 31: Timeout", "domains", "--timeout", "1")

	c := startCluster(t)
	other, err := certs.Generate(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	env := func(ca, cert, key string, extra ...string) []string {
		return append([]string{"BBS_URL=" + c.bbsURL, "CA_CERT_FILE=" + ca, "CLIENT_CERT_FILE=" + cert, "CLIENT_KEY_FILE=" + key}, extra...)
	}
	// The server's certificate is not signed by the CA we trust.
	fails(t, env(other.CACert, c.certs.ClientCert, c.certs.ClientKey), 5, "certificate signed by unknown authority", "domains")
	// ...unless verification is skipped.
	if o := cfdot(t, env(other.CACert, c.certs.ClientCert, c.certs.ClientKey, "SKIP_CERT_VERIFY=true"), "domains"); o.code != 0 {
		t.Errorf("--skipCertVerify: %s", o)
	}
	if o := cfdot(t, env(other.CACert, c.certs.ClientCert, c.certs.ClientKey), "domains", "--skipCertVerify"); o.code != 0 {
		t.Errorf("--skipCertVerify flag: %s", o)
	}
	// Our client certificate is not signed by the server's CA.
	fails(t, env(c.certs.CACert, other.ClientCert, other.ClientKey), 5, "", "domains")
	// A certificate file that is no certificate.
	junk := filepath.Join(t.TempDir(), "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	fails(t, env(c.certs.CACert, junk, c.certs.ClientKey), 5, "", "domains")
	fails(t, env(junk, c.certs.ClientCert, c.certs.ClientKey), 5, "", "domains")
	// Flags override the environment.
	if o := cfdot(t, env(junk, junk, junk), "domains", "--caCertFile", c.certs.CACert,
		"--clientCertFile", c.certs.ClientCert, "--clientKeyFile="+c.certs.ClientKey); o.code != 0 {
		t.Errorf("flags over environment: %s", o)
	}
	// Locket with a CA that does not match.
	fails(t, []string{"LOCKET_API_LOCATION=" + c.locketAddr, "CA_CERT_FILE=" + other.CACert,
		"CLIENT_CERT_FILE=" + c.certs.ClientCert, "CLIENT_KEY_FILE=" + c.certs.ClientKey}, 4, "", "locks")
}

func TestHelpAndCompletion(t *testing.T) {
	o := cfdot(t, nil, "--help")
	if o.code != 0 || !strings.Contains(o.stdout, "Available Commands:") || !strings.Contains(o.stdout, "desired-lrp-scheduling-infos") {
		t.Errorf("--help: %s", o)
	}
	for _, args := range [][]string{{"help", "actual-lrps"}, {"actual-lrps", "--help"}, {"actual-lrps", "-h"}} {
		o := cfdot(t, nil, args...)
		if o.code != 0 || !strings.Contains(o.stdout, "Usage:\n  cfdot actual-lrps [flags]") ||
			!strings.Contains(o.stdout, "Examples:\n  cfdot actual-lrps") || !strings.Contains(o.stdout, "-i, --index int") ||
			!strings.Contains(o.stdout, "--bbsURL string") || !strings.Contains(o.stdout, "--timeout int") {
			t.Errorf("%q: %s", args, o)
		}
	}
	// Every command has an example in its help.
	for _, name := range strings.Fields(commandList(t)) {
		if o := cfdot(t, nil, name, "--help"); o.code != 0 || !strings.Contains(o.stdout, "Examples:\n  cfdot "+name) {
			t.Errorf("%s --help has no example: %s", name, o)
		}
	}
	for _, shell := range []string{"bash", "zsh"} {
		o := cfdot(t, nil, "completion", shell)
		if o.code != 0 || !strings.Contains(o.stdout, "complete -F _cfdot cfdot") {
			t.Errorf("completion %s: %s", shell, o)
		}
	}
	script := filepath.Join(t.TempDir(), "completion.bash")
	if err := os.WriteFile(script, []byte(cfdot(t, nil, "completion", "bash").stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	if bash, err := exec.LookPath("bash"); err == nil {
		// Complete "cfdot actual-lrps --pro" with the script loaded.
		cmd := exec.Command(bash, "-c", `source "$1"; COMP_WORDS=(cfdot actual-lrps --pro); COMP_CWORD=2; _cfdot; echo "${COMPREPLY[@]}"`, "_", script)
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "--process-guid" {
			t.Errorf("bash completion: %q %v", out, err)
		}
	}
}

// commandList reads the command names from the root help.
func commandList(t *testing.T) string {
	t.Helper()
	o := cfdot(t, nil, "--help")
	var names []string
	in := false
	for _, line := range strings.Split(o.stdout, "\n") {
		switch {
		case strings.HasPrefix(line, "Available Commands:"):
			in = true
		case in && strings.HasPrefix(line, "  "):
			if name := strings.Fields(line)[0]; name != "help" && name != "completion" {
				names = append(names, name)
			}
		case in:
			in = false
		}
	}
	if len(names) != 28 {
		t.Fatalf("root help lists %d commands, want 28 (+ help): %q", len(names), names)
	}
	return strings.Join(names, " ")
}

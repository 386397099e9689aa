package depot_test

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/executor/credentials"
	"github.com/godiego/diego/executor/depot"
	"github.com/godiego/diego/internal/certs"
)

// identityCA is a development CA for instance identity and a pool trusting it.
func identityCA(t *testing.T) (certs.Paths, *x509.CertPool) {
	t.Helper()
	p, err := certs.Generate(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(p.CACert)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(raw)
	return p, pool
}

func withCredentials(t *testing.T, credDir string, validity time.Duration) (func(*depot.Config), *x509.CertPool) {
	t.Helper()
	ca, pool := identityCA(t)
	m, err := credentials.Load(credDir, ca.CACert, ca.CAKey, validity)
	if err != nil {
		t.Fatal(err)
	}
	return func(c *depot.Config) { c.Credentials = m }, pool
}

// appOutput is the app's log lines joined back into text.
func (e *env) appOutput() string {
	var out []string
	for _, l := range strings.Split(e.sink.text(), "\n") {
		if rest, ok := strings.CutPrefix(l, "APP/PROC/WEB "); ok {
			out = append(out, rest)
		}
	}
	return strings.Join(out, "\n")
}

func pemCerts(t *testing.T, text string) []*x509.Certificate {
	t.Helper()
	data := []byte(text)
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return out
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
}

func TestInstanceIdentityCredentialsInsideTheContainer(t *testing.T) {
	credDir := t.TempDir()
	configure, pool := withCredentials(t, credDir, 24*time.Hour)
	e := setupWith(t, configure)
	ous := []string{"organization:org-1", "space:space-1", "app:app-1"}
	script := `echo "cert=$CF_INSTANCE_CERT key=$CF_INSTANCE_KEY"
test -r "$CF_INSTANCE_KEY" && echo key-readable
if touch /etc/cf-instance-credentials/x 2>/dev/null; then echo credentials-writable; fi
cat "$CF_INSTANCE_CERT"`
	e.start("identity", executor.RunInfo{Action: runAction("/bin/sh", "-c", script),
		CertificateProperties: executor.CertificateProperties{OrganizationalUnit: ous}}, 64)
	c := e.waitFor("identity", executor.StateCompleted, 30*time.Second)
	if c.RunResult.Failed {
		t.Fatalf("%+v\n%s", c.RunResult, e.sink.text())
	}
	out := e.appOutput()
	for _, want := range []string{"cert=/etc/cf-instance-credentials/instance.crt key=/etc/cf-instance-credentials/instance.key", "key-readable"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "credentials-writable") {
		t.Error("the credentials mount is writable")
	}
	chain := pemCerts(t, out)
	if len(chain) != 2 {
		t.Fatalf("container saw %d certificates, want leaf and CA:\n%s", len(chain), out)
	}
	leaf := chain[0]
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		t.Errorf("certificate does not verify against the identity CA: %v", err)
	}
	if c.InternalIP == "" {
		t.Fatal("container has no internal IP")
	}
	if len(leaf.IPAddresses) != 1 || !leaf.IPAddresses[0].Equal(net.ParseIP(c.InternalIP)) {
		t.Errorf("IP SANs %v, container IP %s", leaf.IPAddresses, c.InternalIP)
	}
	if leaf.Subject.CommonName != "identity" || !slices.Equal(leaf.DNSNames, []string{"identity"}) {
		t.Errorf("CN %q DNS %v", leaf.Subject.CommonName, leaf.DNSNames)
	}
	if got := slices.Sorted(slices.Values(leaf.Subject.OrganizationalUnit)); !slices.Equal(got, slices.Sorted(slices.Values(ous))) {
		t.Errorf("OUs %v", got)
	}

	hostDir := filepath.Join(credDir, "identity")
	if _, err := os.Stat(filepath.Join(hostDir, "instance.key")); err != nil {
		t.Fatalf("host credentials before delete: %v", err)
	}
	if err := e.d.DeleteContainer("identity"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(hostDir); !os.IsNotExist(err) {
		t.Fatalf("credentials directory survived delete: %v", err)
	}
}

func TestInstanceIdentityCredentialsRotate(t *testing.T) {
	credDir := t.TempDir()
	configure, _ := withCredentials(t, credDir, 2*time.Second) // rotates every 1.75 s
	e := setupWith(t, configure)
	e.start("rotating", executor.RunInfo{Action: runAction("/bin/sleep", "600")}, 64)
	e.waitFor("rotating", executor.StateRunning, 30*time.Second)
	certPath := filepath.Join(credDir, "rotating", "instance.crt")
	serial := func() string {
		raw, err := os.ReadFile(certPath)
		if err != nil {
			t.Fatal(err)
		}
		chain := pemCerts(t, string(raw))
		if len(chain) == 0 {
			t.Fatalf("no certificate in %s", certPath)
		}
		return chain[0].SerialNumber.String()
	}
	first := serial()
	deadline := time.Now().Add(30 * time.Second)
	for serial() == first {
		if time.Now().After(deadline) {
			t.Fatal("certificate never rotated")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if c, _ := e.d.GetContainer("rotating"); c.State != executor.StateRunning {
		t.Fatalf("container is %s after rotation: %+v", c.State, c.RunResult)
	}
}

func TestCredentialsDirectoryFailureCompletesRetryable(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "not-there")
	configure, _ := withCredentials(t, missing, time.Hour)
	e := setupWith(t, configure)
	e.start("no-dir", executor.RunInfo{Action: runAction("/bin/true")}, 64)
	c := e.waitFor("no-dir", executor.StateCompleted, 30*time.Second)
	if !c.RunResult.Failed || c.RunResult.FailureReason != depot.ReasonCredDirFailed || !c.RunResult.Retryable {
		t.Fatalf("run result %+v", c.RunResult)
	}
	if _, err := e.g.Client.Lookup("no-dir"); err == nil {
		t.Error("a garden container was created")
	}
}

func TestDestroyLeftoversRemovesTheirCredentials(t *testing.T) {
	credDir := t.TempDir()
	configure, _ := withCredentials(t, credDir, time.Hour)
	e := setupWith(t, configure)
	e.start("left-over", executor.RunInfo{Action: runAction("/bin/sleep", "600")}, 64)
	e.waitFor("left-over", executor.StateRunning, 30*time.Second)

	// A new depot over the same Garden and cred dir, as after a rep restart.
	var cfg depot.Config
	configure(&cfg)
	cfg.Logger = lager.NewLogger("restarted")
	restarted := depot.New(cfg, e.g.Client)
	if err := restarted.DestroyLeftovers(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(credDir, "left-over")); !os.IsNotExist(err) {
		t.Fatalf("leftover credentials directory: %v", err)
	}
}

type brokenEntropy struct{}

func (brokenEntropy) Read([]byte) (int, error) { return 0, errors.New("entropy exhausted") }

func TestCredentialIssueFailureCompletesTheContainer(t *testing.T) {
	ca, _ := identityCA(t)
	certPEM, err := os.ReadFile(ca.CACert)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := os.ReadFile(ca.CAKey)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(keyPEM)
	caKey, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	m, err := credentials.New(credentials.Config{CredDir: t.TempDir(), Validity: time.Hour,
		CACert: pemCerts(t, string(certPEM))[0], CAKey: caKey, Rand: brokenEntropy{}})
	if err != nil {
		t.Fatal(err)
	}
	e := setupWith(t, func(c *depot.Config) { c.Credentials = m })
	e.start("unsigned", executor.RunInfo{Action: runAction("/bin/sh", "-c", "echo the app ran")}, 64)
	c := e.waitFor("unsigned", executor.StateCompleted, 30*time.Second)
	if !c.RunResult.Failed || !strings.HasPrefix(c.RunResult.FailureReason, depot.ReasonCredentialsPrefix) ||
		!strings.Contains(c.RunResult.FailureReason, "entropy exhausted") || c.RunResult.Retryable {
		t.Fatalf("run result %+v", c.RunResult)
	}
	if strings.Contains(e.appOutput(), "the app ran") {
		t.Error("the app ran without credentials")
	}
}

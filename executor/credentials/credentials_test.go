package credentials_test

import (
	"context"
	"crypto/rsa"
	"crypto/tls"
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

	"code.cloudfoundry.org/garden"

	"github.com/godiego/diego/executor/credentials"
	"github.com/godiego/diego/internal/certs"
)

type ca struct {
	paths certs.Paths
	cert  *x509.Certificate
	pool  *x509.CertPool
}

func newCA(t *testing.T) ca {
	t.Helper()
	p, err := certs.Generate(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(p.CACert)
	block, _ := pem.Decode(raw)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return ca{paths: p, cert: cert, pool: pool}
}

func load(t *testing.T, c ca, validity time.Duration) (*credentials.Manager, string) {
	t.Helper()
	dir := t.TempDir()
	m, err := credentials.Load(dir, c.paths.CACert, c.paths.CAKey, validity)
	if err != nil {
		t.Fatal(err)
	}
	return m, dir
}

// parseChain returns the PEM certificates in order.
func parseChain(t *testing.T, data []byte) []*x509.Certificate {
	t.Helper()
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			t.Fatalf("block type %q", block.Type)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func TestIssuedCertificateNamesTheContainer(t *testing.T) {
	c := newCA(t)
	m, _ := load(t, c, 24*time.Hour)
	ous := []string{"organization:org-guid", "space:space-guid", "app:app-guid"}
	before := time.Now().Truncate(time.Second)
	cred, err := m.Issue(credentials.Identity{GUID: "instance-guid", IP: "10.255.1.2", OrganizationalUnits: ous})
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now()

	chain := parseChain(t, cred.Cert)
	if len(chain) != 2 {
		t.Fatalf("chain has %d certificates, want leaf and CA", len(chain))
	}
	leaf := chain[0]
	if !chain[1].Equal(c.cert) {
		t.Error("second certificate is not the CA")
	}
	if leaf.Subject.CommonName != "instance-guid" {
		t.Errorf("CN %q", leaf.Subject.CommonName)
	}
	// One multi-valued RDN: DER sorts the SET, so compare as sets.
	if got := slices.Sorted(slices.Values(leaf.Subject.OrganizationalUnit)); !slices.Equal(got, slices.Sorted(slices.Values(ous))) {
		t.Errorf("OU %v", leaf.Subject.OrganizationalUnit)
	}
	if !slices.Equal(leaf.DNSNames, []string{"instance-guid"}) {
		t.Errorf("DNS SANs %v", leaf.DNSNames)
	}
	if len(leaf.IPAddresses) != 1 || !leaf.IPAddresses[0].Equal(net.ParseIP("10.255.1.2")) {
		t.Errorf("IP SANs %v", leaf.IPAddresses)
	}
	if leaf.NotBefore.Before(before) || leaf.NotBefore.After(after) {
		t.Errorf("NotBefore %s not between %s and %s", leaf.NotBefore, before, after)
	}
	if got := leaf.NotAfter.Sub(leaf.NotBefore); got != 24*time.Hour {
		t.Errorf("validity %s", got)
	}
	wantUsage := x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageKeyAgreement
	if leaf.KeyUsage != wantUsage {
		t.Errorf("key usage %v", leaf.KeyUsage)
	}
	if leaf.IsCA {
		t.Error("leaf is a CA")
	}
	for _, usage := range []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: c.pool, KeyUsages: []x509.ExtKeyUsage{usage}}); err != nil {
			t.Errorf("verify for %v: %v", usage, err)
		}
	}
	if err := leaf.VerifyHostname("10.255.1.2"); err != nil {
		t.Error(err)
	}

	block, _ := pem.Decode(cred.Key)
	if block == nil || block.Type != "RSA PRIVATE KEY" {
		t.Fatalf("key is not a PEM RSA PRIVATE KEY")
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if key.N.BitLen() != 2048 {
		t.Errorf("key is %d bits", key.N.BitLen())
	}
	if !key.PublicKey.Equal(leaf.PublicKey.(*rsa.PublicKey)) {
		t.Error("key does not match the certificate")
	}
	if _, err := tls.X509KeyPair(cred.Cert, cred.Key); err != nil {
		t.Errorf("not a usable TLS pair: %v", err)
	}
}

func TestIssueWithoutIPHasNoIPSAN(t *testing.T) {
	m, _ := load(t, newCA(t), time.Hour)
	cred, err := m.Issue(credentials.Identity{GUID: "task-guid"})
	if err != nil {
		t.Fatal(err)
	}
	leaf := parseChain(t, cred.Cert)[0]
	if len(leaf.IPAddresses) != 0 || len(leaf.Subject.OrganizationalUnit) != 0 {
		t.Errorf("IPs %v OUs %v", leaf.IPAddresses, leaf.Subject.OrganizationalUnit)
	}
	if leaf.NotAfter.Sub(leaf.NotBefore) != time.Hour {
		t.Errorf("validity %s", leaf.NotAfter.Sub(leaf.NotBefore))
	}
}

func TestSerialNumbersDiffer(t *testing.T) {
	m, _ := load(t, newCA(t), time.Hour)
	seen := map[string]bool{}
	for range 3 {
		cred, err := m.Issue(credentials.Identity{GUID: "g"})
		if err != nil {
			t.Fatal(err)
		}
		s := parseChain(t, cred.Cert)[0].SerialNumber
		if s.Sign() <= 0 || seen[s.String()] {
			t.Fatalf("serial %s", s)
		}
		seen[s.String()] = true
	}
}

func TestPrepareRefreshRemove(t *testing.T) {
	c := newCA(t)
	m, dir := load(t, c, time.Hour)
	mounts, env, err := m.Prepare("guid-1")
	if err != nil {
		t.Fatal(err)
	}
	hostDir := filepath.Join(dir, "guid-1")
	want := []garden.BindMount{{SrcPath: hostDir, DstPath: "/etc/cf-instance-credentials", Mode: garden.BindMountModeRO, Origin: garden.BindMountOriginHost}}
	if !slices.Equal(mounts, want) {
		t.Errorf("mounts %+v", mounts)
	}
	wantEnv := []string{"CF_INSTANCE_CERT=/etc/cf-instance-credentials/instance.crt", "CF_INSTANCE_KEY=/etc/cf-instance-credentials/instance.key"}
	if !slices.Equal(env, wantEnv) {
		t.Errorf("env %v", env)
	}
	if _, _, err := m.Prepare("guid-1"); err == nil {
		t.Error("preparing an existing directory succeeded")
	}

	if err := m.Refresh(credentials.Identity{GUID: "guid-1", IP: "10.0.0.5"}); err != nil {
		t.Fatal(err)
	}
	if _, err := tls.LoadX509KeyPair(filepath.Join(hostDir, "instance.crt"), filepath.Join(hostDir, "instance.key")); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(hostDir)
	if len(entries) != 2 {
		t.Errorf("directory holds %d entries, want instance.crt and instance.key", len(entries))
	}

	if err := m.Remove("guid-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(hostDir); !os.IsNotExist(err) {
		t.Errorf("directory still there: %v", err)
	}
}

func TestRefreshWithoutDirectoryFails(t *testing.T) {
	m, _ := load(t, newCA(t), time.Hour)
	if err := m.Refresh(credentials.Identity{GUID: "never-prepared"}); err == nil {
		t.Fatal("refresh into a missing directory succeeded")
	}
}

func TestRotationPeriod(t *testing.T) {
	for _, tc := range []struct{ validity, want time.Duration }{
		{24 * time.Hour, 23*time.Hour + 30*time.Minute},
		{5 * time.Hour, 4*time.Hour + 30*time.Minute},
		{4 * time.Hour, 3*time.Hour + 30*time.Minute},
		{time.Hour, 52*time.Minute + 30*time.Second},
		{8 * time.Minute, 7 * time.Minute},
	} {
		if got := credentials.RotationPeriod(tc.validity); got != tc.want {
			t.Errorf("RotationPeriod(%s) = %s, want %s", tc.validity, got, tc.want)
		}
	}
}

// fakeTimer hands Rotate a channel the test fires, and records the periods.
type fakeTimer struct {
	asked chan time.Duration
	fire  chan time.Time
}

func (f *fakeTimer) after(d time.Duration) <-chan time.Time {
	f.asked <- d
	return f.fire
}

func TestRotateReissuesOnTheTimerWithTheCurrentIdentity(t *testing.T) {
	c := newCA(t)
	dir := t.TempDir()
	timer := &fakeTimer{asked: make(chan time.Duration, 1), fire: make(chan time.Time)}
	caKey := loadKey(t, c.paths.CAKey)
	m, err := credentials.New(credentials.Config{CredDir: dir, Validity: time.Hour, CACert: c.cert, CAKey: caKey, After: timer.after})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Prepare("g"); err != nil {
		t.Fatal(err)
	}
	ip := make(chan string, 1)
	ip <- "10.0.0.1"
	current := "10.0.0.1"
	identity := func() credentials.Identity {
		select {
		case current = <-ip:
		default:
		}
		return credentials.Identity{GUID: "g", IP: current}
	}
	if err := m.Refresh(identity()); err != nil {
		t.Fatal(err)
	}
	first := readLeaf(t, filepath.Join(dir, "g", "instance.crt"))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Rotate(ctx, identity) }()
	if d := <-timer.asked; d != credentials.RotationPeriod(time.Hour) {
		t.Errorf("waited %s", d)
	}
	ip <- "10.0.0.2"
	timer.fire <- time.Now()
	<-timer.asked // the refresh is done before the next wait
	second := readLeaf(t, filepath.Join(dir, "g", "instance.crt"))
	if second.SerialNumber.Cmp(first.SerialNumber) == 0 {
		t.Error("certificate was not replaced")
	}
	if !second.IPAddresses[0].Equal(net.ParseIP("10.0.0.2")) {
		t.Errorf("rotated certificate has IP %v", second.IPAddresses)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Rotate after cancel: %v", err)
	}

	// A failed refresh ends Rotate with its error.
	if err := m.Remove("g"); err != nil {
		t.Fatal(err)
	}
	go func() { done <- m.Rotate(context.Background(), identity) }()
	<-timer.asked
	timer.fire <- time.Now()
	if err := <-done; err == nil || errors.Is(err, context.Canceled) {
		t.Fatalf("Rotate into a removed directory: %v", err)
	}
}

func TestNilManagerDoesNothing(t *testing.T) {
	var m *credentials.Manager
	mounts, env, err := m.Prepare("g")
	if mounts != nil || env != nil || err != nil {
		t.Error("nil manager prepared something")
	}
	if m.Refresh(credentials.Identity{GUID: "g"}) != nil || m.Remove("g") != nil || m.Rotate(context.Background(), nil) != nil {
		t.Error("nil manager failed")
	}
}

func TestLoadRejectsBadInput(t *testing.T) {
	c := newCA(t)
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk")
	os.WriteFile(junk, []byte("not pem"), 0o600)
	for name, args := range map[string][3]string{
		"missing CA":  {filepath.Join(dir, "nope"), c.paths.CAKey},
		"CA not PEM":  {junk, c.paths.CAKey},
		"key not PEM": {c.paths.CACert, junk},
		"key is cert": {c.paths.CACert, c.paths.CACert},
		"missing key": {c.paths.CACert, filepath.Join(dir, "nope")},
	} {
		if _, err := credentials.Load(dir, args[0], args[1], time.Hour); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	if _, err := credentials.Load(dir, c.paths.CACert, c.paths.CAKey, 0); err == nil {
		t.Error("zero validity accepted")
	}
	other := newCA(t)
	if _, err := credentials.Load(dir, c.paths.CACert, other.paths.CAKey, time.Hour); err == nil || !strings.Contains(err.Error(), "does not belong") {
		t.Errorf("another CA's key: %v", err)
	}
}

func readLeaf(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseChain(t, raw)[0]
}

func loadKey(t *testing.T, path string) *rsa.PrivateKey {
	t.Helper()
	raw, _ := os.ReadFile(path)
	block, _ := pem.Decode(raw)
	k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// BenchmarkIssue measures one credential (RSA 2048 key generation dominates).
func BenchmarkIssue(b *testing.B) {
	p, err := certs.Generate(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	m, err := credentials.Load(b.TempDir(), p.CACert, p.CAKey, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	id := credentials.Identity{GUID: "g", IP: "10.0.0.1", OrganizationalUnits: []string{"app:a"}}
	for b.Loop() {
		if _, err := m.Issue(id); err != nil {
			b.Fatal(err)
		}
	}
}

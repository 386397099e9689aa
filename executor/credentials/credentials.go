// Package credentials owns instance identity credentials: per container, a
// fresh RSA key and a certificate signed by the cell's identity CA that
// names the container (CN and DNS SAN = container guid, IP SAN = container
// IP, OUs from the LRP's or task's certificate properties). The pair lives
// in <cred dir>/<container guid>/ on the host, bind-mounted read-only at
// /etc/cf-instance-credentials, with CF_INSTANCE_CERT and CF_INSTANCE_KEY
// pointing at it, and is regenerated well before it expires.
//
// A nil *Manager is valid and means instance identity is off: it mounts,
// writes and rotates nothing.
package credentials

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"time"

	"code.cloudfoundry.org/garden"
)

// Where the credentials appear inside a container, as upstream.
const (
	ContainerDir = "/etc/cf-instance-credentials"
	CertFile     = "instance.crt"
	KeyFile      = "instance.key"
	CertEnv      = "CF_INSTANCE_CERT"
	KeyEnv       = "CF_INSTANCE_KEY"
)

// DefaultValidity is the release default of instance_identity_validity_period.
const DefaultValidity = 24 * time.Hour

// Config configures a Manager.
type Config struct {
	// CredDir is the host directory holding one directory per container.
	CredDir string
	// Validity is how long each certificate is valid.
	Validity time.Duration
	// CACert and CAKey sign the certificates.
	CACert *x509.Certificate
	CAKey  crypto.Signer
	// Now and After stand in for the clock (time.Now, time.After when nil).
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time
	// Rand is the entropy source (crypto/rand when nil).
	Rand io.Reader
}

// Manager issues, writes, rotates and removes containers' credentials.
type Manager struct {
	cfg Config
}

// New checks cfg and returns a Manager.
func New(cfg Config) (*Manager, error) {
	switch {
	case cfg.CredDir == "":
		return nil, errors.New("instance identity: no credentials directory")
	case cfg.CACert == nil || cfg.CAKey == nil:
		return nil, errors.New("instance identity: no CA certificate or key")
	case cfg.Validity <= 0:
		return nil, errors.New("instance ID validity period needs to be set and positive")
	}
	// Caught here rather than at every container's first certificate.
	if pub, ok := cfg.CAKey.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(cfg.CACert.PublicKey) {
		return nil, errors.New("instance identity: the private key does not belong to the CA certificate")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.After == nil {
		cfg.After = time.After
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	return &Manager{cfg: cfg}, nil
}

// Load reads the PEM CA certificate (the first one in the file) and its
// private key (PKCS#1, PKCS#8 or SEC 1) and returns a Manager writing under
// credDir.
func Load(credDir, caPath, keyPath string, validity time.Duration) (*Manager, error) {
	caPEM, err := os.ReadFile(caPath)
	if err != nil {
		return nil, fmt.Errorf("instance identity CA: %w", err)
	}
	block, _ := pem.Decode(caPEM)
	if block == nil {
		return nil, errors.New("instance ID CA is not PEM-encoded")
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("instance identity CA: %w", err)
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, fmt.Errorf("instance identity key: %w", err)
	}
	if block, _ = pem.Decode(keyPEM); block == nil {
		return nil, errors.New("instance ID key is not PEM-encoded")
	}
	key, err := parseSigner(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("instance identity key: %w", err)
	}
	return New(Config{CredDir: credDir, Validity: validity, CACert: ca, CAKey: key})
}

func parseSigner(der []byte) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, errors.New("not a PKCS#1, PKCS#8 or EC private key")
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("unsupported private key type %T", k)
	}
	return s, nil
}

// Dir is the host directory of one container's credentials.
func (m *Manager) Dir(guid string) string { return filepath.Join(m.cfg.CredDir, guid) }

// Prepare creates the container's (new, empty) credentials directory and
// returns its read-only bind mount and the environment ("NAME=value") the
// container gets. Nothing when m is nil.
func (m *Manager) Prepare(guid string) ([]garden.BindMount, []string, error) {
	if m == nil {
		return nil, nil, nil
	}
	dir := m.Dir(guid)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, nil, err
	}
	mounts := []garden.BindMount{{SrcPath: dir, DstPath: ContainerDir, Mode: garden.BindMountModeRO, Origin: garden.BindMountOriginHost}}
	env := []string{
		CertEnv + "=" + path.Join(ContainerDir, CertFile),
		KeyEnv + "=" + path.Join(ContainerDir, KeyFile),
	}
	return mounts, env, nil
}

// Remove deletes the container's credentials directory. Nothing when m is nil.
func (m *Manager) Remove(guid string) error {
	if m == nil {
		return nil
	}
	return os.RemoveAll(m.Dir(guid))
}

// Refresh issues a new credential for id and writes it into id.GUID's
// directory. Nothing when m is nil.
func (m *Manager) Refresh(id Identity) error {
	if m == nil {
		return nil
	}
	c, err := m.Issue(id)
	if err != nil {
		return err
	}
	return m.write(id.GUID, c)
}

// Rotate refreshes the credential of the container id describes every
// RotationPeriod(validity) until ctx ends (then nil) or a refresh fails
// (then that error). id is asked again each time, so a changed IP or OU is
// picked up. The first credential is Refresh's job. Nothing when m is nil.
func (m *Manager) Rotate(ctx context.Context, id func() Identity) error {
	if m == nil {
		return nil
	}
	period := RotationPeriod(m.cfg.Validity)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-m.cfg.After(period):
		}
		if ctx.Err() != nil {
			return nil
		}
		if err := m.Refresh(id()); err != nil {
			return err
		}
	}
}

// RotationPeriod is how long a credential is used before the next one is
// issued: half an hour before expiry for validities over 4 h, else after
// seven eighths of the validity (upstream's schedule).
func RotationPeriod(validity time.Duration) time.Duration {
	if validity > 4*time.Hour {
		return validity - 30*time.Minute
	}
	return validity - validity/8
}

// write replaces the key and then the certificate, each by rename, so a
// reader never sees a partly written file.
func (m *Manager) write(guid string, c Credential) error {
	dir := m.Dir(guid)
	for _, f := range []struct {
		name string
		data []byte
	}{{KeyFile, c.Key}, {CertFile, c.Cert}} {
		final := filepath.Join(dir, f.name)
		tmp := final + ".tmp"
		// 0644: the container's (unprivileged) user must read both.
		if err := os.WriteFile(tmp, f.data, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", f.name, err)
		}
		if err := os.Rename(tmp, final); err != nil {
			return fmt.Errorf("writing %s: %w", f.name, err)
		}
	}
	return nil
}

package proxy

import (
	"crypto/ed25519"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func testKey(t *testing.T) ssh.PublicKey {
	t.Helper()
	seed := make([]byte, ed25519.SeedSize) // deterministic key
	signer, err := ssh.NewSignerFromKey(ed25519.NewKeyFromSeed(seed))
	if err != nil {
		t.Fatal(err)
	}
	return signer.PublicKey()
}

// colonize formats bytes the way `ssh-keygen -E md5 -l` does, independently
// of the code under test.
func colonize(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(parts, ":")
}

func TestFingerprintForms(t *testing.T) {
	key := testKey(t)
	md5sum := md5.Sum(key.Marshal())
	sha1sum := sha1.Sum(key.Marshal())
	if got, want := MD5Fingerprint(key), colonize(md5sum[:]); got != want {
		t.Fatalf("MD5Fingerprint = %s, want %s", got, want)
	}
	if got, want := SHA1Fingerprint(key), colonize(sha1sum[:]); got != want {
		t.Fatalf("SHA1Fingerprint = %s, want %s", got, want)
	}
	if n := len(MD5Fingerprint(key)); n != MD5FingerprintLength {
		t.Fatalf("MD5 fingerprint length %d", n)
	}
	if n := len(SHA1Fingerprint(key)); n != SHA1FingerprintLength {
		t.Fatalf("SHA1 fingerprint length %d", n)
	}
}

func TestFingerprintMatchesPicksTheHashByLength(t *testing.T) {
	key := testKey(t)
	other := func() ssh.PublicKey {
		seed := make([]byte, ed25519.SeedSize)
		seed[0] = 1
		s, _ := ssh.NewSignerFromKey(ed25519.NewKeyFromSeed(seed))
		return s.PublicKey()
	}()
	sum := sha256.Sum256(key.Marshal())
	cases := []struct {
		name     string
		expected string
		want     bool
	}{
		{"md5", MD5Fingerprint(key), true},
		{"sha1", SHA1Fingerprint(key), true},
		{"md5 of another key", MD5Fingerprint(other), false},
		{"sha1 of another key", SHA1Fingerprint(other), false},
		{"uppercase md5", strings.ToUpper(MD5Fingerprint(key)), false},
		{"sha256 is not supported", base64.RawStdEncoding.EncodeToString(sum[:]), false},
		{"sha256 with prefix is not supported", ssh.FingerprintSHA256(key), false},
		{"garbage", "nope", false},
	}
	for _, c := range cases {
		if got := FingerprintMatches(c.expected, key); got != c.want {
			t.Errorf("%s: FingerprintMatches(%q) = %t, want %t", c.name, c.expected, got, c.want)
		}
	}
}

func TestHostKeyCallback(t *testing.T) {
	key := testKey(t)
	if err := HostKeyCallback("")("host", nil, key); err != nil {
		t.Fatalf("empty fingerprint must accept any key: %v", err)
	}
	if err := HostKeyCallback(MD5Fingerprint(key))("host", nil, key); err != nil {
		t.Fatalf("matching fingerprint refused: %v", err)
	}
	err := HostKeyCallback(strings.Repeat("0", MD5FingerprintLength))("host", nil, key)
	if err == nil || err.Error() != "Host fingerprint mismatch" {
		t.Fatalf("mismatch error = %v", err)
	}
}

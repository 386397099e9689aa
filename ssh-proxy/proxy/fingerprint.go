package proxy

import (
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"net"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/ssh"
)

// Lengths of the fingerprint forms a diego-ssh route may carry: the length
// of the expected fingerprint picks the hash. SHA256 is not supported, as
// upstream does not support it: any other length never matches.
const (
	MD5FingerprintLength  = 47 // 16 bytes as colon-separated hex
	SHA1FingerprintLength = 59 // 20 bytes as colon-separated hex
)

// ErrFingerprintMismatch is returned when the backend's host key does not
// have the expected fingerprint (upstream's message).
var ErrFingerprintMismatch = errors.New("Host fingerprint mismatch")

// MD5Fingerprint is the key's MD5 fingerprint in colon-separated lowercase hex.
func MD5Fingerprint(key ssh.PublicKey) string {
	sum := md5.Sum(key.Marshal())
	return colonHex(sum[:])
}

// SHA1Fingerprint is the key's SHA1 fingerprint in colon-separated lowercase hex.
func SHA1Fingerprint(key ssh.PublicKey) string {
	sum := sha1.Sum(key.Marshal())
	return colonHex(sum[:])
}

func colonHex(b []byte) string {
	var s strings.Builder
	for i, c := range b {
		if i > 0 {
			s.WriteByte(':')
		}
		s.WriteString(hex.EncodeToString([]byte{c}))
	}
	return s.String()
}

// FingerprintMatches reports whether key has the expected fingerprint,
// hashing with MD5 or SHA1 according to the expected form's length.
func FingerprintMatches(expected string, key ssh.PublicKey) bool {
	var actual string
	switch utf8.RuneCountInString(expected) {
	case MD5FingerprintLength:
		actual = MD5Fingerprint(key)
	case SHA1FingerprintLength:
		actual = SHA1Fingerprint(key)
	default:
		return false
	}
	return actual == expected
}

// HostKeyCallback checks the backend's host key against expected; an empty
// expectation accepts any key.
func HostKeyCallback(expected string) ssh.HostKeyCallback {
	if expected == "" {
		return ssh.InsecureIgnoreHostKey()
	}
	return func(_ string, _ net.Addr, key ssh.PublicKey) error {
		if !FingerprintMatches(expected, key) {
			return ErrFingerprintMismatch
		}
		return nil
	}
}

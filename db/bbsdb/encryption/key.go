// Package encryption owns the BBS's data-at-rest format: AES-256-GCM keys
// derived from passphrases, the key ring (one active key, any number of
// older ones for decryption), the "02"+base64 blob encoding and the proto
// envelope, byte-compatible with upstream's bbs encryption and format
// packages so that either implementation can read the other's rows.
package encryption

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"errors"
	"fmt"
)

// MaxLabelLength is the longest key label the blob format can carry.
const MaxLabelLength = 127

// NonceSize is the AES-GCM nonce length in bytes.
const NonceSize = 12

// Key is one labelled AES-256-GCM key.
type Key struct {
	label string
	aead  cipher.AEAD
}

// NewKey derives a key from passphrase: the AES-256 key bytes are
// sha256(passphrase). The label must be 1..127 bytes.
func NewKey(label, passphrase string) (*Key, error) {
	if label == "" {
		return nil, errors.New("a key label is required")
	}
	if len(label) > MaxLabelLength {
		return nil, fmt.Errorf("key label %q is longer than %d bytes", label, MaxLabelLength)
	}
	sum := sha256.Sum256([]byte(passphrase))
	block, err := aes.NewCipher(sum[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Key{label: label, aead: aead}, nil
}

// Label names the key inside every blob it encrypts.
func (k *Key) Label() string { return k.label }

// Config is the daemon configuration of the key ring, as upstream's
// `encryption_keys` and `active_key_label` keys.
type Config struct {
	ActiveKeyLabel string            `json:"active_key_label"`
	EncryptionKeys map[string]string `json:"encryption_keys"`
}

// KeyRing holds the active key, used for every encryption, and all keys
// by label for decryption.
type KeyRing struct {
	active *Key
	byName map[string]*Key
}

// NewKeyRing builds a ring from cfg; the active label must be among the keys.
func NewKeyRing(cfg Config) (*KeyRing, error) {
	if len(cfg.EncryptionKeys) == 0 {
		return nil, errors.New("at least one encryption key must be configured (encryption_keys)")
	}
	if cfg.ActiveKeyLabel == "" {
		return nil, errors.New("an active encryption key must be selected (active_key_label)")
	}
	ring := &KeyRing{byName: make(map[string]*Key, len(cfg.EncryptionKeys))}
	for label, phrase := range cfg.EncryptionKeys {
		k, err := NewKey(label, phrase)
		if err != nil {
			return nil, err
		}
		ring.byName[label] = k
	}
	ring.active = ring.byName[cfg.ActiveKeyLabel]
	if ring.active == nil {
		return nil, fmt.Errorf("active_key_label %q is not among encryption_keys", cfg.ActiveKeyLabel)
	}
	return ring, nil
}

// Active returns the key new data is encrypted with.
func (r *KeyRing) Active() *Key { return r.active }

// Lookup returns the key with label, or nil.
func (r *KeyRing) Lookup(label string) *Key { return r.byName[label] }

// Has reports whether a key with label is configured.
func (r *KeyRing) Has(label string) bool { return r.byName[label] != nil }

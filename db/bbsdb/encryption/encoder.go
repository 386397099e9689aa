package encryption

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
)

// encodingBase64Encrypted is the two-byte prefix of every blob: ASCII "02".
var encodingBase64Encrypted = [2]byte{'0', '2'}

// ErrUnknownKeyLabel is wrapped by Decode when a blob names a key that is not
// configured.
var ErrUnknownKeyLabel = errors.New("unknown encryption key label")

// ErrMalformedBlob is wrapped by Decode when a blob is not in the format.
var ErrMalformedBlob = errors.New("malformed encrypted blob")

// Encoder encrypts and decrypts column values:
//
//	"02" + base64std( byte(len(label)) ‖ label ‖ nonce(12) ‖ AES-GCM ciphertext+tag )
//
// with no additional authenticated data.
type Encoder struct {
	ring *KeyRing
	rand io.Reader
}

// NewEncoder returns an encoder over ring drawing nonces from prng (nil:
// crypto/rand).
func NewEncoder(ring *KeyRing, prng io.Reader) *Encoder {
	if prng == nil {
		prng = rand.Reader
	}
	return &Encoder{ring: ring, rand: prng}
}

// Ring returns the key ring.
func (e *Encoder) Ring() *KeyRing { return e.ring }

// Encode encrypts plaintext with the active key.
func (e *Encoder) Encode(plaintext []byte) ([]byte, error) {
	key := e.ring.Active()
	nonce := make([]byte, NonceSize)
	if _, err := io.ReadFull(e.rand, nonce); err != nil {
		return nil, fmt.Errorf("generating nonce: %w", err)
	}
	raw := make([]byte, 0, 1+len(key.label)+NonceSize+len(plaintext)+key.aead.Overhead())
	raw = append(raw, byte(len(key.label)))
	raw = append(raw, key.label...)
	raw = append(raw, nonce...)
	raw = key.aead.Seal(raw, nonce, plaintext, nil)

	out := make([]byte, 2+base64.StdEncoding.EncodedLen(len(raw)))
	copy(out, encodingBase64Encrypted[:])
	base64.StdEncoding.Encode(out[2:], raw)
	return out, nil
}

// Decode decrypts a blob with the key named inside it.
func (e *Encoder) Decode(blob []byte) ([]byte, error) {
	if len(blob) < 2 {
		return nil, fmt.Errorf("%w: %d bytes", ErrMalformedBlob, len(blob))
	}
	if blob[0] != encodingBase64Encrypted[0] || blob[1] != encodingBase64Encrypted[1] {
		return nil, fmt.Errorf("%w: unknown encoding %q", ErrMalformedBlob, blob[:2])
	}
	raw := make([]byte, base64.StdEncoding.DecodedLen(len(blob)-2))
	n, err := base64.StdEncoding.Decode(raw, blob[2:])
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedBlob, err)
	}
	raw = raw[:n]
	if len(raw) < 1 {
		return nil, fmt.Errorf("%w: empty payload", ErrMalformedBlob)
	}
	labelLen := int(raw[0])
	if len(raw) < 1+labelLen+NonceSize {
		return nil, fmt.Errorf("%w: payload too short", ErrMalformedBlob)
	}
	label := string(raw[1 : 1+labelLen])
	nonce := raw[1+labelLen : 1+labelLen+NonceSize]
	ciphertext := raw[1+labelLen+NonceSize:]
	key := e.ring.Lookup(label)
	if key == nil {
		return nil, fmt.Errorf("%w: key with label %q was not found", ErrUnknownKeyLabel, label)
	}
	plain, err := key.aead.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		return nil, fmt.Errorf("decrypting with key %q: %w", label, err)
	}
	return plain, nil
}

package encryption

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/proto/models"
)

// referenceBlob builds a blob from the written format alone, independently
// of Encoder: "02" + base64std(len(label) ‖ label ‖ nonce ‖ GCM(sha256(pass))).
func referenceBlob(t *testing.T, label, passphrase string, nonce, plaintext []byte) []byte {
	t.Helper()
	sum := sha256.Sum256([]byte(passphrase))
	block, err := aes.NewCipher(sum[:])
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	raw.WriteByte(byte(len(label)))
	raw.WriteString(label)
	raw.Write(nonce)
	raw.Write(gcm.Seal(nil, nonce, plaintext, nil))
	return []byte("02" + base64.StdEncoding.EncodeToString(raw.Bytes()))
}

func ring(t *testing.T, active string, keys map[string]string) *KeyRing {
	t.Helper()
	r, err := NewKeyRing(Config{ActiveKeyLabel: active, EncryptionKeys: keys})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEncodeMatchesReferenceFormat(t *testing.T) {
	nonce := []byte("0123456789ab")
	plaintext := []byte(`{"cf-router":[{"hostnames":["a.example.com"],"port":8080}]}`)
	want := referenceBlob(t, "label-2024", "correct horse battery staple", nonce, plaintext)

	enc := NewEncoder(ring(t, "label-2024", map[string]string{"label-2024": "correct horse battery staple"}), bytes.NewReader(nonce))
	got, err := enc.Encode(plaintext)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("blob mismatch:\n got %s\nwant %s", got, want)
	}
	back, err := enc.Decode(want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back, plaintext) {
		t.Fatalf("decoded %q", back)
	}
}

func TestDecodePicksKeyByLabel(t *testing.T) {
	old := referenceBlob(t, "old", "old-pass", []byte("nnnnnnnnnnnn"), []byte("hello"))
	enc := NewEncoder(ring(t, "new", map[string]string{"new": "new-pass", "old": "old-pass"}), nil)
	got, err := enc.Decode(old)
	if err != nil || string(got) != "hello" {
		t.Fatalf("got %q, %v", got, err)
	}
	fresh, err := enc.Encode([]byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(string(fresh[2:]))
	if string(raw[1:1+raw[0]]) != "new" {
		t.Fatalf("encrypted with %q", raw[1:1+raw[0]])
	}
}

func TestDecodeFailures(t *testing.T) {
	enc := NewEncoder(ring(t, "a", map[string]string{"a": "pass"}), nil)
	unknown := referenceBlob(t, "zzz", "pass", []byte("nnnnnnnnnnnn"), []byte("hello"))
	if _, err := enc.Decode(unknown); !errors.Is(err, ErrUnknownKeyLabel) || !strings.Contains(err.Error(), "zzz") {
		t.Fatalf("unknown label: %v", err)
	}
	wrongPass := referenceBlob(t, "a", "other", []byte("nnnnnnnnnnnn"), []byte("hello"))
	if _, err := enc.Decode(wrongPass); err == nil {
		t.Fatal("wrong passphrase decrypted")
	}
	for _, bad := range []string{"", "0", "01abc", "02!!!", "02", "02" + base64.StdEncoding.EncodeToString([]byte{5, 'a'})} {
		if _, err := enc.Decode([]byte(bad)); err == nil {
			t.Fatalf("%q decoded", bad)
		}
	}
}

func TestKeyRingValidation(t *testing.T) {
	cases := []Config{
		{},
		{ActiveKeyLabel: "a"},
		{EncryptionKeys: map[string]string{"a": "p"}},
		{ActiveKeyLabel: "b", EncryptionKeys: map[string]string{"a": "p"}},
		{ActiveKeyLabel: "", EncryptionKeys: map[string]string{"": "p"}},
		{ActiveKeyLabel: strings.Repeat("x", 128), EncryptionKeys: map[string]string{strings.Repeat("x", 128): "p"}},
	}
	for i, c := range cases {
		if _, err := NewKeyRing(c); err == nil {
			t.Errorf("case %d accepted", i)
		}
	}
	if _, err := NewKeyRing(Config{ActiveKeyLabel: strings.Repeat("x", 127), EncryptionKeys: map[string]string{strings.Repeat("x", 127): "p"}}); err != nil {
		t.Fatal(err)
	}
}

func TestEnvelope(t *testing.T) {
	in := &models.ActualLRPNetInfo{Address: "10.0.0.1", InstanceAddress: "10.255.0.2", Ports: []*models.PortMapping{{ContainerPort: 8080, HostPort: 61000}}}
	data, err := MarshalEnvelope(in)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := proto.Marshal(in)
	if !bytes.Equal(data, append([]byte{0x02, 0x00}, body...)) {
		t.Fatalf("envelope % x", data)
	}
	var out models.ActualLRPNetInfo
	if err := UnmarshalEnvelope(data, &out); err != nil || !proto.Equal(in, &out) {
		t.Fatalf("round trip: %v %v", err, &out)
	}
	for _, bad := range [][]byte{nil, {2}, {1, 0}, {2, 0, 0xff}} {
		if err := UnmarshalEnvelope(bad, &out); !errors.Is(err, ErrBadEnvelope) {
			t.Errorf("% x: %v", bad, err)
		}
	}
}

// FuzzDecode checks that no input makes Decode panic.
func FuzzDecode(f *testing.F) {
	ring, err := NewKeyRing(Config{ActiveKeyLabel: "a", EncryptionKeys: map[string]string{"a": "p"}})
	if err != nil {
		f.Fatal(err)
	}
	enc := NewEncoder(ring, nil)
	good, _ := enc.Encode([]byte("hello"))
	for _, s := range [][]byte{good, nil, []byte("02"), []byte("02AA=="), []byte("02/w=="), good[:len(good)-4]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, blob []byte) {
		_, _ = enc.Decode(blob)
	})
}

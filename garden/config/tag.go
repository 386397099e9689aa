package config

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
)

// TagFor returns the 6-hex-digit instance tag for a depot directory.
func TagFor(depotDir string) string {
	sum := sha256.Sum256([]byte(filepath.Clean(depotDir)))
	return hex.EncodeToString(sum[:3])
}

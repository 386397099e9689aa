package fileserver

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Static serves the files below one directory. Each response carries an
// ETag of the form `"<sha256 hex>"`; digests are cached per path and
// recomputed when the file's size or modification time changes. Range,
// If-None-Match and If-Modified-Since are handled by http.ServeContent.
//
// Like upstream it follows symbolic links (a BOSH job's packages directory
// is made of them) but refuses any path with a `..` element.
type Static struct {
	root string

	mu      sync.Mutex
	digests map[string]digest

	// hashed is called after each digest computation (tests and metrics).
	hashed func(name string)
}

type digest struct {
	size    int64
	modTime time.Time
	sum     string
}

// NewStatic returns a handler serving files below root. The request path,
// already stripped of any route prefix, names the file.
func NewStatic(root string) *Static {
	return &Static{root: root, digests: map[string]digest{}}
}

// ServeHTTP implements http.Handler.
func (s *Static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if hasDotDot(r.URL.Path) {
		http.Error(w, "invalid URL path", http.StatusBadRequest)
		return
	}
	name := path.Clean("/" + r.URL.Path)
	base := path.Base(name)

	f, err := os.Open(filepath.Join(s.root, filepath.FromSlash(name)))
	if err != nil {
		http.Error(w, "File not found: "+base, http.StatusNotFound)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		http.Error(w, "Cannot stat file: "+base, http.StatusInternalServerError)
		return
	}
	if info.IsDir() {
		http.Error(w, "Unauthorized to list the directory", http.StatusUnauthorized)
		return
	}

	sum, err := s.digest(name, f, info)
	if err != nil {
		http.Error(w, "Error calculating checksum of file", http.StatusInternalServerError)
		return
	}
	w.Header().Set("ETag", `"`+sum+`"`)
	http.ServeContent(w, r, info.Name(), info.ModTime(), f)
}

// digest returns the cached sha256 of the open file f, computing it when the
// cache has none for name or the file changed since. f is left at offset 0.
func (s *Static) digest(name string, f *os.File, info os.FileInfo) (string, error) {
	s.mu.Lock()
	d, ok := s.digests[name]
	s.mu.Unlock()
	if ok && d.size == info.Size() && d.modTime.Equal(info.ModTime()) {
		return d.sum, nil
	}

	// Hash outside the lock: tarballs are large and other paths must not wait.
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hashing %s: %w", name, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("rewinding %s: %w", name, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))

	s.mu.Lock()
	s.digests[name] = digest{size: info.Size(), modTime: info.ModTime(), sum: sum}
	s.mu.Unlock()
	if s.hashed != nil {
		s.hashed(name)
	}
	return sum, nil
}

// hasDotDot reports whether any slash- or backslash-separated element of p
// is "..". Names merely containing two dots ("a..b") are fine.
func hasDotDot(p string) bool {
	if !strings.Contains(p, "..") {
		return false
	}
	for _, elem := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if elem == ".." {
			return true
		}
	}
	return false
}

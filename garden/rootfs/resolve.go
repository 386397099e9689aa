// Package rootfs turns a Garden rootfs URI into base layers on disk (a
// directory, an extracted tarball, an OCI image layout, a preloaded name
// with an extra layer) and gives each container its own overlayfs writable
// layer on top, so base layers are never modified.
package rootfs

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// ErrUnsupported marks rootfs URIs this backend cannot serve (e.g. docker://).
var ErrUnsupported = errors.New("unsupported rootfs")

// Store resolves rootfs URIs and keeps extracted layers in Dir, keyed by
// their source so each is unpacked once.
type Store struct {
	Dir       string            // cache of extracted layers
	Default   string            // used for an empty URI
	Preloaded map[string]string // name -> directory or tarball

	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// Resolve returns the base layers for uri, topmost first.
func (s *Store) Resolve(uri string) ([]string, error) {
	switch {
	case uri == "":
		if s.Default == "" {
			return nil, errors.New("no rootfs given and no default_rootfs configured")
		}
		return s.local(s.Default)
	case strings.HasPrefix(uri, "preloaded:"):
		return s.preloaded(strings.TrimPrefix(uri, "preloaded:"))
	case strings.HasPrefix(uri, "preloaded+layer:"):
		return s.preloadedWithLayer(strings.TrimPrefix(uri, "preloaded+layer:"))
	case strings.HasPrefix(uri, "oci://"):
		return s.ociLayout(strings.TrimPrefix(uri, "oci://"))
	case strings.HasPrefix(uri, "raw://"), strings.HasPrefix(uri, "file://"):
		u, err := url.Parse(uri)
		if err != nil {
			return nil, fmt.Errorf("rootfs %q: %w", uri, err)
		}
		return s.local(u.Path)
	case strings.HasPrefix(uri, "/"):
		return s.local(uri)
	}
	return nil, fmt.Errorf("%w: %q (use a path, a tarball, oci:///layout[:tag], preloaded:NAME or preloaded+layer:NAME?layer=...)", ErrUnsupported, uri)
}

func (s *Store) preloaded(name string) ([]string, error) {
	p, ok := s.Preloaded[name]
	if !ok {
		return nil, fmt.Errorf("unknown preloaded rootfs %q", name)
	}
	return s.local(p)
}

// preloadedWithLayer handles Diego's "preloaded+layer:NAME?layer=URL&layer_path=P&layer_digest=D".
func (s *Store) preloadedWithLayer(rest string) ([]string, error) {
	name, query, _ := strings.Cut(rest, "?")
	base, err := s.preloaded(name)
	if err != nil {
		return nil, err
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("preloaded+layer query: %w", err)
	}
	layerURL := q.Get("layer")
	if layerURL == "" {
		return base, nil
	}
	layerPath := q.Get("layer_path")
	if layerPath == "" {
		layerPath = "/"
	}
	key := "layer-" + q.Get("layer_digest")
	if q.Get("layer_digest") == "" {
		key = "layer-" + hash(layerURL)
	}
	layer, err := s.cached(key+"-"+hash(layerPath), func(dir string) error {
		return fetchLayer(layerURL, dir, layerPath)
	})
	if err != nil {
		return nil, err
	}
	return append([]string{layer}, base...), nil
}

// local handles a directory (an OCI layout when it has an oci-layout file)
// or a tarball.
func (s *Store) local(p string) ([]string, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("rootfs: %w", err)
	}
	if info.IsDir() {
		if _, err := os.Stat(filepath.Join(p, "oci-layout")); err == nil {
			return s.ociLayout(p)
		}
		return []string{p}, nil
	}
	key := fmt.Sprintf("tar-%s", hash(fmt.Sprintf("%s|%d|%d", p, info.Size(), info.ModTime().UnixNano())))
	dir, err := s.cached(key, func(dir string) error { return extractTarball(p, dir) })
	if err != nil {
		return nil, err
	}
	return []string{dir}, nil
}

// cached returns Dir/key, filling it with fill once (atomically, by rename).
func (s *Store) cached(key string, fill func(dir string) error) (string, error) {
	s.mu.Lock()
	if s.locks == nil {
		s.locks = map[string]*sync.Mutex{}
	}
	l, ok := s.locks[key]
	if !ok {
		l = &sync.Mutex{}
		s.locks[key] = l
	}
	s.mu.Unlock()
	l.Lock()
	defer l.Unlock()

	final := filepath.Join(s.Dir, key)
	if _, err := os.Stat(final); err == nil {
		return final, nil
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(s.Dir, ".tmp-"+key+"-")
	if err != nil {
		return "", err
	}
	if err := fill(tmp); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, final); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	return final, nil
}

// CleanTemp removes half-extracted layers left by a crash.
func (s *Store) CleanTemp() {
	entries, _ := os.ReadDir(s.Dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			os.RemoveAll(filepath.Join(s.Dir, e.Name()))
		}
	}
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// Package cache owns the executor's download cache: it fetches artifacts
// over HTTP(S), verifies their checksums (md5, sha1, sha256), turns archives
// (tar, tar.gz, zip) into tar streams for Garden StreamIn or into
// directories for read-only bind mounts, and keeps cache-keyed results on
// disk within a byte budget, evicting the least recently used.
package cache

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Cache is a size-bounded, LRU download cache. It is safe for concurrent use.
type Cache struct {
	dir      string
	maxBytes int64
	client   *http.Client
	slots    chan struct{}
	now      func() time.Time

	mu      sync.Mutex
	entries map[string]*entry
	used    int64
	flights map[string]*flight
}

type entry struct {
	tarPath string
	dirPath string
	size    int64
	lastUse time.Time
	users   int
}

type flight struct {
	done chan struct{}
	err  error
}

// Config configures a Cache.
type Config struct {
	Dir                    string
	MaxBytes               int64
	MaxConcurrentDownloads int
	Client                 *http.Client
}

// New returns a cache storing its files under cfg.Dir (emptied first).
func New(cfg Config) (*Cache, error) {
	if err := os.RemoveAll(cfg.Dir); err != nil {
		return nil, fmt.Errorf("clearing cache dir: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(cfg.Dir, "tmp"), 0o755); err != nil {
		return nil, fmt.Errorf("creating cache dir: %w", err)
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Minute}
	}
	n := cfg.MaxConcurrentDownloads
	if n <= 0 {
		n = 5
	}
	return &Cache{dir: cfg.Dir, maxBytes: cfg.MaxBytes, client: client, slots: make(chan struct{}, n),
		now: time.Now, entries: map[string]*entry{}, flights: map[string]*flight{}}, nil
}

// Fetch returns the artifact at from as a tar stream and the number of bytes
// downloaded (0 when served from the cache). An empty cacheKey bypasses the
// cache.
func (c *Cache) Fetch(ctx context.Context, from *url.URL, cacheKey, algorithm, value string) (io.ReadCloser, int64, error) {
	if cacheKey == "" {
		path, size, err := c.download(ctx, from, algorithm, value)
		if err != nil {
			return nil, 0, err
		}
		f, err := os.Open(path)
		os.Remove(path) // the open handle keeps the data
		if err != nil {
			return nil, 0, err
		}
		return f, size, nil
	}
	e, downloaded, err := c.acquire(ctx, from, cacheKey, algorithm, value)
	if err != nil {
		return nil, 0, err
	}
	f, err := os.Open(e.tarPath)
	c.release(cacheKey)
	if err != nil {
		return nil, 0, err
	}
	return f, downloaded, nil
}

// FetchAsDirectory returns a directory holding the extracted artifact, for a
// read-only bind mount, and a release function to call once the container
// using it is gone. The directory stays cached while anyone holds it.
func (c *Cache) FetchAsDirectory(ctx context.Context, from *url.URL, cacheKey, algorithm, value string) (string, func(), error) {
	if cacheKey == "" {
		cacheKey = "uncached-" + from.String()
	}
	e, _, err := c.acquire(ctx, from, cacheKey, algorithm, value)
	if err != nil {
		return "", nil, err
	}
	c.mu.Lock()
	dir := e.dirPath
	c.mu.Unlock()
	if dir == "" {
		dir = e.tarPath + ".d"
		if err := untarFile(e.tarPath, dir); err != nil {
			c.release(cacheKey)
			return "", nil, fmt.Errorf("extracting %s: %w", from.Redacted(), err)
		}
		c.mu.Lock()
		e.dirPath = dir
		c.mu.Unlock()
	}
	var o sync.Once
	return dir, func() { o.Do(func() { c.release(cacheKey) }) }, nil
}

// acquire returns the cached entry for key (downloading it if needed) with
// one more user. downloaded is the size when this call downloaded it.
func (c *Cache) acquire(ctx context.Context, from *url.URL, key, algorithm, value string) (*entry, int64, error) {
	for {
		c.mu.Lock()
		if e, ok := c.entries[key]; ok {
			e.users++
			e.lastUse = c.now()
			c.mu.Unlock()
			return e, 0, nil
		}
		if f, ok := c.flights[key]; ok {
			c.mu.Unlock()
			select {
			case <-f.done:
				if f.err != nil {
					return nil, 0, f.err
				}
				continue
			case <-ctx.Done():
				return nil, 0, ctx.Err()
			}
		}
		f := &flight{done: make(chan struct{})}
		c.flights[key] = f
		c.mu.Unlock()

		path, size, err := c.download(ctx, from, algorithm, value)
		c.mu.Lock()
		delete(c.flights, key)
		f.err = err
		close(f.done)
		if err != nil {
			c.mu.Unlock()
			return nil, 0, err
		}
		final := filepath.Join(c.dir, safeName(key))
		os.RemoveAll(final + ".d")
		if err := os.Rename(path, final); err != nil {
			c.mu.Unlock()
			return nil, 0, err
		}
		e := &entry{tarPath: final, size: size, lastUse: c.now(), users: 1}
		c.entries[key] = e
		c.used += size
		c.evictLocked()
		c.mu.Unlock()
		return e, size, nil
	}
}

func (c *Cache) release(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		e.users--
		c.evictLocked()
	}
}

// evictLocked drops least recently used idle entries while over budget.
func (c *Cache) evictLocked() {
	for c.maxBytes > 0 && c.used > c.maxBytes {
		var victimKey string
		var victim *entry
		for k, e := range c.entries {
			if e.users > 0 {
				continue
			}
			if victim == nil || e.lastUse.Before(victim.lastUse) {
				victimKey, victim = k, e
			}
		}
		if victim == nil {
			return
		}
		delete(c.entries, victimKey)
		c.used -= victim.size
		os.Remove(victim.tarPath)
		if victim.dirPath != "" {
			os.RemoveAll(victim.dirPath)
		}
	}
}

// Usage reports the bytes held by cached entries.
func (c *Cache) Usage() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}

// download fetches from into a temporary tar file, verifying the checksum.
func (c *Cache) download(ctx context.Context, from *url.URL, algorithm, value string) (string, int64, error) {
	h, err := hasher(algorithm, value)
	if err != nil {
		return "", 0, err
	}
	select {
	case c.slots <- struct{}{}:
		defer func() { <-c.slots }()
	case <-ctx.Done():
		return "", 0, ctx.Err()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, from.String(), nil)
	if err != nil {
		return "", 0, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", 0, fmt.Errorf("download failed: status code %d", resp.StatusCode)
	}
	raw, err := os.CreateTemp(filepath.Join(c.dir, "tmp"), "download-")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(raw.Name())
	defer raw.Close()
	var w io.Writer = raw
	if h != nil {
		w = io.MultiWriter(raw, h)
	}
	size, err := io.Copy(w, resp.Body)
	if err != nil {
		return "", 0, fmt.Errorf("reading download: %w", err)
	}
	if h != nil {
		if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, value) {
			return "", 0, fmt.Errorf("checksum mismatch: %s expected %s, got %s", algorithm, value, got)
		}
	}
	out, err := os.CreateTemp(filepath.Join(c.dir, "tmp"), "tar-")
	if err != nil {
		return "", 0, err
	}
	defer out.Close()
	if err := toTar(raw, size, out); err != nil {
		os.Remove(out.Name())
		return "", 0, err
	}
	return out.Name(), size, nil
}

// hasher returns the checksum hash for algorithm, or nil when none is asked.
func hasher(algorithm, value string) (hash.Hash, error) {
	if algorithm == "" && value == "" {
		return nil, nil
	}
	if value == "" {
		return nil, errors.New("checksum missing value")
	}
	switch strings.ToLower(algorithm) {
	case "md5":
		return md5.New(), nil
	case "sha1":
		return sha1.New(), nil
	case "sha256":
		return sha256.New(), nil
	}
	return nil, fmt.Errorf("checksum algorithm %q is not md5, sha1 or sha256", algorithm)
}

func safeName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16]) + ".tar"
}

package rootfs

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/godiego/diego/garden/files"
)

func extractTarball(path, dir string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := files.Extract(dir, "/", f, files.ExtractOptions{}); err != nil {
		return fmt.Errorf("rootfs tarball %s: %w", path, err)
	}
	return nil
}

// fetchLayer downloads (http, https) or opens (file, plain path) a layer
// tarball and extracts it at layerPath inside dir.
func fetchLayer(layerURL, dir, layerPath string) error {
	u, err := url.Parse(layerURL)
	if err != nil {
		return fmt.Errorf("layer url: %w", err)
	}
	var body io.ReadCloser
	switch u.Scheme {
	case "http", "https":
		client := &http.Client{Timeout: 10 * time.Minute}
		resp, err := client.Get(layerURL)
		if err != nil {
			return fmt.Errorf("fetching layer: %w", err)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return fmt.Errorf("fetching layer %s: status %d", layerURL, resp.StatusCode)
		}
		body = resp.Body
	case "file", "":
		f, err := os.Open(u.Path)
		if err != nil {
			return fmt.Errorf("layer: %w", err)
		}
		body = f
	default:
		return fmt.Errorf("%w: layer scheme %q", ErrUnsupported, u.Scheme)
	}
	defer body.Close()
	return files.Extract(dir, layerPath, body, files.ExtractOptions{Whiteouts: true})
}

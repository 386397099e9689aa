package rootfs

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/godiego/diego/garden/files"
)

type ociDescriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type ociIndex struct {
	Manifests []ociDescriptor `json:"manifests"`
}

type ociManifest struct {
	Layers []ociDescriptor `json:"layers"`
}

// ociLayout flattens the image in an OCI image layout directory into one
// cached directory. "PATH:TAG" selects a manifest by its ref.name annotation;
// without a tag the layout must hold exactly one manifest.
func (s *Store) ociLayout(spec string) ([]string, error) {
	dir, tag := spec, ""
	if i := strings.LastIndex(spec, ":"); i > 0 {
		if _, err := os.Stat(spec); err != nil {
			dir, tag = spec[:i], spec[i+1:]
		}
	}
	var index ociIndex
	if err := readJSON(filepath.Join(dir, "index.json"), &index); err != nil {
		return nil, fmt.Errorf("oci layout %s: %w", dir, err)
	}
	var chosen *ociDescriptor
	for i, m := range index.Manifests {
		if tag == "" || m.Annotations["org.opencontainers.image.ref.name"] == tag {
			if chosen != nil && tag == "" {
				return nil, fmt.Errorf("oci layout %s holds several images; name one with :TAG", dir)
			}
			chosen = &index.Manifests[i]
		}
	}
	if chosen == nil {
		return nil, fmt.Errorf("oci layout %s: no image %q", dir, tag)
	}
	var manifest ociManifest
	if err := readJSON(blobPath(dir, chosen.Digest), &manifest); err != nil {
		return nil, fmt.Errorf("oci manifest: %w", err)
	}
	flat, err := s.cached("oci-"+hash(chosen.Digest), func(out string) error {
		for _, l := range manifest.Layers {
			f, err := os.Open(blobPath(dir, l.Digest))
			if err != nil {
				return fmt.Errorf("oci layer: %w", err)
			}
			err = files.Extract(out, "/", f, files.ExtractOptions{Whiteouts: true})
			f.Close()
			if err != nil {
				return fmt.Errorf("oci layer %s: %w", l.Digest, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return []string{flat}, nil
}

func blobPath(dir, digest string) string {
	algo, hex, _ := strings.Cut(digest, ":")
	return filepath.Join(dir, "blobs", algo, hex)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

package gardentest

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TarDir writes dir as a gzipped tarball to path.
func TarDir(t testing.TB, dir, path string) string {
	t.Helper()
	f, err := os.Create(path)
	must(t, err)
	defer f.Close()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	must(t, filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		link := ""
		if info.Mode()&os.ModeSymlink != 0 {
			link, _ = os.Readlink(p)
		}
		hdr, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return err
		}
		hdr.Name = rel
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if info.Mode().IsRegular() {
			src, err := os.Open(p)
			if err != nil {
				return err
			}
			defer src.Close()
			_, err = io.Copy(tw, src)
			return err
		}
		return nil
	}))
	must(t, tw.Close())
	must(t, gz.Close())
	return path
}

// TarEntry is one file of a generated layer; Body "" with Whiteout set
// writes an OCI whiteout.
type TarEntry struct {
	Name, Body string
}

// TarFiles writes a gzipped tarball of regular files.
func TarFiles(t testing.TB, path string, entries []TarEntry) string {
	t.Helper()
	f, err := os.Create(path)
	must(t, err)
	defer f.Close()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		must(t, tw.WriteHeader(&tar.Header{Name: e.Name, Mode: 0o644, Size: int64(len(e.Body)), Typeflag: tar.TypeReg}))
		_, err := tw.Write([]byte(e.Body))
		must(t, err)
	}
	must(t, tw.Close())
	must(t, gz.Close())
	return path
}

// OCILayout writes an OCI image layout at dir whose image (tagged tag) is
// the given layer tarballs, bottom first.
func OCILayout(t testing.TB, dir, tag string, layers ...string) string {
	t.Helper()
	blobs := filepath.Join(dir, "blobs", "sha256")
	must(t, os.MkdirAll(blobs, 0o755))
	put := func(b []byte) string {
		sum := sha256.Sum256(b)
		h := hex.EncodeToString(sum[:])
		must(t, os.WriteFile(filepath.Join(blobs, h), b, 0o644))
		return "sha256:" + h
	}
	type desc struct {
		MediaType   string            `json:"mediaType"`
		Digest      string            `json:"digest"`
		Size        int               `json:"size"`
		Annotations map[string]string `json:"annotations,omitempty"`
	}
	var layerDescs []desc
	for _, l := range layers {
		b, err := os.ReadFile(l)
		must(t, err)
		layerDescs = append(layerDescs, desc{MediaType: "application/vnd.oci.image.layer.v1.tar+gzip", Digest: put(b), Size: len(b)})
	}
	cfg := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers"}}`)
	manifest, _ := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"config":        desc{MediaType: "application/vnd.oci.image.config.v1+json", Digest: put(cfg), Size: len(cfg)},
		"layers":        layerDescs,
	})
	index, _ := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"manifests": []desc{{MediaType: "application/vnd.oci.image.manifest.v1+json", Digest: put(manifest), Size: len(manifest),
			Annotations: map[string]string{"org.opencontainers.image.ref.name": tag}}},
	})
	must(t, os.WriteFile(filepath.Join(dir, "index.json"), index, 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644))
	return dir
}

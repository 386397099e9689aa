package fileserver

import (
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"code.cloudfoundry.org/lager/v3"
)

// BenchmarkServeCachedTarball measures a full GET of a 10 MiB file whose
// digest is cached, over a real loopback connection.
func BenchmarkServeCachedTarball(b *testing.B) {
	dir := b.TempDir()
	data := make([]byte, 10<<20)
	_, _ = rand.Read(data)
	if err := os.WriteFile(filepath.Join(dir, "lifecycle.tgz"), data, 0o644); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(NewHandler(dir, lager.NewLogger("bench"), nil))
	defer srv.Close()
	url := srv.URL + StaticRoutePrefix + "lifecycle.tgz"
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := http.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

package fileserver

import (
	"net"
	"net/http"
	"strconv"
	"strings"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/internal/metrics"
)

// StaticRoutePrefix is the file-server's only route (fileserver:routes.go).
const StaticRoutePrefix = "/v1/static/"

// NewHandler returns the file-server's HTTP handler: GET (and HEAD)
// `/v1/static/<path>` served from staticDir, every other path 404. Each
// response is logged as `static-file.response`. reg may be nil.
func NewHandler(staticDir string, logger lager.Logger, reg *metrics.Registry) http.Handler {
	static := NewStatic(staticDir)
	var observe func(status, size int)
	if reg != nil {
		requests := reg.Counter("file_server_requests_total", "Static file requests by response status.", "code")
		bytes := reg.Counter("file_server_response_bytes_total", "Bytes of response bodies sent.")
		hashes := reg.Counter("file_server_checksum_computations_total", "SHA-256 digests computed (cache misses).")
		static.hashed = func(string) { hashes.Inc() }
		observe = func(status, size int) {
			requests.With(strconv.Itoa(status)).Inc()
			bytes.Add(float64(size))
		}
	}
	stripped := http.StripPrefix(strings.TrimSuffix(StaticRoutePrefix, "/"), static)
	requestLogger := logger.Session("static-file")

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, StaticRoutePrefix) {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		rec := &recorder{ResponseWriter: w}
		stripped.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		requestLogger.Info("response", lager.Data{
			"status": rec.status,
			"size":   rec.size,
			"method": r.Method,
			"uri":    r.URL.RequestURI(),
		})
		if observe != nil {
			observe(rec.status, rec.size)
		}
	})
}

// recorder remembers the status and body size written through it.
type recorder struct {
	http.ResponseWriter
	status int
	size   int
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.size += n
	return n, err
}

// RedirectToHTTPS returns the handler the plain listener runs when HTTPS is
// enabled: a 301 to the same host and request URI on the HTTPS port of
// httpsListenAddr.
func RedirectToHTTPS(httpsListenAddr string) http.Handler {
	_, tlsPort, _ := net.SplitHostPort(httpsListenAddr)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		target := "https://" + joinHostPort(host, tlsPort) + r.URL.RequestURI()
		http.Redirect(w, r, target, http.StatusMovedPermanently)
	})
}

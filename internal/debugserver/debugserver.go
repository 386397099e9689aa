// Package debugserver serves a daemon's debug endpoints on its
// `debug_address` (loopback by convention): pprof, `/log-level` to change
// the lager level at run time (POST a level name), and `/metrics` when the
// daemon registers metrics.
package debugserver

import (
	"io"
	"net/http"
	"net/http/pprof"
	"runtime"
	"strconv"
	"strings"

	"code.cloudfoundry.org/lager/v3"
	"github.com/tedsuo/ifrit"
	"github.com/tedsuo/ifrit/http_server"

	"github.com/godiego/diego/internal/logging"
)

// DebugServerConfig is upstream's debug server config block. Embed it in a
// daemon config.
type DebugServerConfig struct {
	DebugAddress string `json:"debug_address,omitempty"`
}

// Config is another name for DebugServerConfig.
type Config = DebugServerConfig

// Handler returns the debug mux. metrics may be nil.
func Handler(sink *lager.ReconfigurableSink, metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/log-level", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		level, err := logging.ParseLevel(strings.TrimSpace(string(body)))
		if err != nil || strings.TrimSpace(string(body)) == "" {
			http.Error(w, "send one of: debug, info, error, fatal", http.StatusBadRequest)
			return
		}
		sink.SetMinLevel(level)
	})
	mux.HandleFunc("/block-profile-rate", func(w http.ResponseWriter, r *http.Request) {
		setInt(w, r, runtime.SetBlockProfileRate)
	})
	mux.HandleFunc("/mutex-profile-fraction", func(w http.ResponseWriter, r *http.Request) {
		setInt(w, r, func(n int) { runtime.SetMutexProfileFraction(n) })
	})
	if metrics != nil {
		mux.Handle("/metrics", metrics)
	}
	return mux
}

func setInt(w http.ResponseWriter, r *http.Request, set func(int)) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 32))
	n, err := strconv.Atoi(strings.TrimSpace(string(body)))
	if err != nil || n < 0 {
		http.Error(w, "send a non-negative integer", http.StatusBadRequest)
		return
	}
	set(n)
}

// Runner serves the debug endpoints on addr until signalled.
func Runner(addr string, sink *lager.ReconfigurableSink, metrics http.Handler) ifrit.Runner {
	return http_server.New(addr, Handler(sink, metrics))
}

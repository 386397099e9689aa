package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"sync"

	"github.com/godiego/diego/internal/certs"
	"github.com/godiego/diego/internal/tlsconf"
	rep "github.com/godiego/diego/rep/client"
)

// repHandler serves the two routes the auction uses, with the rep's status codes: GET /state
// and POST /work (400 on bad JSON, 500 when the work is for another cell).
func repHandler(c *simCell) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+rep.StatePath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(c.State())
	})
	mux.HandleFunc("POST "+rep.PerformPath, func(w http.ResponseWriter, r *http.Request) {
		var work rep.Work
		if err := json.NewDecoder(r.Body).Decode(&work); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if work.CellID != "" && work.CellID != c.State().CellID {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(c.Perform(work))
	})
	return mux
}

// httpCluster puts every simulated cell behind its own mTLS rep API on loopback and drives
// the auction through rep/client, as the auctioneer does.
type httpCluster struct {
	cells   []*simCell
	clients []*rep.Client
	servers []*http.Server
	workers int
}

func startHTTPCluster(cells []*simCell, workers int) (*httpCluster, error) {
	dir, err := os.MkdirTemp("", "auction-simulation-certs-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	paths, err := certs.Generate(dir, nil)
	if err != nil {
		return nil, fmt.Errorf("generate certs: %w", err)
	}
	serverTLS, err := tlsconf.Server(paths.ServerCert, paths.ServerKey, paths.CACert)
	if err != nil {
		return nil, err
	}
	clientTLS, err := tlsconf.Client(paths.ClientCert, paths.ClientKey, paths.CACert, false)
	if err != nil {
		return nil, err
	}
	factory := rep.NewFactory(rep.Config{TLS: clientTLS, RequireTLS: true})
	hc := &httpCluster{cells: cells, workers: workers}
	for _, c := range cells {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			hc.Close()
			return nil, err
		}
		srv := &http.Server{Handler: repHandler(c), ErrorLog: log.New(io.Discard, "", 0)}
		go srv.Serve(tls.NewListener(ln, serverTLS))
		hc.servers = append(hc.servers, srv)
		url := "https://" + ln.Addr().String()
		c.state.RepURL = url
		client, err := factory.Client("", url)
		if err != nil {
			hc.Close()
			return nil, err
		}
		hc.clients = append(hc.clients, client)
	}
	return hc, nil
}

// Close stops every rep server.
func (h *httpCluster) Close() {
	for _, s := range h.servers {
		s.Close()
	}
}

// States fetches every cell's state in parallel; cells that fail are left out, as the
// auctioneer leaves them out.
func (h *httpCluster) States(ctx context.Context) []rep.CellState {
	states := make([]rep.CellState, len(h.clients))
	ok := make([]bool, len(h.clients))
	h.parallel(len(h.clients), func(i int) {
		s, err := h.clients[i].State(ctx)
		states[i], ok[i] = s, err == nil && !s.Evacuating
	})
	out := states[:0]
	for i := range states {
		if ok[i] {
			out = append(out, states[i])
		}
	}
	return out
}

// Commit posts each cell its work and collects what came back failed. A transport error
// counts as success, as upstream does (convergence repairs it).
func (h *httpCluster) Commit(ctx context.Context, works []rep.Work) rep.Work {
	byID := make(map[string]int, len(h.cells))
	for i, c := range h.cells {
		byID[c.state.CellID] = i
	}
	var mu sync.Mutex
	var failed rep.Work
	h.parallel(len(works), func(i int) {
		f, err := h.clients[byID[works[i].CellID]].Perform(ctx, works[i])
		if err != nil {
			return
		}
		mu.Lock()
		failed.LRPs = append(failed.LRPs, f.LRPs...)
		failed.Tasks = append(failed.Tasks, f.Tasks...)
		mu.Unlock()
	})
	return failed
}

func (h *httpCluster) parallel(n int, fn func(int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < h.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// directCluster hands states and work to the simulated cells by function call.
type directCluster struct{ cells []*simCell }

func (d directCluster) States(context.Context) []rep.CellState {
	out := make([]rep.CellState, len(d.cells))
	for i, c := range d.cells {
		out[i] = c.State()
	}
	return out
}

func (d directCluster) Commit(_ context.Context, works []rep.Work) rep.Work {
	byID := make(map[string]*simCell, len(d.cells))
	for _, c := range d.cells {
		byID[c.state.CellID] = c
	}
	var failed rep.Work
	for _, w := range works {
		f := byID[w.CellID].Perform(w)
		failed.LRPs = append(failed.LRPs, f.LRPs...)
		failed.Tasks = append(failed.Tasks, f.Tasks...)
	}
	return failed
}

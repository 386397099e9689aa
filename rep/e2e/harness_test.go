package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	auctioneer "github.com/godiego/diego/auctioneer/client"
	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/executor/executortest"
	"github.com/godiego/diego/internal/certs"
	"github.com/godiego/diego/internal/tlsconf"
	"github.com/godiego/diego/proto/models"
	repclient "github.com/godiego/diego/rep/client"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// proc is a daemon started from a JSON config.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

func startProc(t *testing.T, dir, name, bin string, cfg map[string]any) *proc {
	t.Helper()
	raw, _ := json.MarshalIndent(cfg, "", "  ")
	cfgPath := filepath.Join(dir, name+".json")
	if err := os.WriteFile(cfgPath, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{name: name, log: logPath, done: make(chan struct{})}
	p.cmd = exec.Command(bin, "-config", cfgPath)
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); logf.Close(); close(p.done) }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			if len(b) > 6000 {
				b = b[len(b)-6000:]
			}
			t.Logf("---- %s log tail ----\n%s", name, b)
		}
	})
	return p
}

func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func waitTCP(t *testing.T, addr string, p *proc) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return
		}
		if p.exited() || time.Now().After(deadline) {
			t.Fatalf("%s never listened on %s", p.name, addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// recorder stands in for the auctioneer: each start request goes to the
// first rep that takes it.
type recorder struct {
	mu     sync.Mutex
	reps   []*repclient.Client
	lrps   int
	tasks  int
	failed int
}

func (r *recorder) place(ctx context.Context, work repclient.Work) {
	r.mu.Lock()
	reps := append([]*repclient.Client(nil), r.reps...)
	r.mu.Unlock()
	for _, rc := range reps {
		if work.Empty() {
			return
		}
		failed, err := rc.Perform(ctx, work)
		if err != nil {
			continue
		}
		work = failed
	}
	r.mu.Lock()
	r.failed += len(work.LRPs) + len(work.Tasks)
	r.mu.Unlock()
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	var work repclient.Work
	switch req.URL.Path {
	case auctioneer.CreateLRPAuctionsPath:
		var starts []auctioneer.LRPStartRequest
		if err := json.Unmarshal(body, &starts); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		for i := range starts {
			work.LRPs = append(work.LRPs, starts[i].LRPs(uuid.NewString)...)
		}
		r.mu.Lock()
		r.lrps += len(work.LRPs)
		r.mu.Unlock()
	case auctioneer.CreateTaskAuctionsPath:
		var starts []auctioneer.TaskStartRequest
		if err := json.Unmarshal(body, &starts); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		for _, s := range starts {
			work.Tasks = append(work.Tasks, s.Task)
		}
		r.mu.Lock()
		r.tasks += len(work.Tasks)
		r.mu.Unlock()
	default:
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusAccepted)
	go r.place(context.Background(), work)
}

// cluster is locket + bbs + recorder + cells.
type cluster struct {
	t        *testing.T
	dir      string
	certs    certs.Paths
	bbs      *bbsclient.Client
	bbsProc  *proc
	locket   string
	recorder *recorder
	bbsURL   string
	repTLS   *repclient.Factory
	cells    []*cell
	bins     map[string]string
}

type cell struct {
	id       string
	garden   *executortest.Garden
	rep      *proc
	secure   string
	admin    string
	net      *repclient.Client
	adminCli *repclient.Client
	appLogs  string
	cfg      map[string]any
	starts   int
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	executortest.Skip(t)
	for _, name := range []string{"bbs", "locket"} {
		if _, err := os.Stat(filepath.Join(executortest.RepoRoot(), "cmd", name)); err != nil {
			t.Skipf("cmd/%s not present", name)
		}
	}
	dir := t.TempDir()
	p, err := certs.Generate(filepath.Join(dir, "certs"), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, dir: dir, certs: p, recorder: &recorder{}, bins: map[string]string{}}
	for _, b := range []string{"locket", "bbs", "rep", "garden"} {
		c.bins[b] = executortest.Binary(t, b)
	}
	tlsServer := map[string]any{"ca_file": p.CACert, "cert_file": p.ServerCert, "key_file": p.ServerKey}

	c.locket = freeAddr(t)
	lp := startProc(t, dir, "locket", c.bins["locket"], merge(tlsServer, map[string]any{
		"listen_address": c.locket, "database_driver": "sqlite", "database_connection_string": filepath.Join(dir, "locket.db"),
		"log_level": "info",
	}))
	waitTCP(t, c.locket, lp)

	// The recorder auctioneer, over mutual TLS.
	recTLS, err := tlsconf.Server(p.ServerCert, p.ServerKey, p.CACert)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: c.recorder, TLSConfig: recTLS}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })

	bbsAddr, health := freeAddr(t), freeAddr(t)
	c.bbsURL = "https://" + bbsAddr
	c.bbsProc = startProc(t, dir, "bbs", c.bins["bbs"], merge(tlsServer, c.locketClient(), map[string]any{
		"listen_address": bbsAddr, "health_address": health, "uuid": "bbs-e2e",
		"database_driver": "sqlite", "database_connection_string": filepath.Join(dir, "bbs.db"),
		"encryption_keys": map[string]string{"k": "e2e-passphrase"}, "active_key_label": "k",
		"auctioneer_address": "https://" + ln.Addr().String(), "auctioneer_ca_cert": p.CACert,
		"auctioneer_client_cert": p.ClientCert, "auctioneer_client_key": p.ClientKey, "auctioneer_require_tls": true,
		"rep_ca_cert": p.CACert, "rep_client_cert": p.ClientCert, "rep_client_key": p.ClientKey, "rep_require_tls": true,
		"converge_repeat_interval": "5s", "log_level": "info",
	}))
	waitTCP(t, bbsAddr, c.bbsProc)
	clientTLS, err := tlsconf.Client(p.ClientCert, p.ClientKey, p.CACert, false)
	if err != nil {
		t.Fatal(err)
	}
	c.bbs, err = bbsclient.New(bbsclient.Config{URL: c.bbsURL, TLS: clientTLS})
	if err != nil {
		t.Fatal(err)
	}
	c.repTLS = repclient.NewFactory(repclient.Config{TLS: clientTLS, RequireTLS: true})
	return c
}

func merge(ms ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func (c *cluster) locketClient() map[string]any {
	return map[string]any{"locket_address": c.locket, "locket_ca_cert_file": c.certs.CACert,
		"locket_client_cert_file": c.certs.ClientCert, "locket_client_key_file": c.certs.ClientKey}
}

// startRep (re)starts a cell's rep process.
func (c *cluster) startRep(ce *cell) {
	c.t.Helper()
	ce.starts++
	name := ce.id + "-rep"
	if ce.starts > 1 {
		name = fmt.Sprintf("%s-rep-%d", ce.id, ce.starts)
	}
	ce.rep = startProc(c.t, c.dir, name, c.bins["rep"], ce.cfg)
	waitTCP(c.t, ce.secure, ce.rep)
}

// addCell starts a garden and a rep for cell id.
func (c *cluster) addCell(id string, extra map[string]any) *cell {
	t := c.t
	t.Helper()
	g := executortest.StartGarden(t, 120)
	ce := &cell{id: id, garden: g, secure: freeAddr(t), admin: freeAddr(t), appLogs: filepath.Join(c.dir, id+"-app-logs")}
	cfg := merge(c.locketClient(), map[string]any{
		"cell_id": id, "zone": "z1", "listen_addr": ce.admin, "listen_addr_securable": ce.secure,
		"ca_cert_file": c.certs.CACert, "server_cert_file": c.certs.ServerCert, "server_key_file": c.certs.ServerKey,
		"bbs_address": c.bbsURL, "bbs_ca_cert_file": c.certs.CACert, "bbs_client_cert_file": c.certs.ClientCert,
		"bbs_client_key_file": c.certs.ClientKey,
		"garden_network":      "unix", "garden_addr": g.Socket, "preloaded_root_fs": []string{"busybox:" + g.RootFS},
		"memory_mb": "8192", "disk_mb": "16384", "cache_path": filepath.Join(c.dir, id+"-cache"),
		"temp_dir": filepath.Join(c.dir, id+"-tmp"), "polling_interval": "5s", "evacuation_polling_interval": "1s",
		"evacuation_timeout": "60s", "graceful_shutdown_interval": "2s", "unhealthy_monitoring_interval": "200ms",
		"healthy_monitoring_interval": "1s", "app_log_dir": ce.appLogs, "log_level": "debug",
	}, extra)
	ce.cfg = cfg
	c.startRep(ce)
	ce.net = c.repTLS.ClientForURL("https://" + ce.secure)
	ce.adminCli = c.repTLS.ClientForURL("https://" + ce.admin)
	c.recorder.mu.Lock()
	c.recorder.reps = append(c.recorder.reps, ce.net)
	c.recorder.mu.Unlock()
	c.cells = append(c.cells, ce)
	// The garden health check passes, so /state answers 200.
	c.eventually("cell "+id+" healthy", 30*time.Second, func() bool {
		_, err := ce.net.State(context.Background())
		return err == nil
	})
	// Wait until the BBS sees the cell's presence.
	c.eventually("cell "+id+" registered", 30*time.Second, func() bool {
		cells, err := c.bbs.Cells(context.Background())
		if err != nil {
			return false
		}
		for _, x := range cells {
			if x.GetCellId() == id {
				return true
			}
		}
		return false
	})
	return ce
}

func (c *cluster) eventually(what string, timeout time.Duration, cond func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			c.t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *cluster) actuals(pg string) []*models.ActualLRP {
	lrps, err := c.bbs.ActualLRPs(context.Background(), bbsclient.ActualLRPFilter{ProcessGUID: pg})
	if err != nil {
		return nil
	}
	return lrps
}

func running(lrps []*models.ActualLRP) (out []*models.ActualLRP) {
	for _, l := range lrps {
		if l.GetState() == "RUNNING" && l.GetPresence() == models.ActualLRP_ORDINARY {
			out = append(out, l)
		}
	}
	return out
}

func (ce *cell) appLog(t *testing.T) string {
	entries, _ := os.ReadDir(ce.appLogs)
	var b strings.Builder
	for _, e := range entries {
		raw, _ := os.ReadFile(filepath.Join(ce.appLogs, e.Name()))
		b.Write(raw)
	}
	return b.String()
}

func run(path string, args ...string) *models.Action {
	return &models.Action{RunAction: &models.RunAction{Path: path, Args: args, User: "root", LogSource: "APP/PROC/WEB"}}
}

func webLRP(pg string, instances int32) *models.DesiredLRP {
	return &models.DesiredLRP{
		ProcessGuid: pg, Domain: "e2e", RootFs: "preloaded:busybox", Instances: instances,
		MemoryMb: 32, DiskMb: 32, Ports: []uint32{8080}, LogGuid: pg, LogSource: "APP",
		Action:         run("/bin/sh", "-c", "echo $$ > /tmp/app.pid; exec /bin/httpd -f -p 8080 -h /www"),
		Monitor:        run("/bin/sh", "-c", "wget -q -O /dev/null http://127.0.0.1:8080/index.html"),
		StartTimeoutMs: 20000,
		MetricTags:     map[string]*models.MetricTagValue{"source_id": {Static: pg}},
	}
}

func get(url string) (string, error) {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return string(b), fmt.Errorf("status %d", resp.StatusCode)
	}
	return string(b), err
}

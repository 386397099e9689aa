// Package rep_test checks our bin/rep against upstream's own rep client
// (code.cloudfoundry.org/rep): cell state, Perform (reservations and the
// failed subset), stopping LRP instances, cancelling tasks, updating LRP
// instances and the admin ping. The rep runs for real: bin/locket for its
// presence, bin/bbs (SQLite, an HTTP recorder as the auctioneer) for its
// sync, and bin/garden on runc with a busybox root filesystem for its
// containers. Skipped loudly without root and runc.
package rep_test

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"code.cloudfoundry.org/bbs"
	"code.cloudfoundry.org/bbs/models"
	"code.cloudfoundry.org/lager/v3"
	"code.cloudfoundry.org/rep"

	"conformance/harness"
)

const (
	cellID = "cell_z1-0"
	stack  = "cflinuxfs4"
	// Garden's pools: a network and host ports nothing else on the host uses.
	networkPool   = "10.252.0.0/24"
	portPoolStart = 64000
	portPoolSize  = 500
)

// env is a running locket, bbs, garden and rep, with upstream clients.
type env struct {
	certs     harness.Certs
	logger    lager.Logger
	bbs       bbs.InternalClient
	rep       rep.Client
	repAddr   string // listen_addr_securable
	adminAddr string // listen_addr
	repProc   *harness.Process
	presence  *models.CellPresence
	agent     *agent // the loggregator agent the rep sends app logs and metrics to
}

// requireCells skips (or fails under DIEGO_TEST_REQUIRE_SQL=1) unless
// containers can run here.
func requireCells(t *testing.T) {
	t.Helper()
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root")
	}
	if _, err := exec.LookPath("runc"); err != nil {
		missing = append(missing, "runc")
	}
	if _, err := os.Stat("/bin/busybox"); err != nil {
		missing = append(missing, "/bin/busybox")
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("!!! THE REP CONFORMANCE SUITE NEEDS %s — the rep is NOT TESTED (set %s=1 to make this a failure)",
		strings.Join(missing, ", "), harness.EnvRequireSQL)
	if os.Getenv(harness.EnvRequireSQL) == "1" {
		t.Fatal(msg)
	}
	fmt.Fprintln(os.Stderr, msg)
	t.Skip(msg)
}

// worldDir is a temporary directory whose parents are searchable by
// other users, as unprivileged containers need (t.TempDir is 0700).
func worldDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "conformance-rep-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// busyboxRootFS lays out a root filesystem of /bin/busybox and its
// applets, with root and vcap users.
func busyboxRootFS(t *testing.T, dir string) string {
	t.Helper()
	for _, d := range []string{"bin", "etc", "tmp", "root", "home/vcap", "proc", "sys", "dev"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	must(t, os.Chmod(filepath.Join(dir, "tmp"), 0o1777))
	must(t, os.Chown(filepath.Join(dir, "home/vcap"), 2000, 2000))
	bb, err := os.ReadFile("/bin/busybox")
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, "bin/busybox"), bb, 0o755))
	out, err := exec.Command("/bin/busybox", "--list").Output()
	must(t, err)
	for _, applet := range strings.Fields(string(out)) {
		if applet != "busybox" {
			_ = os.Symlink("busybox", filepath.Join(dir, "bin", applet))
		}
	}
	must(t, os.WriteFile(filepath.Join(dir, "etc/passwd"), []byte("root:x:0:0:root:/root:/bin/sh\nvcap:x:2000:2000:vcap:/home/vcap:/bin/sh\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "etc/group"), []byte("root:x:0:\nvcap:x:2000:\n"), 0o644))
	return dir
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// startGarden runs bin/garden on a unix socket and, once it has stopped,
// `garden -teardown` so that no container, bridge, firewall rule or mount
// is left on the host.
func startGarden(t *testing.T, root string) string {
	t.Helper()
	sock := filepath.Join(root, "garden.sock")
	rootfs := busyboxRootFS(t, filepath.Join(root, "rootfs"))
	must(t, os.MkdirAll(filepath.Join(root, "depot"), 0o755))
	cfg := map[string]any{
		"listen_network": "unix", "listen_address": sock, "depot_dir": filepath.Join(root, "depot"),
		"default_rootfs": rootfs, "preloaded_rootfses": map[string]string{stack: rootfs},
		"network_pool": networkPool, "port_pool_start": portPoolStart, "port_pool_size": portPoolSize,
		"external_ip": "127.0.0.1", "default_grace_time": "0s", "max_containers": 20, "log_level": "info",
	}
	cfgPath := harness.WriteJSON(t, "garden-teardown.json", cfg)
	bin := harness.Binary(t, "garden")
	// Registered before Start: cleanups run last-in first-out, so this runs
	// after garden has been stopped.
	t.Cleanup(func() {
		out, err := exec.Command(bin, "-config", cfgPath, "-teardown").CombinedOutput()
		if err != nil {
			t.Errorf("garden -teardown: %v\n%s", err, out)
		}
	})
	g := harness.Start(t, "garden", cfg)
	harness.Eventually(t, 30*time.Second, "garden's socket", func() bool {
		conn, err := net.Dial("unix", sock)
		if err == nil {
			conn.Close()
		}
		select {
		case <-g.Exited():
			t.Fatalf("garden exited:\n%s", g.Output())
		default:
		}
		return err == nil
	})
	return rootfs
}

func startEnv(t *testing.T) *env {
	t.Helper()
	requireCells(t)
	certs := harness.NewCerts(t)
	root := worldDir(t)
	e := &env{certs: certs, logger: lager.NewLogger("conformance")}

	locketAddr := harness.FreePort(t)
	lp := harness.Start(t, "locket", map[string]any{
		"ca_file": certs.CACert, "cert_file": certs.ServerCert, "key_file": certs.ServerKey,
		"listen_address": locketAddr, "database_driver": "sqlite",
		"database_connection_string": filepath.Join(t.TempDir(), "locket.db"),
	})
	lp.WaitForListen(t, locketAddr, 30*time.Second)
	locketClient := map[string]any{
		"locket_address": locketAddr, "locket_ca_cert_file": certs.CACert,
		"locket_client_cert_file": certs.ClientCert, "locket_client_key_file": certs.ClientKey,
	}

	auc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(auc.Close)
	bbsAddr := harness.FreePort(t)
	bp := harness.Start(t, "bbs", merge(locketClient, map[string]any{
		"listen_address": bbsAddr, "health_address": harness.FreePort(t), "uuid": "bbs-rep-conformance",
		"ca_file": certs.CACert, "cert_file": certs.ServerCert, "key_file": certs.ServerKey,
		"database_driver": "sqlite", "database_connection_string": filepath.Join(t.TempDir(), "bbs.db"),
		"encryption_keys": map[string]string{"k1": "a passphrase"}, "active_key_label": "k1",
		"auctioneer_address": auc.URL, "converge_repeat_interval": "1h", "log_level": "debug",
	}))
	bp.WaitForListen(t, bbsAddr, 60*time.Second)
	bbsClient, err := bbs.NewClient("https://"+bbsAddr, certs.CACert, certs.ClientCert, certs.ClientKey, 0, 0)
	must(t, err)
	harness.Eventually(t, 30*time.Second, "bbs to answer pings", func() bool { return bbsClient.Ping(e.logger, "") })
	e.bbs = bbsClient

	rootfs := startGarden(t, root)
	e.agent = startAgent(t, certs)

	e.repAddr, e.adminAddr = harness.FreePort(t), harness.FreePort(t)
	must(t, os.MkdirAll(filepath.Join(root, "cache"), 0o755))
	e.repProc = harness.Start(t, "rep", merge(locketClient, map[string]any{
		"cell_id": cellID, "cell_index": 0, "zone": "z1",
		"listen_addr": e.adminAddr, "listen_addr_securable": e.repAddr,
		"ca_cert_file": certs.CACert, "server_cert_file": certs.ServerCert, "server_key_file": certs.ServerKey,
		"require_tls": true,
		"bbs_address": "https://" + bbsAddr, "bbs_ca_cert_file": certs.CACert,
		"bbs_client_cert_file": certs.ClientCert, "bbs_client_key_file": certs.ClientKey,
		"garden_network": "unix", "garden_addr": filepath.Join(root, "garden.sock"),
		"preloaded_root_fs":   []string{stack + ":" + rootfs},
		"supported_providers": []string{"docker"}, "placement_tags": []string{"blue"},
		"optional_placement_tags": []string{"green"},
		"cache_path":              filepath.Join(root, "cache"), "memory_mb": "4096", "disk_mb": "8192",
		"polling_interval": "1s", "evacuation_timeout": "10s", "graceful_shutdown_interval": "1s",
		"log_level": "debug",
		"loggregator": map[string]any{
			"loggregator_use_v2_api": true, "loggregator_api_port": e.agent.port, "loggregator_ca_path": certs.CACert,
			"loggregator_cert_path": certs.ClientCert, "loggregator_key_path": certs.ClientKey, "loggregator_job_origin": "rep",
		},
		"container_metrics_report_interval": "1s",
	}))
	e.repProc.WaitForListen(t, e.repAddr, 90*time.Second)

	httpClient := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	stateClient := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	factory, err := rep.NewClientFactory(httpClient, stateClient, &rep.TLSConfig{RequireTLS: true,
		CaCertFile: certs.CACert, CertFile: certs.ClientCert, KeyFile: certs.ClientKey})
	must(t, err)
	// Connect as the auctioneer does: to the addresses the cell's presence
	// announces.
	harness.Eventually(t, 30*time.Second, "the cell's presence", func() bool {
		cells, err := e.bbs.Cells(e.logger, "")
		for _, c := range cells {
			if err == nil && c.CellId == cellID {
				e.presence = c
			}
		}
		return e.presence != nil
	})
	e.rep, err = factory.CreateClient(e.presence.RepAddress, e.presence.RepUrl, "conformance-trace")
	must(t, err)
	harness.Eventually(t, 60*time.Second, "a healthy rep state", func() bool {
		_, err := e.rep.State(e.logger)
		return err == nil
	})
	return e
}

func merge(maps ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// admin calls the rep's admin server with the client certificate.
func (e *env) admin(t *testing.T, method, path string) (int, string) {
	t.Helper()
	return e.call(t, e.adminAddr, method, path)
}

// call makes a request to addr over mutual TLS.
func (e *env) call(t *testing.T, addr, method, path string) (int, string) {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(e.certs.ClientCert, e.certs.ClientKey)
	must(t, err)
	caPEM, err := os.ReadFile(e.certs.CACert)
	must(t, err)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool}}}
	req, err := http.NewRequest(method, "https://"+addr+path, nil)
	must(t, err)
	resp, err := c.Do(req)
	must(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

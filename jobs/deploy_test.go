package jobs

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/db/dbtest"
)

// freeAddr returns a 127.0.0.1 address nothing listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startDaemon runs bin with the rendered config until the test ends,
// stopping it with SIGTERM (then SIGKILL) and logging its output on failure.
func startDaemon(t *testing.T, bin, config string) {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(bin, "-config", config)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(bin), out.String())
		}
	})
}

// cfdot runs cfdot with the rendered setup sourced.
func cfdot(setup string, args ...string) (string, error) {
	script := `source "$1" && shift && exec cfdot "$@"`
	cmd := exec.Command("bash", append([]string{"-c", script, "bash", setup}, args...)...)
	cmd.Env = append(os.Environ(), "PATH=/usr/bin:/bin")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestRenderedControlPlaneServesCfdot deploys locket, the BBS and the
// auctioneer from their rendered jobs onto the local MySQL, then reaches
// them the way an operator would: by sourcing the rendered cfdot setup on
// the same "VM".
func TestRenderedControlPlaneServesCfdot(t *testing.T) {
	requireRuby(t)
	locketBin, bbsBin, cfdotBin := binary(t, "locket"), binary(t, "bbs"), binary(t, "cfdot")
	auctioneerBin := binary(t, "auctioneer")
	database := dbtest.Config(t, db.MySQL)
	schema := database.DSN[strings.LastIndex(database.DSN, "/")+1:]
	host, port, _ := net.SplitHostPort(dbtest.MySQLAddr)
	c := newDevCerts(t)

	locketAddr := freeAddr(t)
	locket := mustRender(t, "locket", map[string]any{
		"tls.ca_cert": c.CA, "tls.cert": c.ServerCert, "tls.key": c.ServerKey,
		"diego.locket.listen_addr": locketAddr, "diego.locket.debug_addr": "",
		"diego.locket.sql.db_host": host, "diego.locket.sql.db_port": port,
		"diego.locket.sql.db_schema": schema, "diego.locket.sql.db_username": dbtest.MySQLUser,
	}, nil)
	startDaemon(t, locketBin, filepath.Join(locket.JobDir, "config", "locket.json"))

	bbsAddr := freeAddr(t)
	bbs := mustRender(t, "bbs", map[string]any{
		"diego.bbs.ca_cert": c.CA, "diego.bbs.server_cert": c.ServerCert, "diego.bbs.server_key": c.ServerKey,
		"diego.bbs.listen_addr": bbsAddr, "diego.bbs.health_addr": freeAddr(t), "diego.bbs.debug_addr": "",
		"diego.bbs.active_key_label": "k1",
		"diego.bbs.encryption_keys":  []map[string]string{{"label": "k1", "passphrase": "correct horse"}},
		"diego.bbs.sql.db_host":      host, "diego.bbs.sql.db_port": port,
		"diego.bbs.sql.db_schema": schema, "diego.bbs.sql.db_username": dbtest.MySQLUser,
		"diego.bbs.locket.api_location": locketAddr,
	}, nil)
	startDaemon(t, bbsBin, filepath.Join(bbs.JobDir, "config", "bbs.json"))

	auctioneer := mustRender(t, "auctioneer", map[string]any{
		"diego.auctioneer.ca_cert": c.CA, "diego.auctioneer.server_cert": c.ServerCert,
		"diego.auctioneer.server_key": c.ServerKey, "diego.auctioneer.listen_addr": freeAddr(t),
		"diego.auctioneer.debug_addr": "", "diego.auctioneer.bbs.api_location": bbsAddr,
		"diego.auctioneer.bbs.ca_cert": c.CA, "diego.auctioneer.bbs.client_cert": c.ClientCert,
		"diego.auctioneer.bbs.client_key": c.ClientKey, "diego.auctioneer.locket.api_location": locketAddr,
	}, nil)
	startDaemon(t, auctioneerBin, filepath.Join(auctioneer.JobDir, "config", "auctioneer.json"))

	bbsHost, bbsPort, _ := net.SplitHostPort(bbsAddr)
	locketHost, locketPort, _ := net.SplitHostPort(locketAddr)
	p, _ := strconv.Atoi(bbsPort)
	tools := mustRender(t, "cfdot", map[string]any{
		"tls.ca_certificate": c.CA, "tls.certificate": c.ClientCert, "tls.private_key": c.ClientKey,
		"bbs.hostname": bbsHost, "bbs.port": p, "locket.hostname": locketHost, "locket.port": locketPort,
	}, nil)
	pkgBin := filepath.Join(tools.Root, "packages", "cfdot", "bin")
	if err := os.MkdirAll(pkgBin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(cfdotBin, filepath.Join(pkgBin, "cfdot")); err != nil {
		t.Fatal(err)
	}
	setup := filepath.Join(tools.JobDir, "bin", "setup")

	// The BBS serves once it holds its Locket lock and has migrated.
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := cfdot(setup, "domains")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cfdot domains never succeeded: %v\n%s", err, out)
		}
		time.Sleep(250 * time.Millisecond)
	}
	// Both the BBS and the auctioneer hold their locks in Locket.
	for {
		out, err := cfdot(setup, "locks")
		if err == nil && strings.Contains(out, `"key":"bbs"`) && strings.Contains(out, `"key":"auctioneer"`) {
			t.Logf("cfdot locks:\n%s", out)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("cfdot locks never showed the bbs and auctioneer locks: %v\n%s", err, out)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

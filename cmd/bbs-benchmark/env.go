package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/internal/certs"
	"github.com/godiego/diego/internal/tlsconf"
	locket "github.com/godiego/diego/locket/client"
	"github.com/godiego/diego/proto/locketmodels"
	"github.com/godiego/diego/proto/modeljson"
	"github.com/godiego/diego/proto/models"
)

// encryptionLabel and encryptionPassphrase are the key both the seeding
// store and the BBS process use.
const (
	encryptionLabel      = "bench"
	encryptionPassphrase = "benchmark passphrase"
)

// env is a running locket + bbs pair on one database.
type env struct {
	dir        string
	certs      certs.Paths
	locketAddr string
	bbsAddr    string
	debugAddr  string
	procs      []*exec.Cmd
	auctioneer *http.Server
	locket     *locket.Client
	bbs        *client.Client
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startEnv starts bin/locket and bin/bbs from binDir on the MySQL database
// dsn names (root@tcp(host)/name), with a do-nothing auctioneer.
func startEnv(ctx context.Context, binDir, dsn string, bbsExtra map[string]any) (*env, error) {
	dir, err := os.MkdirTemp("", "bbs-benchmark-")
	if err != nil {
		return nil, err
	}
	e := &env{dir: dir}
	if e.certs, err = certs.Generate(filepath.Join(dir, "certs"), nil); err != nil {
		return nil, err
	}
	addrs := make([]string, 5)
	for i := range addrs {
		if addrs[i], err = freeAddr(); err != nil {
			return nil, err
		}
	}
	e.locketAddr, e.bbsAddr, e.debugAddr = addrs[0], addrs[1], addrs[3]
	auctioneerAddr := addrs[4]
	e.auctioneer = &http.Server{Addr: auctioneerAddr, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	})}
	al, err := net.Listen("tcp", auctioneerAddr)
	if err != nil {
		return nil, err
	}
	go func() { _ = e.auctioneer.Serve(al) }()

	tlsFiles := map[string]any{"ca_file": e.certs.CACert, "cert_file": e.certs.ServerCert, "key_file": e.certs.ServerKey}
	locketCfg := merge(tlsFiles, map[string]any{
		"listen_address": e.locketAddr, "database_driver": "mysql", "database_connection_string": dsn, "log_level": "error",
	})
	bbsCfg := merge(tlsFiles, map[string]any{
		"listen_address": e.bbsAddr, "health_address": addrs[2], "debug_address": e.debugAddr,
		"advertise_url": "https://" + e.bbsAddr, "uuid": "bbs-benchmark",
		"database_driver": "mysql", "database_connection_string": dsn,
		"encryption_keys": map[string]string{encryptionLabel: encryptionPassphrase}, "active_key_label": encryptionLabel,
		"auctioneer_address":       "http://" + auctioneerAddr,
		"locket_address":           e.locketAddr,
		"locket_ca_cert_file":      e.certs.CACert,
		"locket_client_cert_file":  e.certs.ClientCert,
		"locket_client_key_file":   e.certs.ClientKey,
		"converge_repeat_interval": "1h",
		"log_level":                "error",
	}, bbsExtra)
	if err := e.start(binDir, "locket", locketCfg); err != nil {
		return nil, err
	}
	lc, err := locket.New(ctx, locket.Config{LocketAddress: e.locketAddr, LocketCACertFile: e.certs.CACert,
		LocketClientCertFile: e.certs.ClientCert, LocketClientKeyFile: e.certs.ClientKey})
	if err != nil {
		e.stop()
		return nil, fmt.Errorf("connecting to locket: %w", err)
	}
	e.locket = lc
	if err := e.start(binDir, "bbs", bbsCfg); err != nil {
		e.stop()
		return nil, err
	}
	tc, err := tlsconf.Client(e.certs.ClientCert, e.certs.ClientKey, e.certs.CACert, false)
	if err != nil {
		e.stop()
		return nil, err
	}
	e.bbs, err = client.New(client.Config{URL: "https://" + e.bbsAddr, TLS: tc, Timeout: 5 * time.Minute, Retries: 1})
	if err != nil {
		e.stop()
		return nil, err
	}
	if err := e.waitReady(ctx, 10*time.Minute); err != nil {
		e.stop()
		return nil, err
	}
	return e, nil
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

// start runs binDir/name with cfg, logging to a file in the env directory.
func (e *env) start(binDir, name string, cfg map[string]any) error {
	raw, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	path := filepath.Join(e.dir, name+".json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		return err
	}
	log, err := os.Create(filepath.Join(e.dir, name+".log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(filepath.Join(binDir, name), "-config", path)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", name, err)
	}
	e.procs = append(e.procs, cmd)
	return nil
}

// waitReady polls until the BBS answers (it holds the lock and has migrated).
func (e *env) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		c, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := e.bbs.Domains(c)
		cancel()
		if err == nil {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("bbs not ready after %v (logs in %s)", timeout, e.dir)
}

// registerCells writes a long-lived Locket presence for each cell id.
func (e *env) registerCells(ctx context.Context, ids []string) error {
	return parallel(len(ids), 16, func(i int) error {
		raw, err := modeljson.Marshal(&models.CellPresence{CellId: ids[i], RepAddress: "http://" + ids[i] + ":1800", Zone: "z1",
			Capacity: &models.CellCapacity{MemoryMb: 1 << 20, DiskMb: 1 << 20, Containers: 1 << 12}})
		if err != nil {
			return err
		}
		_, err = e.locket.Lock(ctx, &locketmodels.LockRequest{Resource: &locketmodels.Resource{
			Key: ids[i], Owner: "bench-" + ids[i], Value: string(raw), Type: "presence", TypeCode: locketmodels.TypeCode_PRESENCE,
		}, TtlInSeconds: 3600})
		return err
	})
}

// dropCell releases one presence; the BBS converges at once when it notices.
func (e *env) dropCell(ctx context.Context, id string) error {
	_, err := e.locket.Release(ctx, &locketmodels.ReleaseRequest{Resource: &locketmodels.Resource{
		Key: id, Owner: "bench-" + id, Type: "presence", TypeCode: locketmodels.TypeCode_PRESENCE,
	}})
	return err
}

// stop ends the processes (bbs first) and removes the directory.
func (e *env) stop() {
	if e.locket != nil {
		e.locket.Close()
	}
	for i := len(e.procs) - 1; i >= 0; i-- {
		p := e.procs[i]
		_ = p.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = p.Process.Kill()
			<-done
		}
	}
	if e.auctioneer != nil {
		_ = e.auctioneer.Close()
	}
	if os.Getenv("BBS_BENCHMARK_KEEP") == "" {
		_ = os.RemoveAll(e.dir)
	}
}

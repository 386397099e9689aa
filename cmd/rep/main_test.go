package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godiego/diego/executor/executortest"
	"github.com/godiego/diego/internal/certs"
)

func writeConfig(t *testing.T, dir string, cfg map[string]any) string {
	t.Helper()
	raw, _ := json.Marshal(cfg)
	path := filepath.Join(dir, "rep.json")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheckConfig(t *testing.T) {
	bin := executortest.Binary(t, "rep")
	dir := t.TempDir()
	p, err := certs.Generate(filepath.Join(dir, "certs"), nil)
	if err != nil {
		t.Fatal(err)
	}
	valid := map[string]any{
		"cell_id": "cell_z1-0", "zone": "z1", "bbs_address": "https://bbs.service.cf.internal:8889",
		"bbs_ca_cert_file": p.CACert, "bbs_client_cert_file": p.ClientCert, "bbs_client_key_file": p.ClientKey,
		"ca_cert_file": p.CACert, "server_cert_file": p.ServerCert, "server_key_file": p.ServerKey,
		"locket_address": "locket.service.cf.internal:8891", "locket_ca_cert_file": p.CACert,
		"locket_client_cert_file": p.ClientCert, "locket_client_key_file": p.ClientKey,
		"preloaded_root_fs": []string{"cflinuxfs4:/var/vcap/packages/cflinuxfs4/rootfs.tar"}, "require_tls": true,
	}
	out, err := exec.Command(bin, "-config", writeConfig(t, dir, valid), "-check-config").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "is valid") {
		t.Fatalf("valid config: %v %s", err, out)
	}

	valid["no_such_key"] = true
	delete(valid, "cell_id")
	cmd := exec.Command(bin, "-config", writeConfig(t, dir, valid), "-check-config")
	out, err = cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); err == nil || code != 2 || !strings.Contains(string(out), "no_such_key") {
		t.Fatalf("unknown key: exit %d %s", code, out)
	}
	delete(valid, "no_such_key")
	valid["memory_mb"] = "lots"
	cmd = exec.Command(bin, "-config", writeConfig(t, dir, valid), "-check-config")
	out, _ = cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 2 || !strings.Contains(string(out), "cell_id") || !strings.Contains(string(out), "memory_mb") {
		t.Fatalf("invalid config: %s", out)
	}
}

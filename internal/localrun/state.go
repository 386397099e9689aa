package localrun

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/godiego/diego/internal/certs"
)

// State is the local Diego's state folder.
type State struct {
	Root  string
	Certs certs.Paths
}

// Prepare creates the state folder's layout and the dev certificates.
func Prepare(root string) (State, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return State{}, err
	}
	for _, dir := range []string{"config", "logs", "data", "static", "rootfs"} {
		if err := os.MkdirAll(filepath.Join(abs, dir), 0o755); err != nil {
			return State{}, err
		}
	}
	st := State{Root: abs, Certs: certs.PathsIn(filepath.Join(abs, "certs"))}
	if _, err := os.Stat(st.Certs.CACert); err != nil {
		if _, err := certs.Generate(st.Certs.Dir, nil); err != nil {
			return State{}, fmt.Errorf("generating certificates: %w", err)
		}
	}
	if _, err := os.Stat(st.SSHHostKeyPath()); err != nil {
		if err := writeSSHHostKey(st.SSHHostKeyPath()); err != nil {
			return State{}, fmt.Errorf("generating the ssh-proxy host key: %w", err)
		}
	}
	return st, nil
}

// SSHHostKeyPath is the ssh-proxy's host key (PEM).
func (s State) SSHHostKeyPath() string { return filepath.Join(s.Certs.Dir, "ssh_host_key") }

func writeSSHHostKey(path string) error {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	block, err := ssh.MarshalPrivateKey(key, "diego local ssh-proxy")
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(block), 0o600)
}

// Path returns a path inside the state folder.
func (s State) Path(parts ...string) string {
	return filepath.Join(append([]string{s.Root}, parts...)...)
}

// BuildBusyboxRootfs lays out a minimal root filesystem from a static
// busybox at dir, unless one is already there. The preloaded stack of the
// local cells maps to it.
func BuildBusyboxRootfs(busybox, dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "bin", "busybox")); err == nil {
		return nil
	}
	if _, err := os.Stat(busybox); err != nil {
		return fmt.Errorf("%s not found: install it with `apt-get install busybox-static`", busybox)
	}
	for _, d := range []string{"bin", "etc", "tmp", "home/vcap", "proc", "dev", "sys", "var/tmp", "root", "app"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	_ = os.Chmod(filepath.Join(dir, "tmp"), 0o1777)
	data, err := os.ReadFile(busybox)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "bin", "busybox"), data, 0o755); err != nil {
		return err
	}
	out, err := exec.Command(busybox, "--list").Output()
	if err != nil {
		return fmt.Errorf("listing busybox applets: %w", err)
	}
	for _, applet := range strings.Fields(string(out)) {
		if applet == "busybox" {
			continue
		}
		_ = os.Symlink("busybox", filepath.Join(dir, "bin", applet))
	}
	_ = os.Symlink("bin", filepath.Join(dir, "sbin"))
	if err := os.MkdirAll(filepath.Join(dir, "usr"), 0o755); err == nil {
		_ = os.Symlink("../bin", filepath.Join(dir, "usr", "bin"))
	}
	files := map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nvcap:x:2000:2000:vcap:/home/vcap:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
		"etc/group":  "root:x:0:\nvcap:x:2000:\nnogroup:x:65534:\n",
		"etc/hosts":  "127.0.0.1 localhost\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	return os.Chown(filepath.Join(dir, "home/vcap"), 2000, 2000)
}

func marshalIndent(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteEnv writes the cfdot environment to .diego/env and returns its lines.
func WriteEnv(s State, bbsURL, locketAddr string) ([]string, error) {
	lines := []string{
		"export BBS_URL=" + Shell(bbsURL),
		"export LOCKET_API_LOCATION=" + Shell(locketAddr),
		"export CA_CERT_FILE=" + Shell(s.Certs.CACert),
		"export CLIENT_CERT_FILE=" + Shell(s.Certs.ClientCert),
		"export CLIENT_KEY_FILE=" + Shell(s.Certs.ClientKey),
	}
	return lines, os.WriteFile(s.Path("env"), []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

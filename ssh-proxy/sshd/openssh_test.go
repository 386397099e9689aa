package sshd

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// Interoperability with the OpenSSH client tools, when installed.

type opensshClient struct {
	keyFile string
	host    string
	port    string
}

func newOpenSSHClient(t *testing.T, tools ...string) (testServer, opensshClient) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIPPED: %s (OpenSSH client) is not installed", tool)
		}
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := ssh.NewSignerFromKey(priv)
	block, err := ssh.MarshalPrivateKey(priv, "test")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, func(o *Options, _ *Daemon) {
		o.AuthorizedKey = string(ssh.MarshalAuthorizedKey(signer.PublicKey()))
	})
	host, port, _ := net.SplitHostPort(s.addr)
	return s, opensshClient{keyFile: keyFile, host: host, port: port}
}

func (c opensshClient) options() []string {
	return []string{"-F", "/dev/null", "-i", c.keyFile, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"}
}

// ssh runs command through the ssh client with extra options, returning
// the combined output and the exit code.
func (c opensshClient) ssh(t *testing.T, extra []string, command string) (string, int) {
	t.Helper()
	args := append(c.options(), "-p", c.port)
	args = append(append(args, extra...), "vcap@"+c.host, command)
	out, err := exec.Command("ssh", args...).CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

func TestOpenSSHClientExec(t *testing.T) {
	_, c := newOpenSSHClient(t, "ssh")
	out, code := c.ssh(t, nil, "echo from openssh; exit 4")
	if out != "from openssh\n" || code != 4 {
		t.Fatalf("%q exit %d", out, code)
	}
	out, code = c.ssh(t, []string{"-tt"}, "tty")
	if code != 0 || !strings.HasPrefix(out, "/dev/pts/") {
		t.Fatalf("pty: %q exit %d", out, code)
	}
}

func TestOpenSSHSFTPAndSCP(t *testing.T) {
	_, c := newOpenSSHClient(t, "sftp", "scp")
	dir := t.TempDir()
	local := filepath.Join(dir, "local.txt")
	if err := os.WriteFile(local, []byte("payload over sftp\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	remote := filepath.Join(dir, "remote")
	batch := filepath.Join(dir, "batch")
	script := strings.Join([]string{
		"mkdir " + remote,
		"cd " + remote,
		"put -p " + local + " up.txt",
		"ls -l",
		"rename up.txt moved.txt",
		"get moved.txt " + filepath.Join(dir, "back.txt"),
		"symlink moved.txt link.txt",
		"chmod 600 moved.txt",
		"rm link.txt",
		"",
	}, "\n")
	if err := os.WriteFile(batch, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append(c.options(), "-P", c.port, "-b", batch, "vcap@"+c.host)
	out, err := exec.Command("sftp", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("sftp: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "up.txt") {
		t.Fatalf("ls output missing the file:\n%s", out)
	}
	back, err := os.ReadFile(filepath.Join(dir, "back.txt"))
	if err != nil || string(back) != "payload over sftp\n" {
		t.Fatalf("round trip: %q %v", back, err)
	}
	info, err := os.Stat(filepath.Join(remote, "moved.txt"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("chmod: %v %v", info, err)
	}
	if _, err := os.Lstat(filepath.Join(remote, "link.txt")); !os.IsNotExist(err) {
		t.Fatalf("rm: %v", err)
	}

	// scp uses the SFTP protocol by default since OpenSSH 9.
	args = append(c.options(), "-P", c.port, local, "vcap@"+c.host+":"+filepath.Join(remote, "scp.txt"))
	if out, err := exec.Command("scp", args...).CombinedOutput(); err != nil {
		t.Fatalf("scp: %v\n%s", err, out)
	}
	if got, _ := os.ReadFile(filepath.Join(remote, "scp.txt")); string(got) != "payload over sftp\n" {
		t.Fatalf("scp copy: %q", got)
	}
}

package main_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/godiego/diego/ssh-proxy/sshd"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sshd-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "sshd")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func userKey(t *testing.T) (ssh.Signer, string) {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return signer, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey())))
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type daemonProc struct {
	cmd *exec.Cmd
	out *bytes.Buffer
}

func startDaemon(t *testing.T, env []string, args ...string) daemonProc {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(binary, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("sshd output:\n%s", out.String())
		}
	})
	return daemonProc{cmd: cmd, out: &out}
}

func connect(t *testing.T, addr string, auth ...ssh.AuthMethod) *ssh.Client {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := ssh.Dial("tcp", addr, &ssh.ClientConfig{User: "vcap", Auth: auth, HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
		if err == nil {
			t.Cleanup(func() { c.Close() })
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("cannot connect to sshd at %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func output(t *testing.T, c *ssh.Client, command string) string {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out, err := sess.CombinedOutput(command)
	if err != nil {
		t.Fatalf("%s: %v\n%s", command, err, out)
	}
	return string(out)
}

// TestKeysFromFlagsLeaveTheCommandLine checks the flag path: the daemon
// re-executes itself with the keys moved into its environment, and neither
// its command line nor its children's environment shows them.
func TestKeysFromFlagsLeaveTheCommandLine(t *testing.T) {
	hostKey, err := sshd.GenerateHostKey()
	if err != nil {
		t.Fatal(err)
	}
	signer, authorized := userKey(t)
	addr := freeAddr(t)
	d := startDaemon(t, []string{"HOME=/home/vcap", "USER=vcap", "APP_VAR=from-daemon"},
		"-address="+addr, "-hostKey="+hostKey, "-authorizedKey="+authorized, "-inheritDaemonEnv")
	c := connect(t, addr, ssh.PublicKeys(signer))

	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(d.cmd.Process.Pid) + "/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(cmdline, []byte("PRIVATE KEY")) || bytes.Contains(cmdline, []byte(authorized)) {
		t.Fatalf("keys visible in the daemon's command line: %q", cmdline)
	}
	env := output(t, c, "env")
	if strings.Contains(env, "SSHD_") {
		t.Fatalf("child environment has the keys:\n%s", env)
	}
	if !strings.Contains(env, "APP_VAR=from-daemon") || !strings.Contains(env, "HOME=/home/vcap") || !strings.Contains(env, "PATH=/bin:/usr/bin") {
		t.Fatalf("inherited environment missing:\n%s", env)
	}

	stranger, _ := userKey(t)
	if _, err := ssh.Dial("tcp", addr, &ssh.ClientConfig{User: "vcap", Auth: []ssh.AuthMethod{ssh.PublicKeys(stranger)}, HostKeyCallback: ssh.InsecureIgnoreHostKey()}); err == nil {
		t.Fatal("unauthorized key accepted")
	}
}

func TestKeysFromEnvironment(t *testing.T) {
	hostKey, _ := sshd.GenerateHostKey()
	signer, authorized := userKey(t)
	addr := freeAddr(t)
	startDaemon(t, []string{"SSHD_HOSTKEY=" + hostKey, "SSHD_AUTHKEY=" + authorized, "APP_VAR=hidden"}, "-address="+addr)
	c := connect(t, addr, ssh.PublicKeys(signer))
	env := output(t, c, "env")
	if strings.Contains(env, "SSHD_") || strings.Contains(env, "APP_VAR") {
		t.Fatalf("unexpected child environment without -inheritDaemonEnv:\n%s", env)
	}
	if got := output(t, c, "echo hi"); got != "hi\n" {
		t.Fatalf("exec: %q", got)
	}
}

func TestGeneratedHostKeyAndUnauthenticatedClients(t *testing.T) {
	addr := freeAddr(t)
	startDaemon(t, nil, "-address="+addr, "-allowUnauthenticatedClients")
	c := connect(t, addr)
	if got := output(t, c, "echo open"); got != "open\n" {
		t.Fatalf("%q", got)
	}
}

func TestMissingAuthorizedKeyFails(t *testing.T) {
	cmd := exec.Command(binary, "-address="+freeAddr(t))
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "Public user key is required") {
		t.Fatalf("err %v output %s", err, out)
	}
}

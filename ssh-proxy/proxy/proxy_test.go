package proxy

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"github.com/tedsuo/ifrit"
	"golang.org/x/crypto/ssh"
)

func newSigner(t testing.TB) (ssh.Signer, string) {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	return signer, string(pem.EncodeToMemory(block))
}

// backend is a minimal sshd: "exec" sessions echo their command's
// argument to stdout ("echo X") or fail (anything else), and the global
// request "ping" is answered with payload "pong".
type backend struct {
	addr    string
	hostKey ssh.Signer
	// globalFromClient records the global requests that reached it.
	mu   sync.Mutex
	seen []string
}

func startBackend(t testing.TB, cfg *ssh.ServerConfig) *backend {
	t.Helper()
	b := &backend{}
	b.hostKey, _ = newSigner(t)
	cfg.AddHostKey(b.hostKey)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	b.addr = l.Addr().String()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go b.serve(c, cfg)
		}
	}()
	return b
}

func (b *backend) serve(c net.Conn, cfg *ssh.ServerConfig) {
	conn, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		c.Close()
		return
	}
	go func() {
		for r := range reqs {
			b.mu.Lock()
			b.seen = append(b.seen, r.Type)
			b.mu.Unlock()
			if r.Type == "ping" {
				_ = r.Reply(true, []byte("pong"))
				// And ask the client something back.
				go func() { _, _, _ = conn.SendRequest("from-daemon", true, nil) }()
				continue
			}
			_ = r.Reply(false, nil)
		}
	}()
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "only sessions here")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		go func() {
			for r := range creqs {
				if r.Type != "exec" {
					_ = r.Reply(false, nil)
					continue
				}
				_ = r.Reply(true, nil)
				cmd := string(r.Payload[4:])
				status := uint32(0)
				if rest, ok := strings.CutPrefix(cmd, "echo "); ok {
					_, _ = ch.Write([]byte(rest + "\n"))
				} else {
					_, _ = ch.Stderr().Write([]byte("unknown command\n"))
					status = 3
				}
				_ = ch.CloseWrite()
				payload := make([]byte, 4)
				binary.BigEndian.PutUint32(payload, status)
				_, _ = ch.SendRequest("exit-status", false, payload)
				_ = ch.Close()
				return
			}
		}()
	}
}

// recordingAppLogger keeps app log lines.
type recordingAppLogger struct {
	mu    sync.Mutex
	lines []string
}

func (r *recordingAppLogger) SendAppLog(message, source string, tags map[string]string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, source+"|"+message+"|"+tags["source_id"])
	return nil
}

func (r *recordingAppLogger) Lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...)
}

// startProxy runs a proxy whose every login (password "pw") goes to target.
func startProxy(t testing.TB, target TargetConfig, idle time.Duration, logs AppLogger) (string, *Proxy) {
	t.Helper()
	hostKey, _ := newSigner(t)
	server := &ssh.ServerConfig{
		PasswordCallback: func(meta ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if string(pw) != "pw" {
				return nil, errors.New("Invalid credentials")
			}
			return Permissions(target, LogMessage{Message: "Successful remote access by " + meta.RemoteAddr().String(),
				Tags: map[string]string{"source_id": "app-log-guid"}})
		},
	}
	server.AddHostKey(hostKey)
	logger := lager.NewLogger("proxy-test")
	p := New(logger, server, Backend{DialTimeout: 5 * time.Second}, logs, nil)
	srv := NewServer(logger, "127.0.0.1:0", p, idle)
	process := ifrit.Invoke(srv)
	t.Cleanup(func() {
		process.Signal(os.Interrupt)
		<-process.Wait()
	})
	return srv.Addr().String(), p
}

func dial(t testing.TB, addr, password string) (*ssh.Client, error) {
	t.Helper()
	return ssh.Dial("tcp", addr, &ssh.ClientConfig{
		User: "diego:app/0", Auth: []ssh.AuthMethod{ssh.Password(password)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second,
	})
}

func run(t *testing.T, client *ssh.Client, cmd string) (stdout, stderr string, err error) {
	t.Helper()
	session, err := client.NewSession()
	if err != nil {
		return "", "", err
	}
	defer session.Close()
	var out, errOut bytes.Buffer
	session.Stdout, session.Stderr = &out, &errOut
	err = session.Run(cmd)
	return out.String(), errOut.String(), err
}

func TestProxySplicesSessionsWithPublicKeyAuth(t *testing.T) {
	clientKey, clientKeyPEM := newSigner(t)
	b := startBackend(t, &ssh.ServerConfig{
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if bytes.Equal(key.Marshal(), clientKey.PublicKey().Marshal()) {
				return &ssh.Permissions{}, nil
			}
			return nil, errors.New("wrong key")
		},
	})
	logs := &recordingAppLogger{}
	addr, p := startProxy(t, TargetConfig{Address: b.addr, PrivateKey: clientKeyPEM, HostFingerprint: MD5Fingerprint(b.hostKey.PublicKey())}, 0, logs)

	client, err := dial(t, addr, "pw")
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, client, "echo hello")
	if err != nil || out != "hello\n" {
		t.Fatalf("echo: %q, %v", out, err)
	}
	_, stderr, err := run(t, client, "false")
	var exit *ssh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 3 || stderr != "unknown command\n" {
		t.Fatalf("failing command: err %v, stderr %q", err, stderr)
	}

	ok, reply, err := client.SendRequest("ping", true, nil)
	if err != nil || !ok || string(reply) != "pong" {
		t.Fatalf("global request: %t %q %v", ok, reply, err)
	}

	// A channel type the backend refuses is refused to the client with its reason.
	_, _, err = client.OpenChannel("direct-streamlocal@openssh.com", nil)
	var openErr *ssh.OpenChannelError
	if !errors.As(err, &openErr) || openErr.Reason != ssh.UnknownChannelType || openErr.Message != "only sessions here" {
		t.Fatalf("refused channel: %v", err)
	}

	if p.Connections() != 1 {
		t.Fatalf("connections = %d", p.Connections())
	}
	client.Close()
	waitFor(t, "session end logged", func() bool { return len(logs.Lines()) == 2 && p.Connections() == 0 })
	lines := logs.Lines()
	if !strings.HasPrefix(lines[0], "SSH|Successful remote access by 127.0.0.1:") || !strings.HasPrefix(lines[1], "SSH|Remote access ended for 127.0.0.1:") ||
		!strings.HasSuffix(lines[1], "|app-log-guid") {
		t.Fatalf("app log lines %q", lines)
	}
}

func TestGlobalRequestsTravelBothWays(t *testing.T) {
	b := startBackend(t, &ssh.ServerConfig{NoClientAuth: true})
	addr, _ := startProxy(t, TargetConfig{Address: b.addr}, 0, nil)
	netConn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	conn, chans, reqs, err := ssh.NewClientConn(netConn, addr, &ssh.ClientConfig{
		User: "diego:app/0", Auth: []ssh.AuthMethod{ssh.Password("pw")}, HostKeyCallback: ssh.InsecureIgnoreHostKey(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	go func() {
		for nc := range chans {
			_ = nc.Reject(ssh.Prohibited, "no")
		}
	}()
	ok, reply, err := conn.SendRequest("ping", true, []byte("payload"))
	if err != nil || !ok || string(reply) != "pong" {
		t.Fatalf("client to daemon: %t %q %v", ok, reply, err)
	}
	select {
	case req := <-reqs:
		if req.Type != "from-daemon" || !req.WantReply {
			t.Fatalf("daemon to client: %s %t", req.Type, req.WantReply)
		}
		_ = req.Reply(true, nil)
	case <-time.After(10 * time.Second):
		t.Fatal("the daemon's global request did not reach the client")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.seen) != 1 || b.seen[0] != "ping" {
		t.Fatalf("backend saw %v", b.seen)
	}
}

func TestProxyPasswordAuthToBackend(t *testing.T) {
	b := startBackend(t, &ssh.ServerConfig{
		PasswordCallback: func(meta ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if meta.User() == "vcap" && string(pw) == "backend-pw" {
				return &ssh.Permissions{}, nil
			}
			return nil, errors.New("no")
		},
	})
	addr, _ := startProxy(t, TargetConfig{Address: b.addr, User: "vcap", Password: "backend-pw",
		HostFingerprint: SHA1Fingerprint(b.hostKey.PublicKey())}, 0, nil)
	client, err := dial(t, addr, "pw")
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if out, _, err := run(t, client, "echo via password"); err != nil || out != "via password\n" {
		t.Fatalf("%q %v", out, err)
	}
}

func TestProxyRefusesBackendWithWrongFingerprintOrNoTarget(t *testing.T) {
	b := startBackend(t, &ssh.ServerConfig{NoClientAuth: true})
	other, _ := newSigner(t)
	for name, target := range map[string]TargetConfig{
		"wrong md5":       {Address: b.addr, HostFingerprint: MD5Fingerprint(other.PublicKey())},
		"sha256 form":     {Address: b.addr, HostFingerprint: ssh.FingerprintSHA256(b.hostKey.PublicKey())},
		"nothing listens": {Address: "127.0.0.1:1"},
	} {
		t.Run(name, func(t *testing.T) {
			addr, _ := startProxy(t, target, 0, nil)
			client, err := dial(t, addr, "pw")
			if err != nil {
				return // closed before the handshake finished: refused
			}
			defer client.Close()
			if _, _, err := run(t, client, "echo hello"); err == nil {
				t.Fatal("session through a refused backend succeeded")
			}
		})
	}
	// The same backend is fine with no fingerprint expected.
	addr, _ := startProxy(t, TargetConfig{Address: b.addr}, 0, nil)
	client, err := dial(t, addr, "pw")
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if out, _, err := run(t, client, "echo ok"); err != nil || out != "ok\n" {
		t.Fatalf("%q %v", out, err)
	}
}

func TestProxyRejectsWrongPassword(t *testing.T) {
	b := startBackend(t, &ssh.ServerConfig{NoClientAuth: true})
	addr, _ := startProxy(t, TargetConfig{Address: b.addr}, 0, nil)
	if _, err := dial(t, addr, "wrong"); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("err = %v", err)
	}
}

func TestIdleConnectionsAreClosed(t *testing.T) {
	b := startBackend(t, &ssh.ServerConfig{NoClientAuth: true})
	addr, _ := startProxy(t, TargetConfig{Address: b.addr}, 300*time.Millisecond, nil)
	client, err := dial(t, addr, "pw")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- client.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("idle connection still open")
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: not within 10s", what)
}

func TestServerShutdownClosesOpenSessions(t *testing.T) {
	b := startBackend(t, &ssh.ServerConfig{NoClientAuth: true})
	hostKey, _ := newSigner(t)
	server := &ssh.ServerConfig{NoClientAuth: true}
	server.AddHostKey(hostKey)
	server.NoClientAuth = false
	server.PasswordCallback = func(ssh.ConnMetadata, []byte) (*ssh.Permissions, error) {
		return Permissions(TargetConfig{Address: b.addr}, LogMessage{})
	}
	srv := NewServer(lager.NewLogger("test"), "127.0.0.1:0", New(lager.NewLogger("test"), server, Backend{}, nil, nil), 0)
	process := ifrit.Invoke(srv)
	client, err := dial(t, srv.Addr().String(), "x")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- client.Wait() }()
	process.Signal(os.Interrupt)
	select {
	case err := <-process.Wait():
		if err != nil {
			t.Fatalf("server exited with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop")
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("session survived the shutdown")
	}
	if _, err := net.Dial("tcp", srv.Addr().String()); err == nil {
		t.Fatal("still listening after shutdown")
	}
}

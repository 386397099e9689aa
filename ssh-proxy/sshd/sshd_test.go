package sshd

import (
	"bufio"
	"errors"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

func TestExecOutputAndExitStatus(t *testing.T) {
	s := startServer(t, nil)
	c := s.client(t)
	stdout, stderr, err := s.run(t, c, "echo hello; echo oops >&2; exit 3", nil)
	var exit *ssh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 3 {
		t.Fatalf("want exit status 3, got %v", err)
	}
	if stdout != "hello\n" || stderr != "oops\n" {
		t.Fatalf("stdout %q stderr %q", stdout, stderr)
	}
	if stdout, _, err := s.run(t, c, "true && echo ok", nil); err != nil || stdout != "ok\n" {
		t.Fatalf("success: %q %v", stdout, err)
	}
}

func TestStdinIsForwardedUntilEOF(t *testing.T) {
	s := startServer(t, nil)
	stdout, _, err := s.run(t, s.client(t), "tr a-z A-Z", func(sess *ssh.Session) {
		sess.Stdin = strings.NewReader("hello from stdin")
	})
	if err != nil || stdout != "HELLO FROM STDIN" {
		t.Fatalf("%q %v", stdout, err)
	}
}

func TestPublicKeyAuthentication(t *testing.T) {
	s := startServer(t, nil)
	stranger, _ := keyPair(t)
	if _, err := s.dial(t, ssh.PublicKeys(stranger)); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("unauthorized key: %v", err)
	}
	if _, err := s.dial(t, ssh.Password("secret")); err == nil {
		t.Fatal("password accepted")
	}
	if _, err := s.dial(t); err == nil {
		t.Fatal("no-auth accepted without -allowUnauthenticatedClients")
	}
	s.client(t) // the authorized key works

	open := startServer(t, func(o *Options, d *Daemon) { o.AllowUnauthenticatedClients, o.AuthorizedKey = true, "" })
	c, err := open.dial(t)
	if err != nil {
		t.Fatalf("unauthenticated client refused: %v", err)
	}
	c.Close()
}

func TestEnvironment(t *testing.T) {
	s := startServer(t, nil)
	t.Setenv("HOME", "/home/vcap")
	stdout, _, err := s.run(t, s.client(t), `echo "$FOO|$FROM_DAEMON|$PATH|$LANG|$USER_SET"`, func(sess *ssh.Session) {
		if err := sess.Setenv("FOO", "bar baz"); err != nil {
			t.Fatal(err)
		}
	})
	if err != nil || stdout != "bar baz|yes|/bin:/usr/bin|en_US.UTF8|\n" {
		t.Fatalf("%q %v", stdout, err)
	}
	// HOME and USER are the daemon's; clients cannot change them.
	stdout, _, _ = s.run(t, s.client(t), `echo "$HOME"`, func(sess *ssh.Session) { _ = sess.Setenv("HOME", "/elsewhere") })
	if stdout == "/elsewhere\n" {
		t.Fatalf("client overrode HOME: %q", stdout)
	}
	// Session variables do not leak into other sessions.
	stdout, _, _ = s.run(t, s.client(t), `echo "[$FOO]"`, nil)
	if stdout != "[]\n" {
		t.Fatalf("env leaked between sessions: %q", stdout)
	}
}

func TestSignalAndExitSignal(t *testing.T) {
	s := startServer(t, nil)
	sess := s.session(t, s.client(t))
	stdout, _ := sess.StdoutPipe()
	if err := sess.Start("echo started; exec sleep 60"); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if line != "started\n" {
		t.Fatalf("read %q", line)
	}
	if err := sess.Signal(ssh.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := sess.Wait()
	var exit *ssh.ExitError
	if !errors.As(err, &exit) || exit.Signal() != "TERM" {
		t.Fatalf("want exit-signal TERM, got %v", err)
	}
}

func TestOneCommandPerSession(t *testing.T) {
	s := startServer(t, nil)
	sess := s.session(t, s.client(t))
	if err := sess.Start("sleep 1"); err != nil {
		t.Fatal(err)
	}
	ok, err := sess.SendRequest("exec", true, ssh.Marshal(struct{ Command string }{"true"}))
	if err != nil || ok {
		t.Fatalf("second exec accepted: %v %v", ok, err)
	}
}

func TestPseudoTerminal(t *testing.T) {
	s := startServer(t, nil)
	sess := s.session(t, s.client(t))
	modes := ssh.TerminalModes{ssh.ECHO: 0, ssh.ICRNL: 1}
	if err := sess.RequestPty("xterm-256color", 40, 80, modes); err != nil {
		t.Fatal(err)
	}
	stdin, _ := sess.StdinPipe()
	stdout, _ := sess.StdoutPipe()
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	out := bufio.NewReader(stdout)
	readUntil := func(re *regexp.Regexp) string {
		t.Helper()
		var seen strings.Builder
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			line, err := out.ReadString('\n')
			seen.WriteString(line)
			if m := re.FindString(seen.String()); m != "" {
				return m
			}
			if err != nil {
				break
			}
		}
		t.Fatalf("never saw %s in %q", re, seen.String())
		return ""
	}
	io.WriteString(stdin, "tty; echo \"term=$TERM\"; stty size; stty -a | grep -o -- '-echo ' | head -1\n")
	readUntil(regexp.MustCompile(`/dev/pts/\d+`))
	readUntil(regexp.MustCompile(`term=xterm-256color`))
	readUntil(regexp.MustCompile(`40 80`))
	readUntil(regexp.MustCompile(`-echo `))

	if err := sess.WindowChange(50, 132); err != nil {
		t.Fatal(err)
	}
	io.WriteString(stdin, "stty size; exit 7\n")
	readUntil(regexp.MustCompile(`50 132`))
	err := sess.Wait()
	var exit *ssh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 7 {
		t.Fatalf("shell exit: %v", err)
	}
}

func TestDirectTCPIP(t *testing.T) {
	s := startServer(t, nil)
	c := s.client(t)
	conn, err := c.Dial("tcp", echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "ping through the tunnel"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len("ping through the tunnel"))
	if _, err := io.ReadFull(conn, buf); err != nil || string(buf) != "ping through the tunnel" {
		t.Fatalf("%q %v", buf, err)
	}

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := l.Addr().String()
	l.Close()
	_, err = c.Dial("tcp", closed)
	var openErr *ssh.OpenChannelError
	if !errors.As(err, &openErr) || openErr.Reason != ssh.ConnectionFailed || !strings.Contains(openErr.Message, "connection refused") {
		t.Fatalf("dial to closed port: %v", err)
	}
}

func TestRemoteForwarding(t *testing.T) {
	s := startServer(t, nil)
	c := s.client(t)
	remote, err := c.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		conn, err := remote.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		io.WriteString(conn, "served by the client")
	}()
	conn, err := net.Dial("tcp", remote.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(conn)
	conn.Close()
	if string(got) != "served by the client" {
		t.Fatalf("read %q", got)
	}
	if err := remote.Close(); err != nil {
		t.Fatalf("cancel-tcpip-forward: %v", err)
	}
	if _, err := net.DialTimeout("tcp", remote.Addr().String(), time.Second); err == nil {
		t.Fatal("listener still open after cancel")
	}
}

func TestRejectsUnknownChannelsAndSubsystems(t *testing.T) {
	s := startServer(t, nil)
	c := s.client(t)
	_, _, err := c.OpenChannel("x11", nil)
	var openErr *ssh.OpenChannelError
	if !errors.As(err, &openErr) || openErr.Reason != ssh.UnknownChannelType {
		t.Fatalf("x11: %v", err)
	}
	sess := s.session(t, c)
	if err := sess.RequestSubsystem("netconf"); err == nil {
		t.Fatal("netconf subsystem accepted")
	}
}

func TestKeepalive(t *testing.T) {
	s := startServer(t, func(_ *Options, d *Daemon) {
		if d != nil {
			d.sessions.keepalive = 20 * time.Millisecond
		}
	})
	channel, requests, err := s.client(t).OpenChannel("session", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer channel.Close()
	if ok, err := channel.SendRequest("exec", true, ssh.Marshal(struct{ Command string }{"sleep 5"})); !ok || err != nil {
		t.Fatalf("exec: %v %v", ok, err)
	}
	select {
	case req := <-requests:
		if req.Type != KeepaliveRequest || !req.WantReply {
			t.Fatalf("got %s (want-reply %v)", req.Type, req.WantReply)
		}
		req.Reply(false, nil)
	case <-time.After(10 * time.Second):
		t.Fatal("no keepalive")
	}
}

func TestServerConfigProblems(t *testing.T) {
	_, err := Options{}.ServerConfig()
	if err == nil || err.Error() != "empty-host-key, Public user key is required" {
		t.Fatalf("%v", err)
	}
	hostKey, _ := GenerateHostKey()
	_, err = Options{HostKeyPEM: hostKey, AuthorizedKey: "ssh-rsa garbage"}.ServerConfig()
	if err == nil || !strings.Contains(err.Error(), "authorized key") {
		t.Fatalf("%v", err)
	}
	cfg, err := Options{HostKeyPEM: hostKey, AllowUnauthenticatedClients: true, AllowedCiphers: "aes128-ctr,aes256-ctr", AllowedMACs: "hmac-sha2-256", AllowedKeyExchanges: "curve25519-sha256"}.ServerConfig()
	if err != nil || len(cfg.Ciphers) != 2 || cfg.MACs[0] != "hmac-sha2-256" || cfg.KeyExchanges[0] != "curve25519-sha256" {
		t.Fatalf("%+v %v", cfg, err)
	}
}

func TestExternalAddress(t *testing.T) {
	ports := `[{"internal":2222,"external":61002}]`
	for _, c := range []struct{ in, env, want string }{
		{"0.0.0.0:2222", ports, "0.0.0.0:61002"},
		{"0.0.0.0:8080", ports, "0.0.0.0:8080"},
		{"0.0.0.0:2222", "", "0.0.0.0:2222"},
	} {
		if got := ExternalAddress(c.in, c.env); got != c.want {
			t.Errorf("ExternalAddress(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

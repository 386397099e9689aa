package sshd

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"os"
	"testing"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"github.com/tedsuo/ifrit"
	"golang.org/x/crypto/ssh"
)

// keyPair returns a client signer and its authorized_keys line.
func keyPair(t *testing.T) (ssh.Signer, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return signer, string(ssh.MarshalAuthorizedKey(signer.PublicKey()))
}

type testServer struct {
	addr   string
	daemon *Daemon
	user   ssh.Signer
}

// startServer runs a daemon on 127.0.0.1:0 that authorizes one fresh key.
func startServer(t *testing.T, tweak func(*Options, *Daemon)) testServer {
	t.Helper()
	hostKey, err := GenerateHostKey()
	if err != nil {
		t.Fatal(err)
	}
	user, authorized := keyPair(t)
	opts := Options{Address: "127.0.0.1:0", HostKeyPEM: hostKey, AuthorizedKey: authorized}
	if tweak != nil {
		tweak(&opts, nil)
	}
	cfg, err := opts.ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	d := NewDaemon(lager.NewLogger("sshd-test"), cfg, map[string]string{"FROM_DAEMON": "yes"})
	if tweak != nil {
		tweak(&opts, d)
	}
	server := NewServer(lager.NewLogger("sshd-test"), opts.Address, d)
	process := ifrit.Invoke(server)
	t.Cleanup(func() {
		process.Signal(os.Interrupt)
		<-process.Wait()
	})
	return testServer{addr: server.Addr().String(), daemon: d, user: user}
}

func (s testServer) dial(t *testing.T, auth ...ssh.AuthMethod) (*ssh.Client, error) {
	t.Helper()
	return ssh.Dial("tcp", s.addr, &ssh.ClientConfig{
		User:            "vcap",
		Auth:            auth,
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
		Timeout:         10 * time.Second,
	})
}

func (s testServer) client(t *testing.T) *ssh.Client {
	t.Helper()
	c, err := s.dial(t, ssh.PublicKeys(s.user))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (s testServer) session(t *testing.T, c *ssh.Client) *ssh.Session {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return sess
}

// run execs command in a fresh session and returns stdout, stderr and the
// Wait error.
func (s testServer) run(t *testing.T, c *ssh.Client, command string, setup func(*ssh.Session)) (string, string, error) {
	t.Helper()
	sess := s.session(t, c)
	var stdout, stderr bytes.Buffer
	sess.Stdout, sess.Stderr = &stdout, &stderr
	if setup != nil {
		setup(sess)
	}
	err := sess.Run(command)
	return stdout.String(), stderr.String(), err
}

// echoServer accepts connections on 127.0.0.1 and echoes what it reads.
func echoServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				buf := make([]byte, 4096)
				for {
					n, err := conn.Read(buf)
					if n > 0 {
						conn.Write(buf[:n])
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	return l.Addr().String()
}

package sshproxy

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"github.com/tedsuo/ifrit"
	"golang.org/x/crypto/ssh"

	"github.com/godiego/diego/internal/certs"
	"github.com/godiego/diego/internal/tlsconf"
	"github.com/godiego/diego/ssh-proxy/proxy"
)

// echoBackend is an sshd that accepts anyone and answers every exec with
// "tls-ok\n" and exit status 0.
func echoBackend(t *testing.T) string {
	t.Helper()
	signer, err := ssh.ParsePrivateKey([]byte(hostKeyPEM(t)))
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{NoClientAuth: true}
	cfg.AddHostKey(signer)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				_, chans, reqs, err := ssh.NewServerConn(c, cfg)
				if err != nil {
					return
				}
				go ssh.DiscardRequests(reqs)
				for nc := range chans {
					ch, creqs, _ := nc.Accept()
					go func() {
						for r := range creqs {
							_ = r.Reply(r.Type == "exec", nil)
							if r.Type == "exec" {
								_, _ = ch.Write([]byte("tls-ok\n"))
								_, _ = ch.SendRequest("exit-status", false, []byte{0, 0, 0, 0})
								_ = ch.Close()
							}
						}
					}()
				}
			}()
		}
	}()
	return l.Addr().String()
}

// tlsFront terminates mutual TLS (as a cell's TLS proxy port does) and
// forwards to backend, counting the connections that got through.
func tlsFront(t *testing.T, cfg *tls.Config, backend string) (string, *atomic.Int32) {
	t.Helper()
	l, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var through atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if err := c.(*tls.Conn).Handshake(); err != nil {
					return
				}
				through.Add(1)
				b, err := net.Dial("tcp", backend)
				if err != nil {
					return
				}
				defer b.Close()
				go func() { _, _ = io.Copy(b, c) }()
				_, _ = io.Copy(c, b)
			}()
		}
	}()
	return l.Addr().String(), &through
}

func TestBackendsTLS(t *testing.T) {
	paths, err := certs.Generate(t.TempDir(), []string{"instance-guid-1"})
	if err != nil {
		t.Fatal(err)
	}
	serverTLS, err := tlsconf.Server(paths.ServerCert, paths.ServerKey, paths.CACert)
	if err != nil {
		t.Fatal(err)
	}
	backend := echoBackend(t)
	front, through := tlsFront(t, serverTLS, backend)

	cfg := DefaultConfig()
	cfg.BackendsTLSEnabled = true
	cfg.BackendsTLSCACerts = paths.CACert
	cfg.BackendsTLSClientCert = paths.ClientCert
	cfg.BackendsTLSClientKey = paths.ClientKey
	backendTLS, err := BackendsTLSConfig(cfg)
	if err != nil || backendTLS == nil || len(backendTLS.Certificates) != 1 {
		t.Fatalf("backends TLS config: %v", err)
	}

	run := func(target proxy.TargetConfig) string {
		t.Helper()
		hostKey, _ := ssh.ParsePrivateKey([]byte(hostKeyPEM(t)))
		server := &ssh.ServerConfig{PasswordCallback: func(ssh.ConnMetadata, []byte) (*ssh.Permissions, error) {
			return proxy.Permissions(target, proxy.LogMessage{})
		}}
		server.AddHostKey(hostKey)
		logger := lager.NewLogger("test")
		srv := proxy.NewServer(logger, "127.0.0.1:0", proxy.New(logger, server, proxy.Backend{TLS: backendTLS, DialTimeout: 5 * time.Second}, nil, nil), 0)
		process := ifrit.Invoke(srv)
		defer func() { process.Signal(os.Interrupt); <-process.Wait() }()
		client, err := ssh.Dial("tcp", srv.Addr().String(), &ssh.ClientConfig{User: "u", Auth: []ssh.AuthMethod{ssh.Password("p")},
			HostKeyCallback: ssh.InsecureIgnoreHostKey()})
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		session, err := client.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		out, err := session.Output("anything")
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}

	// The TLS address is preferred, verified against the instance guid.
	if out := run(proxy.TargetConfig{Address: "127.0.0.1:1", TLSAddress: front, ServerCertDomainSAN: "instance-guid-1"}); out != "tls-ok\n" || through.Load() != 1 {
		t.Fatalf("over TLS: %q, %d TLS connections", out, through.Load())
	}
	// A certificate for another instance fails TLS; the plain address is the fallback.
	if out := run(proxy.TargetConfig{Address: backend, TLSAddress: front, ServerCertDomainSAN: "instance-guid-2"}); out != "tls-ok\n" || through.Load() != 1 {
		t.Fatalf("fallback: %q, %d TLS connections", out, through.Load())
	}

	cfg.BackendsTLSClientKey = ""
	if c, err := BackendsTLSConfig(cfg); err != nil || len(c.Certificates) != 0 || c.RootCAs == nil {
		t.Fatalf("without a client key no certificate is presented: %v", err)
	}
}

func TestHealthServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	process := ifrit.Invoke(HealthServer(addr))
	defer func() { process.Signal(os.Interrupt); <-process.Wait() }()
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d", resp.StatusCode)
	}
}

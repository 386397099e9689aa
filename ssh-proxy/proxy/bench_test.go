package proxy

import (
	"encoding/binary"
	"io"
	"net"
	"testing"

	"golang.org/x/crypto/ssh"
)

// BenchmarkSessionThroughProxy measures a whole `ssh ... echo` through the
// proxy: client handshake and password login, backend dial and handshake,
// one exec session.
func BenchmarkSessionThroughProxy(b *testing.B) {
	back := startBackend(b, &ssh.ServerConfig{NoClientAuth: true})
	addr, _ := startProxy(b, TargetConfig{Address: back.addr}, 0, nil)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		client, err := dial(b, addr, "pw")
		if err != nil {
			b.Fatal(err)
		}
		session, err := client.NewSession()
		if err != nil {
			b.Fatal(err)
		}
		if out, err := session.Output("echo x"); err != nil || string(out) != "x\n" {
			b.Fatalf("%q %v", out, err)
		}
		client.Close()
	}
}

// BenchmarkThroughput streams data from a backend session to the client
// through the proxy; b.SetBytes makes `go test -bench` report MB/s.
func BenchmarkThroughput(b *testing.B) {
	const chunk = 1 << 20
	hostKey, _ := newSigner(b)
	cfg := &ssh.ServerConfig{NoClientAuth: true}
	cfg.AddHostKey(hostKey)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
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
							_ = r.Reply(true, nil)
							if r.Type != "exec" {
								continue
							}
							n := binary.BigEndian.Uint32(r.Payload[4:8]) // command = 4-byte chunk count
							buf := make([]byte, chunk)
							for range n {
								_, _ = ch.Write(buf)
							}
							_ = ch.CloseWrite()
							_, _ = ch.SendRequest("exit-status", false, []byte{0, 0, 0, 0})
							_ = ch.Close()
						}
					}()
				}
			}()
		}
	}()
	addr, _ := startProxy(b, TargetConfig{Address: l.Addr().String()}, 0, nil)
	client, err := dial(b, addr, "pw")
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	b.SetBytes(chunk)
	b.ResetTimer()
	session, err := client.NewSession()
	if err != nil {
		b.Fatal(err)
	}
	stdout, _ := session.StdoutPipe()
	cmd := make([]byte, 4)
	binary.BigEndian.PutUint32(cmd, uint32(b.N))
	if err := session.Start(string(cmd)); err != nil {
		b.Fatal(err)
	}
	n, err := io.Copy(io.Discard, stdout)
	if err != nil || n != int64(b.N)*chunk {
		b.Fatalf("copied %d: %v", n, err)
	}
	_ = session.Wait()
}

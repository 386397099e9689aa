package rep_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"code.cloudfoundry.org/go-loggregator/v8/rpc/loggregator_v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"conformance/harness"
)

// agent stands in for the loggregator agent on the cell: upstream's
// loggregator.v2.Ingress gRPC service over mutual TLS, with a certificate
// for "metron" as the agent's is, keeping every envelope it receives.
type agent struct {
	port      int
	mu        sync.Mutex
	envelopes []*loggregator_v2.Envelope
}

func (a *agent) keep(batch ...*loggregator_v2.Envelope) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.envelopes = append(a.envelopes, batch...)
}

func (a *agent) BatchSender(s loggregator_v2.Ingress_BatchSenderServer) error {
	for {
		b, err := s.Recv()
		if err == io.EOF {
			return s.SendAndClose(&loggregator_v2.BatchSenderResponse{})
		}
		if err != nil {
			return err
		}
		a.keep(b.GetBatch()...)
	}
}

func (a *agent) Sender(s loggregator_v2.Ingress_SenderServer) error {
	for {
		e, err := s.Recv()
		if err == io.EOF {
			return s.SendAndClose(&loggregator_v2.IngressResponse{})
		}
		if err != nil {
			return err
		}
		a.keep(e)
	}
}

func (a *agent) Send(_ context.Context, b *loggregator_v2.EnvelopeBatch) (*loggregator_v2.SendResponse, error) {
	a.keep(b.GetBatch()...)
	return &loggregator_v2.SendResponse{}, nil
}

// find returns the first envelope match accepts.
func (a *agent) find(match func(*loggregator_v2.Envelope) bool) *loggregator_v2.Envelope {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, e := range a.envelopes {
		if match(e) {
			return e
		}
	}
	return nil
}

// summary lists the received envelopes, for failure messages.
func (a *agent) summary() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var lines []string
	for _, e := range a.envelopes {
		switch {
		case e.GetLog() != nil:
			lines = append(lines, fmt.Sprintf("log %s/%s %s %s %q", e.SourceId, e.InstanceId, e.Tags["source_type"], e.GetLog().Type, e.GetLog().Payload))
		case e.GetGauge() != nil:
			var names []string
			for n := range e.GetGauge().Metrics {
				names = append(names, n)
			}
			lines = append(lines, fmt.Sprintf("gauge %s/%s %v", e.SourceId, e.InstanceId, names))
		default:
			lines = append(lines, fmt.Sprintf("other %s/%s %v", e.SourceId, e.InstanceId, e.Message))
		}
	}
	return strings.Join(lines, "\n")
}

// startAgent serves the agent on 127.0.0.1 with a "metron" certificate
// signed by the suite's CA, requiring client certificates from that CA.
func startAgent(t *testing.T, certs harness.Certs) *agent {
	t.Helper()
	certFile, keyFile := metronCert(t, certs)
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	must(t, err)
	caPEM, err := os.ReadFile(certs.CACert)
	must(t, err)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	creds := credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{pair}, ClientCAs: pool,
		ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	a := &agent{port: ln.Addr().(*net.TCPAddr).Port}
	srv := grpc.NewServer(grpc.Creds(creds))
	loggregator_v2.RegisterIngressServer(srv, a)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return a
}

// metronCert writes a server certificate for "metron" signed by the
// suite's CA.
func metronCert(t *testing.T, certs harness.Certs) (string, string) {
	t.Helper()
	caCert := readPEM(t, certs.CACert)
	ca, err := x509.ParseCertificate(caCert)
	must(t, err)
	caKey, err := x509.ParsePKCS1PrivateKey(readPEM(t, certs.CAKey))
	must(t, err)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	must(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "metron"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"metron"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	must(t, err)
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "metron.crt"), filepath.Join(dir, "metron.key")
	must(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	must(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600))
	return certFile, keyFile
}

func readPEM(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	must(t, err)
	block, _ := pem.Decode(raw)
	if block == nil {
		t.Fatalf("%s holds no PEM block", path)
	}
	return block.Bytes
}

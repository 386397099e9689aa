package locket_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"os"
	"testing"
	"time"

	"code.cloudfoundry.org/clock"
	"code.cloudfoundry.org/lager/v3"
	upstream "code.cloudfoundry.org/locket"
	"code.cloudfoundry.org/locket/lock"
	"code.cloudfoundry.org/locket/models"
	"github.com/tedsuo/ifrit"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"conformance/harness"
)

// TestLocketRequiresClientCertificates: like upstream, locket serves only
// clients presenting a certificate from its CA.
func TestLocketRequiresClientCertificates(t *testing.T) {
	certs := harness.NewCerts(t)
	s := startLocket(t, harness.NewDatabase(t, "sqlite"), certs)
	addr := s.config["listen_address"].(string)

	pem, err := os.ReadFile(certs.CACert)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	conn, err := grpc.Dial(addr, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: pool})))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := models.NewLocketClient(conn).Fetch(ctx, &models.FetchRequest{Key: "x"}); err == nil {
		t.Fatal("a client without a certificate was served")
	}

	strangers := harness.NewCerts(t)
	_, err = upstream.NewClient(lager.NewLogger("stranger"), upstream.ClientLocketConfig{
		LocketAddress:        addr,
		LocketCACertFile:     certs.CACert,
		LocketClientCertFile: strangers.ClientCert,
		LocketClientKeyFile:  strangers.ClientKey,
	})
	if err == nil {
		t.Fatal("upstream's client connected with a certificate from a foreign CA")
	}
}

// TestUpstreamPresenceRunner: upstream's presence runner (as the rep uses
// it) registers a presence that FetchAll(PRESENCE) lists, and removes it
// when stopped.
func TestUpstreamPresenceRunner(t *testing.T) {
	s := startLocket(t, harness.NewDatabase(t, "sqlite"), harness.NewCerts(t))
	runner := lock.NewPresenceRunner(lager.NewLogger("rep"), s.client,
		&models.Resource{Key: "cell-z1-0", Owner: "rep-guid", Value: `{"cell_id":"cell-z1-0"}`, TypeCode: models.PRESENCE},
		upstream.DefaultSessionTTLInSeconds, clock.NewClock(), upstream.RetryInterval)
	p := ifrit.Background(runner)
	defer func() { p.Signal(os.Interrupt); <-p.Wait() }()
	select {
	case <-p.Ready():
	case err := <-p.Wait():
		t.Fatalf("presence runner exited: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("presence runner never became ready")
	}
	resp, err := s.client.FetchAll(ctx(t), &models.FetchAllRequest{TypeCode: models.PRESENCE})
	if err != nil || len(resp.Resources) != 1 || resp.Resources[0].Key != "cell-z1-0" || resp.Resources[0].Type != models.PresenceType {
		t.Fatalf("FetchAll(PRESENCE) = %v (%v)", resp.GetResources(), err)
	}
	p.Signal(os.Interrupt)
	<-p.Wait()
	_, err = s.client.Fetch(ctx(t), &models.FetchRequest{Key: "cell-z1-0"})
	wantErr(t, err, models.ErrResourceNotFound)
}

// TestLocketExitsWithoutDatabase: an unreachable database is a start-up
// failure with a non-zero exit, not a server that cannot serve.
func TestLocketExitsWithoutDatabase(t *testing.T) {
	certs := harness.NewCerts(t)
	cfg := map[string]any{
		"ca_file": certs.CACert, "cert_file": certs.ServerCert, "key_file": certs.ServerKey,
		"listen_address":             harness.FreePort(t),
		"database_driver":            "postgres",
		"database_connection_string": "postgres://nobody@" + harness.FreePort(t) + "/none?sslmode=disable&connect_timeout=2",
	}
	p := harness.Start(t, "locket", cfg)
	select {
	case <-p.Exited():
		if err := p.Stop(t); err == nil {
			t.Fatal("locket exited 0 without a database")
		}
	case <-time.After(90 * time.Second):
		t.Fatal("locket kept running without a database")
	}
}

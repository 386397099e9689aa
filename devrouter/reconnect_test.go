package devrouter

import (
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/godiego/diego/internal/config"
)

func embeddedNATS(t *testing.T, port int) *natsserver.Server {
	t.Helper()
	srv, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: port, NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("embedded NATS did not start")
	}
	return srv
}

// TestReannouncesAfterNATSOutage restarts the NATS server under a running
// router: once reconnected, it publishes router.start again (so emitters
// re-register at once) and keeps taking registrations.
func TestReannouncesAfterNATSOutage(t *testing.T) {
	first := embeddedNATS(t, -1)
	port := first.Addr().String()
	_, portNum := splitPort(t, port)

	// The router waits 2 s between reconnection attempts, the watcher 10 ms,
	// so the watcher is subscribed before the router is back.
	h := startRouterOn(t, port, func(c *Config) { c.MinimumRegisterInterval = config.Duration(9 * time.Second) },
		func(r *Router) { r.reconnectWait = 2 * time.Second })
	first.Shutdown()
	first.WaitForShutdown()

	watcher, err := nats.Connect("nats://"+port, nats.RetryOnFailedConnect(true), nats.ReconnectWait(10*time.Millisecond), nats.MaxReconnects(-1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(watcher.Close)
	starts, _ := watcher.SubscribeSync(SubjectStart)
	second := embeddedNATS(t, portNum)
	t.Cleanup(second.Shutdown)
	awaitStart(t, starts, StartMessage{MinimumRegisterIntervalInSeconds: 9, PruneThresholdInSeconds: 120}, "router.start after reconnecting")

	_, a := backend(t, "a")
	a.URIs = []string{unique("after-outage")}
	raw := mustJSON(t, a)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_ = watcher.Publish(SubjectRegister, raw)
		_ = watcher.Flush()
		if resp, _ := h.get(t, a.URIs[0], "/"); resp.StatusCode == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("registration after the outage never routed")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func splitPort(t *testing.T, addr string) (string, int) {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return host, p
}

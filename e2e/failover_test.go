package e2e

import (
	"context"
	"crypto/tls"
	"fmt"
	"maps"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/godiego/diego/internal/localrun"
)

// TestStandbyBBSTakesOverWhenTheActiveOneDies runs two BBS processes on one
// database: only the lock holder serves; when it is killed without
// releasing the lock, the standby serves within the lock TTL and nothing
// is lost.
func TestStandbyBBSTakesOverWhenTheActiveOneDies(t *testing.T) {
	w := StartWorld(t, WorldOptions{Only: []string{"locket", "bbs"}})
	ctx := context.Background()

	active := w.Component(t, "bbs")
	standby := active
	standby.Name = "bbs-standby"
	standby.Config = maps.Clone(active.Config)
	standbyAPI := "127.0.0.1:18989"
	standbyHealth := "127.0.0.1:18990"
	standby.Config["listen_address"] = standbyAPI
	standby.Config["health_address"] = standbyHealth
	standby.Config["advertise_url"] = "https://" + standbyAPI
	standby.Config["debug_address"] = "127.0.0.1:27090"
	standby.Config["uuid"] = "bbs-local-1"
	standby.Ready, standby.ReadyAt = localrun.TCPReady(standbyHealth), standbyHealth
	if err := w.Sup.Start(ctx, standby); err != nil {
		t.Fatal(err)
	}

	if err := w.BBS.UpsertDomain(ctx, "failover", 0); err != nil {
		t.Fatal(err)
	}
	if err := w.BBS.DesireLRP(ctx, sampleLRP("survivor", "failover", "survivor.e2e.test", 1)); err != nil {
		t.Fatal(err)
	}
	// The standby holds no lock, so its API does not listen.
	time.Sleep(2 * time.Second)
	if conn, err := tls.DialWithDialer(&net.Dialer{Timeout: time.Second}, "tcp", standbyAPI, &tls.Config{InsecureSkipVerify: true}); err == nil {
		conn.Close()
		t.Fatal("the standby BBS serves its API while the active one holds the lock")
	}

	killed := time.Now()
	if err := w.Sup.Signal("bbs", syscall.SIGKILL, true, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	standbyClient := w.BBSClient(t, standbyAPI)
	Eventually(t, 40*time.Second, "the standby serving the desired LRP", func() error {
		lrp, err := standbyClient.DesiredLRPByProcessGuid(ctx, "survivor")
		if err != nil {
			return err
		}
		if lrp.GetInstances() != 1 {
			return fmt.Errorf("instances %d", lrp.GetInstances())
		}
		return nil
	})
	t.Logf("BBS failover after the active BBS was killed: %s (lock TTL 15s)", time.Since(killed).Round(100*time.Millisecond))
}

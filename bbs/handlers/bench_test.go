package handlers_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/proto/models"
)

// BenchmarkLRPLifecycle measures desire + claim + start of a one-instance
// LRP through HTTP on SQLite, with one instance-event subscriber.
func BenchmarkLRPLifecycle(b *testing.B) {
	d, err := db.Open(ctx(), db.Config{Driver: "sqlite", DSN: filepath.Join(b.TempDir(), "bench.db")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	a := newAPIOn(b, d, true)
	s, err := a.client.SubscribeToInstanceEvents(ctx())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	go func() {
		for {
			if _, err := s.Next(); err != nil {
				return
			}
		}
	}()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pg := fmt.Sprintf("pg-%d", i)
		if err := a.client.DesireLRP(ctx(), desiredLRP(pg, 1)); err != nil {
			b.Fatal(err)
		}
		key, ik := lrpKey(pg, 0), instanceKey("ig-"+pg, "cell-1")
		if err := a.client.ClaimActualLRP(ctx(), key, ik); err != nil {
			b.Fatal(err)
		}
		if err := a.client.StartActualLRP(ctx(), key, ik, &models.ActualLRPNetInfo{Address: "1.2.3.4"}, nil, nil, true, ""); err != nil {
			b.Fatal(err)
		}
	}
}

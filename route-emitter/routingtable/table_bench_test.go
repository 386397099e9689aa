package routingtable

import (
	"fmt"
	"testing"
)

// BenchmarkFullEmission250k measures building every registration of a table
// holding 250,000 routes (50,000 LRPs × 5 instances, one hostname each).
func BenchmarkFullEmission250k(b *testing.B) {
	tbl := New(Options{})
	for i := 0; i < 50000; i++ {
		pg := fmt.Sprintf("pg-%d", i)
		tbl.SetDesired(desired(pg, map[string]string{CFRouterKey: fmt.Sprintf(`[{"hostnames":["app-%d.example.com"],"port":8080}]`, i)}))
		for j := int32(0); j < 5; j++ {
			lrp := actual(pg, j, fmt.Sprintf("%s-%d", pg, j), "RUNNING", hostPort(uint32(61000+j)))
			lrp.ActualLrpNetInfo.Address = fmt.Sprintf("10.0.%d.%d", i%250, j)
			tbl.SetActual(lrp)
		}
	}
	if n := tbl.RouteCount(); n != 250000 {
		b.Fatalf("route count %d", n)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if got := len(tbl.All().Registrations); got != 250000 {
			b.Fatalf("%d registrations", got)
		}
	}
}

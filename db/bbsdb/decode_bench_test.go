package bbsdb

import (
	"testing"

	"github.com/godiego/diego/proto/models"
)

// BenchmarkDecodeActualRow measures the CPU cost of decrypting one actual
// LRP row (net info, internal routes, metric tags).
func BenchmarkDecodeActualRow(b *testing.B) {
	ring := testEncoderB(b)
	s := New(nil, ring, nil, nil)
	net, _ := s.encodeModel(&models.ActualLRPNetInfo{Address: "10.0.0.1", InstanceAddress: "10.255.0.1", Ports: []*models.PortMapping{{ContainerPort: 8080, HostPort: 61000}}})
	routes, _ := s.encodeInternalRoutes([]*models.ActualLRPInternalRoute{{Hostname: "app.apps.internal"}})
	tags, _ := s.encodeMetricTags(map[string]string{"app": "pg-000001"})
	b.ReportAllocs()
	for b.Loop() {
		r := &actualRow{lrp: &models.ActualLRP{}, netInfo: net, internalRoutes: routes, metricTags: tags}
		if err := s.decodeActualRow(r); err != nil {
			b.Fatal(err)
		}
	}
}

package routingapi

import (
	"context"
	"fmt"
	"time"

	"github.com/godiego/diego/route-emitter/routingtable"
)

// Emitter sends the routing table's TCP mappings to the routing API, each
// with the configured TTL (upstream's tcp_route_ttl), so that the routing
// API forgets mappings the route-emitter stops refreshing.
type Emitter struct {
	client  *Client
	ttl     int
	timeout time.Duration
}

// NewEmitter returns an emitter stamping ttl on every mapping; each call
// to Emit is bounded by timeout (none when zero).
func NewEmitter(client *Client, ttl, timeout time.Duration) *Emitter {
	return &Emitter{client: client, ttl: int(ttl / time.Second), timeout: timeout}
}

// Emit upserts mappings, then deletes unmappings, stopping at the first
// failure as upstream does.
func (e *Emitter) Emit(mappings, unmappings []routingtable.TCPMapping) error {
	ctx := context.Background()
	if e.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.timeout)
		defer cancel()
	}
	if len(mappings) > 0 {
		if err := e.client.UpsertTCPRouteMappings(ctx, e.wire(mappings)); err != nil {
			return fmt.Errorf("upserting %d TCP route mappings: %w", len(mappings), err)
		}
	}
	if len(unmappings) > 0 {
		if err := e.client.DeleteTCPRouteMappings(ctx, e.wire(unmappings)); err != nil {
			return fmt.Errorf("deleting %d TCP route mappings: %w", len(unmappings), err)
		}
	}
	return nil
}

func (e *Emitter) wire(ms []routingtable.TCPMapping) []TCPRouteMapping {
	out := make([]TCPRouteMapping, len(ms))
	for i, m := range ms {
		ttl := e.ttl
		out[i] = TCPRouteMapping{
			RouterGroupGUID: m.RouterGroupGUID,
			BackendPort:     uint16(m.BackendPort),
			BackendIP:       m.BackendIP,
			Port:            uint16(m.Port),
			TTL:             &ttl,
		}
	}
	return out
}

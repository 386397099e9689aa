// Package routingapi is the route-emitter's client of the Cloud Foundry
// routing API for TCP routes: it upserts and deletes TCP route mappings
// (POST /routing/v1/tcp_routes/create and /delete) with a bearer token
// that a UAA client-credentials grant provides, and adapts the routing
// table's TCP mappings to that wire format.
package routingapi

import "fmt"

// Routing API paths for TCP route mappings.
const (
	CreateTCPRoutesPath = "/routing/v1/tcp_routes/create"
	DeleteTCPRoutesPath = "/routing/v1/tcp_routes/delete"
)

// ModificationTag is the routing API's optimistic-concurrency tag. The
// route-emitter always sends the zero tag.
type ModificationTag struct {
	GUID  string `json:"guid"`
	Index uint32 `json:"index"`
}

// TCPRouteMapping is one element of a create/delete request body, with the
// routing API's field names, order and omission rules.
type TCPRouteMapping struct {
	RouterGroupGUID    string          `json:"router_group_guid"`
	BackendPort        uint16          `json:"backend_port"`
	BackendIP          string          `json:"backend_ip"`
	BackendSNIHostname *string         `json:"backend_sni_hostname,omitempty"`
	Port               uint16          `json:"port"`
	ModificationTag    ModificationTag `json:"modification_tag"`
	TTL                *int            `json:"ttl,omitempty"`
	IsolationSegment   string          `json:"isolation_segment"`
}

// Error is the routing API's error body, returned for non-2xx answers.
type Error struct {
	Status  int    `json:"-"`
	Name    string `json:"name"`
	Message string `json:"message"`
}

func (e *Error) Error() string {
	if e.Name == "" && e.Message == "" {
		return fmt.Sprintf("routing API answered %d", e.Status)
	}
	return fmt.Sprintf("routing API answered %d: %s: %s", e.Status, e.Name, e.Message)
}

// Unauthorized reports whether the routing API refused the token.
func (e *Error) Unauthorized() bool { return e.Status == 401 }

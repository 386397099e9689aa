package devrouter

import (
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RegistryMessage is the body of router.register and router.unregister, as
// the route-emitter sends it (route-emitter:routingtable/registry_message.go).
type RegistryMessage struct {
	Host                 string            `json:"host"`
	Port                 uint32            `json:"port"`
	TLSPort              uint32            `json:"tls_port,omitempty"`
	URIs                 []string          `json:"uris"`
	Protocol             string            `json:"protocol,omitempty"`
	App                  string            `json:"app,omitempty"`
	RouteServiceURL      string            `json:"route_service_url,omitempty"`
	PrivateInstanceID    string            `json:"private_instance_id,omitempty"`
	PrivateInstanceIndex string            `json:"private_instance_index,omitempty"`
	ServerCertDomainSAN  string            `json:"server_cert_domain_san,omitempty"`
	IsolationSegment     string            `json:"isolation_segment,omitempty"`
	EndpointUpdatedAtNs  int64             `json:"endpoint_updated_at_ns,omitempty"`
	Tags                 map[string]string `json:"tags,omitempty"`
	AvailabilityZone     string            `json:"availability_zone,omitempty"`
}

// Address is the backend's host:port.
func (m RegistryMessage) Address() string {
	return net.JoinHostPort(m.Host, strconv.FormatUint(uint64(m.Port), 10))
}

// Endpoint is one registered backend of a route, as listed by /routes.
type Endpoint struct {
	Address           string    `json:"address"`
	App               string    `json:"app,omitempty"`
	PrivateInstanceID string    `json:"private_instance_id,omitempty"`
	InstanceIndex     string    `json:"private_instance_index,omitempty"`
	LastSeen          time.Time `json:"last_seen"`
}

// Table maps routes (a hostname, optionally followed by a path) to their
// endpoints. It is safe for concurrent use; time is passed in, so the table
// itself never reads a clock.
type Table struct {
	mu     sync.Mutex
	routes map[string]*route
}

type route struct {
	endpoints map[string]*Endpoint // by address
	next      uint64               // round-robin cursor
}

// NewTable returns an empty table.
func NewTable() *Table { return &Table{routes: map[string]*route{}} }

// normalizeURI lowercases the hostname and drops a trailing slash, so
// "Foo.example.com/Path/" is stored as "foo.example.com/Path".
func normalizeURI(uri string) string {
	host, path, _ := strings.Cut(uri, "/")
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	path = strings.Trim(path, "/")
	if path == "" {
		return host
	}
	return host + "/" + path
}

// Register adds or refreshes the message's endpoint under each of its URIs.
// It reports how many endpoints were new.
func (t *Table) Register(m RegistryMessage, now time.Time) int {
	if m.Host == "" || m.Port == 0 {
		return 0
	}
	addr := m.Address()
	added := 0
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, uri := range m.URIs {
		key := normalizeURI(uri)
		if key == "" {
			continue
		}
		r := t.routes[key]
		if r == nil {
			r = &route{endpoints: map[string]*Endpoint{}}
			t.routes[key] = r
		}
		ep := r.endpoints[addr]
		if ep == nil {
			ep = &Endpoint{Address: addr}
			r.endpoints[addr] = ep
			added++
		}
		ep.App = m.App
		ep.PrivateInstanceID = m.PrivateInstanceID
		ep.InstanceIndex = m.PrivateInstanceIndex
		ep.LastSeen = now
	}
	return added
}

// Unregister removes the message's endpoint from each of its URIs and
// reports how many endpoints were removed.
func (t *Table) Unregister(m RegistryMessage) int {
	addr := m.Address()
	removed := 0
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, uri := range m.URIs {
		key := normalizeURI(uri)
		if r := t.routes[key]; r != nil && r.endpoints[addr] != nil {
			delete(r.endpoints, addr)
			removed++
			if len(r.endpoints) == 0 {
				delete(t.routes, key)
			}
		}
	}
	return removed
}

// Prune removes endpoints last seen before now-staleAfter and returns, per
// route, the addresses it removed.
func (t *Table) Prune(now time.Time, staleAfter time.Duration) map[string][]string {
	cutoff := now.Add(-staleAfter)
	pruned := map[string][]string{}
	t.mu.Lock()
	defer t.mu.Unlock()
	for key, r := range t.routes {
		for addr, ep := range r.endpoints {
			if ep.LastSeen.Before(cutoff) {
				delete(r.endpoints, addr)
				pruned[key] = append(pruned[key], addr)
			}
		}
		if len(r.endpoints) == 0 {
			delete(t.routes, key)
		}
	}
	return pruned
}

// Lookup finds the route for host (any ":port" ignored) and request path,
// preferring the longest registered path prefix, and returns its endpoint
// addresses rotated so successive calls start at successive endpoints.
// The route key matched is returned too; ok is false when nothing matches.
func (t *Table) Lookup(host, path string) (key string, addrs []string, ok bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	segments := strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
	candidates := make([]string, 0, len(segments)+1)
	for n := len(segments); n > 0; n-- {
		candidates = append(candidates, host+"/"+strings.Join(segments[:n], "/"))
	}
	candidates = append(candidates, host)

	t.mu.Lock()
	defer t.mu.Unlock()
	for _, key = range candidates {
		r := t.routes[key]
		if r == nil || len(r.endpoints) == 0 {
			continue
		}
		sorted := make([]string, 0, len(r.endpoints))
		for addr := range r.endpoints {
			sorted = append(sorted, addr)
		}
		sort.Strings(sorted)
		start := int(r.next % uint64(len(sorted)))
		r.next++
		rotated := append(append(make([]string, 0, len(sorted)), sorted[start:]...), sorted[:start]...)
		return key, rotated, true
	}
	return "", nil, false
}

// Snapshot returns every route with its endpoints, sorted by address.
func (t *Table) Snapshot() map[string][]Endpoint {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string][]Endpoint, len(t.routes))
	for key, r := range t.routes {
		eps := make([]Endpoint, 0, len(r.endpoints))
		for _, ep := range r.endpoints {
			eps = append(eps, *ep)
		}
		sort.Slice(eps, func(i, j int) bool { return eps[i].Address < eps[j].Address })
		out[key] = eps
	}
	return out
}

package routingtable

import (
	"maps"
	"strconv"

	"github.com/godiego/diego/proto/models"
)

// RegistryMessage is the JSON body of router.register / router.unregister
// (and of the service-discovery subjects for internal routes), as upstream
// gorouter and route-emitter exchange it.
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

// identity is what makes two messages the same registration for a router:
// the address and the URIs. Other fields are attributes of it.
type identity struct {
	host     string
	port     uint32
	tlsPort  uint32
	uris     string
	protocol string
}

func (m RegistryMessage) identity() identity {
	uris := ""
	for _, u := range m.URIs {
		uris += u + "\x00"
	}
	return identity{host: m.Host, port: m.Port, tlsPort: m.TLSPort, uris: uris, protocol: m.Protocol}
}

func sameAttributes(a, b RegistryMessage) bool {
	return a.App == b.App && a.RouteServiceURL == b.RouteServiceURL &&
		a.PrivateInstanceID == b.PrivateInstanceID && a.PrivateInstanceIndex == b.PrivateInstanceIndex &&
		a.ServerCertDomainSAN == b.ServerCertDomainSAN && a.IsolationSegment == b.IsolationSegment &&
		a.AvailabilityZone == b.AvailabilityZone && maps.Equal(a.Tags, b.Tags)
}

// Messages is what one change asks the emitter to send.
type Messages struct {
	Registrations           []RegistryMessage // router.register
	Unregistrations         []RegistryMessage // router.unregister
	InternalRegistrations   []RegistryMessage // service-discovery.register
	InternalUnregistrations []RegistryMessage // service-discovery.unregister
	TCPMappings             []TCPMapping      // routing API create
	TCPUnmappings           []TCPMapping      // routing API delete
}

// Empty reports whether there is nothing to send.
func (m Messages) Empty() bool {
	return len(m.Registrations)+len(m.Unregistrations)+len(m.InternalRegistrations)+
		len(m.InternalUnregistrations)+len(m.TCPMappings)+len(m.TCPUnmappings) == 0
}

// Merge appends other's messages to m.
func (m *Messages) Merge(other Messages) {
	m.Registrations = append(m.Registrations, other.Registrations...)
	m.Unregistrations = append(m.Unregistrations, other.Unregistrations...)
	m.InternalRegistrations = append(m.InternalRegistrations, other.InternalRegistrations...)
	m.InternalUnregistrations = append(m.InternalUnregistrations, other.InternalUnregistrations...)
	m.TCPMappings = append(m.TCPMappings, other.TCPMappings...)
	m.TCPUnmappings = append(m.TCPUnmappings, other.TCPUnmappings...)
}

// TCPMapping is one routing-API TCP route mapping.
type TCPMapping struct {
	RouterGroupGUID string `json:"router_group_guid"`
	BackendPort     uint32 `json:"backend_port"`
	BackendIP       string `json:"backend_ip"`
	Port            uint32 `json:"port"`
}

func metricTags(desired map[string]*models.MetricTagValue, e Endpoint) map[string]string {
	tags := make(map[string]string, len(desired)+1)
	for k, v := range desired {
		switch v.GetDynamic() {
		case models.MetricTagValue_INDEX:
			tags[k] = strconv.Itoa(int(e.Index))
		case models.MetricTagValue_INSTANCE_GUID:
			tags[k] = e.InstanceGUID
		default:
			tags[k] = v.GetStatic()
		}
	}
	tags["component"] = "route-emitter"
	return tags
}

// direct reports whether the router should reach the instance at its
// container address rather than through the cell's host port.
func direct(e Endpoint, registerDirectInstanceRoutes bool) bool {
	switch e.PreferredAddress {
	case models.ActualLRPNetInfo_INSTANCE:
		return true
	case models.ActualLRPNetInfo_HOST:
		return false
	}
	return registerDirectInstanceRoutes
}

func externalMessage(d *DesiredRoutes, r CFRoute, hostname string, e Endpoint, directRoutes, withSince bool) RegistryMessage {
	m := RegistryMessage{
		Host:                 e.Host,
		Port:                 e.Port,
		TLSPort:              e.TLSProxyPort,
		URIs:                 []string{hostname},
		Protocol:             r.Protocol,
		App:                  d.LogGUID,
		RouteServiceURL:      r.RouteServiceURL,
		PrivateInstanceID:    e.InstanceGUID,
		PrivateInstanceIndex: strconv.Itoa(int(e.Index)),
		ServerCertDomainSAN:  e.InstanceGUID,
		IsolationSegment:     r.IsolationSegment,
		Tags:                 metricTags(d.MetricTags, e),
		AvailabilityZone:     e.AvailabilityZone,
	}
	if direct(e, directRoutes) {
		m.Host, m.Port, m.TLSPort = e.ContainerIP, e.ContainerPort, e.ContainerTLSProxyPort
	}
	if withSince {
		m.EndpointUpdatedAtNs = e.Since
	}
	return m
}

func internalMessage(d *DesiredRoutes, r InternalRoute, e Endpoint, withSince bool) RegistryMessage {
	index := strconv.Itoa(int(e.Index))
	m := RegistryMessage{
		Host:                 e.ContainerIP,
		URIs:                 []string{r.Hostname, index + "." + r.Hostname},
		App:                  d.LogGUID,
		PrivateInstanceIndex: index,
		Tags:                 map[string]string{"component": "route-emitter"},
	}
	if withSince {
		m.EndpointUpdatedAtNs = e.Since
	}
	return m
}

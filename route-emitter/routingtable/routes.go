// Package routingtable is the route-emitter's pure decision core: it holds
// what routes each desired LRP asks for and which of its instances are
// running and routable, and turns every change into the NATS registry
// messages to send (registrations and unregistrations), plus the full set
// for periodic emission. It does no I/O and starts no goroutines.
package routingtable

import (
	"encoding/json"

	"github.com/godiego/diego/proto/models"
)

// Routing keys inside DesiredLRP.routes.
const (
	CFRouterKey       = "cf-router"
	TCPRouterKey      = "tcp-router"
	InternalRouterKey = "internal-router"
)

// CFRoute is one entry of the cf-router routing info.
type CFRoute struct {
	Hostnames        []string `json:"hostnames"`
	Port             uint32   `json:"port"`
	RouteServiceURL  string   `json:"route_service_url,omitempty"`
	IsolationSegment string   `json:"isolation_segment,omitempty"`
	Protocol         string   `json:"protocol,omitempty"`
}

// TCPRoute is one entry of the tcp-router routing info.
type TCPRoute struct {
	RouterGroupGUID string `json:"router_group_guid"`
	ExternalPort    uint32 `json:"external_port"`
	ContainerPort   uint32 `json:"container_port"`
}

// InternalRoute is one entry of the internal-router routing info.
type InternalRoute struct {
	Hostname string `json:"hostname"`
}

// DesiredRoutes is what the table needs of a desired LRP.
type DesiredRoutes struct {
	ProcessGUID    string
	Domain         string
	LogGUID        string
	Instances      int32
	CFRoutes       []CFRoute
	TCPRoutes      []TCPRoute
	InternalRoutes []InternalRoute
	MetricTags     map[string]*models.MetricTagValue
}

// DesiredRoutesFrom extracts routing information from a desired LRP (full
// or routing-info only). Malformed routing JSON is ignored for that key, as
// upstream ignores it.
func DesiredRoutesFrom(d *models.DesiredLRP) DesiredRoutes {
	out := DesiredRoutes{
		ProcessGUID: d.GetProcessGuid(),
		Domain:      d.GetDomain(),
		LogGUID:     d.GetLogGuid(),
		Instances:   d.GetInstances(),
		MetricTags:  d.GetMetricTags(),
	}
	routes := d.GetRoutes().GetRoutes()
	if raw, ok := routes[CFRouterKey]; ok {
		_ = json.Unmarshal(raw, &out.CFRoutes)
	}
	if raw, ok := routes[TCPRouterKey]; ok {
		_ = json.Unmarshal(raw, &out.TCPRoutes)
	}
	if raw, ok := routes[InternalRouterKey]; ok {
		_ = json.Unmarshal(raw, &out.InternalRoutes)
	}
	return out
}

// Endpoint is one port of a running instance.
type Endpoint struct {
	InstanceGUID          string
	Index                 int32
	Host                  string // cell address
	ContainerIP           string // instance address
	Port                  uint32 // host port
	ContainerPort         uint32
	TLSProxyPort          uint32 // host side
	ContainerTLSProxyPort uint32
	Evacuating            bool
	Since                 int64
	PreferredAddress      models.ActualLRPNetInfo_PreferredAddress
	AvailabilityZone      string
}

// Instance is a running, routable actual LRP as the table sees it.
type Instance struct {
	ProcessGUID string
	Domain      string
	Endpoints   []Endpoint
}

// instanceKey identifies an instance row: the same instance guid can be
// both ordinary and evacuating for a while.
type instanceKey struct {
	InstanceGUID string
	Evacuating   bool
}

// InstanceFrom returns the routable view of an actual LRP and whether it
// should be routed at all (RUNNING and not marked unroutable).
func InstanceFrom(lrp *models.ActualLRP) (Instance, bool) {
	if lrp == nil || lrp.GetState() != "RUNNING" {
		return Instance{}, false
	}
	if r, ok := lrp.GetOptionalRoutable().(*models.ActualLRP_Routable); ok && !r.Routable {
		return Instance{}, false
	}
	key := lrp.GetActualLrpKey()
	ik := lrp.GetActualLrpInstanceKey()
	net := lrp.GetActualLrpNetInfo()
	inst := Instance{ProcessGUID: key.GetProcessGuid(), Domain: key.GetDomain()}
	for _, pm := range net.GetPorts() {
		if pm == nil {
			continue
		}
		inst.Endpoints = append(inst.Endpoints, Endpoint{
			InstanceGUID:          ik.GetInstanceGuid(),
			Index:                 key.GetIndex(),
			Host:                  net.GetAddress(),
			ContainerIP:           net.GetInstanceAddress(),
			Port:                  pm.GetHostPort(),
			ContainerPort:         pm.GetContainerPort(),
			TLSProxyPort:          pm.GetHostTlsProxyPort(),
			ContainerTLSProxyPort: pm.GetContainerTlsProxyPort(),
			Evacuating:            lrp.GetPresence() == models.ActualLRP_EVACUATING,
			Since:                 lrp.GetSince(),
			PreferredAddress:      net.GetPreferredAddress(),
			AvailabilityZone:      lrp.GetAvailabilityZone(),
		})
	}
	return inst, true
}

func keyOf(lrp *models.ActualLRP) instanceKey {
	return instanceKey{
		InstanceGUID: lrp.GetActualLrpInstanceKey().GetInstanceGuid(),
		Evacuating:   lrp.GetPresence() == models.ActualLRP_EVACUATING,
	}
}

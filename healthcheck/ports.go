package healthcheck

import (
	"encoding/json"
	"strconv"
)

// ExternalPort maps port through cfInstancePorts, the JSON of the
// CF_INSTANCE_PORTS variable (`[{"internal":8080,"external":61001}]`), for
// platforms where the app is reached on its host port. An unmapped port, or
// unreadable JSON, leaves port unchanged.
func ExternalPort(port, cfInstancePorts string) string {
	var mappings []struct {
		Internal int `json:"internal"`
		External int `json:"external"`
	}
	if json.Unmarshal([]byte(cfInstancePorts), &mappings) != nil {
		return port
	}
	for _, m := range mappings {
		if strconv.Itoa(m.Internal) == port {
			port = strconv.Itoa(m.External)
		}
	}
	return port
}

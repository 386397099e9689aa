package rep

import (
	"encoding/json"
	"fmt"
	"net"
	"strings"

	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/proto/models"
)

// CellPresence is the value the rep keeps in Locket under its cell id,
// with upstream's JSON keys (bbs models.CellPresence marshalled by
// encoding/json: "rootfs_provider_list", always-present ids and rep_url).
type CellPresence struct {
	CellID                string         `json:"cell_id"`
	RepAddress            string         `json:"rep_address"`
	Zone                  string         `json:"zone"`
	Capacity              *CellCapacity  `json:"capacity,omitempty"`
	RootFSProviders       []RootFSScheme `json:"rootfs_provider_list,omitempty"`
	PlacementTags         []string       `json:"placement_tags,omitempty"`
	OptionalPlacementTags []string       `json:"optional_placement_tags,omitempty"`
	RepURL                string         `json:"rep_url"`
}

// CellCapacity is the cell's total capacity.
type CellCapacity struct {
	MemoryMB   int32 `json:"memory_mb"`
	DiskMB     int32 `json:"disk_mb"`
	Containers int32 `json:"containers"`
}

// RootFSScheme is one rootfs provider of a presence.
type RootFSScheme struct {
	Name       string   `json:"name"`
	Properties []string `json:"properties,omitempty"`
}

// NewCellPresence builds the presence of a cell with the given capacity.
func NewCellPresence(cellID, repAddress, repURL, zone string, total executor.ExecutorResources,
	providers, stacks, placementTags, optionalPlacementTags []string) CellPresence {
	m := models.NewCellPresence(cellID, repAddress, repURL, zone,
		&models.CellCapacity{MemoryMb: int32(total.MemoryMB), DiskMb: int32(total.DiskMB), Containers: int32(total.Containers)},
		providers, stacks, placementTags, optionalPlacementTags)
	p := CellPresence{CellID: m.CellId, RepAddress: m.RepAddress, Zone: m.Zone, RepURL: m.RepUrl,
		Capacity:      &CellCapacity{MemoryMB: m.Capacity.MemoryMb, DiskMB: m.Capacity.DiskMb, Containers: m.Capacity.Containers},
		PlacementTags: m.PlacementTags, OptionalPlacementTags: m.OptionalPlacementTags}
	for _, pr := range m.RootfsProviders {
		p.RootFSProviders = append(p.RootFSProviders, RootFSScheme{Name: pr.Name, Properties: pr.Properties})
	}
	return p
}

// JSON is the presence value.
func (p CellPresence) JSON() string {
	b, _ := json.Marshal(p)
	return string(b)
}

// Validate applies the BBS's rules to the presence.
func (p CellPresence) Validate() error {
	m := &models.CellPresence{CellId: p.CellID, RepAddress: p.RepAddress, RepUrl: p.RepURL,
		Capacity: &models.CellCapacity{MemoryMb: p.Capacity.MemoryMB, DiskMb: p.Capacity.DiskMB, Containers: p.Capacity.Containers}}
	return m.Validate()
}

// RepURL is where the auction and the BBS reach the rep's network API:
// https://<cell id with "_" → "-">.<advertise domain>:<port>. Two local
// cases (ours): when the secure listener is bound to a loopback address,
// or the advertise domain is itself an IP address, that address is used
// instead, since nothing else could reach the rep.
func RepURL(cellID, advertiseDomain, listenAddrSecurable string) (string, error) {
	host, port, err := net.SplitHostPort(listenAddrSecurable)
	if err != nil {
		return "", fmt.Errorf("listen_addr_securable: %w", err)
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return "https://" + net.JoinHostPort(host, port), nil
	}
	if ip := net.ParseIP(advertiseDomain); ip != nil {
		return "https://" + net.JoinHostPort(advertiseDomain, port), nil
	}
	return fmt.Sprintf("https://%s.%s:%s", strings.ReplaceAll(cellID, "_", "-"), advertiseDomain, port), nil
}

// RepAddress is upstream's legacy rep_address: http://<local ip>:<admin port>.
func RepAddress(listenAddr string) (string, error) {
	host, port, err := net.SplitHostPort(listenAddr)
	if err != nil {
		return "", fmt.Errorf("listen_addr: %w", err)
	}
	ip := net.ParseIP(host)
	if ip == nil || ip.IsUnspecified() {
		host = localIP()
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

func localIP() string {
	addrs, err := net.InterfaceAddrs()
	if err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
				return n.IP.String()
			}
		}
	}
	return "127.0.0.1"
}

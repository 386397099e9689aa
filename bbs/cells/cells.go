// Package cells lists the live Diego cells from their Locket presences:
// every PRESENCE resource's value is a cell presence in upstream's JSON.
// Values that do not decode are skipped (and logged), as upstream does.
package cells

import (
	"context"
	"encoding/json"
	"fmt"

	"code.cloudfoundry.org/lager/v3"
	"google.golang.org/grpc"

	"github.com/godiego/diego/proto/locketmodels"
	"github.com/godiego/diego/proto/models"
)

// Fetcher is the part of the Locket client this package uses.
type Fetcher interface {
	FetchAll(ctx context.Context, req *locketmodels.FetchAllRequest, opts ...grpc.CallOption) (*locketmodels.FetchAllResponse, error)
}

// Locket lists cells from Locket presences.
type Locket struct {
	Client Fetcher
	Logger lager.Logger
}

// Cells returns every cell whose presence decodes.
func (l *Locket) Cells(ctx context.Context) ([]*models.CellPresence, error) {
	resp, err := l.Client.FetchAll(ctx, &locketmodels.FetchAllRequest{Type: "presence", TypeCode: locketmodels.TypeCode_PRESENCE})
	if err != nil {
		return nil, fmt.Errorf("fetching cell presences from locket: %w", err)
	}
	cells := []*models.CellPresence{}
	for _, r := range resp.GetResources() {
		cell, err := Decode([]byte(r.GetValue()))
		if err != nil {
			l.Logger.Error("failed-to-decode-cell-presence", err, lager.Data{"key": r.GetKey()})
			continue
		}
		cells = append(cells, cell)
	}
	return cells, nil
}

// presenceJSON is upstream's JSON shape of a cell presence.
type presenceJSON struct {
	CellID     string `json:"cell_id"`
	RepAddress string `json:"rep_address"`
	Zone       string `json:"zone"`
	Capacity   *struct {
		MemoryMB   int32 `json:"memory_mb"`
		DiskMB     int32 `json:"disk_mb"`
		Containers int32 `json:"containers"`
	} `json:"capacity"`
	RootFSProviders       []providerJSON `json:"rootfs_provider_list"`
	RootFSProvidersAlt    []providerJSON `json:"rootfs_providers"`
	PlacementTags         []string       `json:"placement_tags"`
	OptionalPlacementTags []string       `json:"optional_placement_tags"`
	RepURL                string         `json:"rep_url"`
}

type providerJSON struct {
	Name       string   `json:"name"`
	Properties []string `json:"properties"`
}

// Decode parses one presence value.
func Decode(raw []byte) (*models.CellPresence, error) {
	var p presenceJSON
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	if p.CellID == "" {
		return nil, fmt.Errorf("cell presence without cell_id")
	}
	cell := &models.CellPresence{
		CellId: p.CellID, RepAddress: p.RepAddress, Zone: p.Zone, RepUrl: p.RepURL,
		PlacementTags: p.PlacementTags, OptionalPlacementTags: p.OptionalPlacementTags,
	}
	if p.Capacity != nil {
		cell.Capacity = &models.CellCapacity{MemoryMb: p.Capacity.MemoryMB, DiskMb: p.Capacity.DiskMB, Containers: p.Capacity.Containers}
	}
	providers := p.RootFSProviders
	if providers == nil {
		providers = p.RootFSProvidersAlt
	}
	for _, pr := range providers {
		cell.RootfsProviders = append(cell.RootfsProviders, &models.Provider{Name: pr.Name, Properties: pr.Properties})
	}
	return cell, nil
}

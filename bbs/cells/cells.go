// Package cells lists the live Diego cells from their Locket presences:
// every PRESENCE resource's value is a cell presence in upstream's JSON.
// Values that do not decode are skipped (and logged), as upstream does.
package cells

import (
	"context"
	"fmt"

	"code.cloudfoundry.org/lager/v3"
	"google.golang.org/grpc"

	"github.com/godiego/diego/proto/locketmodels"
	"github.com/godiego/diego/proto/modeljson"
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

// Decode parses one presence value (upstream's JSON, see proto/modeljson).
func Decode(raw []byte) (*models.CellPresence, error) {
	cell := &models.CellPresence{}
	if err := modeljson.Unmarshal(raw, cell); err != nil {
		return nil, err
	}
	if cell.CellId == "" {
		return nil, fmt.Errorf("cell presence without cell_id")
	}
	return cell, nil
}

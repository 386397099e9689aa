package cells

import (
	"context"
	"io"
	"testing"

	"code.cloudfoundry.org/lager/v3"
	"google.golang.org/grpc"

	"github.com/godiego/diego/proto/locketmodels"
)

// upstreamPresence is a cell presence as upstream's rep writes it.
const upstreamPresence = `{"cell_id":"cell-1","rep_address":"http://10.0.0.1:1800","zone":"z1",
 "capacity":{"memory_mb":1024,"disk_mb":2048,"containers":100},
 "rootfs_provider_list":[{"name":"preloaded","properties":["cflinuxfs4"]},{"name":"docker"}],
 "placement_tags":["a"],"optional_placement_tags":["b"],"rep_url":"https://cell-1.cell.service.cf.internal:1801"}`

type fetcher struct{ values map[string]string }

func (f fetcher) FetchAll(_ context.Context, req *locketmodels.FetchAllRequest, _ ...grpc.CallOption) (*locketmodels.FetchAllResponse, error) {
	resp := &locketmodels.FetchAllResponse{}
	if req.TypeCode != locketmodels.TypeCode_PRESENCE {
		return resp, nil
	}
	for k, v := range f.values {
		resp.Resources = append(resp.Resources, &locketmodels.Resource{Key: k, Value: v, TypeCode: locketmodels.TypeCode_PRESENCE})
	}
	return resp, nil
}

func TestCellsDecodeUpstreamPresencesAndSkipGarbage(t *testing.T) {
	logger := lager.NewLogger("test")
	logger.RegisterSink(lager.NewWriterSink(io.Discard, lager.DEBUG))
	l := &Locket{Client: fetcher{map[string]string{"cell-1": upstreamPresence, "bad": "{not json"}}, Logger: logger}
	cells, err := l.Cells(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != 1 {
		t.Fatalf("%d cells, want 1", len(cells))
	}
	c := cells[0]
	if c.CellId != "cell-1" || c.Capacity.GetContainers() != 100 || len(c.RootfsProviders) != 2 ||
		c.RootfsProviders[0].Properties[0] != "cflinuxfs4" || c.RepUrl == "" || c.OptionalPlacementTags[0] != "b" {
		t.Fatalf("cell %v", c)
	}
}

package rep

import (
	"testing"

	"github.com/godiego/diego/executor"
)

func TestPresenceJSONMatchesUpstream(t *testing.T) {
	p := NewCellPresence("cell_z1-0", "http://10.0.0.5:1800", "https://cell-z1-0.cell.service.cf.internal:1801", "z1",
		executor.ExecutorResources{MemoryMB: 4096, DiskMB: 8192, Containers: 249},
		[]string{"docker"}, []string{"cflinuxfs4"}, []string{"gpu"}, nil)
	want := `{"cell_id":"cell_z1-0","rep_address":"http://10.0.0.5:1800","zone":"z1","capacity":{"memory_mb":4096,"disk_mb":8192,"containers":249},` +
		`"rootfs_provider_list":[{"name":"preloaded","properties":["cflinuxfs4"]},{"name":"preloaded+layer","properties":["cflinuxfs4"]},{"name":"docker"}],` +
		`"placement_tags":["gpu"],"rep_url":"https://cell-z1-0.cell.service.cf.internal:1801"}`
	if got := p.JSON(); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestRepURLAndAddress(t *testing.T) {
	cases := []struct{ cell, domain, listen, want string }{
		{"cell_z1-0", "cell.service.cf.internal", "0.0.0.0:1801", "https://cell-z1-0.cell.service.cf.internal:1801"},
		{"cell-1", "cell.service.cf.internal", "127.0.0.1:1901", "https://127.0.0.1:1901"},
		{"cell-1", "10.1.2.3", "0.0.0.0:1801", "https://10.1.2.3:1801"},
	}
	for _, c := range cases {
		if got, _ := RepURL(c.cell, c.domain, c.listen); got != c.want {
			t.Errorf("RepURL(%s,%s,%s) = %s", c.cell, c.domain, c.listen, got)
		}
	}
	if got, _ := RepAddress("127.0.0.1:1800"); got != "http://127.0.0.1:1800" {
		t.Errorf("got %s", got)
	}
	if _, err := RepURL("c", "d", "nope"); err == nil {
		t.Error("bad listen address accepted")
	}
}

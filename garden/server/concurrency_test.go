package server_test

import (
	"fmt"
	"sync"
	"testing"

	"code.cloudfoundry.org/garden"

	"github.com/godiego/diego/garden/gardentest"
)

func TestConcurrentCreatesGetDistinctAddresses(t *testing.T) {
	cfg := gardentest.Config(t)
	client, _ := gardentest.Start(t, cfg)
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	ips := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// Handles need not be valid runc ids.
			c, err := client.Create(garden.ContainerSpec{Handle: fmt.Sprintf("odd handle %d:ü", i), NetIn: []garden.NetIn{{ContainerPort: 80}}})
			if err != nil {
				errs <- err
				return
			}
			info, err := c.Info()
			if err != nil {
				errs <- err
				return
			}
			ips <- info.ContainerIP
		}(i)
	}
	wg.Wait()
	close(errs)
	close(ips)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for ip := range ips {
		if seen[ip] {
			t.Fatalf("address %s given twice", ip)
		}
		seen[ip] = true
	}
	list, _ := client.Containers(nil)
	for _, c := range list {
		wg.Add(1)
		go func(h string) {
			defer wg.Done()
			if err := client.Destroy(h); err != nil {
				t.Error(err)
			}
		}(c.Handle())
	}
	wg.Wait()
	if s := gardentest.Observe(t, cfg.Tag(), cfg.DepotDir); !s.Empty() {
		t.Fatalf("left: %+v", s)
	}
}

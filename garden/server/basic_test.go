package server_test

import (
	"testing"

	"code.cloudfoundry.org/garden"

	"github.com/godiego/diego/garden/gardentest"
)

func TestCreateRunDestroy(t *testing.T) {
	client, _ := gardentest.Start(t, gardentest.Config(t))
	for _, privileged := range []bool{false, true} {
		c, err := client.Create(garden.ContainerSpec{Privileged: privileged, Env: []string{"FOO=bar"}})
		if err != nil {
			t.Fatalf("create (privileged=%v): %v", privileged, err)
		}
		r := gardentest.Run(t, c, "root", "/bin/sh", "-c", "echo $FOO; id -u; echo err >&2; exit 3")
		if r.Code != 3 || r.Stdout != "bar\n0\n" || r.Stderr != "err\n" {
			t.Fatalf("privileged=%v: got %+v", privileged, r)
		}
		if err := client.Destroy(c.Handle()); err != nil {
			t.Fatalf("destroy: %v", err)
		}
	}
}

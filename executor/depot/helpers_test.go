package depot_test

import "code.cloudfoundry.org/garden"

func gardenSpec(handle string) garden.ContainerSpec {
	return garden.ContainerSpec{Handle: handle, Properties: garden.Properties{"executor:owner": "executor"}}
}

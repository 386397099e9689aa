package depot_test

import "code.cloudfoundry.org/garden"

func gardenSpec(handle string) garden.ContainerSpec {
	return garden.ContainerSpec{Handle: handle, Properties: garden.Properties{"executor:owner": "executor"}}
}

func gardenProcess(cmd string) garden.ProcessSpec {
	return garden.ProcessSpec{Path: "/bin/sh", Args: []string{"-c", cmd}, User: "root"}
}

func gardenIO() garden.ProcessIO { return garden.ProcessIO{} }

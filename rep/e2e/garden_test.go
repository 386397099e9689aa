package e2e

import (
	"io"

	"code.cloudfoundry.org/garden"
)

func gardenSpec(path string, args ...string) garden.ProcessSpec {
	return garden.ProcessSpec{Path: path, Args: args, User: "root"}
}

func gardenIO() garden.ProcessIO { return garden.ProcessIO{Stdout: io.Discard, Stderr: io.Discard} }

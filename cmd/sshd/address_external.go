//go:build external

package main

import (
	"os"

	"github.com/godiego/diego/ssh-proxy/sshd"
)

// listenAddress maps -address's port to the host port in CF_INSTANCE_PORTS.
func listenAddress(address string) string {
	return sshd.ExternalAddress(address, os.Getenv("CF_INSTANCE_PORTS"))
}

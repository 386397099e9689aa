//go:build !external && !windows

package main

// mapPort leaves -port alone: the check dials the container port.
func mapPort(port string) string { return port }

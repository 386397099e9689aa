//go:build !external

package main

// listenAddress is -address as given.
func listenAddress(address string) string { return address }

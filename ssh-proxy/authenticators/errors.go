// Package authenticators decides who may reach which app instance through
// the ssh-proxy. Password authenticators are picked by a regexp on the SSH
// user name: `diego:<process-guid>/<index>` with the shared Diego
// credentials, or `cf:<app-guid>/<index>` with a one-time UAA authorization
// code that Cloud Controller must accept. Either way the permissions builder
// then looks the instance up in the BBS and packs the backend's address and
// credentials into the connection's ssh.Permissions for the proxy.
package authenticators

import "errors"

// Upstream's errors, with upstream's messages (clients and operators see
// these in logs).
var (
	ErrAuthenticationFailed = errors.New("Authentication failed")
	ErrFetchAppFailed       = errors.New("Fetching appplication data failed")
	ErrInvalidCCResponse    = errors.New("Invalid response from Cloud Controller")
	ErrInvalidCredentials   = errors.New("Invalid credentials")
	ErrInvalidDomain        = errors.New("Invalid authentication domain")
	ErrInvalidRequest       = errors.New("CloudController URL Invalid")
	ErrRouteNotFound        = errors.New("SSH routing info not found")
)

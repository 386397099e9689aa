// Package routes owns the `diego-ssh` routing entry of a desired LRP: the
// JSON Cloud Controller writes under routes["diego-ssh"] to tell the
// ssh-proxy which container port the in-container sshd listens on and how
// to authenticate to it.
package routes

import (
	"encoding/json"
	"errors"
	"fmt"
)

// DiegoSSH is the routing key of the ssh-proxy's entry in a desired LRP's routes.
const DiegoSSH = "diego-ssh"

// ErrNotFound says a desired LRP carries no diego-ssh route.
var ErrNotFound = errors.New("no diego-ssh route")

// SSHRoute is the value stored under routes["diego-ssh"].
type SSHRoute struct {
	// ContainerPort is the port sshd listens on inside the container.
	ContainerPort uint16 `json:"container_port"`
	// HostFingerprint, when set, is the expected MD5 or SHA1 fingerprint of
	// sshd's host key (colon-separated lowercase hex).
	HostFingerprint string `json:"host_fingerprint,omitempty"`
	// User and Password authenticate to sshd with a password.
	User     string `json:"user,omitempty"`
	Password string `json:"password,omitempty"`
	// PrivateKey (PEM) authenticates to sshd with a public key.
	PrivateKey string `json:"private_key,omitempty"`
}

// Marshal renders the route as the raw JSON a desired LRP stores.
func (r SSHRoute) Marshal() []byte {
	raw, _ := json.Marshal(r) // a struct of strings and a number always marshals
	return raw
}

// FromRoutes decodes the diego-ssh entry of a desired LRP's routes map.
// A missing or null entry is ErrNotFound.
func FromRoutes(routes map[string][]byte) (SSHRoute, error) {
	raw, ok := routes[DiegoSSH]
	if !ok || len(raw) == 0 || string(raw) == "null" {
		return SSHRoute{}, ErrNotFound
	}
	var r SSHRoute
	if err := json.Unmarshal(raw, &r); err != nil {
		return SSHRoute{}, fmt.Errorf("decoding %s route: %w", DiegoSSH, err)
	}
	return r, nil
}

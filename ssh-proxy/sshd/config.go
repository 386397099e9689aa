// Package sshd is the SSH daemon that runs inside every app container
// (shipped as diego-sshd in the lifecycle tarballs; diego-ssh:cmd/sshd): a
// single authorized public key (or none), `session` channels that run
// commands and shells (optionally on a pseudo-terminal) with env, signal
// and window-change requests, `direct-tcpip` port forwarding, and the
// `tcpip-forward` / `cancel-tcpip-forward` global requests for remote
// forwarding.
package sshd

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Options configure the daemon; they mirror upstream's command-line flags.
type Options struct {
	Address                     string
	HostKeyPEM                  string
	AuthorizedKey               string // one line in authorized_keys format
	AllowUnauthenticatedClients bool
	InheritDaemonEnv            bool
	AllowedCiphers              string // comma-separated; empty means the library defaults
	AllowedMACs                 string
	AllowedKeyExchanges         string
}

// ErrAuthenticationFailed is returned to clients whose key is not the
// authorized one.
var ErrAuthenticationFailed = errors.New("authentication failed")

// ServerConfig builds the SSH server configuration, reporting every problem
// at once in upstream's words ("Public user key is required", ...).
func (o Options) ServerConfig() (*ssh.ServerConfig, error) {
	var problems []string
	cfg := &ssh.ServerConfig{NoClientAuth: o.AllowUnauthenticatedClients}

	if o.HostKeyPEM == "" {
		problems = append(problems, "empty-host-key")
	} else if signer, err := ssh.ParsePrivateKey([]byte(o.HostKeyPEM)); err != nil {
		problems = append(problems, fmt.Sprintf("host key: %v", err))
	} else {
		cfg.AddHostKey(signer)
	}

	if o.AuthorizedKey == "" && !o.AllowUnauthenticatedClients {
		problems = append(problems, "Public user key is required")
	}
	if o.AuthorizedKey != "" {
		authorized, _, _, _, err := ssh.ParseAuthorizedKey([]byte(o.AuthorizedKey))
		if err != nil {
			problems = append(problems, fmt.Sprintf("authorized key: %v", err))
		} else {
			want := authorized.Marshal()
			cfg.PublicKeyCallback = func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
				if bytes.Equal(key.Marshal(), want) {
					return &ssh.Permissions{}, nil
				}
				return nil, ErrAuthenticationFailed
			}
		}
	}

	cfg.Ciphers = splitList(o.AllowedCiphers)
	cfg.MACs = splitList(o.AllowedMACs)
	cfg.KeyExchanges = splitList(o.AllowedKeyExchanges)

	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, ", "))
	}
	return cfg, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// GenerateHostKey returns a fresh PEM-encoded host key, for a daemon
// started without one.
func GenerateHostKey() (string, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	block, err := ssh.MarshalPrivateKey(key, "diego-sshd generated host key")
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(block)), nil
}

// ExternalAddress maps address's port through cfInstancePorts (the JSON of
// CF_INSTANCE_PORTS, `[{"internal":2222,"external":61002}]`), for platforms
// where the daemon must listen on the host port. Unmapped ports and
// unreadable JSON leave address unchanged.
func ExternalAddress(address, cfInstancePorts string) string {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return address
	}
	var mappings []struct {
		Internal int `json:"internal"`
		External int `json:"external"`
	}
	if json.Unmarshal([]byte(cfInstancePorts), &mappings) != nil {
		return address
	}
	for _, m := range mappings {
		if strconv.Itoa(m.Internal) == port {
			port = strconv.Itoa(m.External)
		}
	}
	return net.JoinHostPort(host, port)
}

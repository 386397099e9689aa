// Package proxy is the heart of the ssh-proxy: it accepts client SSH
// connections, reads the backend an authenticator chose from the
// connection's permissions, dials that backend's sshd (over TLS when the
// cell offers a TLS proxy port), checks its host key by fingerprint, and
// splices channels and global requests in both directions until either side
// goes away.
package proxy

import (
	"encoding/json"
	"errors"
	"fmt"

	"golang.org/x/crypto/ssh"
)

// Keys of ssh.Permissions.CriticalOptions under which an authenticator
// hands the proxy its decision.
const (
	TargetConfigOption = "proxy-target-config"
	LogMessageOption   = "log-message"
)

// ErrInvalidPermissions is upstream's error for a connection whose
// authentication produced no target.
var ErrInvalidPermissions = errors.New("Invalid permissions from authentication")

// TargetConfig says where a client's connection goes and how to log in there.
type TargetConfig struct {
	Address             string `json:"address"`
	TLSAddress          string `json:"tls_address"`
	ServerCertDomainSAN string `json:"server_cert_domain_san"`
	HostFingerprint     string `json:"host_fingerprint"`
	User                string `json:"user,omitempty"`
	Password            string `json:"password,omitempty"`
	PrivateKey          string `json:"private_key,omitempty"`
}

// LogMessage is the app log line announcing a session, with the tags
// (source_id, instance_id, ...) its app log lines carry.
type LogMessage struct {
	Message string            `json:"message"`
	Tags    map[string]string `json:"tags"`
}

// Permissions packs a target and its log message into SSH permissions.
func Permissions(target TargetConfig, msg LogMessage) (*ssh.Permissions, error) {
	targetJSON, err := json.Marshal(target)
	if err != nil {
		return nil, err
	}
	msgJSON, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	return &ssh.Permissions{CriticalOptions: map[string]string{
		TargetConfigOption: string(targetJSON),
		LogMessageOption:   string(msgJSON),
	}}, nil
}

// TargetFrom reads the target an authenticator stored in perms.
func TargetFrom(perms *ssh.Permissions) (TargetConfig, error) {
	if perms == nil || perms.CriticalOptions == nil {
		return TargetConfig{}, ErrInvalidPermissions
	}
	var target TargetConfig
	if err := json.Unmarshal([]byte(perms.CriticalOptions[TargetConfigOption]), &target); err != nil {
		return TargetConfig{}, fmt.Errorf("decoding %s: %w", TargetConfigOption, err)
	}
	return target, nil
}

// LogMessageFrom reads the log message stored in perms; ok is false when
// there is none or it does not decode.
func LogMessageFrom(perms *ssh.Permissions) (msg LogMessage, ok bool, err error) {
	if perms == nil {
		return LogMessage{}, false, nil
	}
	raw := perms.CriticalOptions[LogMessageOption]
	if raw == "" {
		return LogMessage{}, false, nil
	}
	if err := json.Unmarshal([]byte(raw), &msg); err != nil {
		return LogMessage{}, false, fmt.Errorf("decoding %s: %w", LogMessageOption, err)
	}
	return msg, true, nil
}

package depot

import (
	"context"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/executor/credentials"
)

// identity is what the container's instance identity certificate names,
// read afresh at each rotation: the container guid, its internal IP (else
// its external one) and its certificate properties' OUs.
func (n *node) identity() credentials.Identity {
	n.mu.Lock()
	defer n.mu.Unlock()
	ip := n.info.InternalIP
	if ip == "" {
		ip = n.info.ExternalIP
	}
	return credentials.Identity{GUID: n.info.Guid, IP: ip,
		OrganizationalUnits: append([]string(nil), n.info.CertificateProperties.OrganizationalUnit...)}
}

// keepCredentials writes the container's first instance identity
// credential, then rotates it in the background until ctx ends. A failure
// to write the first comes back at once; a failed rotation calls onFail.
// The returned channel closes once the rotation has stopped. Without a
// credentials manager it does nothing.
func (n *node) keepCredentials(ctx context.Context, onFail func(error)) (<-chan struct{}, error) {
	done := make(chan struct{})
	m := n.d.cfg.Credentials
	if m == nil {
		close(done)
		return done, nil
	}
	id := n.identity()
	if err := m.Refresh(id); err != nil {
		close(done)
		n.d.log.Error("instance-identity-failed", err, lager.Data{"guid": id.GUID})
		return done, err
	}
	go func() {
		defer close(done)
		if err := m.Rotate(ctx, n.identity); err != nil {
			n.d.log.Error("instance-identity-rotation-failed", err, lager.Data{"guid": id.GUID})
			onFail(err)
		}
	}()
	return done, nil
}

// removeCredentials deletes the container's credentials directory.
func (n *node) removeCredentials() {
	n.mu.Lock()
	guid := n.info.Guid
	n.mu.Unlock()
	if err := n.d.cfg.Credentials.Remove(guid); err != nil {
		n.d.log.Error("failed-to-remove-credentials-dir", err, lager.Data{"guid": guid})
	}
}

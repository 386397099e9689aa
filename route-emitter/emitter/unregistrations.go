package emitter

import "github.com/godiego/diego/route-emitter/routingtable"

// Unregistrations remembers unregistrations so they can be sent again: a
// router that missed one would otherwise keep a stale route until it prunes
// it. Each is re-sent a fixed number of times unless the same route is
// registered again first.
type Unregistrations struct {
	sendCount int
	pending   map[string]*pendingUnregistration
}

type pendingUnregistration struct {
	msg       routingtable.RegistryMessage
	internal  bool
	remaining int
}

// NewUnregistrations keeps each unregistration for sendCount more sends.
func NewUnregistrations(sendCount int) *Unregistrations {
	return &Unregistrations{sendCount: sendCount, pending: map[string]*pendingUnregistration{}}
}

func key(m routingtable.RegistryMessage, internal bool) string {
	k := m.Host
	for _, u := range m.URIs {
		k += "|" + u
	}
	if internal {
		k = "i|" + k
	}
	return k + "|" + itoa(m.Port) + "|" + itoa(m.TLSPort)
}

func itoa(n uint32) string {
	var b [10]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// Track records what m unregisters and forgets whatever m registers again.
func (u *Unregistrations) Track(m routingtable.Messages) {
	for _, r := range m.Registrations {
		delete(u.pending, key(r, false))
	}
	for _, r := range m.InternalRegistrations {
		delete(u.pending, key(r, true))
	}
	for _, r := range m.Unregistrations {
		u.pending[key(r, false)] = &pendingUnregistration{msg: r, remaining: u.sendCount}
	}
	for _, r := range m.InternalUnregistrations {
		u.pending[key(r, true)] = &pendingUnregistration{msg: r, internal: true, remaining: u.sendCount}
	}
}

// Due returns the unregistrations to send again now and counts the send.
func (u *Unregistrations) Due() routingtable.Messages {
	var out routingtable.Messages
	for k, p := range u.pending {
		if p.internal {
			out.InternalUnregistrations = append(out.InternalUnregistrations, p.msg)
		} else {
			out.Unregistrations = append(out.Unregistrations, p.msg)
		}
		p.remaining--
		if p.remaining <= 0 {
			delete(u.pending, k)
		}
	}
	return out
}

// Len is the number of unregistrations still being repeated.
func (u *Unregistrations) Len() int { return len(u.pending) }

package routingtable

import (
	"sort"

	"github.com/godiego/diego/proto/models"
)

// Options tune how messages are built.
type Options struct {
	// RegisterDirectInstanceRoutes routes to the container address when an
	// instance states no preferred address (upstream's
	// register_direct_instance_routes).
	RegisterDirectInstanceRoutes bool
}

// Table is the routing table. It is not safe for concurrent use: the
// route-emitter serialises events, syncs and emissions through one owner.
type Table struct {
	opts      Options
	desired   map[string]*DesiredRoutes
	instances map[string]map[instanceKey]Instance
}

// New returns an empty table.
func New(opts Options) *Table {
	return &Table{opts: opts, desired: map[string]*DesiredRoutes{}, instances: map[string]map[instanceKey]Instance{}}
}

// RouteCount is the number of registrations a full emission (All) sends,
// counted without building them.
func (t *Table) RouteCount() int {
	n := 0
	for pg, d := range t.desired {
		for _, inst := range t.instances[pg] {
			for _, r := range d.CFRoutes {
				for _, e := range inst.Endpoints {
					if e.ContainerPort == r.Port {
						n += len(r.Hostnames)
					}
				}
			}
			if len(inst.Endpoints) > 0 {
				n += len(d.InternalRoutes)
			}
		}
	}
	return n
}

// SetDesired records or replaces a desired LRP's routes.
func (t *Table) SetDesired(d DesiredRoutes) Messages {
	return t.change(d.ProcessGUID, func() {
		copied := d
		t.desired[d.ProcessGUID] = &copied
	})
}

// RemoveDesired forgets a desired LRP's routes.
func (t *Table) RemoveDesired(processGUID string) Messages {
	return t.change(processGUID, func() { delete(t.desired, processGUID) })
}

// SetActual records an actual LRP's new state: a running routable instance
// is added or updated, anything else removes it from routing.
func (t *Table) SetActual(lrp *models.ActualLRP) Messages {
	pg := lrp.GetActualLrpKey().GetProcessGuid()
	return t.change(pg, func() {
		key := keyOf(lrp)
		inst, routable := InstanceFrom(lrp)
		if !routable {
			t.dropInstance(pg, key)
			return
		}
		if t.instances[pg] == nil {
			t.instances[pg] = map[instanceKey]Instance{}
		}
		t.instances[pg][key] = inst
	})
}

// RemoveActual forgets an actual LRP.
func (t *Table) RemoveActual(lrp *models.ActualLRP) Messages {
	pg := lrp.GetActualLrpKey().GetProcessGuid()
	return t.change(pg, func() { t.dropInstance(pg, keyOf(lrp)) })
}

func (t *Table) dropInstance(pg string, key instanceKey) {
	delete(t.instances[pg], key)
	if len(t.instances[pg]) == 0 {
		delete(t.instances, pg)
	}
}

// Sync replaces the table's content with a fresh snapshot from the BBS and
// returns what changed. Entries of domains that are not fresh are kept when
// the snapshot lacks them: a stale domain means the BBS's picture of that
// domain may be incomplete, so routes are not withdrawn on its word.
func (t *Table) Sync(desired []DesiredRoutes, actuals []*models.ActualLRP, freshDomains map[string]bool) Messages {
	next := New(t.opts)
	for _, d := range desired {
		copied := d
		next.desired[d.ProcessGUID] = &copied
	}
	for _, lrp := range actuals {
		inst, ok := InstanceFrom(lrp)
		if !ok {
			continue
		}
		pg := inst.ProcessGUID
		if next.instances[pg] == nil {
			next.instances[pg] = map[instanceKey]Instance{}
		}
		next.instances[pg][keyOf(lrp)] = inst
	}
	for pg, d := range t.desired {
		if _, ok := next.desired[pg]; !ok && !freshDomains[d.Domain] {
			next.desired[pg] = d
		}
	}
	for pg, insts := range t.instances {
		for key, inst := range insts {
			if freshDomains[inst.Domain] {
				continue
			}
			if next.instances[pg] == nil {
				next.instances[pg] = map[instanceKey]Instance{}
			}
			if _, ok := next.instances[pg][key]; !ok {
				next.instances[pg][key] = inst
			}
		}
	}
	touched := map[string]bool{}
	for pg := range t.desired {
		touched[pg] = true
	}
	for pg := range t.instances {
		touched[pg] = true
	}
	for pg := range next.desired {
		touched[pg] = true
	}
	for pg := range next.instances {
		touched[pg] = true
	}
	var out Messages
	for _, pg := range sortedKeys(touched) {
		bExt, bInt, bTCP := t.messagesFor(pg, true)
		aExt, aInt, aTCP := next.messagesFor(pg, true)
		out.Merge(diff(bExt, bInt, bTCP, aExt, aInt, aTCP))
	}
	t.desired, t.instances = next.desired, next.instances
	return out
}

// All returns every registration for a periodic full emission. Periodic
// messages carry no endpoint_updated_at_ns, as upstream's. Process guids
// come in sorted order; a process's messages in instance order.
func (t *Table) All() Messages {
	var out Messages
	out.Registrations = make([]RegistryMessage, 0, len(t.instances)*2)
	for _, pg := range sortedKeys(t.desired) {
		d := t.desired[pg]
		for _, inst := range t.instances[pg] {
			for _, r := range d.CFRoutes {
				for _, e := range inst.Endpoints {
					if e.ContainerPort != r.Port {
						continue
					}
					for _, host := range r.Hostnames {
						out.Registrations = append(out.Registrations, externalMessage(d, r, host, e, t.opts.RegisterDirectInstanceRoutes, false))
					}
				}
			}
			if len(inst.Endpoints) > 0 {
				for _, r := range d.InternalRoutes {
					out.InternalRegistrations = append(out.InternalRegistrations, internalMessage(d, r, inst.Endpoints[0], false))
				}
			}
		}
		if len(d.TCPRoutes) > 0 {
			_, _, tcp := t.messagesFor(pg, false)
			out.TCPMappings = append(out.TCPMappings, sortedMappings(tcp)...)
		}
	}
	return out
}

func (t *Table) change(pg string, mutate func()) Messages {
	bExt, bInt, bTCP := t.messagesFor(pg, true)
	mutate()
	aExt, aInt, aTCP := t.messagesFor(pg, true)
	return diff(bExt, bInt, bTCP, aExt, aInt, aTCP)
}

type messageSet map[identity]RegistryMessage
type mappingSet map[TCPMapping]struct{}

func (t *Table) messagesFor(pg string, withSince bool) (messageSet, messageSet, mappingSet) {
	d := t.desired[pg]
	insts := t.instances[pg]
	if d == nil || len(insts) == 0 {
		return nil, nil, nil
	}
	ext, internal, tcp := messageSet{}, messageSet{}, mappingSet{}
	for _, inst := range insts {
		for _, r := range d.CFRoutes {
			for _, e := range inst.Endpoints {
				if e.ContainerPort != r.Port {
					continue
				}
				for _, host := range r.Hostnames {
					m := externalMessage(d, r, host, e, t.opts.RegisterDirectInstanceRoutes, withSince)
					ext[m.identity()] = m
				}
			}
		}
		if len(inst.Endpoints) > 0 {
			for _, r := range d.InternalRoutes {
				m := internalMessage(d, r, inst.Endpoints[0], withSince)
				internal[m.identity()] = m
			}
		}
		for _, r := range d.TCPRoutes {
			for _, e := range inst.Endpoints {
				if e.ContainerPort != r.ContainerPort {
					continue
				}
				m := TCPMapping{RouterGroupGUID: r.RouterGroupGUID, BackendIP: e.Host, BackendPort: e.Port, Port: r.ExternalPort}
				if direct(e, t.opts.RegisterDirectInstanceRoutes) {
					m.BackendIP, m.BackendPort = e.ContainerIP, e.ContainerPort
				}
				tcp[m] = struct{}{}
			}
		}
	}
	return ext, internal, tcp
}

func diff(bExt, bInt messageSet, bTCP mappingSet, aExt, aInt messageSet, aTCP mappingSet) Messages {
	var out Messages
	out.Registrations, out.Unregistrations = diffSets(bExt, aExt)
	out.InternalRegistrations, out.InternalUnregistrations = diffSets(bInt, aInt)
	for m := range aTCP {
		if _, ok := bTCP[m]; !ok {
			out.TCPMappings = append(out.TCPMappings, m)
		}
	}
	for m := range bTCP {
		if _, ok := aTCP[m]; !ok {
			out.TCPUnmappings = append(out.TCPUnmappings, m)
		}
	}
	sortMappings(out.TCPMappings)
	sortMappings(out.TCPUnmappings)
	return out
}

func diffSets(before, after messageSet) (register, unregister []RegistryMessage) {
	for id, m := range after {
		if old, ok := before[id]; !ok || !sameAttributes(old, m) {
			register = append(register, m)
		}
	}
	for id, m := range before {
		if _, ok := after[id]; !ok {
			unregister = append(unregister, m)
		}
	}
	sortByIdentity(register)
	sortByIdentity(unregister)
	return register, unregister
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedMessages(s messageSet) []RegistryMessage {
	out := make([]RegistryMessage, 0, len(s))
	for _, m := range s {
		out = append(out, m)
	}
	sortByIdentity(out)
	return out
}

func sortByIdentity(ms []RegistryMessage) {
	sort.Slice(ms, func(i, j int) bool {
		a, b := ms[i].identity(), ms[j].identity()
		if a.uris != b.uris {
			return a.uris < b.uris
		}
		if a.host != b.host {
			return a.host < b.host
		}
		if a.port != b.port {
			return a.port < b.port
		}
		return a.tlsPort < b.tlsPort
	})
}

func sortedMappings(s mappingSet) []TCPMapping {
	out := make([]TCPMapping, 0, len(s))
	for m := range s {
		out = append(out, m)
	}
	sortMappings(out)
	return out
}

func sortMappings(ms []TCPMapping) {
	sort.Slice(ms, func(i, j int) bool {
		a, b := ms[i], ms[j]
		if a.Port != b.Port {
			return a.Port < b.Port
		}
		if a.BackendIP != b.BackendIP {
			return a.BackendIP < b.BackendIP
		}
		return a.BackendPort < b.BackendPort
	})
}

package bbsdb

import (
	"context"
	"hash/fnv"
	"sort"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/proto/models"
)

// Indexed is the store the active BBS uses: a write-through in-memory
// index in front of a Store. The active BBS is the database's only
// writer, so once Migrate has loaded the index, every read (actual LRPs
// by any filter, desired LRPs, their scheduling and routing infos, tasks)
// is answered from memory, and every mutation goes to the database first
// and then applies what the store reports it committed to the index. A
// mutation that fails re-reads the records it names, so an ambiguous
// failure cannot leave the index stale.
//
// Records are kept as their protobuf encodings: reads decode fresh
// messages (callers may change them), and the API's bulk routes can copy
// the encodings into a response without decoding (see Encoded*).
//
// Mutations of one process guid (or task guid) are serialized here, and a
// convergence pass excludes them all, so the index applies changes in
// commit order.
type Indexed struct {
	inner Store
	locks keyLocks

	mu      sync.RWMutex
	loaded  bool
	actual  map[string]map[lrpSlot]*actualEntry // by process guid
	byCell  map[string]map[lrpSlot]*actualEntry
	desired map[string]*desiredEntry
	tasks   map[string]*taskEntry
	nActual int
	// sortedActualPGs and sortedDesiredPGs cache the sorted keys of
	// actual and desired; nil when a key was added or removed.
	// Readers fill them under sortMu while holding mu for reading.
	sortMu           sync.Mutex
	sortedActualPGs  []string
	sortedDesiredPGs []string
}

var _ Store = (*Indexed)(nil)

// lrpSlot identifies an actual LRP row (the table's primary key).
type lrpSlot struct {
	pg       string
	index    int32
	presence models.ActualLRP_Presence
}

func (a lrpSlot) less(b lrpSlot) bool {
	if a.pg != b.pg {
		return a.pg < b.pg
	}
	if a.index != b.index {
		return a.index < b.index
	}
	return a.presence < b.presence
}

type actualEntry struct {
	slot   lrpSlot
	domain string
	cell   string
	raw    []byte // the ActualLRP
	// facts and tag are what a convergence pass reads of the row (blobs
	// aside), as gatherLRPSnapshot would read them.
	facts actualFacts
	tag   tagKey
}

type desiredEntry struct {
	pg, domain string
	instances  int32
	tag        tagKey
	raw        []byte // the DesiredLRP
	scheduling []byte // its DesiredLRPSchedulingInfo
	routing    []byte // its routing view (a DesiredLRP)
}

type taskEntry struct {
	guid, domain, cell string
	raw                []byte
}

// NewIndexed returns inner with an index that loads when Migrate succeeds;
// until then reads go to inner.
func NewIndexed(inner Store) *Indexed {
	return &Indexed{inner: inner}
}

// keyLocks serializes mutations per key; all excludes every key.
type keyLocks struct {
	all     sync.RWMutex
	stripes [256]sync.Mutex
}

func (l *keyLocks) lock(key string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	m := &l.stripes[h.Sum32()%uint32(len(l.stripes))]
	l.all.RLock()
	m.Lock()
	return func() { m.Unlock(); l.all.RUnlock() }
}

func (l *keyLocks) lockAll() func() {
	l.all.Lock()
	return l.all.Unlock
}

// Migrate migrates the database, then loads the index from it.
func (x *Indexed) Migrate(ctx context.Context) error {
	if err := x.inner.Migrate(ctx); err != nil {
		return err
	}
	return x.Load(ctx)
}

// Load (re)builds the index from the database.
func (x *Indexed) Load(ctx context.Context) error {
	defer x.locks.lockAll()()
	return x.loadLocked(ctx)
}

// reloadLocked rebuilds the index, switching it off when that fails; the
// caller holds every key lock.
func (x *Indexed) reloadLocked(ctx context.Context) {
	if err := x.loadLocked(ctx); err != nil {
		x.mu.Lock()
		x.loaded = false
		x.mu.Unlock()
	}
}

func (x *Indexed) loadLocked(ctx context.Context) error {
	x.mu.Lock()
	x.loaded = false // reads go to the database while loading
	x.mu.Unlock()
	actual, err := x.inner.ActualLRPs(ctx, ActualLRPFilter{})
	if err != nil {
		return err
	}
	desired, err := x.inner.DesiredLRPs(ctx, DesiredLRPFilter{})
	if err != nil {
		return err
	}
	tasks, err := x.inner.Tasks(ctx, TaskFilter{})
	if err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.actual = make(map[string]map[lrpSlot]*actualEntry, len(desired))
	x.byCell = map[string]map[lrpSlot]*actualEntry{}
	x.desired = make(map[string]*desiredEntry, len(desired))
	x.tasks = make(map[string]*taskEntry, len(tasks))
	x.nActual = 0
	x.sortedActualPGs, x.sortedDesiredPGs = nil, nil
	for _, l := range actual {
		x.putActualLocked(l)
	}
	for _, d := range desired {
		x.putDesiredLocked(d)
	}
	for _, t := range tasks {
		x.putTaskLocked(t)
	}
	x.loaded = true
	if s, ok := x.inner.(*SQLDB); ok {
		s.primeConvergenceCache(desired, actual)
	}
	return nil
}

func marshal(m proto.Message) []byte {
	b, err := proto.Marshal(m)
	if err != nil {
		panic("bbsdb index: marshalling a stored record: " + err.Error())
	}
	return b
}

func slotOf(l *models.ActualLRP) lrpSlot {
	return lrpSlot{pg: l.GetActualLrpKey().GetProcessGuid(), index: l.GetActualLrpKey().GetIndex(), presence: l.GetPresence()}
}

func (x *Indexed) putActualLocked(l *models.ActualLRP) {
	e := &actualEntry{slot: slotOf(l), domain: l.GetActualLrpKey().GetDomain(), cell: l.GetActualLrpInstanceKey().GetCellId(), raw: marshal(l),
		facts: actualFacts{
			key:         &models.ActualLRPKey{ProcessGuid: l.GetActualLrpKey().GetProcessGuid(), Index: l.GetActualLrpKey().GetIndex(), Domain: l.GetActualLrpKey().GetDomain()},
			instanceKey: &models.ActualLRPInstanceKey{InstanceGuid: l.GetActualLrpInstanceKey().GetInstanceGuid(), CellId: l.GetActualLrpInstanceKey().GetCellId()},
			presence:    l.GetPresence(), state: l.GetState(), since: l.GetSince(), crashCount: l.GetCrashCount(),
		},
		tag: tagKey{epoch: l.GetModificationTag().GetEpoch(), index: int64(l.GetModificationTag().GetIndex())},
	}
	x.deleteActualLocked(e.slot)
	rows := x.actual[e.slot.pg]
	if rows == nil {
		rows = map[lrpSlot]*actualEntry{}
		x.actual[e.slot.pg] = rows
		x.sortedActualPGs = nil
	}
	rows[e.slot] = e
	x.nActual++
	if e.cell != "" {
		c := x.byCell[e.cell]
		if c == nil {
			c = map[lrpSlot]*actualEntry{}
			x.byCell[e.cell] = c
		}
		c[e.slot] = e
	}
}

func (x *Indexed) deleteActualLocked(s lrpSlot) {
	rows := x.actual[s.pg]
	e, ok := rows[s]
	if !ok {
		return
	}
	delete(rows, s)
	x.nActual--
	if len(rows) == 0 {
		delete(x.actual, s.pg)
		x.sortedActualPGs = nil
	}
	if c := x.byCell[e.cell]; c != nil {
		delete(c, s)
		if len(c) == 0 {
			delete(x.byCell, e.cell)
		}
	}
}

func (x *Indexed) putDesiredLocked(d *models.DesiredLRP) {
	if _, ok := x.desired[d.GetProcessGuid()]; !ok {
		x.sortedDesiredPGs = nil
	}
	x.desired[d.GetProcessGuid()] = &desiredEntry{
		pg: d.GetProcessGuid(), domain: d.GetDomain(), instances: d.GetInstances(),
		tag: tagKey{epoch: d.GetModificationTag().GetEpoch(), index: int64(d.GetModificationTag().GetIndex())},
		raw: marshal(d), scheduling: marshal(d.DesiredLRPSchedulingInfo()), routing: marshal(d.DesiredLRPRoutingInfo()),
	}
}

func (x *Indexed) deleteDesiredLocked(pg string) {
	if _, ok := x.desired[pg]; ok {
		delete(x.desired, pg)
		x.sortedDesiredPGs = nil
	}
}

func (x *Indexed) putTaskLocked(t *models.Task) {
	x.tasks[t.GetTaskGuid()] = &taskEntry{guid: t.GetTaskGuid(), domain: t.GetDomain(), cell: t.GetCellId(), raw: marshal(t)}
}

// actualEntries returns the rows filter selects, in primary-key order.
func (x *Indexed) actualEntries(filter ActualLRPFilter) []*actualEntry {
	match := func(e *actualEntry) bool {
		return (filter.Domain == "" || e.domain == filter.Domain) &&
			(filter.CellID == "" || e.cell == filter.CellID) &&
			(filter.ProcessGUID == "" || e.slot.pg == filter.ProcessGUID) &&
			(filter.Index == nil || e.slot.index == *filter.Index)
	}
	var out []*actualEntry
	collect := func(rows map[lrpSlot]*actualEntry) {
		start := len(out)
		for _, e := range rows {
			if match(e) {
				out = append(out, e)
			}
		}
		part := out[start:]
		sort.Slice(part, func(i, j int) bool { return part[i].slot.less(part[j].slot) })
	}
	switch {
	case filter.ProcessGUID != "":
		collect(x.actual[filter.ProcessGUID])
	case filter.CellID != "":
		collect(x.byCell[filter.CellID])
	default:
		out = make([]*actualEntry, 0, x.nActual)
		for _, pg := range x.actualPGs() {
			collect(x.actual[pg])
		}
	}
	return out
}

func (x *Indexed) actualPGs() []string {
	x.sortMu.Lock()
	defer x.sortMu.Unlock()
	if x.sortedActualPGs == nil {
		pgs := make([]string, 0, len(x.actual))
		for pg := range x.actual {
			pgs = append(pgs, pg)
		}
		sort.Strings(pgs)
		x.sortedActualPGs = pgs
	}
	return x.sortedActualPGs
}

// desiredEntries returns the desired LRPs filter selects, in process-guid
// order; withDomain false ignores the domain (as the routing-info read does).
func (x *Indexed) desiredEntries(filter DesiredLRPFilter, withDomain bool) []*desiredEntry {
	var out []*desiredEntry
	keep := func(e *desiredEntry) {
		if e != nil && (!withDomain || filter.Domain == "" || e.domain == filter.Domain) {
			out = append(out, e)
		}
	}
	if len(filter.ProcessGUIDs) > 0 {
		seen := map[string]bool{}
		for _, pg := range filter.ProcessGUIDs {
			if !seen[pg] {
				seen[pg] = true
				keep(x.desired[pg])
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].pg < out[j].pg })
		return out
	}
	pgs := x.desiredPGs()
	out = make([]*desiredEntry, 0, len(pgs))
	for _, pg := range pgs {
		keep(x.desired[pg])
	}
	return out
}

func (x *Indexed) desiredPGs() []string {
	x.sortMu.Lock()
	defer x.sortMu.Unlock()
	if x.sortedDesiredPGs == nil {
		pgs := make([]string, 0, len(x.desired))
		for pg := range x.desired {
			pgs = append(pgs, pg)
		}
		sort.Strings(pgs)
		x.sortedDesiredPGs = pgs
	}
	return x.sortedDesiredPGs
}

func (x *Indexed) taskEntries(filter TaskFilter) []*taskEntry {
	var out []*taskEntry
	for _, t := range x.tasks {
		if (filter.Domain == "" || t.domain == filter.Domain) && (filter.CellID == "" || t.cell == filter.CellID) {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].guid < out[j].guid })
	return out
}

func decode[M proto.Message](raw []byte, m M) M {
	if err := proto.Unmarshal(raw, m); err != nil {
		panic("bbsdb index: decoding an indexed record: " + err.Error())
	}
	return m
}

// convergenceRows copies what a convergence pass needs of every row, in
// primary-key order; the copies are the pass's to fill in.
func (x *Indexed) convergenceRows() (map[string]*desiredFacts, map[string]tagKey, []snapshotRow) {
	desired := make(map[string]*desiredFacts, len(x.desired))
	tags := make(map[string]tagKey, len(x.desired))
	for pg, d := range x.desired {
		desired[pg] = &desiredFacts{domain: d.domain, instances: d.instances}
		tags[pg] = d.tag
	}
	entries := x.actualEntries(ActualLRPFilter{})
	facts := make([]actualFacts, len(entries))
	rows := make([]snapshotRow, len(entries))
	for i, e := range entries {
		facts[i] = e.facts
		rows[i] = snapshotRow{facts: &facts[i], tag: e.tag}
	}
	return desired, tags, rows
}

package cfdot

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"google.golang.org/protobuf/proto"

	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/proto/locketmodels"
	"github.com/godiego/diego/proto/models"
	repclient "github.com/godiego/diego/rep/client"
)

// tableRows collects the rows of --output table, one section per kind of
// record, printed with aligned columns when the command ends.
type tableRows struct {
	sections []*section
	now      func() time.Time
}

type section struct {
	header []string
	rows   [][]string
}

func (t *tableRows) row(header []string, cells ...string) {
	for _, s := range t.sections {
		if strings.Join(s.header, "\x00") == strings.Join(header, "\x00") {
			s.rows = append(s.rows, cells)
			return
		}
	}
	t.sections = append(t.sections, &section{header: header, rows: [][]string{cells}})
}

func (t *tableRows) write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, s := range t.sections {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintln(tw, strings.Join(s.header, "\t"))
		for _, r := range s.rows {
			fmt.Fprintln(tw, strings.Join(r, "\t"))
		}
	}
	return tw.Flush()
}

var (
	actualHeader    = []string{"PROCESS_GUID", "INDEX", "STATE", "PRESENCE", "CELL", "ADDRESS", "PORTS", "CRASHES", "AGE", "INSTANCE_GUID", "PLACEMENT_ERROR"}
	taskHeader      = []string{"TASK_GUID", "DOMAIN", "STATE", "CELL", "FAILED", "FAILURE_REASON", "AGE"}
	desiredHeader   = []string{"PROCESS_GUID", "DOMAIN", "INSTANCES", "MEMORY_MB", "DISK_MB", "ROOTFS", "ROUTES"}
	schedHeader     = []string{"PROCESS_GUID", "DOMAIN", "INSTANCES", "MEMORY_MB", "DISK_MB", "ROOTFS", "ROUTES"}
	resourceHeader  = []string{"KEY", "OWNER", "TYPE", "VALUE"}
	cellHeader      = []string{"CELL_ID", "ZONE", "MEMORY_MB", "DISK_MB", "CONTAINERS", "LRPS", "TASKS", "REP_URL"}
	cellStateHeader = []string{"CELL_ID", "ZONE", "MEMORY_MB", "DISK_MB", "CONTAINERS", "LRPS", "TASKS", "EVACUATING"}
)

func (t *tableRows) add(m proto.Message) {
	switch v := m.(type) {
	case *models.ActualLRP:
		t.actual(v)
	case *models.ActualLRPGroup:
		if v.GetInstance() != nil {
			t.actual(v.GetInstance())
		}
		if v.GetEvacuating() != nil {
			t.actual(v.GetEvacuating())
		}
	case *models.Task:
		t.row(taskHeader, v.GetTaskGuid(), v.GetDomain(), v.GetState().String(), dash(v.GetCellId()),
			strconv.FormatBool(v.GetFailed()), dash(truncate(v.GetFailureReason(), 60)), t.age(v.GetCreatedAt()))
	case *models.DesiredLRP:
		t.row(desiredHeader, v.GetProcessGuid(), v.GetDomain(), itoa(v.GetInstances()), itoa(v.GetMemoryMb()),
			itoa(v.GetDiskMb()), v.GetRootFs(), routers(v.GetRoutes()))
	case *models.DesiredLRPSchedulingInfo:
		k, r := v.GetDesiredLrpKey(), v.GetDesiredLrpResource()
		t.row(schedHeader, k.GetProcessGuid(), k.GetDomain(), itoa(v.GetInstances()), itoa(r.GetMemoryMb()),
			itoa(r.GetDiskMb()), r.GetRootFs(), routers(v.GetRoutes()))
	case *locketmodels.Resource:
		t.row(resourceHeader, v.GetKey(), v.GetOwner(), locketmodels.TypeName(v.GetType(), v.GetTypeCode()), truncate(v.GetValue(), 60))
	case *models.CellPresence:
		c := v.GetCapacity()
		t.row(cellHeader, v.GetCellId(), dash(v.GetZone()), itoa(c.GetMemoryMb()), itoa(c.GetDiskMb()),
			itoa(c.GetContainers()), "-", "-", cellURL(v))
	}
}

func (t *tableRows) actual(a *models.ActualLRP) {
	k, ik, net := a.GetActualLrpKey(), a.GetActualLrpInstanceKey(), a.GetActualLrpNetInfo()
	var ports []string
	for _, p := range net.GetPorts() {
		ports = append(ports, fmt.Sprintf("%d:%d", p.GetHostPort(), p.GetContainerPort()))
	}
	t.row(actualHeader, k.GetProcessGuid(), itoa(k.GetIndex()), a.GetState(), a.GetPresence().String(),
		dash(ik.GetCellId()), dash(net.GetAddress()), dash(strings.Join(ports, ",")), itoa(a.GetCrashCount()),
		t.age(a.GetSince()), dash(ik.GetInstanceGuid()), dash(truncate(a.GetPlacementError(), 40)))
}

func (t *tableRows) addDomain(d string) { t.row([]string{"DOMAIN"}, d) }

func (t *tableRows) addCellState(s repclient.CellState) {
	a, tot := s.AvailableResources, s.TotalResources
	t.row(cellStateHeader, s.CellID, dash(s.Zone),
		ratio(int64(tot.MemoryMB-a.MemoryMB), int64(tot.MemoryMB)),
		ratio(int64(tot.DiskMB-a.DiskMB), int64(tot.DiskMB)),
		ratio(int64(tot.Containers-a.Containers), int64(tot.Containers)),
		strconv.Itoa(len(s.LRPs)), strconv.Itoa(len(s.Tasks)), strconv.FormatBool(s.Evacuating))
}

// cellTable shows each cell's capacity and what the BBS has placed on it:
// the memory, disk and containers of its actual LRPs and tasks.
func (c *Context) cellTable(cl *bbsclient.Client, cells []*models.CellPresence) error {
	lrps, err := cl.ActualLRPs(c.Ctx(), bbsclient.ActualLRPFilter{})
	if err != nil {
		return bbsFailure(err)
	}
	infos, err := cl.DesiredLRPSchedulingInfos(c.Ctx(), bbsclient.DesiredLRPFilter{})
	if err != nil {
		return bbsFailure(err)
	}
	tasks, err := cl.Tasks(c.Ctx(), bbsclient.TaskFilter{})
	if err != nil {
		return bbsFailure(err)
	}
	type used struct{ mem, disk, containers, lrps, tasks int64 }
	byCell := map[string]*used{}
	at := func(cell string) *used {
		if byCell[cell] == nil {
			byCell[cell] = &used{}
		}
		return byCell[cell]
	}
	res := map[string]*models.DesiredLRPResource{}
	for _, i := range infos {
		res[i.GetDesiredLrpKey().GetProcessGuid()] = i.GetDesiredLrpResource()
	}
	for _, l := range lrps {
		cell := l.GetActualLrpInstanceKey().GetCellId()
		if cell == "" {
			continue
		}
		u, r := at(cell), res[l.GetActualLrpKey().GetProcessGuid()]
		u.mem += int64(r.GetMemoryMb())
		u.disk += int64(r.GetDiskMb())
		u.containers++
		u.lrps++
	}
	for _, t := range tasks {
		if t.GetCellId() == "" || t.GetState() != models.Task_Running {
			continue
		}
		u, d := at(t.GetCellId()), t.GetTaskDefinition()
		u.mem += int64(d.GetMemoryMb())
		u.disk += int64(d.GetDiskMb())
		u.containers++
		u.tasks++
	}
	sort.Slice(cells, func(i, j int) bool { return cells[i].GetCellId() < cells[j].GetCellId() })
	for _, p := range cells {
		u, cp := at(p.GetCellId()), p.GetCapacity()
		c.rows.row(cellHeader, p.GetCellId(), dash(p.GetZone()),
			ratio(u.mem, int64(cp.GetMemoryMb())), ratio(u.disk, int64(cp.GetDiskMb())),
			ratio(u.containers, int64(cp.GetContainers())),
			strconv.FormatInt(u.lrps, 10), strconv.FormatInt(u.tasks, 10), cellURL(p))
	}
	return nil
}

func cellURL(p *models.CellPresence) string {
	if p.GetRepUrl() != "" {
		return p.GetRepUrl()
	}
	return p.GetRepAddress()
}

func ratio(used, total int64) string { return fmt.Sprintf("%d/%d", used, total) }

func routers(r *models.ProtoRoutes) string {
	var keys []string
	for k := range r.GetRoutes() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return dash(strings.Join(keys, ","))
}

// age renders how long ago a unix-nanosecond time was.
func (t *tableRows) age(ns int64) string {
	if ns == 0 {
		return "-"
	}
	now := time.Now
	if t.now != nil {
		now = t.now
	}
	d := now().Sub(time.Unix(0, ns))
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return d.Truncate(time.Second).String()
	case d < time.Hour:
		return d.Truncate(time.Second).String()
	case d < 48*time.Hour:
		return d.Truncate(time.Minute).String()
	default:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
}

func itoa[T ~int32 | ~uint32 | ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func truncate(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

package cfdot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/proto/modeljson"
	"github.com/godiego/diego/proto/models"
)

var (
	domainFlag      = Flag{Long: "domain", Short: "d", Usage: "retrieve only %s for the given domain"}
	cellIDFlag      = Flag{Long: "cell-id", Short: "c", Usage: "retrieve only %s for the given cell id"}
	processGUIDFlag = Flag{Long: "process-guid", Short: "p", Usage: "retrieve only actual lrps for the given process guid"}
)

// about fills a filter flag's usage with what it filters.
func about(f Flag, what string) Flag {
	f.Usage = fmt.Sprintf(f.Usage, what)
	return f
}

func runActualLRPs(c *Context) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	filter := bbsclient.ActualLRPFilter{Domain: c.String("domain"), CellID: c.String("cell-id"), ProcessGUID: c.String("process-guid")}
	if c.Set("index") {
		n, err := strconv.ParseInt(c.String("index"), 0, 32)
		if err != nil {
			return invalid("invalid argument %q for \"-i, --index\" flag: %v", c.String("index"), err)
		}
		i := int32(n)
		filter.Index = &i
	}
	cl, err := c.bbs()
	if err != nil {
		return err
	}
	lrps, err := cl.ActualLRPs(c.Ctx(), filter)
	if err != nil {
		return bbsFailure(err)
	}
	for _, lrp := range lrps {
		if err := c.emit(lrp); err != nil {
			return err
		}
	}
	return nil
}

func runActualLRPGroups(c *Context) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	cl, err := c.bbs()
	if err != nil {
		return err
	}
	groups, err := cl.ActualLRPGroups(c.Ctx(), c.String("domain"), c.String("cell-id"))
	if err != nil {
		return bbsFailure(err)
	}
	for _, g := range groups {
		if err := c.emit(g); err != nil {
			return err
		}
	}
	return nil
}

func runActualLRPGroupsForGUID(c *Context) error {
	guid, err := c.oneArg(errInvalidProcessGuid)
	if err != nil {
		return err
	}
	index := -1
	if v := c.String("index"); v != "" {
		if index, err = strconv.Atoi(v); err != nil || index < 0 {
			return validation(errInvalidIndex)
		}
	}
	cl, err := c.bbs()
	if err != nil {
		return err
	}
	if index >= 0 {
		g, err := cl.ActualLRPGroupByProcessGuidAndIndex(c.Ctx(), guid, int32(index))
		if err != nil {
			return bbsFailure(err)
		}
		return c.emit(g)
	}
	groups, err := cl.ActualLRPGroupsByProcessGuid(c.Ctx(), guid)
	if err != nil {
		return bbsFailure(err)
	}
	for _, g := range groups {
		if err := c.emit(g); err != nil {
			return err
		}
	}
	return nil
}

func runRetireActualLRP(c *Context) error {
	switch {
	case len(c.Args) < 2:
		return validation(errMissingArguments)
	case len(c.Args) > 2:
		return validation(errExtraArguments)
	case c.Args[0] == "":
		return validation(errInvalidProcessGuid)
	}
	index, err := strconv.Atoi(c.Args[1])
	if err != nil || index < 0 || index > 1<<31-1 {
		return validation(errInvalidIndex)
	}
	cl, err := c.bbs()
	if err != nil {
		return err
	}
	lrp, err := cl.DesiredLRPByProcessGuid(c.Ctx(), c.Args[0])
	if err != nil {
		return bbsFailure(err)
	}
	key := &models.ActualLRPKey{ProcessGuid: c.Args[0], Index: int32(index), Domain: lrp.GetDomain()}
	if err := cl.RetireActualLRP(c.Ctx(), key); err != nil {
		return bbsFailure(err)
	}
	return nil
}

// specArg reads a SPEC argument: inline JSON, or @FILE.
func specArg(arg string) ([]byte, error) {
	if path, ok := strings.CutPrefix(arg, "@"); ok {
		if _, err := os.Stat(path); err != nil {
			return nil, validation(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, validation(err)
		}
		return b, nil
	}
	return []byte(arg), nil
}

// decodeSpec reads a SPEC argument (inline JSON or @FILE) into m, as
// upstream's model JSON.
func decodeSpec(arg string, m proto.Message) error {
	spec, err := specArg(arg)
	if err != nil {
		return err
	}
	if err := modeljson.Unmarshal(spec, m); err != nil {
		return invalid("Invalid JSON: %s", err)
	}
	return nil
}

func runCreateDesiredLRP(c *Context) error {
	if len(c.Args) != 1 {
		return invalid("missing spec argument")
	}
	lrp := &models.DesiredLRP{}
	if err := decodeSpec(c.Args[0], lrp); err != nil {
		return err
	}
	cl, err := c.bbs()
	if err != nil {
		return err
	}
	if err := cl.DesireLRP(c.Ctx(), lrp); err != nil {
		return bbsFailure(err)
	}
	return nil
}

func runUpdateDesiredLRP(c *Context) error {
	if len(c.Args) != 2 {
		return validation(errMissingArguments)
	}
	update := &models.DesiredLRPUpdate{}
	if err := decodeSpec(c.Args[1], update); err != nil {
		return err
	}
	cl, err := c.bbs()
	if err != nil {
		return err
	}
	if err := cl.UpdateDesiredLRP(c.Ctx(), c.Args[0], update); err != nil {
		return bbsFailure(err)
	}
	return nil
}

func runCreateTask(c *Context) error {
	if len(c.Args) != 1 {
		return invalid("missing spec argument")
	}
	task := &models.Task{}
	if err := decodeSpec(c.Args[0], task); err != nil {
		return err
	}
	cl, err := c.bbs()
	if err != nil {
		return err
	}
	if err := cl.DesireTask(c.Ctx(), task.GetTaskGuid(), task.GetDomain(), task.GetTaskDefinition()); err != nil {
		return bbsFailure(err)
	}
	return nil
}

func runTasks(c *Context) error {
	if err := c.conflicting("-d", "--domain", "-c", "--cell-id"); err != nil {
		return err
	}
	if err := c.noArgs(); err != nil {
		return err
	}
	cl, err := c.bbs()
	if err != nil {
		return err
	}
	tasks, err := cl.Tasks(c.Ctx(), bbsclient.TaskFilter{Domain: c.String("domain"), CellID: c.String("cell-id")})
	if err != nil {
		return bbsFailure(err)
	}
	for _, t := range tasks {
		if err := c.emit(t); err != nil {
			return err
		}
	}
	return nil
}

// guidAction runs a BBS call that takes the command's one guid argument;
// argErr is the validation error for a missing or extra argument (nil: the
// generic one).
func guidAction(argErr error, call func(*bbsclient.Client, *Context, string) error) func(*Context) error {
	return func(c *Context) error {
		guid, err := c.oneArg(argErr)
		if err != nil {
			return err
		}
		cl, err := c.bbs()
		if err != nil {
			return err
		}
		if err := call(cl, c, guid); err != nil {
			return bbsFailure(err)
		}
		return nil
	}
}

// guidFetch prints the record a BBS read returns for the command's one
// guid argument.
func guidFetch[T proto.Message](argErr error, fetch func(*bbsclient.Client, context.Context, string) (T, error)) func(*Context) error {
	return guidAction(argErr, func(cl *bbsclient.Client, c *Context, guid string) error {
		record, err := fetch(cl, c.Ctx(), guid)
		if err != nil {
			return err
		}
		return c.emit(record)
	})
}

// listByDomain prints every record a BBS list call returns for the
// command's --domain filter (all domains when unset).
func listByDomain[T proto.Message](list func(*bbsclient.Client, context.Context, bbsclient.DesiredLRPFilter) ([]T, error)) func(*Context) error {
	return func(c *Context) error {
		if err := c.noArgs(); err != nil {
			return err
		}
		cl, err := c.bbs()
		if err != nil {
			return err
		}
		records, err := list(cl, c.Ctx(), bbsclient.DesiredLRPFilter{Domain: c.String("domain")})
		if err != nil {
			return bbsFailure(err)
		}
		for _, r := range records {
			if err := c.emit(r); err != nil {
				return err
			}
		}
		return nil
	}
}

var (
	runDesiredLRPs      = listByDomain((*bbsclient.Client).DesiredLRPs)
	runSchedulingInfos  = listByDomain((*bbsclient.Client).DesiredLRPSchedulingInfos)
	runCancelTask       = guidAction(nil, func(cl *bbsclient.Client, c *Context, guid string) error { return cl.CancelTask(c.Ctx(), guid) })
	runDeleteTask       = guidAction(nil, func(cl *bbsclient.Client, c *Context, guid string) error { return cl.DeleteTask(c.Ctx(), guid) })
	runDeleteDesiredLRP = guidAction(errInvalidProcessGuid, func(cl *bbsclient.Client, c *Context, guid string) error {
		return cl.RemoveDesiredLRP(c.Ctx(), guid)
	})
	runDesiredLRP = guidFetch(errInvalidProcessGuid, (*bbsclient.Client).DesiredLRPByProcessGuid)
	runTask       = guidFetch(nil, (*bbsclient.Client).TaskByGuid)
)

func runDomains(c *Context) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	cl, err := c.bbs()
	if err != nil {
		return err
	}
	domains, err := cl.Domains(c.Ctx())
	if err != nil {
		return bbsFailure(err)
	}
	for _, d := range domains {
		if c.table {
			c.rows.addDomain(d)
			continue
		}
		if err := c.emitValue(d); err != nil {
			return err
		}
	}
	return nil
}

// parseTTL reads set-domain's TTL: whole seconds as upstream takes them,
// or a Go duration such as "90s" or "2h".
func parseTTL(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0, errors.New("ttl is negative")
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, errors.New("ttl is non-numeric")
	}
	if d < 0 {
		return 0, errors.New("ttl is negative")
	}
	return d, nil
}

func runSetDomain(c *Context) error {
	ttl, err := parseTTL(c.String("ttl"))
	if err != nil {
		return validation(err)
	}
	if len(c.Args) == 0 || c.Args[0] == "" {
		return invalid("No domain given")
	}
	if len(c.Args) > 1 {
		return validation(errExtraArguments)
	}
	cl, err := c.bbs()
	if err != nil {
		return err
	}
	secs := (ttl + time.Second - 1) / time.Second
	if secs > 1<<32-1 {
		return invalid("ttl is too large")
	}
	if err := cl.UpsertDomain(c.Ctx(), c.Args[0], uint32(secs)); err != nil {
		return bbsFailure(err)
	}
	return nil
}

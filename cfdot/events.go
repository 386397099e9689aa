package cfdot

import (
	"errors"
	"fmt"

	"github.com/godiego/diego/bbs"
	bbsclient "github.com/godiego/diego/bbs/client"
)

// streamItem is one read from an event source.
type streamItem struct {
	ev  bbsclient.Event
	err error
	// groups marks the deprecated ActualLRPGroup stream, from which only
	// the group events are printed (its desired LRP events duplicate the
	// instance stream's).
	groups bool
}

func pump(src *bbsclient.EventSource, groups bool, out chan<- streamItem) {
	for {
		ev, err := src.Next()
		out <- streamItem{ev: ev, err: err, groups: groups}
		if err != nil {
			return
		}
	}
}

func runLRPEvents(c *Context) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	exclude := c.Bool("exclude-actual-lrp-groups")
	if !exclude {
		fmt.Fprintln(c.io.Stderr, `Event types "actual_lrp_created", "actual_lrp_changed" and "actual_lrp_removed" are deprecated. Use "--exclude-actual-lrp-groups" flag to exclude them.`)
	}
	cl, err := c.bbs()
	if err != nil {
		return err
	}
	items := make(chan streamItem)
	var sources []*bbsclient.EventSource
	defer func() {
		for _, s := range sources {
			s.Close()
		}
	}()
	cellID := c.String("cell-id")
	if !exclude {
		groups, err := cl.SubscribeToEventsByCellID(c.Ctx(), cellID)
		if err != nil {
			return bbsFailure(err)
		}
		sources = append(sources, groups)
		go pump(groups, true, items)
	}
	instances, err := cl.SubscribeToInstanceEventsByCellID(c.Ctx(), cellID)
	if err != nil {
		return bbsFailure(err)
	}
	sources = append(sources, instances)
	go pump(instances, false, items)
	return c.stream(items, len(sources))
}

func runTaskEvents(c *Context) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	cl, err := c.bbs()
	if err != nil {
		return err
	}
	src, err := cl.SubscribeToTaskEvents(c.Ctx())
	if err != nil {
		return bbsFailure(err)
	}
	defer src.Close()
	items := make(chan streamItem)
	go pump(src, false, items)
	return c.stream(items, 1)
}

// stream prints events until every source has ended or the context is
// done (an interrupt), which ends the command successfully.
func (c *Context) stream(items <-chan streamItem, sources int) error {
	var failures []error
	for ended := 0; ended < sources; {
		var it streamItem
		select {
		case <-c.Ctx().Done():
			return nil
		case it = <-items:
		}
		if it.err != nil {
			ended++
			if !errors.Is(it.err, bbsclient.ErrSourceClosed) {
				failures = append(failures, it.err)
			}
			continue
		}
		if it.groups {
			switch it.ev.Name {
			case bbs.EventActualLRPCreated, bbs.EventActualLRPChanged, bbs.EventActualLRPRemoved:
			default:
				continue
			}
		}
		if err := c.emitEvent(it.ev.Name, it.ev.Message); err != nil {
			return err
		}
	}
	if c.Ctx().Err() != nil {
		return nil
	}
	if len(failures) > 0 {
		return bbsFailure(errors.Join(failures...))
	}
	return nil
}

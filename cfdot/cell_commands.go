package cfdot

import (
	"errors"
	"fmt"
	"strings"

	"github.com/godiego/diego/proto/models"
)

func runCells(c *Context) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	cl, err := c.bbs()
	if err != nil {
		return err
	}
	cells, err := cl.Cells(c.Ctx())
	if err != nil {
		return bbsFailure(err)
	}
	if c.table {
		return c.cellTable(cl, cells)
	}
	for _, cell := range cells {
		if err := c.emit(cell); err != nil {
			return err
		}
	}
	return nil
}

func runCell(c *Context) error {
	id, err := c.oneArg(nil)
	if err != nil {
		return err
	}
	cl, err := c.bbs()
	if err != nil {
		return err
	}
	cells, err := cl.Cells(c.Ctx())
	if err != nil {
		return bbsFailure(err)
	}
	for _, cell := range cells {
		if cell.GetCellId() == id {
			if c.table {
				return c.cellTable(cl, []*models.CellPresence{cell})
			}
			return c.emit(cell)
		}
	}
	return &Error{Err: errors.New("Cell not found"), Code: ExitOther}
}

func runCellState(c *Context) error {
	id, err := c.oneArg(nil)
	if err != nil {
		return err
	}
	cl, err := c.bbs()
	if err != nil {
		return err
	}
	cells, err := cl.Cells(c.Ctx())
	if err != nil {
		return bbsFailure(err)
	}
	var cell *models.CellPresence
	for _, p := range cells {
		if p.GetCellId() == id {
			cell = p
		}
	}
	if cell == nil {
		return &Error{Err: errors.New("Cell not found"), Code: ExitOther}
	}
	if err := c.cellState(cell); err != nil {
		return componentFailure(fmt.Errorf("Rep error: Failed getting rep state for %s: %s", id, err))
	}
	return nil
}

func runCellStates(c *Context) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	cl, err := c.bbs()
	if err != nil {
		return err
	}
	cells, err := cl.Cells(c.Ctx())
	if err != nil {
		return componentFailure(fmt.Errorf("BBS error: Failed to get cell registrations from BBS: %s", err))
	}
	var failures strings.Builder
	for _, cell := range cells {
		if err := c.cellState(cell); err != nil {
			fmt.Fprintf(&failures, "Rep error: Failed to get cell state for cell %s: %s\n", cell.GetCellId(), err)
		}
	}
	if failures.Len() > 0 {
		return componentFailure(errors.New(failures.String()))
	}
	return nil
}

// cellState fetches and prints one cell's GET /state.
func (c *Context) cellState(cell *models.CellPresence) error {
	factory, err := c.reps()
	if err != nil {
		return err
	}
	rc, err := factory.Client(cell.GetRepAddress(), cell.GetRepUrl())
	if err != nil {
		return err
	}
	state, err := rc.State(c.Ctx())
	if err != nil {
		return err
	}
	if c.table {
		c.rows.addCellState(state)
		return nil
	}
	return c.emitValue(state)
}

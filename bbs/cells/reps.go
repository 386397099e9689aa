package cells

import (
	"github.com/godiego/diego/bbs/controllers"
	"github.com/godiego/diego/proto/models"
	rep "github.com/godiego/diego/rep/client"
)

// Reps makes rep clients for cells from a shared rep client factory.
type Reps struct {
	Factory *rep.Factory
}

// Rep returns the client for a cell's rep (its rep_url or rep_address).
func (r Reps) Rep(cell *models.CellPresence) (controllers.Rep, error) {
	return r.Factory.Client(cell.GetRepAddress(), cell.GetRepUrl())
}

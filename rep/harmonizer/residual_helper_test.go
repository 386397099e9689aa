package harmonizer

import "github.com/godiego/diego/rep/reconcile"

func residualsIgnoring(f *fixture) []reconcile.Plan {
	return reconcile.Residuals(nil, f.b.lrps, f.b.tasks)
}

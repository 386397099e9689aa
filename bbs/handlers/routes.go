package handlers

import (
	"net/http"

	"github.com/godiego/diego/bbs"
	"github.com/godiego/diego/proto/models"
)

// addCurrent registers the 34 current routes.
func (h *Handler) addCurrent(a map[string]http.Handler) {
	a[bbs.PingRoute] = h.ping()
	a[bbs.CellsRoute] = h.listCells()

	a[bbs.DomainsRoute] = h.domains()
	a[bbs.UpsertDomainRoute] = h.upsertDomain()

	a[bbs.ActualLRPsRoute] = h.actualLRPs()
	a[bbs.ClaimActualLRPRoute] = h.claimActualLRP()
	a[bbs.StartActualLRPRoute] = h.startActualLRP(true)
	a[bbs.CrashActualLRPRoute] = h.crashActualLRP()
	a[bbs.FailActualLRPRoute] = h.failActualLRP()
	a[bbs.RemoveActualLRPRoute] = h.removeActualLRP()
	a[bbs.RetireActualLRPRoute] = h.retireActualLRP()

	a[bbs.RemoveEvacuatingActualLRPRoute] = h.removeEvacuatingActualLRP()
	a[bbs.EvacuateClaimedActualLRPRoute] = h.evacuateClaimedActualLRP()
	a[bbs.EvacuateCrashedActualLRPRoute] = h.evacuateCrashedActualLRP()
	a[bbs.EvacuateStoppedActualLRPRoute] = h.evacuateStoppedActualLRP()
	a[bbs.EvacuateRunningActualLRPRoute] = h.evacuateRunningActualLRP(true)

	a[bbs.DesiredLRPsRoute] = h.desiredLRPs(models.CurrentVersion)
	a[bbs.DesiredLRPByProcessGuidRoute] = h.desiredLRPByProcessGuid(models.CurrentVersion)
	a[bbs.DesiredLRPSchedulingInfosRoute] = h.desiredLRPSchedulingInfos()
	a[bbs.DesiredLRPRoutingInfosRoute] = h.desiredLRPRoutingInfos()
	a[bbs.DesireDesiredLRPRoute] = h.desireDesiredLRP()
	a[bbs.UpdateDesiredLRPRoute] = h.updateDesiredLRP()
	a[bbs.RemoveDesiredLRPRoute] = h.removeDesiredLRP()

	a[bbs.TasksRoute] = h.tasks(models.CurrentVersion)
	a[bbs.TaskByGuidRoute] = h.taskByGuid(models.CurrentVersion)
	a[bbs.DesireTaskRoute] = h.desireTask()
	a[bbs.StartTaskRoute] = h.startTask()
	a[bbs.CancelTaskRoute] = h.cancelTask()
	a[bbs.RejectTaskRoute] = h.rejectTask()
	a[bbs.CompleteTaskRoute] = h.completeTask()
	a[bbs.ResolvingTaskRoute] = h.resolvingTask()
	a[bbs.DeleteTaskRoute] = h.deleteTask()

	a[bbs.TaskEventStreamRoute] = h.taskStream(models.CurrentVersion)
	a[bbs.LRPInstanceEventStreamRoute] = h.instanceStream(models.CurrentVersion)
}

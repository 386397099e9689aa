package client

import (
	"context"

	"github.com/godiego/diego/bbs"
	"github.com/godiego/diego/proto/models"
)

// ActualLRPFilter selects actual LRPs; empty fields match everything.
type ActualLRPFilter struct {
	Domain      string
	CellID      string
	ProcessGUID string
	Index       *int32
}

// ActualLRPs lists actual LRPs.
func (c *Client) ActualLRPs(ctx context.Context, f ActualLRPFilter) ([]*models.ActualLRP, error) {
	req := &models.ActualLRPsRequest{Domain: f.Domain, CellId: f.CellID, ProcessGuid: f.ProcessGUID}
	if f.Index != nil {
		req.OptionalIndex = &models.ActualLRPsRequest_Index{Index: *f.Index}
	}
	resp := &models.ActualLRPsResponse{}
	err := c.call(ctx, bbs.ActualLRPsRoute, req, resp)
	return resp.ActualLrps, result(err, resp.Error)
}

// ActualLRPGroups lists actual LRPs as groups (deprecated route).
func (c *Client) ActualLRPGroups(ctx context.Context, domain, cellID string) ([]*models.ActualLRPGroup, error) {
	resp := &models.ActualLRPGroupsResponse{}
	err := c.call(ctx, bbs.ActualLRPGroupsRoute, &models.ActualLRPGroupsRequest{Domain: domain, CellId: cellID}, resp)
	return resp.ActualLrpGroups, result(err, resp.Error)
}

// ActualLRPGroupsByProcessGuid lists one LRP's groups (deprecated route).
func (c *Client) ActualLRPGroupsByProcessGuid(ctx context.Context, processGUID string) ([]*models.ActualLRPGroup, error) {
	resp := &models.ActualLRPGroupsResponse{}
	err := c.call(ctx, bbs.ActualLRPGroupsByProcessGuidRoute, &models.ActualLRPGroupsByProcessGuidRequest{ProcessGuid: processGUID}, resp)
	return resp.ActualLrpGroups, result(err, resp.Error)
}

// ActualLRPGroupByProcessGuidAndIndex returns one group (deprecated route).
func (c *Client) ActualLRPGroupByProcessGuidAndIndex(ctx context.Context, processGUID string, index int32) (*models.ActualLRPGroup, error) {
	resp := &models.ActualLRPGroupResponse{}
	err := c.call(ctx, bbs.ActualLRPGroupByProcessGuidAndIndexRoute,
		&models.ActualLRPGroupByProcessGuidAndIndexRequest{ProcessGuid: processGUID, Index: index}, resp)
	return resp.ActualLrpGroup, result(err, resp.Error)
}

// ClaimActualLRP records that a cell claimed an instance.
func (c *Client) ClaimActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey) error {
	resp := &models.ActualLRPLifecycleResponse{}
	err := c.call(ctx, bbs.ClaimActualLRPRoute, &models.ClaimActualLRPRequest{
		ProcessGuid: key.GetProcessGuid(), Index: key.GetIndex(), ActualLrpInstanceKey: ik}, resp)
	return result(err, resp.Error)
}

// StartActualLRP records a running instance. A BBS without start.r1 is
// sent the r0 route instead.
func (c *Client) StartActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey, net *models.ActualLRPNetInfo,
	routes []*models.ActualLRPInternalRoute, tags map[string]string, routable bool, zone string) error {
	req := &models.StartActualLRPRequest{
		ActualLrpKey: key, ActualLrpInstanceKey: ik, ActualLrpNetInfo: net,
		ActualLrpInternalRoutes: routes, MetricTags: tags,
		OptionalRoutable: &models.StartActualLRPRequest_Routable{Routable: routable}, AvailabilityZone: zone,
	}
	resp := &models.ActualLRPLifecycleResponse{}
	err := c.call(ctx, bbs.StartActualLRPRoute, req, resp)
	if isEndpointNotFound(err) {
		resp = &models.ActualLRPLifecycleResponse{}
		err = c.call(ctx, bbs.StartActualLRPRouteR0, req, resp)
	}
	return result(err, resp.Error)
}

// CrashActualLRP reports a crash.
func (c *Client) CrashActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey, reason string) error {
	resp := &models.ActualLRPLifecycleResponse{}
	err := c.call(ctx, bbs.CrashActualLRPRoute, &models.CrashActualLRPRequest{ActualLrpKey: key, ActualLrpInstanceKey: ik, ErrorMessage: reason}, resp)
	return result(err, resp.Error)
}

// FailActualLRP reports that an instance could not be placed.
func (c *Client) FailActualLRP(ctx context.Context, key *models.ActualLRPKey, reason string) error {
	resp := &models.ActualLRPLifecycleResponse{}
	err := c.call(ctx, bbs.FailActualLRPRoute, &models.FailActualLRPRequest{ActualLrpKey: key, ErrorMessage: reason}, resp)
	return result(err, resp.Error)
}

// RemoveActualLRP deletes an instance's ordinary row.
func (c *Client) RemoveActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey) error {
	resp := &models.ActualLRPLifecycleResponse{}
	err := c.call(ctx, bbs.RemoveActualLRPRoute, &models.RemoveActualLRPRequest{
		ProcessGuid: key.GetProcessGuid(), Index: key.GetIndex(), ActualLrpInstanceKey: ik}, resp)
	return result(err, resp.Error)
}

// RetireActualLRP stops an instance.
func (c *Client) RetireActualLRP(ctx context.Context, key *models.ActualLRPKey) error {
	resp := &models.ActualLRPLifecycleResponse{}
	err := c.call(ctx, bbs.RetireActualLRPRoute, &models.RetireActualLRPRequest{ActualLrpKey: key}, resp)
	return result(err, resp.Error)
}

// EvacuateClaimedActualLRP evacuates a claimed instance.
func (c *Client) EvacuateClaimedActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey) (keepContainer bool, err error) {
	resp := &models.EvacuationResponse{}
	err = c.call(ctx, bbs.EvacuateClaimedActualLRPRoute, &models.EvacuateClaimedActualLRPRequest{ActualLrpKey: key, ActualLrpInstanceKey: ik}, resp)
	return resp.KeepContainer, result(err, resp.Error)
}

// EvacuateCrashedActualLRP reports a crash on an evacuating cell.
func (c *Client) EvacuateCrashedActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey, reason string) (keepContainer bool, err error) {
	resp := &models.EvacuationResponse{}
	err = c.call(ctx, bbs.EvacuateCrashedActualLRPRoute, &models.EvacuateCrashedActualLRPRequest{ActualLrpKey: key, ActualLrpInstanceKey: ik, ErrorMessage: reason}, resp)
	return resp.KeepContainer, result(err, resp.Error)
}

// EvacuateStoppedActualLRP reports a stop on an evacuating cell.
func (c *Client) EvacuateStoppedActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey) (keepContainer bool, err error) {
	resp := &models.EvacuationResponse{}
	err = c.call(ctx, bbs.EvacuateStoppedActualLRPRoute, &models.EvacuateStoppedActualLRPRequest{ActualLrpKey: key, ActualLrpInstanceKey: ik}, resp)
	return resp.KeepContainer, result(err, resp.Error)
}

// EvacuateRunningActualLRP evacuates a running instance. A BBS without
// evacuate_running.r1 is sent the r0 route instead.
func (c *Client) EvacuateRunningActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey, net *models.ActualLRPNetInfo,
	routes []*models.ActualLRPInternalRoute, tags map[string]string, routable bool, zone string) (keepContainer bool, err error) {
	req := &models.EvacuateRunningActualLRPRequest{
		ActualLrpKey: key, ActualLrpInstanceKey: ik, ActualLrpNetInfo: net,
		ActualLrpInternalRoutes: routes, MetricTags: tags,
		OptionalRoutable: &models.EvacuateRunningActualLRPRequest_Routable{Routable: routable}, AvailabilityZone: zone,
	}
	resp := &models.EvacuationResponse{}
	err = c.call(ctx, bbs.EvacuateRunningActualLRPRoute, req, resp)
	if isEndpointNotFound(err) {
		resp = &models.EvacuationResponse{}
		err = c.call(ctx, bbs.EvacuateRunningActualLRPRouteR0, req, resp)
	}
	return resp.KeepContainer, result(err, resp.Error)
}

// RemoveEvacuatingActualLRP deletes an EVACUATING row.
func (c *Client) RemoveEvacuatingActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey) error {
	resp := &models.RemoveEvacuatingActualLRPResponse{}
	err := c.call(ctx, bbs.RemoveEvacuatingActualLRPRoute, &models.RemoveEvacuatingActualLRPRequest{ActualLrpKey: key, ActualLrpInstanceKey: ik}, resp)
	return result(err, resp.Error)
}

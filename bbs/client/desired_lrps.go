package client

import (
	"context"

	"github.com/godiego/diego/bbs"
	"github.com/godiego/diego/proto/models"
)

// DesiredLRPFilter selects desired LRPs; empty fields match everything.
type DesiredLRPFilter struct {
	Domain       string
	ProcessGUIDs []string
}

func (f DesiredLRPFilter) request() *models.DesiredLRPsRequest {
	return &models.DesiredLRPsRequest{Domain: f.Domain, ProcessGuids: f.ProcessGUIDs}
}

// DesiredLRPs lists desired LRPs.
func (c *Client) DesiredLRPs(ctx context.Context, f DesiredLRPFilter) ([]*models.DesiredLRP, error) {
	resp := &models.DesiredLRPsResponse{}
	err := c.call(ctx, bbs.DesiredLRPsRoute, f.request(), resp)
	return resp.DesiredLrps, result(err, resp.Error)
}

// DesiredLRPByProcessGuid returns one desired LRP.
func (c *Client) DesiredLRPByProcessGuid(ctx context.Context, processGUID string) (*models.DesiredLRP, error) {
	resp := &models.DesiredLRPResponse{}
	err := c.call(ctx, bbs.DesiredLRPByProcessGuidRoute, &models.DesiredLRPByProcessGuidRequest{ProcessGuid: processGUID}, resp)
	return resp.DesiredLrp, result(err, resp.Error)
}

// DesiredLRPSchedulingInfos lists scheduling infos.
func (c *Client) DesiredLRPSchedulingInfos(ctx context.Context, f DesiredLRPFilter) ([]*models.DesiredLRPSchedulingInfo, error) {
	resp := &models.DesiredLRPSchedulingInfosResponse{}
	err := c.call(ctx, bbs.DesiredLRPSchedulingInfosRoute, f.request(), resp)
	return resp.DesiredLrpSchedulingInfos, result(err, resp.Error)
}

// DesiredLRPRoutingInfos lists desired LRPs with only their routing fields.
func (c *Client) DesiredLRPRoutingInfos(ctx context.Context, f DesiredLRPFilter) ([]*models.DesiredLRP, error) {
	resp := &models.DesiredLRPsResponse{}
	err := c.call(ctx, bbs.DesiredLRPRoutingInfosRoute, f.request(), resp)
	return resp.DesiredLrps, result(err, resp.Error)
}

// DesireLRP creates a desired LRP.
func (c *Client) DesireLRP(ctx context.Context, lrp *models.DesiredLRP) error {
	resp := &models.DesiredLRPLifecycleResponse{}
	err := c.call(ctx, bbs.DesireDesiredLRPRoute, &models.DesireLRPRequest{DesiredLrp: lrp}, resp)
	return result(err, resp.Error)
}

// UpdateDesiredLRP updates a desired LRP.
func (c *Client) UpdateDesiredLRP(ctx context.Context, processGUID string, update *models.DesiredLRPUpdate) error {
	resp := &models.DesiredLRPLifecycleResponse{}
	err := c.call(ctx, bbs.UpdateDesiredLRPRoute, &models.UpdateDesiredLRPRequest{ProcessGuid: processGUID, Update: update}, resp)
	return result(err, resp.Error)
}

// RemoveDesiredLRP deletes a desired LRP.
func (c *Client) RemoveDesiredLRP(ctx context.Context, processGUID string) error {
	resp := &models.DesiredLRPLifecycleResponse{}
	err := c.call(ctx, bbs.RemoveDesiredLRPRoute, &models.RemoveDesiredLRPRequest{ProcessGuid: processGUID}, resp)
	return result(err, resp.Error)
}

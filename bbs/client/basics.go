package client

import (
	"context"

	"github.com/godiego/diego/bbs"
	"github.com/godiego/diego/proto/models"
)

// Ping reports whether the BBS answers.
func (c *Client) Ping(ctx context.Context) bool {
	resp := &models.PingResponse{}
	if err := c.call(ctx, bbs.PingRoute, nil, resp); err != nil {
		return false
	}
	return resp.Available
}

// Cells lists the live cells.
func (c *Client) Cells(ctx context.Context) ([]*models.CellPresence, error) {
	resp := &models.CellsResponse{}
	err := c.call(ctx, bbs.CellsRoute, nil, resp)
	return resp.Cells, result(err, resp.Error)
}

// Domains lists the fresh domains.
func (c *Client) Domains(ctx context.Context) ([]string, error) {
	resp := &models.DomainsResponse{}
	err := c.call(ctx, bbs.DomainsRoute, nil, resp)
	return resp.Domains, result(err, resp.Error)
}

// UpsertDomain marks a domain fresh for ttlSeconds (0: forever).
func (c *Client) UpsertDomain(ctx context.Context, domain string, ttlSeconds uint32) error {
	resp := &models.UpsertDomainResponse{}
	err := c.call(ctx, bbs.UpsertDomainRoute, &models.UpsertDomainRequest{Domain: domain, Ttl: ttlSeconds}, resp)
	return result(err, resp.Error)
}

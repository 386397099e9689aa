package cfdot

import (
	"github.com/godiego/diego/proto/locketmodels"
)

var (
	keyFlag   = Flag{Long: "key", Short: "k", Usage: "the key of the %s being claimed"}
	ownerFlag = Flag{Long: "owner", Short: "o", Usage: "the %s owner"}
	valueFlag = Flag{Long: "value", Short: "v", Usage: "the value associated with the key"}
	ttlFlag   = Flag{Long: "ttl", Short: "t", Kind: intFlag, Usage: "the TTL for the %s, in seconds"}
)

func listResources(typeName string) func(*Context) error {
	return func(c *Context) error {
		if err := c.noArgs(); err != nil {
			return err
		}
		cl, err := c.locket()
		if err != nil {
			return err
		}
		resp, err := cl.FetchAll(c.Ctx(), &locketmodels.FetchAllRequest{
			Type:     typeName,
			TypeCode: locketmodels.TypeCodeOf(typeName),
		})
		if err != nil {
			return componentFailure(err)
		}
		for _, r := range resp.GetResources() {
			if err := c.emit(r); err != nil {
				return err
			}
		}
		return nil
	}
}

func claimResource(typeName string) func(*Context) error {
	return func(c *Context) error {
		if err := c.noArgs(); err != nil {
			return err
		}
		if err := c.conflicting("-k", "--key", "-o", "--owner", "-v", "--value", "-t", "--ttl"); err != nil {
			return err
		}
		switch {
		case c.String("key") == "":
			return invalid("key cannot be empty")
		case c.String("owner") == "":
			return invalid("owner cannot be empty")
		case c.Int("ttl") <= 0:
			return invalid("ttl should be an integer greater than zero")
		}
		cl, err := c.locket()
		if err != nil {
			return err
		}
		_, err = cl.Lock(c.Ctx(), &locketmodels.LockRequest{
			Resource: &locketmodels.Resource{
				Key:      c.String("key"),
				Owner:    c.String("owner"),
				Value:    c.String("value"),
				Type:     typeName,
				TypeCode: locketmodels.TypeCodeOf(typeName),
			},
			TtlInSeconds: c.Int("ttl"),
		})
		if err != nil {
			return componentFailure(err)
		}
		return nil
	}
}

func runReleaseLock(c *Context) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	if err := c.conflicting("-k", "--key", "-o", "--owner"); err != nil {
		return err
	}
	switch {
	case c.String("key") == "":
		return invalid("key cannot be empty")
	case c.String("owner") == "":
		return invalid("owner cannot be empty")
	}
	cl, err := c.locket()
	if err != nil {
		return err
	}
	_, err = cl.Release(c.Ctx(), &locketmodels.ReleaseRequest{
		Resource: &locketmodels.Resource{Key: c.String("key"), Owner: c.String("owner")},
	})
	if err != nil {
		return componentFailure(err)
	}
	return nil
}

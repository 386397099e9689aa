// Package gardenhealth owns the executor's Garden health check: every
// interval it creates a throw-away container, runs a command in it and
// destroys it. Any failure or timeout marks the cell unhealthy (the rep
// then answers /state with 503), a success marks it healthy again.
package gardenhealth

import (
	"context"
	"fmt"
	"io"
	"time"

	"code.cloudfoundry.org/garden"
	"code.cloudfoundry.org/lager/v3"
	"github.com/google/uuid"
)

// Config configures the check.
type Config struct {
	Interval  time.Duration
	Timeout   time.Duration
	OwnerName string
	RootFS    string
	Path      string
	Args      []string
	Dir       string
	Env       []string
	User      string
}

// Checker runs the health check.
type Checker struct {
	Config
	Garden    garden.Client
	SetHealth func(bool)
	Logger    lager.Logger
}

// Check runs one health check.
func (c *Checker) Check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.check() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("garden health check timed out after %s", c.Timeout)
	}
}

func (c *Checker) check() error {
	handle := "check-" + uuid.NewString()
	gc, err := c.Garden.Create(garden.ContainerSpec{Handle: handle, Image: garden.ImageRef{URI: c.RootFS},
		Properties: garden.Properties{"executor:owner": c.OwnerName, "tag:healthcheck-tag": "healthcheck", "network.healthcheck": "true"}})
	if err != nil {
		return fmt.Errorf("creating health check container: %w", err)
	}
	defer c.Garden.Destroy(handle)
	p, err := gc.Run(garden.ProcessSpec{Path: c.Path, Args: c.Args, Dir: c.Dir, Env: c.Env, User: c.User},
		garden.ProcessIO{Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		return fmt.Errorf("running health check process: %w", err)
	}
	status, err := p.Wait()
	if err != nil {
		return fmt.Errorf("waiting for health check process: %w", err)
	}
	if status != 0 {
		return fmt.Errorf("health check process exited with status %d", status)
	}
	return nil
}

// Run checks at once and then every interval until ctx ends.
func (c *Checker) Run(ctx context.Context) {
	for {
		err := c.Check(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			c.Logger.Error("garden-health-check-failed", err)
		}
		c.SetHealth(err == nil)
		select {
		case <-ctx.Done():
			return
		case <-time.After(c.Interval):
		}
	}
}

// Package converger drives the BBS's convergence: every interval it runs
// the LRP and the task pass in parallel (arming the next timer only when
// both finished), and it runs them at once when a cell's presence
// disappears, which it notices by polling the presences.
package converger

import (
	"context"
	"os"
	"sync"
	"time"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/bbs/controllers"
	"github.com/godiego/diego/internal/metrics"
)

// Converger is an ifrit runner.
type Converger struct {
	Controller *controllers.Controller
	Cells      controllers.Cells
	Logger     lager.Logger

	Interval        time.Duration // converge_repeat_interval
	Kick            time.Duration // kick_task_duration
	ExpirePending   time.Duration // expire_pending_task_duration
	ExpireCompleted time.Duration // expire_completed_task_duration
	Workers         int           // convergence_workers
	// PresencePoll is how often presences are checked for a vanished cell;
	// zero means one second, negative disables the check.
	PresencePoll time.Duration

	// Metrics records pass durations and LRP counts; may be nil.
	Metrics *Metrics
	// After is the timer source; nil means time.After.
	After func(time.Duration) <-chan time.Time
}

// Metrics are the convergence metrics.
type Metrics struct {
	Duration *metrics.Histogram // by pass: "lrps", "tasks"
	LRPs     *metrics.Gauge     // by state, as counted after each LRP pass
}

// NewMetrics registers the convergence metrics in reg.
func NewMetrics(reg *metrics.Registry) *Metrics {
	return &Metrics{
		Duration: reg.Histogram("bbs_convergence_duration_seconds", "Duration of convergence passes, by pass.", nil, "pass"),
		LRPs:     reg.Gauge("bbs_lrps", "Actual LRP instances by state, and desired instances, after the last LRP convergence.", "state"),
	}
}

// Run converges until signalled.
func (c *Converger) Run(signals <-chan os.Signal, ready chan<- struct{}) error {
	after := c.After
	if after == nil {
		after = time.After
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	trigger := make(chan struct{}, 1)
	var wg sync.WaitGroup
	if c.PresencePoll >= 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.watchPresences(ctx, after, trigger)
		}()
	}
	defer wg.Wait()
	defer cancel()
	close(ready)
	timer := after(c.Interval)
	for {
		select {
		case <-signals:
			return nil
		case <-timer:
		case <-trigger:
			c.Logger.Info("cell-disappeared-converging-now")
		}
		c.ConvergeOnce(ctx)
		timer = after(c.Interval)
	}
}

// ConvergeOnce runs the LRP and task passes in parallel and waits for both.
func (c *Converger) ConvergeOnce(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		start := time.Now()
		_, _ = c.Controller.ConvergeLRPs(ctx, c.Workers)
		c.observe("lrps", start)
		c.countLRPs(ctx)
	}()
	go func() {
		defer wg.Done()
		start := time.Now()
		_, _ = c.Controller.ConvergeTasks(ctx, c.Kick, c.ExpirePending, c.ExpireCompleted)
		c.observe("tasks", start)
	}()
	wg.Wait()
}

func (c *Converger) observe(pass string, start time.Time) {
	if c.Metrics != nil {
		c.Metrics.Duration.With(pass).Since(start)
	}
}

func (c *Converger) countLRPs(ctx context.Context) {
	if c.Metrics == nil {
		return
	}
	claimed, unclaimed, running, crashed, crashingDesired, err := c.Controller.Store.CountActualLRPsByState(ctx)
	if err != nil {
		c.Logger.Error("failed-to-count-lrps", err)
		return
	}
	desired, err := c.Controller.Store.CountDesiredInstances(ctx)
	if err != nil {
		c.Logger.Error("failed-to-count-desired-instances", err)
		return
	}
	for state, n := range map[string]int{"claimed": claimed, "unclaimed": unclaimed, "running": running,
		"crashed": crashed, "crashing_desired": crashingDesired, "desired": desired} {
		c.Metrics.LRPs.With(state).Set(float64(n))
	}
}

// watchPresences polls the cell presences and signals trigger when a
// cell that was present is gone.
func (c *Converger) watchPresences(ctx context.Context, after func(time.Duration) <-chan time.Time, trigger chan<- struct{}) {
	poll := c.PresencePoll
	if poll == 0 {
		poll = time.Second
	}
	var known map[string]bool
	for {
		select {
		case <-ctx.Done():
			return
		case <-after(poll):
		}
		cells, err := c.Cells.Cells(ctx)
		if err != nil {
			continue
		}
		now := make(map[string]bool, len(cells))
		for _, cell := range cells {
			now[cell.GetCellId()] = true
		}
		lost := false
		for id := range known {
			if !now[id] {
				lost = true
				break
			}
		}
		known = now
		if lost {
			select {
			case trigger <- struct{}{}:
			default:
			}
		}
	}
}

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

	// Duration records pass durations by pass ("lrps", "tasks"); may be nil.
	Duration *metrics.Histogram
	// After is the timer source; nil means time.After.
	After func(time.Duration) <-chan time.Time
}

// NewDurationMetric registers the convergence duration histogram.
func NewDurationMetric(reg *metrics.Registry) *metrics.Histogram {
	return reg.Histogram("bbs_convergence_duration_seconds", "Duration of convergence passes, by pass.", nil, "pass")
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
	if c.Duration != nil {
		c.Duration.With(pass).Since(start)
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

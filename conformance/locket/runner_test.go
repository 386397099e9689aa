package locket_test

import (
	"os"
	"testing"

	"code.cloudfoundry.org/clock"
	"code.cloudfoundry.org/lager/v3"
	upstream "code.cloudfoundry.org/locket"
	"code.cloudfoundry.org/locket/lock"
	"code.cloudfoundry.org/locket/models"
	"github.com/tedsuo/ifrit"
)

// runLock starts upstream's lock runner for key as owner with upstream's
// lock timings, stopped at cleanup.
func runLock(t *testing.T, logger lager.Logger, c models.LocketClient, key, owner string) ifrit.Process {
	t.Helper()
	runner := lock.NewLockRunner(logger, c,
		&models.Resource{Key: key, Owner: owner, TypeCode: models.LOCK},
		upstream.DefaultSessionTTLInSeconds, clock.NewClock(), upstream.SQLRetryInterval)
	p := ifrit.Background(runner)
	t.Cleanup(func() { p.Signal(os.Interrupt); <-p.Wait() })
	return p
}

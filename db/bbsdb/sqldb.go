package bbsdb

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/db/bbsdb/encryption"
	"github.com/godiego/diego/proto/models"
)

// Clock tells the store the time; tests inject a fake one.
type Clock interface {
	Now() time.Time
}

// GUIDProvider mints modification-tag epochs.
type GUIDProvider interface {
	NextGUID() (string, error)
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// RandomGUIDs mints random (version 4) UUIDs.
type RandomGUIDs struct{}

// NextGUID returns a new random UUID.
func (RandomGUIDs) NextGUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// SQLDB is the Store on a db.DB.
type SQLDB struct {
	db    *db.DB
	enc   *encryption.Encoder
	clock Clock
	guids GUIDProvider
	cache *convergenceCache
}

var _ Store = (*SQLDB)(nil)

// New returns the store over d, encrypting with enc. A nil clock or guids
// means the system clock and random UUIDs.
func New(d *db.DB, enc *encryption.Encoder, clock Clock, guids GUIDProvider) *SQLDB {
	if clock == nil {
		clock = SystemClock{}
	}
	if guids == nil {
		guids = RandomGUIDs{}
	}
	return &SQLDB{db: d, enc: enc, clock: clock, guids: guids, cache: &convergenceCache{}}
}

// DB returns the underlying database.
func (s *SQLDB) DB() *db.DB { return s.db }

// transact runs fn in one transaction (retried on deadlocks by db) and
// translates the outcome to a *models.Error.
func (s *SQLDB) transact(ctx context.Context, fn func(tx *db.Tx) error) error {
	return toModelError(s.db.Transact(ctx, fn))
}

// toModelError is the one place errors become *models.Error.
func toModelError(err error) error {
	if err == nil {
		return nil
	}
	var me *models.Error
	if errors.As(err, &me) && me != nil {
		return me
	}
	switch {
	case errors.Is(err, db.ErrNotFound):
		return models.ErrResourceNotFound
	case errors.Is(err, db.ErrResourceExists):
		return models.ErrResourceExists
	case errors.Is(err, db.ErrDeadlock):
		return models.ErrDeadlock
	case errors.Is(err, db.ErrBadRequest):
		return models.ErrBadRequest
	case errors.Is(err, db.ErrUnrecoverable), errors.Is(err, db.ErrSchemaTooNew):
		return models.NewUnrecoverableError(err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	return models.NewError(models.Error_UnknownError, err.Error())
}

func (s *SQLDB) nowNano() int64 { return s.clock.Now().UnixNano() }

func (s *SQLDB) nextGUID() (string, error) {
	g, err := s.guids.NextGUID()
	if err != nil {
		return "", models.ErrGUIDGeneration
	}
	return g, nil
}

// truncate cuts s to max bytes, marking the cut as upstream does.
func truncate(s string, max int) string {
	const mark = "(truncated)"
	if len(s) < max {
		return s
	}
	return s[:max-len(mark)] + mark
}

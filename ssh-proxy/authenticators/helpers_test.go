package authenticators

import (
	"context"
	"net"
	"sync"

	"code.cloudfoundry.org/lager/v3"
	"golang.org/x/crypto/ssh"

	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/proto/models"
)

// connMeta is a fixed ssh.ConnMetadata.
type connMeta struct{ user string }

func (m connMeta) User() string          { return m.user }
func (m connMeta) SessionID() []byte     { return []byte("session") }
func (m connMeta) ClientVersion() []byte { return []byte("SSH-2.0-test") }
func (m connMeta) ServerVersion() []byte { return []byte("SSH-2.0-diego-ssh-proxy") }
func (m connMeta) RemoteAddr() net.Addr  { return &net.TCPAddr{IP: net.IPv4(10, 0, 0, 9), Port: 5555} }
func (m connMeta) LocalAddr() net.Addr   { return &net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 2222} }

// recordingBuilder records Build calls and answers with fixed permissions.
type recordingBuilder struct {
	mu    sync.Mutex
	calls []buildCall
	perms *ssh.Permissions
	err   error
}

type buildCall struct {
	processGUID string
	index       int
}

func (b *recordingBuilder) Build(_ lager.Logger, processGUID string, index int, _ ssh.ConnMetadata) (*ssh.Permissions, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls = append(b.calls, buildCall{processGUID, index})
	return b.perms, b.err
}

func (b *recordingBuilder) Calls() []buildCall {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]buildCall(nil), b.calls...)
}

// lrpTable is an in-memory LRPSource.
type lrpTable struct {
	actuals    []*models.ActualLRP
	desired    map[string]*models.DesiredLRP
	actualErr  error
	desiredErr error
	filters    []bbsclient.ActualLRPFilter
}

func (s *lrpTable) ActualLRPs(_ context.Context, f bbsclient.ActualLRPFilter) ([]*models.ActualLRP, error) {
	s.filters = append(s.filters, f)
	if s.actualErr != nil {
		return nil, s.actualErr
	}
	var out []*models.ActualLRP
	for _, a := range s.actuals {
		if a.GetActualLrpKey().GetProcessGuid() == f.ProcessGUID && (f.Index == nil || a.GetActualLrpKey().GetIndex() == *f.Index) {
			out = append(out, a)
		}
	}
	return out, nil
}

func (s *lrpTable) DesiredLRPByProcessGuid(_ context.Context, guid string) (*models.DesiredLRP, error) {
	if s.desiredErr != nil {
		return nil, s.desiredErr
	}
	d, ok := s.desired[guid]
	if !ok {
		return nil, models.ErrResourceNotFound
	}
	return d, nil
}

func testLogger() lager.Logger { return lager.NewLogger("test") }

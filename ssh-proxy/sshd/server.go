package sshd

import (
	"errors"
	"net"
	"os"
	"sync"
	"time"

	"code.cloudfoundry.org/lager/v3"
)

// IdleConnectionTimeout closes a connection with no traffic for this long
// (upstream's 5 minutes; session keepalives count as traffic).
const IdleConnectionTimeout = 5 * time.Minute

// Server accepts connections on an address and hands each to a Daemon. It
// is an ifrit runner.
type Server struct {
	logger      lager.Logger
	address     string
	daemon      *Daemon
	idleTimeout time.Duration

	mu       sync.Mutex
	listener net.Listener
	conns    map[net.Conn]struct{}
	stopping bool
}

// NewServer returns a server for address.
func NewServer(logger lager.Logger, address string, daemon *Daemon) *Server {
	return &Server{
		logger:      logger.Session("server"),
		address:     address,
		daemon:      daemon,
		idleTimeout: IdleConnectionTimeout,
		conns:       map[net.Conn]struct{}{},
	}
}

// Addr is the listening address once the server is ready.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener == nil {
		return nil
	}
	return s.listener.Addr()
}

// Run listens, serves until signalled, then closes the listener and every
// open connection.
func (s *Server) Run(signals <-chan os.Signal, ready chan<- struct{}) error {
	listener, err := net.Listen("tcp", s.address)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.listener = listener
	s.mu.Unlock()
	s.logger.Info("listening", lager.Data{"address": listener.Addr().String()})

	served := make(chan error, 1)
	go func() { served <- s.serve(listener) }()
	close(ready)

	select {
	case <-signals:
		s.shutdown()
		<-served
		return nil
	case err := <-served:
		s.shutdown()
		return err
	}
}

func (s *Server) serve(listener net.Listener) error {
	for {
		conn, err := listener.Accept()
		if err != nil {
			s.mu.Lock()
			stopping := s.stopping
			s.mu.Unlock()
			if stopping || errors.Is(err, net.ErrClosed) {
				return nil
			}
			var netErr net.Error
			if errors.As(err, &netErr) && netErr.Timeout() {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			return err
		}
		if s.idleTimeout > 0 {
			conn = &idleConn{Conn: conn, timeout: s.idleTimeout}
		}
		if !s.track(conn) {
			_ = conn.Close()
			continue
		}
		go func() {
			defer s.untrack(conn)
			s.daemon.HandleConnection(conn)
		}()
	}
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
}

func (s *Server) shutdown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return
	}
	s.stopping = true
	s.logger.Info("stopping")
	_ = s.listener.Close()
	for c := range s.conns {
		_ = c.Close()
	}
}

// idleConn pushes its deadline forward on every read and write, so only a
// connection silent in both directions times out.
type idleConn struct {
	net.Conn
	timeout time.Duration
}

func (c *idleConn) Read(b []byte) (int, error) {
	if err := c.Conn.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

func (c *idleConn) Write(b []byte) (int, error) {
	if err := c.Conn.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}

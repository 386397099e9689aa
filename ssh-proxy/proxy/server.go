package proxy

import (
	"errors"
	"net"
	"os"
	"sync"
	"time"

	"code.cloudfoundry.org/lager/v3"
)

// ConnectionHandler serves one accepted connection.
type ConnectionHandler interface {
	HandleConnection(net.Conn)
}

// Server is the ifrit runner that listens for clients and hands each
// connection to a handler. With an idle timeout, a connection that moves no
// bytes in either direction for that long is closed. On a signal it stops
// listening, closes every open connection and waits for their handlers.
type Server struct {
	logger      lager.Logger
	address     string
	handler     ConnectionHandler
	idleTimeout time.Duration

	mu       sync.Mutex
	listener net.Listener
	conns    map[net.Conn]struct{}
	stopping bool
	handlers sync.WaitGroup
}

// NewServer returns a server for address (host:port).
func NewServer(logger lager.Logger, address string, handler ConnectionHandler, idleTimeout time.Duration) *Server {
	return &Server{logger: logger.Session("server"), address: address, handler: handler, idleTimeout: idleTimeout,
		conns: map[net.Conn]struct{}{}}
}

// Run listens, signals ready, serves until signalled, then shuts down.
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

// Addr is the address the server listens on, once running.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener == nil {
		return nil
	}
	return s.listener.Addr()
}

func (s *Server) serve(listener net.Listener) error {
	for {
		conn, err := listener.Accept()
		if err != nil {
			if s.isStopping() {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				s.logger.Error("accept-failed", err)
				return err
			}
			// Running out of file descriptors and the like pass: back off.
			s.logger.Error("accept-temporary-error", err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if s.idleTimeout > 0 {
			conn = &idleTimeoutConn{Conn: conn, timeout: s.idleTimeout}
		}
		s.track(conn)
	}
}

func (s *Server) isStopping() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopping
}

func (s *Server) track(conn net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		conn.Close()
		return
	}
	s.conns[conn] = struct{}{}
	s.handlers.Add(1)
	go func() {
		defer func() {
			s.mu.Lock()
			delete(s.conns, conn)
			s.mu.Unlock()
			s.handlers.Done()
		}()
		s.handler.HandleConnection(conn)
	}()
}

func (s *Server) shutdown() {
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		return
	}
	s.stopping = true
	s.logger.Info("stopping-server")
	if s.listener != nil {
		s.listener.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.handlers.Wait()
}

// idleTimeoutConn pushes its deadline forward on every read and write, so
// the connection fails once it has been idle for timeout.
type idleTimeoutConn struct {
	net.Conn
	timeout time.Duration
}

func (c *idleTimeoutConn) Read(b []byte) (int, error) {
	if err := c.Conn.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

func (c *idleTimeoutConn) Write(b []byte) (int, error) {
	if err := c.Conn.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}

package proxy

import (
	"fmt"
	"net"
	"sync"

	"code.cloudfoundry.org/lager/v3"
	"golang.org/x/crypto/ssh"
)

// AppLogSource is the source type of the app log lines the proxy writes.
const AppLogSource = "SSH"

// AppLogger receives the app log lines announcing the start and end of a
// remote session (loggregator upstream).
type AppLogger interface {
	SendAppLog(message, sourceType string, tags map[string]string) error
}

// LagerAppLogger writes app log lines to the daemon's own log.
type LagerAppLogger struct{ Logger lager.Logger }

// SendAppLog logs the line as an "app-log" entry.
func (l LagerAppLogger) SendAppLog(message, sourceType string, tags map[string]string) error {
	l.Logger.Info("app-log", lager.Data{"message": message, "source_type": sourceType, "tags": tags})
	return nil
}

// Proxy handles client connections.
type Proxy struct {
	logger  lager.Logger
	server  *ssh.ServerConfig
	backend Backend
	appLogs AppLogger
	// onConnections, when set, is told the number of open sessions.
	onConnections func(n int)

	mu          sync.Mutex
	connections int
}

// New returns a proxy authenticating clients with server and reaching
// backends as backend says. appLogs may be nil (app log lines then go to
// logger); onConnections may be nil.
func New(logger lager.Logger, server *ssh.ServerConfig, backend Backend, appLogs AppLogger, onConnections func(int)) *Proxy {
	if appLogs == nil {
		appLogs = LagerAppLogger{Logger: logger}
	}
	return &Proxy{logger: logger, server: server, backend: backend, appLogs: appLogs, onConnections: onConnections}
}

// HandleConnection serves one client connection until it ends: handshake
// and authentication, the backend connection, then splicing.
func (p *Proxy) HandleConnection(netConn net.Conn) {
	logger := p.logger.Session("handle-connection", lager.Data{"remote": netConn.RemoteAddr().String()})
	defer netConn.Close()

	serverConn, serverChans, serverReqs, err := ssh.NewServerConn(netConn, p.server)
	if err != nil {
		logger.Debug("handshake-failed", lager.Data{"error": err.Error()})
		return
	}
	defer serverConn.Close()

	target, err := TargetFrom(serverConn.Permissions)
	if err != nil {
		logger.Error("permissions-and-critical-options-required", err)
		return
	}
	clientConn, clientChans, clientReqs, err := p.backend.Dial(logger, target)
	if err != nil {
		return
	}
	defer clientConn.Close()

	msg, haveMsg, err := LogMessageFrom(serverConn.Permissions)
	if err != nil {
		logger.Error("json-unmarshal-failed", err)
	}
	if haveMsg {
		p.appLog(logger, msg.Message, msg.Tags)
		defer p.appLog(logger, fmt.Sprintf("Remote access ended for %s", serverConn.RemoteAddr()), msg.Tags)
	}

	fromClient := logger.Session("from-client")
	fromDaemon := logger.Session("from-daemon")
	go forwardGlobalRequests(fromClient, clientConn, serverReqs)
	go forwardGlobalRequests(fromDaemon, serverConn, clientReqs)
	go forwardChannels(fromClient, clientConn, serverChans)
	go forwardChannels(fromDaemon, serverConn, clientChans)

	p.countConnection(+1)
	defer p.countConnection(-1)

	var both sync.WaitGroup
	for _, c := range []ssh.Conn{serverConn, clientConn} {
		both.Add(1)
		go func() {
			defer both.Done()
			_ = c.Wait()
		}()
	}
	both.Wait()
}

func (p *Proxy) appLog(logger lager.Logger, message string, tags map[string]string) {
	if err := p.appLogs.SendAppLog(message, AppLogSource, tags); err != nil {
		logger.Debug("failed-to-send-app-log", lager.Data{"error": err.Error()})
	}
}

func (p *Proxy) countConnection(delta int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.connections += delta
	if p.onConnections != nil {
		p.onConnections(p.connections)
	}
}

// Connections is the number of sessions currently spliced.
func (p *Proxy) Connections() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.connections
}

package devrouter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"github.com/nats-io/nats.go"

	"github.com/godiego/diego/internal/metrics"
)

// NATS subjects of the router protocol (route-emitter:emitter/nats_emitter.go).
const (
	SubjectGreet      = "router.greet"
	SubjectStart      = "router.start"
	SubjectRegister   = "router.register"
	SubjectUnregister = "router.unregister"
)

// StartMessage is what router.start carries: how often emitters must
// re-register, and after how long an endpoint that was not re-registered
// is dropped.
type StartMessage struct {
	MinimumRegisterIntervalInSeconds int `json:"minimumRegisterIntervalInSeconds"`
	PruneThresholdInSeconds          int `json:"pruneThresholdInSeconds"`
}

// Router is the dev-router daemon: an ifrit runner that listens, follows
// the NATS route protocol and prunes stale endpoints.
type Router struct {
	cfg    Config
	logger lager.Logger
	table  *Table
	now    func() time.Time

	messages      *metrics.Counter
	addr          net.Addr
	reconnectWait time.Duration
}

// New returns a router for cfg. reg may be nil.
func New(cfg Config, logger lager.Logger, reg *metrics.Registry) *Router {
	r := &Router{cfg: cfg, logger: logger, table: NewTable(), now: time.Now, reconnectWait: 500 * time.Millisecond}
	if reg != nil {
		r.messages = reg.Counter("dev_router_nats_messages_total", "NATS route messages handled, by subject.", "subject")
		reg.GaugeFunc("dev_router_routes", "Routes in the table.", func() float64 { return float64(len(r.table.Snapshot())) })
	}
	return r
}

// Table returns the router's route table.
func (r *Router) Table() *Table { return r.table }

// Addr is the HTTP listener's address, valid once the runner is ready.
func (r *Router) Addr() net.Addr { return r.addr }

// Start returns the router.start announcement for the configured timings.
func (r *Router) Start() StartMessage {
	return StartMessage{
		MinimumRegisterIntervalInSeconds: int(r.cfg.MinimumRegisterInterval.D() / time.Second),
		PruneThresholdInSeconds:          int(r.cfg.PruneStaleAfter.D() / time.Second),
	}
}

// Run connects to NATS, subscribes, announces router.start, serves HTTP on
// listen_address and prunes stale endpoints until signalled.
func (r *Router) Run(signals <-chan os.Signal, ready chan<- struct{}) error {
	listener, err := net.Listen("tcp", r.cfg.ListenAddress)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", r.cfg.ListenAddress, err)
	}
	defer listener.Close()

	start, err := json.Marshal(r.Start())
	if err != nil {
		return err
	}
	nc, err := r.connect(start)
	if err != nil {
		return err
	}
	defer nc.Close()
	if err := r.subscribe(nc, start); err != nil {
		return err
	}
	if err := nc.Publish(SubjectStart, start); err != nil {
		return fmt.Errorf("publishing %s: %w", SubjectStart, err)
	}
	if err := nc.Flush(); err != nil {
		return fmt.Errorf("flushing NATS: %w", err)
	}

	server := &http.Server{Handler: NewProxy(r.table, r.logger.Session("proxy")), ReadHeaderTimeout: 30 * time.Second}
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	r.addr = listener.Addr()
	r.logger.Info("listening", lager.Data{"address": r.addr.String(), "nats": r.cfg.NATSURLs()})
	close(ready)

	ticker := time.NewTicker(r.cfg.PruneInterval.D())
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			r.prune()
		case err := <-served:
			return fmt.Errorf("serving HTTP: %w", err)
		case <-signals:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := server.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
				return err
			}
			return nil
		}
	}
}

func (r *Router) connect(start []byte) (*nats.Conn, error) {
	opts := []nats.Option{
		nats.Name("dev-router"),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(r.reconnectWait),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			r.logger.Info("nats-disconnected", lager.Data{"error": fmt.Sprint(err)})
		}),
		// After an outage, ask emitters to register everything again.
		nats.ReconnectHandler(func(nc *nats.Conn) {
			r.logger.Info("nats-reconnected", lager.Data{"url": nc.ConnectedUrl()})
			_ = nc.Publish(SubjectStart, start)
		}),
	}
	if r.cfg.NATSUsername != "" || r.cfg.NATSPassword != "" {
		opts = append(opts, nats.UserInfo(r.cfg.NATSUsername, r.cfg.NATSPassword))
	}
	nc, err := nats.Connect(r.cfg.NATSURLs(), opts...)
	if err != nil {
		return nil, fmt.Errorf("connecting to NATS at %s: %w", r.cfg.NATSURLs(), err)
	}
	return nc, nil
}

func (r *Router) subscribe(nc *nats.Conn, start []byte) error {
	handlers := map[string]nats.MsgHandler{
		SubjectGreet: func(m *nats.Msg) {
			r.count(SubjectGreet)
			if m.Reply != "" {
				_ = nc.Publish(m.Reply, start)
			}
		},
		SubjectRegister: func(m *nats.Msg) {
			r.count(SubjectRegister)
			if msg, ok := r.decode(m); ok {
				if r.table.Register(msg, r.now()) > 0 {
					r.logger.Debug("registered", lager.Data{"uris": msg.URIs, "address": msg.Address()})
				}
			}
		},
		SubjectUnregister: func(m *nats.Msg) {
			r.count(SubjectUnregister)
			if msg, ok := r.decode(m); ok {
				if r.table.Unregister(msg) > 0 {
					r.logger.Debug("unregistered", lager.Data{"uris": msg.URIs, "address": msg.Address()})
				}
			}
		},
	}
	for subject, handler := range handlers {
		if _, err := nc.Subscribe(subject, handler); err != nil {
			return fmt.Errorf("subscribing to %s: %w", subject, err)
		}
	}
	return nil
}

func (r *Router) decode(m *nats.Msg) (RegistryMessage, bool) {
	var msg RegistryMessage
	if err := json.Unmarshal(m.Data, &msg); err != nil {
		r.logger.Error("invalid-registry-message", err, lager.Data{"subject": m.Subject})
		return msg, false
	}
	return msg, true
}

func (r *Router) count(subject string) {
	if r.messages != nil {
		r.messages.With(subject).Inc()
	}
}

func (r *Router) prune() {
	for route, addrs := range r.table.Prune(r.now(), r.cfg.PruneStaleAfter.D()) {
		r.logger.Info("pruned-stale-endpoints", lager.Data{"route": route, "addresses": addrs})
	}
}

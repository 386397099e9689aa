// Package emitter sends the routing table's messages to routers over NATS:
// router.register / router.unregister for external routes and the
// service-discovery.* subjects for internal routes. It also runs the greeting
// protocol (router.greet until a router.start arrives) that tells the
// route-emitter how often routers want a full emission.
package emitter

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/godiego/diego/route-emitter/routingtable"
)

// NATS subjects.
const (
	RouterGreet      = "router.greet"
	RouterStart      = "router.start"
	RouterRegister   = "router.register"
	RouterUnregister = "router.unregister"

	ServiceDiscoveryGreet      = "service-discovery.greet"
	ServiceDiscoveryStart      = "service-discovery.start"
	ServiceDiscoveryRegister   = "service-discovery.register"
	ServiceDiscoveryUnregister = "service-discovery.unregister"
)

// StartMessage is what routers publish on router.start and answer a greet with.
type StartMessage struct {
	MinimumRegisterIntervalInSeconds int `json:"minimumRegisterIntervalInSeconds"`
	PruneThresholdInSeconds          int `json:"pruneThresholdInSeconds"`
}

// Publisher is the part of a NATS connection the emitter uses.
type Publisher interface {
	Publish(subject string, data []byte) error
}

// NATSEmitter publishes registry messages.
type NATSEmitter struct {
	pub          Publisher
	emitInternal bool
	registered   func(n int) // metrics hooks, may be nil
	unregistered func(n int)
}

// NewNATSEmitter returns an emitter on pub. Internal routes are sent only
// when emitInternal is set (upstream's enable_internal_emitter).
func NewNATSEmitter(pub Publisher, emitInternal bool) *NATSEmitter {
	return &NATSEmitter{pub: pub, emitInternal: emitInternal}
}

// Emit publishes every message. It keeps going after a failed publish and
// returns the first error.
func (e *NATSEmitter) Emit(m routingtable.Messages) error {
	var first error
	send := func(subject string, msgs []routingtable.RegistryMessage) {
		for i := range msgs {
			data, err := json.Marshal(&msgs[i])
			if err == nil {
				err = e.pub.Publish(subject, data)
			}
			if err != nil && first == nil {
				first = fmt.Errorf("publishing %s: %w", subject, err)
			}
		}
	}
	send(RouterRegister, m.Registrations)
	send(RouterUnregister, m.Unregistrations)
	if e.emitInternal {
		send(ServiceDiscoveryRegister, m.InternalRegistrations)
		send(ServiceDiscoveryUnregister, m.InternalUnregistrations)
	}
	return first
}

// Greeter asks routers for their register interval: it publishes a greet
// (with a reply inbox) every retry until a start message arrives on the
// start subject or the inbox, and delivers every start message after that.
type Greeter struct {
	conn         *nats.Conn
	greetSubject string
	startSubject string
	retry        time.Duration
}

// NewGreeter returns a greeter for router.* (internal=false) or
// service-discovery.* (internal=true).
func NewGreeter(conn *nats.Conn, internal bool, retry time.Duration) *Greeter {
	g := &Greeter{conn: conn, greetSubject: RouterGreet, startSubject: RouterStart, retry: retry}
	if internal {
		g.greetSubject, g.startSubject = ServiceDiscoveryGreet, ServiceDiscoveryStart
	}
	return g
}

// Run greets until the first start message and then keeps delivering start
// messages on starts until stop is closed.
func (g *Greeter) Run(starts chan<- StartMessage, stop <-chan struct{}) error {
	received := make(chan StartMessage, 16)
	handler := func(msg *nats.Msg) {
		var start StartMessage
		if err := json.Unmarshal(msg.Data, &start); err != nil || start.MinimumRegisterIntervalInSeconds <= 0 {
			return
		}
		select {
		case received <- start:
		default:
		}
	}
	sub, err := g.conn.Subscribe(g.startSubject, handler)
	if err != nil {
		return err
	}
	defer sub.Unsubscribe()
	inbox := nats.NewInbox()
	replies, err := g.conn.Subscribe(inbox, handler)
	if err != nil {
		return err
	}
	defer replies.Unsubscribe()

	greet := func() { _ = g.conn.PublishRequest(g.greetSubject, inbox, nil) }
	greet()
	ticker := time.NewTicker(g.retry)
	defer ticker.Stop()
	greeted := false
	for {
		select {
		case <-stop:
			return nil
		case <-ticker.C:
			if !greeted {
				greet()
			}
		case start := <-received:
			greeted = true
			select {
			case starts <- start:
			case <-stop:
				return nil
			}
		}
	}
}

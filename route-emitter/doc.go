// Package routeemitter runs the route-emitter: it keeps a routing table in
// step with the BBS (instance events as they happen, plus a full resync
// every sync interval) and sends routers what changed at once, the whole
// table on the routers' register interval, and repeated unregistrations.
// With enable_internal_emitter it also greets service-discovery and re-sends
// internal routes on that interval; with enable_tcp_emitter it maps TCP
// routes through the routing API, on change and on every router interval
// (refreshing their TTL).
//
// Folders: routingtable/ is the pure decision core, emitter/ the NATS side,
// routingapi/ the routing API and UAA side; this package wires them to the
// BBS.
package routeemitter

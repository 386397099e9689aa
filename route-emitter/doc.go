// Package routeemitter runs the route-emitter: it keeps a routing table in
// step with the BBS (instance events as they happen, plus a full resync
// every sync interval) and sends routers what changed at once, the whole
// table on the routers' register interval, and repeated unregistrations.
//
// Folders: routingtable/ is the pure decision core, emitter/ the NATS side;
// this package wires them to the BBS.
package routeemitter

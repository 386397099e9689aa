// Package client owns the rep's wire contract: the JSON types the rep serves and accepts
// (CellState, Work, LRP, Task, LRPUpdate, container metrics, evacuation reply), the pure helpers
// the auction needs on them (resource matching, scoring, rootfs / volume-driver / placement-tag
// matching), and an HTTP client for both rep servers (the network API on :1801 and the admin API
// on 127.0.0.1:1800).
//
// The JSON field names and shapes are byte-for-byte those of upstream code.cloudfoundry.org/rep
// (resources.go, rootfs_providers.go, routes.go), so an upstream auctioneer, BBS or cfdot can
// talk to our rep and our auctioneer can talk to an upstream rep.
package client

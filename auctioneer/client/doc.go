// Package client owns the auctioneer's wire contract: the LRPStartRequest and
// TaskStartRequest bodies of POST /v1/lrps and POST /v1/tasks (upstream
// code.cloudfoundry.org/auctioneer resources.go and routes.go, same JSON), their validation,
// and an mTLS HTTP client the BBS uses to ask for auctions.
package client

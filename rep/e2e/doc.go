// Package e2e holds the rep's end-to-end tests: real locket, bbs, garden
// and rep processes, with a small recorder standing in for the auctioneer
// that hands the BBS's start requests to the reps' /work directly.
package e2e

// Package auctioneer runs the auctioneer: it accepts LRP and task start
// requests over HTTP, collects them into batches, and in each auction round
// fetches every cell's state, asks the pure placement core (placement/) where
// the batch goes, sends each cell its work, and reports what could not be
// placed to the BBS.
//
// Folders: placement/ is the decision core, client/ the client package other
// components use to call the auctioneer.
package auctioneer

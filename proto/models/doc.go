// Package models owns the BBS data model: the protobuf messages exchanged
// with the BBS (generated from the .proto files in this directory, wire
// compatible with Cloud Foundry's bbs models) and the hand-written rules that
// go with them: the error catalogue, validation, the ActualLRP and Task state
// machines, the crash restart policy and the down-conversions served to older
// API versions.
//
// Everything here is pure: no I/O, no clocks (callers pass "now"), so the BBS
// server, its clients and tests can share one definition of the rules.
package models

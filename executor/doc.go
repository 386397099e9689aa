// Package executor owns the cell's container model: the container record
// and its lifecycle states (reserved → initializing → created → running →
// completed), the resources a container asks for and the cell's ledger of
// them, the run request the rep builds from BBS records, and the events the
// executor emits. The depot package implements the lifecycle on Garden; the
// steps and transformer packages run what a container does; cache and
// applog hold downloads and app logs.
package executor

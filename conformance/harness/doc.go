// Package harness is the shared kit of the conformance suites: each suite
// (locket today; bbs, rep, cfdot later) starts our binaries from
// $DIEGO_BIN as real processes and drives them with upstream's own
// clients. The harness makes certificates, finds free ports, creates fresh
// SQL databases, starts a binary with a JSON config, waits for it to
// listen, and stops it. It never imports the product module.
package harness

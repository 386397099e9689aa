// Package rep owns the cell representative: what it tells the auction about
// the cell (State, Perform), its presence in Locket, how BBS records become
// executor run requests and executor containers become BBS net info, and the
// interfaces it needs from the executor and the BBS. Sync with the BBS
// (reconcile, harmonizer), evacuation and the HTTP API live in subpackages.
package rep

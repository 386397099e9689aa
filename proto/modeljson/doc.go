// Package modeljson owns the JSON form of the BBS and Locket models as
// upstream Diego's tools print and read it: encoding/json applied to the
// gogo-generated structs of code.cloudfoundry.org/bbs/models and
// code.cloudfoundry.org/locket/models. That form differs from protojson in
// many ways (gogoproto jsontag names with or without omitempty, embedded
// messages flattened into their parent, oneofs rendered as wrapper objects
// under the Go field name, enums by name, hand-written codecs for a few
// messages), so cfdot uses this package to print and parse models.
//
// The layout of every message is data (layout_spec.go), interpreted over
// protoreflect by one generic encoder and decoder; the few hand-written
// upstream codecs are in custom.go.
//
// Fidelity: a differential test (outside this repository, since it needs
// upstream's types) marshalled 11,300 random values of all 113 messages both
// ways with no difference. Decoding is deliberately more lenient in one
// place: upstream's encoding/json cannot decode the oneof wrapper objects
// it writes (e.g. "OptionalRoutable":{"routable":true}); this package reads
// them, so everything it writes it can read back.
package modeljson

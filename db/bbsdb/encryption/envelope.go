package encryption

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"
)

// Envelope header: format PROTO (2), version 0.
const (
	envelopeProto   = 2
	envelopeVersion = 0
	envelopeOffset  = 2
)

// ErrBadEnvelope is wrapped when an envelope cannot be opened.
var ErrBadEnvelope = errors.New("could not open envelope")

// MarshalEnvelope returns 0x02 0x00 followed by the protobuf encoding of m.
func MarshalEnvelope(m proto.Message) ([]byte, error) {
	body, err := proto.Marshal(m)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, envelopeOffset+len(body))
	out = append(out, envelopeProto, envelopeVersion)
	return append(out, body...), nil
}

// UnmarshalEnvelope decodes an envelope into m. Like upstream it does not
// insist on the version byte, only on the proto format.
func UnmarshalEnvelope(data []byte, m proto.Message) error {
	if len(data) < envelopeOffset {
		return fmt.Errorf("%w: %d bytes", ErrBadEnvelope, len(data))
	}
	if data[0] != envelopeProto {
		return fmt.Errorf("%w: unknown format %d", ErrBadEnvelope, data[0])
	}
	if err := proto.Unmarshal(data[envelopeOffset:], m); err != nil {
		return fmt.Errorf("%w: %w", ErrBadEnvelope, err)
	}
	return nil
}

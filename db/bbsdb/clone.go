package bbsdb

import "google.golang.org/protobuf/proto"

// protoClone deep-copies a message.
func protoClone[T proto.Message](m T) T {
	return proto.Clone(m).(T)
}

// Package locketmodels holds the Locket wire types (generated from
// locket.proto, gRPC service `models.Locket`) and the rules that belong to
// them: the type names, filling in whichever of type and type_code a client
// left out, request validation and the gRPC errors the server returns.
package locketmodels

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The two resource type names, as stored in the `type` column.
const (
	LockType     = "lock"
	PresenceType = "presence"
)

// The errors the Locket server returns, with upstream's codes and messages.
var (
	ErrLockCollision    = status.Error(codes.AlreadyExists, "lock-collision")
	ErrInvalidTTL       = status.Error(codes.InvalidArgument, "invalid-ttl")
	ErrInvalidOwner     = status.Error(codes.InvalidArgument, "invalid-owner")
	ErrResourceNotFound = status.Error(codes.NotFound, "resource-not-found")
	ErrInvalidType      = status.Error(codes.NotFound, "invalid-type")
)

// TypeCodeOf maps a type name to its code (UNKNOWN for anything else).
func TypeCodeOf(typeName string) TypeCode {
	switch typeName {
	case LockType:
		return TypeCode_LOCK
	case PresenceType:
		return TypeCode_PRESENCE
	}
	return TypeCode_UNKNOWN
}

// TypeName returns the type name a resource stands for: the name of its
// type code when set, else its type string as given.
func TypeName(typeName string, code TypeCode) string {
	switch code {
	case TypeCode_LOCK:
		return LockType
	case TypeCode_PRESENCE:
		return PresenceType
	}
	return typeName
}

// Normalized returns a copy of r with both type and type_code filled in
// from whichever the client set; type_code wins when both are.
func Normalized(r *Resource) *Resource {
	out := &Resource{Key: r.GetKey(), Owner: r.GetOwner(), Value: r.GetValue()}
	if r.GetTypeCode() == TypeCode_UNKNOWN {
		out.Type = r.GetType()
		out.TypeCode = TypeCodeOf(r.GetType())
	} else {
		out.TypeCode = r.GetTypeCode()
		out.Type = TypeName(r.GetType(), r.GetTypeCode())
	}
	return out
}

// ValidateType checks a (type, type_code) pair as the server does for Lock
// and FetchAll: the code must be known; without a code the name must be
// "lock" or "presence"; with both, they must agree. It returns
// ErrInvalidType otherwise.
func ValidateType(typeName string, code TypeCode) error {
	if _, known := TypeCode_name[int32(code)]; !known {
		return ErrInvalidType
	}
	switch code {
	case TypeCode_UNKNOWN:
		if typeName != LockType && typeName != PresenceType {
			return ErrInvalidType
		}
	case TypeCode_LOCK:
		if typeName != "" && typeName != LockType {
			return ErrInvalidType
		}
	case TypeCode_PRESENCE:
		if typeName != "" && typeName != PresenceType {
			return ErrInvalidType
		}
	}
	return nil
}

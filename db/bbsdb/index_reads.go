package bbsdb

import (
	"context"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/godiego/diego/proto/models"
)

// ActualLRPs returns the rows filter selects from the index.
func (x *Indexed) ActualLRPs(ctx context.Context, filter ActualLRPFilter) ([]*models.ActualLRP, error) {
	x.mu.RLock()
	if !x.loaded {
		x.mu.RUnlock()
		return x.inner.ActualLRPs(ctx, filter)
	}
	entries := x.actualEntries(filter)
	x.mu.RUnlock()
	out := make([]*models.ActualLRP, len(entries))
	for i, e := range entries {
		out[i] = decode(e.raw, &models.ActualLRP{})
	}
	return out, nil
}

// DesiredLRPs returns the desired LRPs filter selects from the index.
func (x *Indexed) DesiredLRPs(ctx context.Context, filter DesiredLRPFilter) ([]*models.DesiredLRP, error) {
	x.mu.RLock()
	if !x.loaded {
		x.mu.RUnlock()
		return x.inner.DesiredLRPs(ctx, filter)
	}
	entries := x.desiredEntries(filter, true)
	x.mu.RUnlock()
	out := make([]*models.DesiredLRP, len(entries))
	for i, e := range entries {
		out[i] = decode(e.raw, &models.DesiredLRP{})
	}
	return out, nil
}

// DesiredLRPByProcessGuid returns one desired LRP or ResourceNotFound.
func (x *Indexed) DesiredLRPByProcessGuid(ctx context.Context, pg string) (*models.DesiredLRP, error) {
	x.mu.RLock()
	if !x.loaded {
		x.mu.RUnlock()
		return x.inner.DesiredLRPByProcessGuid(ctx, pg)
	}
	e := x.desired[pg]
	x.mu.RUnlock()
	if e == nil {
		return nil, models.ErrResourceNotFound
	}
	return decode(e.raw, &models.DesiredLRP{}), nil
}

// DesiredLRPSchedulingInfos returns the scheduling infos filter selects.
func (x *Indexed) DesiredLRPSchedulingInfos(ctx context.Context, filter DesiredLRPFilter) ([]*models.DesiredLRPSchedulingInfo, error) {
	x.mu.RLock()
	if !x.loaded {
		x.mu.RUnlock()
		return x.inner.DesiredLRPSchedulingInfos(ctx, filter)
	}
	entries := x.desiredEntries(filter, true)
	x.mu.RUnlock()
	out := make([]*models.DesiredLRPSchedulingInfo, len(entries))
	for i, e := range entries {
		out[i] = decode(e.scheduling, &models.DesiredLRPSchedulingInfo{})
	}
	return out, nil
}

// DesiredLRPRoutingInfos returns the routing views filter selects (its
// domain is ignored, as the store's read does).
func (x *Indexed) DesiredLRPRoutingInfos(ctx context.Context, filter DesiredLRPFilter) ([]*models.DesiredLRP, error) {
	x.mu.RLock()
	if !x.loaded {
		x.mu.RUnlock()
		return x.inner.DesiredLRPRoutingInfos(ctx, filter)
	}
	entries := x.desiredEntries(filter, false)
	x.mu.RUnlock()
	out := make([]*models.DesiredLRP, len(entries))
	for i, e := range entries {
		out[i] = decode(e.routing, &models.DesiredLRP{})
	}
	return out, nil
}

// Tasks returns the tasks filter selects.
func (x *Indexed) Tasks(ctx context.Context, filter TaskFilter) ([]*models.Task, error) {
	x.mu.RLock()
	if !x.loaded {
		x.mu.RUnlock()
		return x.inner.Tasks(ctx, filter)
	}
	entries := x.taskEntries(filter)
	x.mu.RUnlock()
	out := make([]*models.Task, len(entries))
	for i, e := range entries {
		out[i] = decode(e.raw, &models.Task{})
	}
	return out, nil
}

// TaskByGuid returns one task or ResourceNotFound.
func (x *Indexed) TaskByGuid(ctx context.Context, guid string) (*models.Task, error) {
	x.mu.RLock()
	if !x.loaded {
		x.mu.RUnlock()
		return x.inner.TaskByGuid(ctx, guid)
	}
	e := x.tasks[guid]
	x.mu.RUnlock()
	if e == nil {
		return nil, models.ErrResourceNotFound
	}
	return decode(e.raw, &models.Task{}), nil
}

// EncodedActualLRPs appends to dst, as protobuf field `field` of a
// response message, every actual LRP filter selects, without decoding
// them. ok is false until the index is loaded.
func (x *Indexed) EncodedActualLRPs(dst []byte, field protowire.Number, filter ActualLRPFilter) (out []byte, ok bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if !x.loaded {
		return dst, false
	}
	entries := x.actualEntries(filter)
	return appendFields(dst, field, len(entries), func(i int) []byte { return entries[i].raw }), true
}

// EncodedSchedulingInfos is EncodedActualLRPs for scheduling infos.
func (x *Indexed) EncodedSchedulingInfos(dst []byte, field protowire.Number, filter DesiredLRPFilter) ([]byte, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if !x.loaded {
		return dst, false
	}
	entries := x.desiredEntries(filter, true)
	return appendFields(dst, field, len(entries), func(i int) []byte { return entries[i].scheduling }), true
}

// EncodedRoutingInfos is EncodedActualLRPs for routing infos (the
// filter's domain is ignored).
func (x *Indexed) EncodedRoutingInfos(dst []byte, field protowire.Number, filter DesiredLRPFilter) ([]byte, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if !x.loaded {
		return dst, false
	}
	entries := x.desiredEntries(filter, false)
	return appendFields(dst, field, len(entries), func(i int) []byte { return entries[i].routing }), true
}

func appendFields(dst []byte, field protowire.Number, n int, raw func(i int) []byte) []byte {
	size := 0
	for i := 0; i < n; i++ {
		l := len(raw(i))
		size += protowire.SizeTag(field) + protowire.SizeBytes(l)
	}
	if cap(dst)-len(dst) < size {
		grown := make([]byte, len(dst), len(dst)+size)
		copy(grown, dst)
		dst = grown
	}
	for i := 0; i < n; i++ {
		dst = protowire.AppendTag(dst, field, protowire.BytesType)
		dst = protowire.AppendBytes(dst, raw(i))
	}
	return dst
}

package executor

import (
	"errors"
	"testing"
)

func TestLedgerAllocatesUntilExhaustedAndFrees(t *testing.T) {
	l := NewLedger(ExecutorResources{MemoryMB: 1024, DiskMB: 2048, Containers: 2})
	big := Resource{MemoryMB: 1000, DiskMB: 10}
	small := Resource{MemoryMB: 24, DiskMB: 10}
	if err := l.Allocate(big); err != nil {
		t.Fatal(err)
	}
	if err := l.Allocate(Resource{MemoryMB: 25}); !errors.Is(err, ErrInsufficientResourcesAvailable) {
		t.Fatalf("memory over-allocated: %v", err)
	}
	if err := l.Allocate(small); err != nil {
		t.Fatal(err)
	}
	if err := l.Allocate(Resource{}); !errors.Is(err, ErrInsufficientResourcesAvailable) {
		t.Fatal("container slots over-allocated")
	}
	if got := l.Remaining(); got != (ExecutorResources{MemoryMB: 0, DiskMB: 2028, Containers: 0}) {
		t.Fatalf("remaining = %+v", got)
	}
	l.Free(big)
	if got := l.Remaining(); got != (ExecutorResources{MemoryMB: 1000, DiskMB: 2038, Containers: 1}) {
		t.Fatalf("remaining = %+v", got)
	}
	if l.Total() != (ExecutorResources{MemoryMB: 1024, DiskMB: 2048, Containers: 2}) {
		t.Fatal("total changed")
	}
}

func TestStateTransitions(t *testing.T) {
	order := []State{StateReserved, StateInitializing, StateCreated, StateRunning}
	for i, from := range order {
		for j, to := range order {
			want := j == i+1 || (from == StateRunning && to == StateRunning)
			if got := from.CanTransitionTo(to); got != want {
				t.Errorf("%s → %s = %v, want %v", from, to, got, want)
			}
		}
		if !from.CanTransitionTo(StateCompleted) {
			t.Errorf("%s → completed not allowed", from)
		}
	}
	if StateCompleted.CanTransitionTo(StateCompleted) || StateCompleted.CanTransitionTo(StateRunning) {
		t.Error("completed is final")
	}
}

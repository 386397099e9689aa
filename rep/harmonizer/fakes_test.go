package harmonizer

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/proto/models"
)

// fakeExecutor keeps containers in a map and records mutations.
type fakeExecutor struct {
	mu         sync.Mutex
	containers map[string]executor.Container
	calls      []string
	runErr     error
	files      map[string]string
	runs       []executor.RunRequest
}

func newFakeExecutor(cs ...executor.Container) *fakeExecutor {
	f := &fakeExecutor{containers: map[string]executor.Container{}, files: map[string]string{}}
	for _, c := range cs {
		f.containers[c.Guid] = c
	}
	return f
}

func (f *fakeExecutor) record(s string) { f.mu.Lock(); f.calls = append(f.calls, s); f.mu.Unlock() }

func (f *fakeExecutor) AllocateContainers([]executor.AllocationRequest) []executor.AllocationFailure {
	return nil
}
func (f *fakeExecutor) RunContainer(r executor.RunRequest) error {
	f.record("run " + r.Guid)
	f.mu.Lock()
	f.runs = append(f.runs, r)
	f.mu.Unlock()
	return f.runErr
}
func (f *fakeExecutor) StopContainer(guid string) error { f.record("stop " + guid); return nil }
func (f *fakeExecutor) DeleteContainer(guid string) error {
	f.record("delete " + guid)
	f.mu.Lock()
	delete(f.containers, guid)
	f.mu.Unlock()
	return nil
}
func (f *fakeExecutor) GetContainer(guid string) (executor.Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.containers[guid]
	if !ok {
		return c, executor.ErrContainerNotFound
	}
	return c, nil
}
func (f *fakeExecutor) ListContainers() []executor.Container {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []executor.Container
	for _, c := range f.containers {
		out = append(out, c)
	}
	return out
}
func (f *fakeExecutor) RemainingResources() executor.ExecutorResources {
	return executor.ExecutorResources{}
}
func (f *fakeExecutor) TotalResources() executor.ExecutorResources {
	return executor.ExecutorResources{}
}
func (f *fakeExecutor) Healthy() bool { return true }
func (f *fakeExecutor) Subscribe() (<-chan executor.Event, func()) {
	ch := make(chan executor.Event)
	return ch, func() {}
}
func (f *fakeExecutor) GetBulkMetrics() (map[string]executor.Metrics, error) { return nil, nil }
func (f *fakeExecutor) UpdateContainer(string, []string, map[string]string) error {
	return nil
}
func (f *fakeExecutor) GetFiles(guid, path string) (io.ReadCloser, error) {
	body, ok := f.files[guid+":"+path]
	if !ok {
		return nil, fmt.Errorf("no such file")
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "result", Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
	tw.Write([]byte(body))
	tw.Close()
	return io.NopCloser(&buf), nil
}

// fakeBBS records calls; errs maps a method name to the error it returns.
type fakeBBS struct {
	mu       sync.Mutex
	calls    []string
	errs     map[string]error
	keep     bool
	changed  bool
	lrps     []*models.ActualLRP
	tasks    []*models.Task
	desired  *models.DesiredLRP
	complete []string
}

func newFakeBBS() *fakeBBS {
	return &fakeBBS{errs: map[string]error{}, changed: true,
		desired: &models.DesiredLRP{ProcessGuid: "pg", LogGuid: "lg", Action: &models.Action{RunAction: &models.RunAction{Path: "/bin/true"}}}}
}

func (b *fakeBBS) call(name string, args ...any) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	parts := []string{name}
	for _, a := range args {
		parts = append(parts, fmt.Sprint(a))
	}
	b.calls = append(b.calls, strings.Join(parts, " "))
	return b.errs[name]
}

func (b *fakeBBS) ActualLRPs(ctx context.Context, f bbsclient.ActualLRPFilter) ([]*models.ActualLRP, error) {
	return b.lrps, b.call("ActualLRPs")
}
func (b *fakeBBS) ClaimActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey) error {
	return b.call("Claim", ik.GetInstanceGuid())
}
func (b *fakeBBS) StartActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey, net *models.ActualLRPNetInfo,
	routes []*models.ActualLRPInternalRoute, tags map[string]string, routable bool, zone string) error {
	return b.call("Start", ik.GetInstanceGuid(), net.GetAddress(), len(net.GetPorts()), routable, zone)
}
func (b *fakeBBS) CrashActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey, reason string) error {
	return b.call("Crash", ik.GetInstanceGuid(), reason)
}
func (b *fakeBBS) RemoveActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey) error {
	return b.call("Remove", ik.GetInstanceGuid())
}
func (b *fakeBBS) EvacuateClaimedActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey) (bool, error) {
	return b.keep, b.call("EvacuateClaimed", ik.GetInstanceGuid())
}
func (b *fakeBBS) EvacuateCrashedActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey, reason string) (bool, error) {
	return b.keep, b.call("EvacuateCrashed", ik.GetInstanceGuid(), reason)
}
func (b *fakeBBS) EvacuateStoppedActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey) (bool, error) {
	return b.keep, b.call("EvacuateStopped", ik.GetInstanceGuid())
}
func (b *fakeBBS) EvacuateRunningActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey, net *models.ActualLRPNetInfo,
	routes []*models.ActualLRPInternalRoute, tags map[string]string, routable bool, zone string) (bool, error) {
	return b.keep, b.call("EvacuateRunning", ik.GetInstanceGuid())
}
func (b *fakeBBS) RemoveEvacuatingActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey) error {
	return b.call("RemoveEvacuating", ik.GetInstanceGuid())
}
func (b *fakeBBS) DesiredLRPByProcessGuid(ctx context.Context, pg string) (*models.DesiredLRP, error) {
	return b.desired, b.call("Desired", pg)
}
func (b *fakeBBS) Tasks(ctx context.Context, f bbsclient.TaskFilter) ([]*models.Task, error) {
	return b.tasks, b.call("Tasks")
}
func (b *fakeBBS) TaskByGuid(ctx context.Context, guid string) (*models.Task, error) {
	return &models.Task{TaskGuid: guid, TaskDefinition: &models.TaskDefinition{ResultFile: "/tmp/result"}}, b.call("TaskByGuid", guid)
}
func (b *fakeBBS) StartTask(ctx context.Context, guid, cellID string) (bool, error) {
	return b.changed, b.call("StartTask", guid)
}
func (b *fakeBBS) CompleteTask(ctx context.Context, guid, cellID string, failed bool, reason, result string) error {
	return b.call("CompleteTask", guid, failed, reason, result)
}
func (b *fakeBBS) RejectTask(ctx context.Context, guid, reason string) error {
	return b.call("RejectTask", guid, reason)
}

package cfdot_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godiego/diego/proto/locketmodels"
	"github.com/godiego/diego/proto/models"
)

const lrpSpec = `{"process_guid":"web","domain":"cf-apps","rootfs":"preloaded:cflinuxfs4","instances":1,` +
	`"memory_mb":256,"disk_mb":512,"log_guid":"lg","metric_tags":{"source_id":{"static":"web"}},"metrics_guid":"web",` +
	`"routes":{"cf-router":[{"hostnames":["web.example.com"],"port":8080}]},"ports":[8080],` +
	`"action":{"run":{"path":"/bin/sleep","args":["3600"],"user":"vcap"}}}`

func TestLRPCommands(t *testing.T) {
	c := startCluster(t)
	c.ok(t, "set-domain", "cf-apps")
	c.ok(t, "set-domain", "short", "--ttl", "1h")
	if got := c.ok(t, "domains").lines(); len(got) != 2 || !strings.Contains(strings.Join(got, " "), `"cf-apps"`) {
		t.Errorf("domains: %q", got)
	}

	c.ok(t, "create-desired-lrp", lrpSpec)
	got := c.ok(t, "desired-lrp", "web").lines()
	if len(got) != 1 {
		t.Fatalf("desired-lrp printed %q", got)
	}
	lrp := object(t, got[0])
	if lrp["process_guid"] != "web" || lrp["rootfs"] != "preloaded:cflinuxfs4" || lrp["instances"] != 1.0 ||
		!strings.Contains(got[0], `"routes":{"cf-router":[{"hostnames":["web.example.com"],"port":8080}]}`) ||
		!strings.Contains(got[0], `"action":{"run":{"path":"/bin/sleep","args":["3600"],"user":"vcap","suppress_log_output":false}}`) {
		t.Errorf("desired-lrp: %s", got[0])
	}
	if got := c.ok(t, "desired-lrps", "-d", "cf-apps").lines(); len(got) != 1 {
		t.Errorf("desired-lrps -d: %q", got)
	}
	if got := c.ok(t, "desired-lrps", "--domain", "nope").lines(); len(got) != 0 {
		t.Errorf("desired-lrps --domain nope: %q", got)
	}
	sched := c.ok(t, "desired-lrp-scheduling-infos").lines()
	if len(sched) != 1 || !strings.HasPrefix(sched[0], `{"process_guid":"web","domain":"cf-apps","log_guid":"lg","annotation":"","instances":1,"memory_mb":256,"disk_mb":512,"rootfs":"preloaded:cflinuxfs4","max_pids":0,"routes":{"cf-router"`) {
		t.Errorf("desired-lrp-scheduling-infos: %q", sched)
	}

	actual := c.ok(t, "actual-lrps").lines()
	if len(actual) != 1 {
		t.Fatalf("actual-lrps: %q", actual)
	}
	a := object(t, actual[0])
	if a["state"] != "UNCLAIMED" || a["presence"] != "ORDINARY" || a["OptionalRoutable"] == nil && !strings.Contains(actual[0], `"OptionalRoutable":`) {
		t.Errorf("actual-lrps: %s", actual[0])
	}
	if got := c.ok(t, "actual-lrps", "-p", "web", "-i", "0").lines(); len(got) != 1 {
		t.Errorf("actual-lrps -p web -i 0: %q", got)
	}
	if got := c.ok(t, "actual-lrps", "--process-guid", "web", "--index", "3").lines(); len(got) != 0 {
		t.Errorf("actual-lrps index 3: %q", got)
	}
	if got := c.ok(t, "actual-lrps", "--cell-id=nowhere").lines(); len(got) != 0 {
		t.Errorf("actual-lrps --cell-id=nowhere: %q", got)
	}
	groups := c.ok(t, "actual-lrp-groups")
	if len(groups.lines()) != 1 || !strings.HasPrefix(groups.lines()[0], `{"instance":{"process_guid":"web","index":0,`) ||
		!strings.Contains(groups.stderr, "deprecated") {
		t.Errorf("actual-lrp-groups: %s", groups)
	}
	if got := c.ok(t, "actual-lrp-groups-for-guid", "web", "-i", "0").lines(); len(got) != 1 {
		t.Errorf("actual-lrp-groups-for-guid -i 0: %q", got)
	}
	fails(t, c.env(), 4, "BBS error\nType 13: ResourceNotFound", "actual-lrp-groups-for-guid", "web", "-i", "7")

	spec := filepath.Join(t.TempDir(), "update.json")
	if err := os.WriteFile(spec, []byte(`{"instances":2,"annotation":"scaled"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	c.ok(t, "update-desired-lrp", "web", "@"+spec)
	lrp = object(t, c.ok(t, "desired-lrp", "web").lines()[0])
	if lrp["instances"] != 2.0 || lrp["annotation"] != "scaled" {
		t.Errorf("after update: %v", lrp)
	}
	eventually(t, 10*time.Second, "a second actual LRP", func() bool { return len(c.ok(t, "actual-lrps").lines()) == 2 })
	c.ok(t, "retire-actual-lrp", "web", "1")
	fails(t, c.env(), 4, "Type 13: ResourceNotFound", "retire-actual-lrp", "nope", "0")

	table := c.ok(t, "actual-lrps", "--output", "table").lines()
	if len(table) < 2 || !strings.HasPrefix(table[0], "PROCESS_GUID") || !strings.Contains(table[0], "CRASHES") ||
		!strings.Contains(table[1], "UNCLAIMED") {
		t.Errorf("actual-lrps table: %q", table)
	}
	table = c.ok(t, "desired-lrps", "--output", "table").lines()
	if len(table) != 2 || !strings.Contains(table[1], "cf-router") || !strings.Contains(table[1], "256") {
		t.Errorf("desired-lrps table: %q", table)
	}

	c.ok(t, "delete-desired-lrp", "web")
	o := cfdot(t, c.env(), "desired-lrp", "web")
	if o.code != 4 || o.stderr != "Error: BBS error\nType 13: ResourceNotFound\nMessage: the requested resource could not be found\n" {
		t.Errorf("deleted desired-lrp: %s", o)
	}
	fails(t, c.env(), 4, "Type 4: InvalidRequest", "create-desired-lrp", `{"process_guid":"bad guid!"}`)
}

func TestTaskCommands(t *testing.T) {
	c := startCluster(t)
	spec := `{"task_guid":"t1","domain":"d","rootfs":"preloaded:cflinuxfs4","memory_mb":64,` +
		`"action":{"run":{"path":"/bin/true","user":"vcap"}}}`
	c.ok(t, "create-task", spec)
	got := c.ok(t, "task", "t1").lines()
	if len(got) != 1 || !strings.HasPrefix(got[0], `{"rootfs":"preloaded:cflinuxfs4","action":{"run":{"path":"/bin/true","user":"vcap","suppress_log_output":false}},"disk_mb":0,"memory_mb":64,`) ||
		!strings.Contains(got[0], `"task_guid":"t1","domain":"d",`) || !strings.Contains(got[0], `"state":"Pending"`) {
		t.Errorf("task: %q", got)
	}
	if got := c.ok(t, "tasks", "-d", "d").lines(); len(got) != 1 {
		t.Errorf("tasks -d d: %q", got)
	}
	if got := c.ok(t, "tasks", "--cell-id", "c9").lines(); len(got) != 0 {
		t.Errorf("tasks --cell-id c9: %q", got)
	}
	fails(t, c.env(), 3, "Only one of -d and --domain should be passed", "tasks", "-d", "a", "--domain", "b")
	fails(t, c.env(), 4, "BBS error\nType 9: InvalidStateTransition", "delete-task", "t1")
	c.ok(t, "cancel-task", "t1")
	task := object(t, c.ok(t, "task", "t1").lines()[0])
	if task["state"] != "Completed" || task["failed"] != true || task["failure_reason"] != "task was cancelled" {
		t.Errorf("cancelled task: %v", task)
	}
	table := c.ok(t, "tasks", "--output", "table").lines()
	if len(table) != 2 || !strings.HasPrefix(table[0], "TASK_GUID") || !strings.Contains(table[1], "task was cancelled") {
		t.Errorf("tasks table: %q", table)
	}
	if err := c.bbs.ResolvingTask(context.Background(), "t1"); err != nil {
		t.Fatal(err)
	}
	c.ok(t, "delete-task", "t1")
	fails(t, c.env(), 4, "Type 13: ResourceNotFound", "task", "t1")
	fails(t, c.env(), 3, "Invalid JSON: ", "create-task", `{"task_guid":`)
	fails(t, c.env(), 4, "Type 4: InvalidRequest", "create-task", `{"task_guid":"t2"}`)
}

func TestCellCommands(t *testing.T) {
	c := startCluster(t)
	state := `{"rep_url":"https://cell-1.example:1801","cell_id":"cell-1","cell_index":0,"RootFSProviders":{"docker":{"type":"arbitrary"}},` +
		`"AvailableResources":{"MemoryMB":1000,"DiskMB":2000,"Containers":240},"TotalResources":{"MemoryMB":4096,"DiskMB":8192,"Containers":250},` +
		`"LRPs":null,"Tasks":null,"StartingContainerCount":0,"Zone":"z1","Evacuating":false,"VolumeDrivers":null,"PlacementTags":null,` +
		`"OptionalPlacementTags":null,"ProxyMemoryAllocationMB":0}`
	rep := c.tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/state" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(state))
	}))
	presence := &models.CellPresence{CellId: "cell-1", RepAddress: "http://127.0.0.1:1", RepUrl: rep.URL, Zone: "z1",
		Capacity:        &models.CellCapacity{MemoryMb: 4096, DiskMb: 8192, Containers: 250},
		RootfsProviders: []*models.Provider{{Name: "docker"}}}
	value, _ := json.Marshal(map[string]any{
		"cell_id": presence.CellId, "rep_address": presence.RepAddress, "rep_url": presence.RepUrl, "zone": "z1",
		"capacity": map[string]int{"memory_mb": 4096, "disk_mb": 8192, "containers": 250}, "rootfs_provider_list": []map[string]any{{"name": "docker"}},
	})
	_, err := c.locket.Lock(context.Background(), &locketmodels.LockRequest{
		Resource:     &locketmodels.Resource{Key: "cell-1", Owner: "rep", Value: string(value), Type: locketmodels.PresenceType, TypeCode: locketmodels.TypeCode_PRESENCE},
		TtlInSeconds: 600,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"cell_id":"cell-1","rep_address":"http://127.0.0.1:1","zone":"z1","capacity":{"memory_mb":4096,"disk_mb":8192,"containers":250},"rootfs_provider_list":[{"name":"docker"}],"rep_url":"` + rep.URL + `"}`
	if got := c.ok(t, "cells").stdout; got != want+"\n" {
		t.Errorf("cells:\n got %s\nwant %s", got, want)
	}
	if got := c.ok(t, "cell", "cell-1").stdout; got != want+"\n" {
		t.Errorf("cell: %s", got)
	}
	fails(t, c.env(), 5, "Cell not found", "cell", "cell-9")
	if got := c.ok(t, "cell-state", "cell-1").stdout; got != state+"\n" {
		t.Errorf("cell-state:\n got %s\nwant %s", got, state)
	}
	if got := c.ok(t, "cell-states").stdout; got != state+"\n" {
		t.Errorf("cell-states: %s", got)
	}
	table := c.ok(t, "cells", "--output", "table").lines()
	if len(table) != 2 || !strings.HasPrefix(table[0], "CELL_ID") || !strings.Contains(table[1], "0/4096") || !strings.Contains(table[1], "0/250") {
		t.Errorf("cells table: %q", table)
	}
	table = c.ok(t, "cell-states", "--output", "table").lines()
	if len(table) != 2 || !strings.Contains(table[1], "3096/4096") || !strings.Contains(table[1], "10/250") {
		t.Errorf("cell-states table: %q", table)
	}
	rep.Close()
	fails(t, c.env(), 4, "Rep error: Failed getting rep state for cell-1", "cell-state", "cell-1")
	fails(t, c.env(), 4, "Rep error: Failed to get cell state for cell cell-1", "cell-states")
}

func TestLocketCommands(t *testing.T) {
	c := startCluster(t)
	c.ok(t, "claim-lock", "--key", "k1", "--owner", "me", "--value", "v<1>", "--ttl", "60")
	c.ok(t, "claim-presence", "-k", "p1", "-o", "me", "-t", "60")
	locks := c.ok(t, "locks").lines()
	if !contains(locks, `{"key":"k1","owner":"me","value":"v\u003c1\u003e","type":"lock","type_code":1}`) {
		t.Errorf("locks: %q", locks)
	}
	presences := c.ok(t, "presences").lines()
	if !contains(presences, `{"key":"p1","owner":"me","type":"presence","type_code":2}`) {
		t.Errorf("presences: %q", presences)
	}
	fails(t, c.env(), 4, "", "claim-lock", "-k", "k1", "-o", "someone-else", "-t", "60")
	fails(t, c.env(), 4, "", "release-lock", "-k", "k1", "-o", "someone-else")
	c.ok(t, "release-lock", "-k", "k1", "-o", "me")
	if contains(c.ok(t, "locks").lines(), `"key":"k1"`) {
		t.Error("k1 still listed after release-lock")
	}
	table := c.ok(t, "presences", "--output", "table").lines()
	if len(table) < 2 || !strings.HasPrefix(table[0], "KEY") {
		t.Errorf("presences table: %q", table)
	}
}

func contains(lines []string, part string) bool {
	for _, l := range lines {
		if strings.Contains(l, part) {
			return true
		}
	}
	return false
}

// TestEventCommands streams events until interrupted.
func TestEventCommands(t *testing.T) {
	c := startCluster(t)
	start := func(args ...string) (*exec.Cmd, *lockedBuffer, *lockedBuffer) {
		cmd := exec.Command(bins["cfdot"], args...)
		cmd.Env = c.env()
		out, errOut := &lockedBuffer{}, &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = out, errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
		return cmd, out, errOut
	}
	lrps, lrpOut, lrpErr := start("lrp-events", "-x")
	tasks, taskOut, _ := start("task-events")
	n := 0
	eventually(t, 30*time.Second, "both streams to print an event", func() bool {
		n++
		guid := "probe-" + string(rune('a'+n%26)) + strings.Repeat("x", n/26)
		c.ok(t, "create-task", `{"task_guid":"`+guid+`","domain":"d","rootfs":"preloaded:x","action":{"run":{"path":"/bin/true","user":"vcap"}}}`)
		c.ok(t, "create-desired-lrp", `{"process_guid":"`+guid+`","domain":"d","rootfs":"preloaded:x","instances":1,"metric_tags":{"a":{"static":"b"}},"action":{"run":{"path":"/bin/true","user":"vcap"}}}`)
		return strings.Contains(lrpOut.String(), `{"type":"desired_lrp_created","data":{"desired_lrp":{"process_guid":"probe-`) &&
			strings.Contains(lrpOut.String(), `{"type":"actual_lrp_instance_created","data":{"actual_lrp":{"process_guid":"probe-`) &&
			strings.Contains(taskOut.String(), `{"type":"task_created","data":{"task":{"rootfs":"preloaded:x"`)
	})
	if strings.Contains(lrpOut.String(), `"type":"actual_lrp_created"`) || strings.Contains(lrpErr.String(), "deprecated") {
		t.Errorf("-x still printed group events or the warning:\n%s\n%s", lrpOut.String(), lrpErr.String())
	}
	for _, cmd := range []*exec.Cmd{lrps, tasks} {
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("%v after SIGINT: %v", cmd.Args, err)
		}
	}
}

package cfdot_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"code.cloudfoundry.org/bbs/models"

	"conformance/harness"
)

// TestSpecErrors: for specs upstream's cfdot rejects, ours exits 3 with
// the same "Invalid JSON: <encoding/json error>" text, the error coming
// from decoding into upstream's own structs.
func TestSpecErrors(t *testing.T) {
	cases := []struct {
		cmd  string
		spec string
	}{
		{"create-desired-lrp", `{nope`},
		{"create-desired-lrp", `{"process_guid":`},
		{"create-desired-lrp", `[1]`},
		{"create-desired-lrp", `"just a string"`},
		{"create-desired-lrp", `{"instances":"2"}`},
		{"create-desired-lrp", `{"instances":2.5}`},
		{"create-desired-lrp", `{"instances":99999999999}`},
		{"create-desired-lrp", `{"cpu_weight":-1}`},
		{"create-desired-lrp", `{"privileged":"yes"}`},
		{"create-desired-lrp", `{"env":{}}`},
		{"create-desired-lrp", `{"env":[{"name":1}]}`},
		{"create-desired-lrp", `{"action":"run"}`},
		{"create-desired-lrp", `{"action":{"run":{"args":"x"}}}`},
		{"create-desired-lrp", `{"action":{"serial":{"actions":[{"run":{"path":7}}]}}}`},
		{"create-desired-lrp", `{"ports":["80"]}`},
		{"create-desired-lrp", `{"metric_tags":{"a":{"dynamic":7}}}`},
		{"create-desired-lrp", `{"image_layers":[{"layer_type":"BIG"}]}`},
		{"create-desired-lrp", `{"image_layers":[{"media_type":"RAR"}]}`},
		{"create-desired-lrp", `{"image_layers":[{"digest_algorithm":"MD5"}]}`},
		{"create-desired-lrp", `{"check_definition":{"checks":[{"tcp_check":{"port":"x"}}]}}`},
		{"create-desired-lrp", `{"network":{"properties":[]}}`},
		{"create-task", `{"state":"Sleeping"}`},
		{"create-task", `{"state":3}`},
		{"create-task", `{"memory_mb":"x"}`},
		{"create-task", `{"action":{"timeout":{"timeout_ms":"1"}}}`},
		{"update-desired-lrp", `{"instances":"4"}`},
		{"update-desired-lrp", `{"annotation":5}`},
		{"update-desired-lrp", `{"metric_tags":[]}`},
		{"update-desired-lrp", `{"routes":[]}`},
	}
	bin := harness.Binary(t, "cfdot")
	for _, c := range cases {
		var upstreamErr error
		switch c.cmd {
		case "create-desired-lrp":
			var v *models.DesiredLRP
			upstreamErr = json.Unmarshal([]byte(c.spec), &v)
		case "create-task":
			var v *models.Task
			upstreamErr = json.Unmarshal([]byte(c.spec), &v)
		case "update-desired-lrp":
			var v *models.DesiredLRPUpdate
			upstreamErr = json.Unmarshal([]byte(c.spec), &v)
		}
		if upstreamErr == nil {
			t.Errorf("%s %s: upstream accepts it; pick another case", c.cmd, c.spec)
			continue
		}
		args := []string{c.cmd, c.spec}
		if c.cmd == "update-desired-lrp" {
			args = []string{c.cmd, "some-guid", c.spec}
		}
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "BBS_URL=http://127.0.0.1:1")
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		want := "Invalid JSON: " + upstreamErr.Error()
		if code != 3 || !strings.Contains(string(out), want+"\n") {
			t.Errorf("%s %s: want exit 3 and %q, got exit %d:\n%s", c.cmd, c.spec, want, code, out)
		}
	}
}

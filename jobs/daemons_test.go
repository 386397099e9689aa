package jobs

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// daemonCase describes how to render one daemon's job with the fewest
// properties an operator must set, and one bad value the daemon must reject.
type daemonCase struct {
	job    string // directory under jobs/
	binary string // name under bin/
	config string // rendered config, relative to the job directory
	// props are the required properties (dotted names); certificates come
	// from a fresh development CA.
	props func(c devCerts) map[string]any
	// extra adds spec or link stubs to the manifest.
	extra func(c devCerts) manifest
	// prepare creates what the rendered config points at outside the job
	// directory (directories under the fake /var/vcap).
	prepare func(t *testing.T, r rendered)
	// want lists top-level config keys and the values the rendered JSON
	// must hold for them (compared after a JSON round trip).
	want map[string]any
	// bad overrides one property with a value -check-config must refuse,
	// naming badKey.
	bad    map[string]any
	badKey string
}

// manifestExtra returns the case's spec and link stubs, if any.
func (tc daemonCase) manifestExtra(c devCerts) manifest {
	if tc.extra == nil {
		return nil
	}
	return tc.extra(c)
}

// daemonCases lists every daemon job; see the helpers in cases_test.go.
func daemonCases() []daemonCase {
	return []daemonCase{bbsCase(), locketCase(), auctioneerCase(), repCase(), routeEmitterCase(), fileServerCase(), gardenCase(), sshProxyCase()}
}

func TestRenderedConfigPassesCheckConfig(t *testing.T) {
	requireRuby(t)
	for _, tc := range daemonCases() {
		t.Run(tc.job, func(t *testing.T) {
			bin := binary(t, tc.binary)
			c := newDevCerts(t)
			r := mustRender(t, tc.job, tc.props(c), tc.manifestExtra(c))
			if tc.prepare != nil {
				tc.prepare(t, r)
			}
			config := r.JobDir + "/" + tc.config
			assertConfigHolds(t, config, tc.want)
			if out, err := checkConfig(bin, config); err != nil {
				t.Fatalf("%s -check-config rejected the rendered config: %v\n%s", tc.binary, err, out)
			}
		})
	}
}

func TestBadPropertyIsRejectedByName(t *testing.T) {
	requireRuby(t)
	for _, tc := range daemonCases() {
		t.Run(tc.job, func(t *testing.T) {
			bin := binary(t, tc.binary)
			c := newDevCerts(t)
			r := mustRender(t, tc.job, merged(tc.props(c), tc.bad), tc.manifestExtra(c))
			if tc.prepare != nil {
				tc.prepare(t, r)
			}
			out, err := checkConfig(bin, r.JobDir+"/"+tc.config)
			if err == nil {
				t.Fatalf("%s -check-config accepted %v:\n%s", tc.binary, tc.bad, out)
			}
			if !strings.Contains(out, tc.badKey) {
				t.Fatalf("%s -check-config failed without naming %q:\n%s", tc.binary, tc.badKey, out)
			}
		})
	}
}

// assertConfigHolds checks that the rendered JSON config has want's values.
func assertConfigHolds(t *testing.T, path string, want map[string]any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("rendered %s is not JSON: %v\n%s", path, err, raw)
	}
	for key, value := range want {
		wantJSON, _ := json.Marshal(value)
		gotJSON, _ := json.Marshal(got[key])
		if string(wantJSON) != string(gotJSON) {
			t.Errorf("%s: %s = %s, want %s", path, key, gotJSON, wantJSON)
		}
	}
}

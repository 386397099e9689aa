package jobs

import (
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
	extra manifest
	// prepare creates what the rendered config points at outside the job
	// directory (directories under the fake /var/vcap).
	prepare func(t *testing.T, r rendered)
	// bad overrides one property with a value -check-config must refuse,
	// naming badKey.
	bad    map[string]any
	badKey string
}

// daemonCases lists every daemon job; see the helpers in cases_test.go.
func daemonCases() []daemonCase {
	return []daemonCase{bbsCase(), locketCase(), auctioneerCase(), repCase()}
}

func TestRenderedConfigPassesCheckConfig(t *testing.T) {
	requireRuby(t)
	for _, tc := range daemonCases() {
		t.Run(tc.job, func(t *testing.T) {
			bin := binary(t, tc.binary)
			c := newDevCerts(t)
			r := mustRender(t, tc.job, tc.props(c), tc.extra)
			if tc.prepare != nil {
				tc.prepare(t, r)
			}
			config := r.JobDir + "/" + tc.config
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
			r := mustRender(t, tc.job, merged(tc.props(c), tc.bad), tc.extra)
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

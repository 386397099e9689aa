package gardentest

import (
	"bytes"
	"strings"
	"testing"

	"code.cloudfoundry.org/garden"
)

// Result is a finished process's exit status and output.
type Result struct {
	Code           int
	Stdout, Stderr string
}

// Run runs path with args as user in c and waits for it.
func Run(t testing.TB, c garden.Container, user, path string, args ...string) Result {
	t.Helper()
	var out, errb bytes.Buffer
	p, err := c.Run(garden.ProcessSpec{Path: path, Args: args, User: user}, garden.ProcessIO{Stdout: &out, Stderr: &errb})
	if err != nil {
		t.Fatalf("run %s %v: %v", path, args, err)
	}
	code, err := p.Wait()
	if err != nil {
		t.Fatalf("wait %s %v: %v", path, args, err)
	}
	return Result{Code: code, Stdout: out.String(), Stderr: errb.String()}
}

// Sh runs `sh -c script` as root and fails the test unless it exits 0.
func Sh(t testing.TB, c garden.Container, script string) string {
	t.Helper()
	r := Run(t, c, "root", "/bin/sh", "-c", script)
	if r.Code != 0 {
		t.Fatalf("sh -c %q exited %d: stdout=%q stderr=%q", script, r.Code, r.Stdout, r.Stderr)
	}
	return strings.TrimSpace(r.Stdout)
}

package runc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Runc runs the runc binary against one state directory (its --root), so two
// Garden servers on a host never see each other's containers.
type Runc struct {
	Bin  string
	Root string
}

// Find returns the path of the runc binary.
func Find() (string, error) {
	for _, p := range []string{"/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc", "/usr/local/bin/runc"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return exec.LookPath("runc")
}

// State is what `runc state` reports about a container.
type State struct {
	ID     string `json:"id"`
	Pid    int    `json:"pid"`
	Status string `json:"status"`
	Bundle string `json:"bundle"`
}

func (r *Runc) command(ctx context.Context, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, r.Bin, append([]string{"--root", r.Root}, args...)...)
}

func (r *Runc) run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := r.command(ctx, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("runc %s: %w: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// RunDetached creates and starts container id from bundle, leaving its init
// running in the background. The init's stdio is /dev/null.
func (r *Runc) RunDetached(ctx context.Context, id, bundle string) error {
	errPath := filepath.Join(bundle, "runc-run.err")
	errFile, err := os.Create(errPath)
	if err != nil {
		return err
	}
	defer errFile.Close()
	// --no-new-keyring: a session keyring per container would count against
	// the kernel's per-user key quota (200 for the mapped container root),
	// and creates would start failing after a couple of hundred containers.
	cmd := r.command(ctx, "run", "--detach", "--no-new-keyring", "--bundle", bundle, "--pid-file", filepath.Join(bundle, "init.pid"), id)
	cmd.Stderr = errFile
	if err := cmd.Run(); err != nil {
		msg, _ := os.ReadFile(errPath)
		return fmt.Errorf("runc run: %w: %s", err, strings.TrimSpace(string(msg)))
	}
	return nil
}

// ExecCommand returns the foreground `runc exec` command for the process
// described by processFile. The caller wires its stdio and waits for it; its
// exit status is the process's. The process's host pid is written to pidFile.
func (r *Runc) ExecCommand(id, processFile, pidFile string) *exec.Cmd {
	return r.command(context.Background(), "exec", "--process", processFile, "--pid-file", pidFile, id)
}

// RunCommand returns the foreground `runc run` command for a bundle whose
// init is the whole workload (used for processes with their own image).
func (r *Runc) RunCommand(id, bundle, pidFile string) *exec.Cmd {
	return r.command(context.Background(), "run", "--no-new-keyring", "--bundle", bundle, "--pid-file", pidFile, id)
}

// Kill sends signal (e.g. "KILL") to the container's init, or with all to
// every process in it.
func (r *Runc) Kill(ctx context.Context, id, signal string, all bool) error {
	args := []string{"kill"}
	if all {
		args = append(args, "--all")
	}
	_, err := r.run(ctx, append(args, id, signal)...)
	return err
}

// Delete removes the container, killing it first when force is set.
func (r *Runc) Delete(ctx context.Context, id string, force bool) error {
	args := []string{"delete"}
	if force {
		args = append(args, "--force")
	}
	_, err := r.run(ctx, append(args, id)...)
	return err
}

// ErrNotExist is returned by State for an unknown container.
var ErrNotExist = errors.New("container does not exist")

// State reports a container's status and init pid.
func (r *Runc) State(ctx context.Context, id string) (State, error) {
	out, err := r.run(ctx, "state", id)
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") {
			return State{}, ErrNotExist
		}
		return State{}, err
	}
	var s State
	if err := json.Unmarshal(out, &s); err != nil {
		return State{}, fmt.Errorf("runc state: %w", err)
	}
	return s, nil
}

// List returns every container under this Runc's root.
func (r *Runc) List(ctx context.Context) ([]State, error) {
	out, err := r.run(ctx, "list", "--format", "json")
	if err != nil {
		return nil, err
	}
	var states []State
	if len(bytes.TrimSpace(out)) == 0 || bytes.Equal(bytes.TrimSpace(out), []byte("null")) {
		return nil, nil
	}
	if err := json.Unmarshal(out, &states); err != nil {
		return nil, fmt.Errorf("runc list: %w", err)
	}
	return states, nil
}

// WriteJSON writes v as JSON to path.
func WriteJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

package network

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
)

func run(stdin string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return nil
}

func output(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return string(out), nil
}

func iptables(args ...string) error {
	return run("", "iptables", append([]string{"-w"}, args...)...)
}

// iptablesRestore applies a batch without touching other rules.
func iptablesRestore(batch string) error {
	return run(batch, "iptables-restore", "-w", "--noflush")
}

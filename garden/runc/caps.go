package runc

import (
	"os"
	"strconv"
	"strings"
)

// DefaultCapabilities is the capability set of an unprivileged container's
// root user: enough to run ordinary workloads, nothing that reaches the host.
var DefaultCapabilities = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// AllCapabilities is every capability runc 1.1 knows, for privileged containers.
var AllCapabilities = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
	"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
}

// ProcessCapabilities returns the sets for a process of the given uid in a
// container whose bounding set is bounding: root gets the whole set, other
// users keep only the bounding set (so setuid binaries still work).
func ProcessCapabilities(uid uint32, bounding []string) *Capabilities {
	if uid == 0 {
		return &Capabilities{Bounding: bounding, Effective: bounding, Permitted: bounding, Inheritable: []string{}, Ambient: []string{}}
	}
	return &Capabilities{Bounding: bounding, Effective: []string{}, Permitted: []string{}, Inheritable: []string{}, Ambient: []string{}}
}

// Available filters caps (named as in AllCapabilities, whose order is the
// kernel's numbering) down to those in this process's bounding set, since
// runc cannot grant a capability the host process lacks.
func Available(caps []string) []string {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return caps
	}
	var bnd uint64
	found := false
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "CapBnd:"); ok {
			bnd, err = strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			found = err == nil
		}
	}
	if !found {
		return caps
	}
	var out []string
	for _, c := range caps {
		for i, name := range AllCapabilities {
			if name == c && bnd&(1<<uint(i)) != 0 {
				out = append(out, c)
			}
		}
	}
	return out
}

// Package runc owns everything about talking to the runc binary: the subset
// of the OCI runtime spec we write into bundles and process files, and the
// command lines for run, exec, kill, delete and state.
package runc

// Spec is the subset of an OCI runtime bundle config.json that Garden writes.
type Spec struct {
	OCIVersion string   `json:"ociVersion"`
	Process    *Process `json:"process,omitempty"`
	Root       Root     `json:"root"`
	Hostname   string   `json:"hostname,omitempty"`
	Mounts     []Mount  `json:"mounts"`
	Linux      Linux    `json:"linux"`
}

// Process is an OCI process: the container's init, or one exec'd process.
type Process struct {
	Terminal        bool          `json:"terminal,omitempty"`
	User            User          `json:"user"`
	Args            []string      `json:"args"`
	Env             []string      `json:"env,omitempty"`
	Cwd             string        `json:"cwd"`
	Capabilities    *Capabilities `json:"capabilities,omitempty"`
	Rlimits         []Rlimit      `json:"rlimits,omitempty"`
	NoNewPrivileges bool          `json:"noNewPrivileges,omitempty"`
}

// User is the identity a process runs as, in the container's id space.
type User struct {
	UID            uint32   `json:"uid"`
	GID            uint32   `json:"gid"`
	AdditionalGids []uint32 `json:"additionalGids,omitempty"`
}

// Capabilities are the Linux capability sets of a process.
type Capabilities struct {
	Bounding    []string `json:"bounding"`
	Effective   []string `json:"effective"`
	Inheritable []string `json:"inheritable"`
	Permitted   []string `json:"permitted"`
	Ambient     []string `json:"ambient"`
}

// Rlimit is one POSIX resource limit.
type Rlimit struct {
	Type string `json:"type"`
	Hard uint64 `json:"hard"`
	Soft uint64 `json:"soft"`
}

// Root is the container's root filesystem.
type Root struct {
	Path     string `json:"path"`
	Readonly bool   `json:"readonly,omitempty"`
}

// Mount is one filesystem mount inside the container.
type Mount struct {
	Destination string   `json:"destination"`
	Type        string   `json:"type,omitempty"`
	Source      string   `json:"source,omitempty"`
	Options     []string `json:"options,omitempty"`
}

// Linux holds the Linux-specific part of a bundle config.
type Linux struct {
	UIDMappings   []IDMapping `json:"uidMappings,omitempty"`
	GIDMappings   []IDMapping `json:"gidMappings,omitempty"`
	Resources     *Resources  `json:"resources,omitempty"`
	CgroupsPath   string      `json:"cgroupsPath,omitempty"`
	Namespaces    []Namespace `json:"namespaces"`
	MaskedPaths   []string    `json:"maskedPaths,omitempty"`
	ReadonlyPaths []string    `json:"readonlyPaths,omitempty"`
}

// IDMapping maps a range of container ids to host ids.
type IDMapping struct {
	ContainerID uint32 `json:"containerID"`
	HostID      uint32 `json:"hostID"`
	Size        uint32 `json:"size"`
}

// Namespace is one namespace the container gets, new or joined by path.
type Namespace struct {
	Type string `json:"type"`
	Path string `json:"path,omitempty"`
}

// Resources are the cgroup limits of a container.
type Resources struct {
	Devices []DeviceRule `json:"devices,omitempty"`
	Memory  *Memory      `json:"memory,omitempty"`
	CPU     *CPU         `json:"cpu,omitempty"`
	Pids    *Pids        `json:"pids,omitempty"`
}

// DeviceRule allows or denies device access in the devices cgroup.
type DeviceRule struct {
	Allow  bool   `json:"allow"`
	Access string `json:"access,omitempty"`
}

// Memory limits memory in bytes.
type Memory struct {
	Limit *int64 `json:"limit,omitempty"`
}

// CPU sets the relative CPU weight in shares.
type CPU struct {
	Shares *uint64 `json:"shares,omitempty"`
}

// Pids caps the number of tasks.
type Pids struct {
	Limit int64 `json:"limit"`
}

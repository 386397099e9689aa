package backend

import (
	"fmt"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/godiego/diego/garden/runc"
)

// rootUID is the host uid (and gid) of root in an unprivileged container.
// Every other container id maps to the same host id.
const rootUID = 4294967294

// idMappings are the user-namespace mappings of unprivileged containers.
var idMappings = []runc.IDMapping{
	{ContainerID: 0, HostID: rootUID, Size: 1},
	{ContainerID: 1, HostID: 1, Size: rootUID - 1},
}

// hostID maps a container uid/gid of an unprivileged container to the host.
func hostID(id int) int {
	if id == 0 {
		return rootUID
	}
	return id
}

// containerIDOf maps a host uid/gid back into an unprivileged container;
// ids it cannot see become the overflow id 65534.
func containerIDOf(id int) int {
	switch {
	case id == rootUID:
		return 0
	case id == 0:
		return 65534
	}
	return id
}

// userNamespace holds an fd of a user namespace with idMappings, used to
// give the rootfs layers an idmapped view for unprivileged containers.
type userNamespace struct{ fd int }

func newUserNamespace(initPath string) (*userNamespace, error) {
	cmd := exec.Command(initPath)
	var m []syscall.SysProcIDMap
	for _, x := range idMappings {
		m = append(m, syscall.SysProcIDMap{ContainerID: int(x.ContainerID), HostID: int(x.HostID), Size: int(x.Size)})
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: m, GidMappings: m}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	fd, err := unix.Open(fmt.Sprintf("/proc/%d/ns/user", cmd.Process.Pid), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return &userNamespace{fd: fd}, nil
}

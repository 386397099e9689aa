package backend

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"code.cloudfoundry.org/garden"

	"github.com/godiego/diego/garden/files"
)

// user is an entry of the container's /etc/passwd.
type user struct {
	Name     string
	UID, GID uint32
	Home     string
}

// lookupUser resolves name ("" means root; "UID" or "UID:GID" also work)
// against /etc/passwd inside root.
func lookupUser(root, name string) (user, error) {
	if name == "" {
		name = "root"
	}
	passwd, _ := files.ReadFileIn(root, "/etc/passwd")
	for _, line := range strings.Split(string(passwd), "\n") {
		f := strings.Split(line, ":")
		if len(f) < 7 || f[0] != name {
			continue
		}
		uid, err1 := strconv.ParseUint(f[2], 10, 32)
		gid, err2 := strconv.ParseUint(f[3], 10, 32)
		if err1 != nil || err2 != nil {
			return user{}, fmt.Errorf("bad /etc/passwd entry for %s", name)
		}
		return user{Name: name, UID: uint32(uid), GID: uint32(gid), Home: f[5]}, nil
	}
	if name == "root" {
		return user{Name: "root", Home: "/root"}, nil
	}
	uidS, gidS, hasGID := strings.Cut(name, ":")
	uid, err := strconv.ParseUint(uidS, 10, 32)
	if err != nil {
		return user{}, fmt.Errorf("unable to find user %s: no matching entries in passwd file", name)
	}
	gid := uid
	if hasGID {
		if gid, err = strconv.ParseUint(gidS, 10, 32); err != nil {
			return user{}, fmt.Errorf("bad group in user %q", name)
		}
	}
	return user{Name: name, UID: uint32(uid), GID: uint32(gid), Home: "/"}, nil
}

// processEnv is the container's env, then the process's, then USER, HOME
// and PATH when neither set them.
func processEnv(containerEnv, processEnv []string, u user) []string {
	env := append(append([]string{}, containerEnv...), processEnv...)
	has := func(key string) bool {
		for _, e := range env {
			if strings.HasPrefix(e, key+"=") {
				return true
			}
		}
		return false
	}
	if !has("PATH") {
		env = append(env, "PATH="+defaultPath)
	}
	if !has("USER") {
		env = append(env, "USER="+u.Name)
	}
	if !has("HOME") {
		env = append(env, "HOME="+u.Home)
	}
	return env
}

func envValue(env []string, key string) string {
	v := ""
	for _, e := range env {
		if strings.HasPrefix(e, key+"=") {
			v = e[len(key)+1:]
		}
	}
	return v
}

// findExecutable reports whether path (absolute, relative to dir, or looked
// up in $PATH) names a file inside root.
func findExecutable(root, path, dir string, env []string) bool {
	if strings.Contains(path, "/") {
		if !strings.HasPrefix(path, "/") {
			path = dir + "/" + path
		}
		return isFileIn(root, path)
	}
	for _, d := range strings.Split(envValue(env, "PATH"), ":") {
		if d != "" && isFileIn(root, d+"/"+path) {
			return true
		}
	}
	return false
}

func isFileIn(root, path string) bool {
	_, done, err := files.OpenIn(root, path)
	if err != nil {
		return false
	}
	done()
	return true
}

// inHostBindMount reports whether an absolute path lies in one of the
// process's host bind mounts and names a file there: such a path only
// exists once runc has applied the mounts, so a lookup in the rootfs alone
// would miss it (Diego's health check sidecars run a bind-mounted binary).
func inHostBindMount(mounts []garden.BindMount, path string) bool {
	if !strings.HasPrefix(path, "/") {
		return false
	}
	for _, m := range mounts {
		if m.Origin != garden.BindMountOriginHost || m.DstPath == "" {
			continue
		}
		dst := strings.TrimSuffix(m.DstPath, "/")
		rest, ok := strings.CutPrefix(path, dst+"/")
		if !ok {
			continue
		}
		if info, err := os.Stat(filepath.Join(m.SrcPath, rest)); err == nil && info.Mode().IsRegular() {
			return true
		}
	}
	return false
}

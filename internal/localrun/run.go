package localrun

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
)

// Settings configure one local run.
type Settings struct {
	Root     string // state folder, e.g. ".diego"
	BinDir   string
	Busybox  string // static busybox used to build the local rootfs
	Quiet    bool
	NoCells  bool // skip the gardens and reps
	LogLevel string
	Out      io.Writer
}

// Run brings the local Diego up and keeps it up until ctx is cancelled or a
// component exits, then stops everything it started.
func Run(ctx context.Context, set Settings) error {
	out := set.Out
	st, err := Prepare(set.Root)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "local Diego in %s\n", st.Root)

	withCells := !set.NoCells && prepareCells(st, set, out)
	if err := PublishLifecycles(st, set.BinDir); err != nil {
		return err
	}
	stopNATS, err := EnsureNATS(DefaultAddresses().NATS, out)
	if err != nil {
		return err
	}
	defer stopNATS()

	sup := &Supervisor{BinDir: set.BinDir, Root: st.Root, Out: out, Quiet: set.Quiet}
	defer sup.StopAll(15 * time.Second)
	for _, c := range Plan(st, Options{WithCells: withCells, LogLevel: set.LogLevel, Addresses: DefaultAddresses()}) {
		if _, err := os.Stat(filepath.Join(set.BinDir, c.Binary)); err != nil {
			sup.Status("skipped", c.Name, "bin/"+c.Binary+" is not built yet")
			continue
		}
		if err := sup.Start(ctx, c); err != nil {
			return err
		}
	}
	addrs := DefaultAddresses()
	lines, err := WriteEnv(st, "https://"+addrs.BBS, addrs.Locket)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nlocal Diego is up. cfdot environment (also in %s):\n\n  %s\n\n"+
		"ssh to an instance that runs diego-sshd: ssh -p %s diego:PROCESS_GUID/INDEX@127.0.0.1 (password %s)\n"+
		"logs: %s\npress Ctrl-C to stop\n\n",
		st.Path("env"), strings.Join(lines, "\n  "), strings.TrimPrefix(addrs.SSHProxy, "127.0.0.1:"), SSHPassword, st.Path("logs"))

	select {
	case <-ctx.Done():
		fmt.Fprintln(out, "\nstopping local Diego")
		return nil
	case name := <-sup.Exited():
		return fmt.Errorf("%s exited; see %s", name, st.Path("logs", name+".log"))
	}
}

// prepareCells makes sure cells can run (root, runc, busybox) and builds the
// rootfs; it reports whether cells will be started.
func prepareCells(st State, set Settings, out io.Writer) bool {
	if os.Geteuid() != 0 {
		fmt.Fprintln(out, "  note     cells need root for runc containers: run `sudo make run` to start gardens and reps")
		return false
	}
	missing := []string{}
	if _, err := exec.LookPath("runc"); err != nil {
		missing = append(missing, "runc")
	}
	if _, err := os.Stat(set.Busybox); err != nil {
		missing = append(missing, "busybox-static")
	}
	if _, err := exec.LookPath("iptables"); err != nil {
		missing = append(missing, "iptables")
	}
	if len(missing) > 0 {
		fmt.Fprintf(out, "  install  %s (apt-get)\n", strings.Join(missing, " "))
		cmd := exec.Command("sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "+strings.Join(missing, " "))
		cmd.Stdout, cmd.Stderr = io.Discard, out
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(out, "  note     could not install %s (%v): install them, then run make run again; starting without cells\n", strings.Join(missing, " "), err)
			return false
		}
	}
	if err := BuildBusyboxRootfs(set.Busybox, st.Path("rootfs", Stack)); err != nil {
		fmt.Fprintf(out, "  note     %v; starting without cells\n", err)
		return false
	}
	if err := PrepareCellDirs(st, Cells); err != nil {
		fmt.Fprintf(out, "  note     %v; starting without cells\n", err)
		return false
	}
	return true
}

// PrepareCellDirs creates each cell's depot, cache and temp folders, all
// searchable by other users (unprivileged containers need that).
func PrepareCellDirs(st State, cells []Cell) error {
	for _, cell := range cells {
		for _, d := range []string{"depot", "cache", "tmp"} {
			if err := os.MkdirAll(st.Path(cell.ID, d), 0o755); err != nil {
				return err
			}
		}
		if err := os.Chmod(st.Path(cell.ID), 0o755); err != nil {
			return err
		}
	}
	return nil
}

// PublishLifecycles puts the lifecycle binaries where the file-server serves
// them and where the reps bind-mount the health check from, and the demo
// app as a tarball a download action can fetch.
func PublishLifecycles(st State, binDir string) error {
	if err := publishTarball(filepath.Join(binDir, "demo-app"), st.Path("static", "demo-app", "demo-app.tgz")); err != nil {
		return err
	}
	if err := publishTarball(filepath.Join(binDir, "sshd"), st.Path("static", "diego-sshd", "diego-sshd.tgz")); err != nil {
		return err
	}
	for _, name := range []string{"healthcheck", "sshd"} {
		src := filepath.Join(binDir, name)
		data, err := os.ReadFile(src)
		if err != nil {
			continue // not built yet
		}
		dir := st.Path("static", name)
		if name == "sshd" {
			dir = st.Path("static", "diego-sshd")
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(dir)), data, 0o755); err != nil {
			return err
		}
	}
	return nil
}

// EnsureNATS starts an embedded NATS server on addr when none listens there.
func EnsureNATS(addr string, out io.Writer) (func(), error) {
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		conn.Close()
		fmt.Fprintf(out, "  ready    %-16s %s (already running)\n", "nats", addr)
		return func() {}, nil
	}
	host, portText, _ := strings.Cut(addr, ":")
	port, _ := strconv.Atoi(portText)
	srv, err := natsserver.NewServer(&natsserver.Options{Host: host, Port: port, NoSigs: true, NoLog: true})
	if err != nil {
		return nil, fmt.Errorf("embedded NATS: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		return nil, fmt.Errorf("embedded NATS did not start on %s", addr)
	}
	fmt.Fprintf(out, "  ready    %-16s %s (embedded)\n", "nats", addr)
	return srv.Shutdown, nil
}

// publishTarball writes a gzipped tar holding the single file src (kept
// executable) to dst; a missing src is skipped.
func publishTarball(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	hdr := &tar.Header{Name: filepath.Base(src), Mode: 0o755, Size: int64(len(data)), ModTime: time.Now(), Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if _, err := tw.Write(data); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	return os.WriteFile(dst, buf.Bytes(), 0o644)
}

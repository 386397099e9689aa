// Command sshd is the SSH daemon Diego runs inside app containers
// (`diego-sshd`). Keys come from SSHD_HOSTKEY / SSHD_AUTHKEY, or from
// -hostKey / -authorizedKey, in which case the daemon moves them into its
// environment and re-executes itself so they do not show in its command
// line. Like upstream, it generates a host key when given none.
package main

import (
	"flag"
	"fmt"
	"os"
	"syscall"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/internal/daemon"
	"github.com/godiego/diego/internal/debugserver"
	"github.com/godiego/diego/internal/logging"
	"github.com/godiego/diego/ssh-proxy/sshd"
)

const (
	envHostKey = "SSHD_HOSTKEY"
	envAuthKey = "SSHD_AUTHKEY"
)

type flags struct {
	opts      sshd.Options
	hostKey   string
	authKey   string
	logLevel  string
	debugAddr string
}

func parseFlags() flags {
	var f flags
	fs := flag.NewFlagSet("sshd", flag.ExitOnError)
	fs.StringVar(&f.opts.Address, "address", "127.0.0.1:2222", "listen address for ssh daemon")
	fs.StringVar(&f.hostKey, "hostKey", "", "PEM encoded RSA host key")
	fs.StringVar(&f.authKey, "authorizedKey", "", "Public key in the OpenSSH authorized_keys format")
	fs.BoolVar(&f.opts.AllowUnauthenticatedClients, "allowUnauthenticatedClients", false, "Allow access to unauthenticated clients")
	fs.BoolVar(&f.opts.InheritDaemonEnv, "inheritDaemonEnv", false, "Inherit daemon's environment")
	fs.StringVar(&f.opts.AllowedCiphers, "allowedCiphers", "", "Limit cipher algorithms to those provided (comma separated)")
	fs.StringVar(&f.opts.AllowedMACs, "allowedMACs", "", "Limit MAC algorithms to those provided (comma separated)")
	fs.StringVar(&f.opts.AllowedKeyExchanges, "allowedKeyExchanges", "", "Limit key exchanges algorithms to those provided (comma separated)")
	fs.StringVar(&f.logLevel, "logLevel", "info", "log level: debug, info, error or fatal")
	fs.StringVar(&f.debugAddr, "debugAddr", "", "host:port for serving pprof debugging info")
	_ = fs.Parse(os.Args[1:])
	return f
}

func main() {
	f := parseFlags()
	logger, sink := logging.New("sshd", logging.Config{LogLevel: f.logLevel})

	if hostKey := os.Getenv(envHostKey); hostKey != "" {
		f.opts.HostKeyPEM = hostKey
		f.opts.AuthorizedKey = os.Getenv(envAuthKey)
		// Child processes must not see the keys.
		_ = os.Unsetenv(envHostKey)
		_ = os.Unsetenv(envAuthKey)
	} else {
		reexecWithKeysInEnv(logger, f)
	}

	serverConfig, err := f.opts.ServerConfig()
	if err != nil {
		logger.Error("configure-failed", err)
		os.Exit(daemon.ExitFailed)
	}
	baseEnv := map[string]string{}
	if f.opts.InheritDaemonEnv {
		baseEnv = sshd.DaemonEnvironment()
	}
	d := sshd.NewDaemon(logger, serverConfig, baseEnv)
	server := sshd.NewServer(logger, listenAddress(f.opts.Address), d)

	var members []daemon.Member
	if f.debugAddr != "" {
		members = append(members, daemon.Member{Name: "debug-server", Runner: debugserver.Runner(f.debugAddr, sink, nil)})
	}
	members = append(members, daemon.Member{Name: "sshd", Runner: server})
	os.Exit(daemon.Run(logger, members))
}

// reexecWithKeysInEnv moves the keys given as flags (or a generated host
// key) into the environment and replaces this process with one started
// without them on its command line. It returns only on failure, by exiting.
func reexecWithKeysInEnv(logger lager.Logger, f flags) {
	hostKey := f.hostKey
	if hostKey == "" {
		generated, err := sshd.GenerateHostKey()
		if err != nil {
			logger.Error("failed-to-generate-host-key", err)
			os.Exit(daemon.ExitFailed)
		}
		hostKey = generated
	}
	_ = os.Setenv(envHostKey, hostKey)
	_ = os.Setenv(envAuthKey, f.authKey)
	args := []string{
		os.Args[0],
		"-address=" + f.opts.Address,
		fmt.Sprintf("-allowUnauthenticatedClients=%t", f.opts.AllowUnauthenticatedClients),
		fmt.Sprintf("-inheritDaemonEnv=%t", f.opts.InheritDaemonEnv),
		"-allowedCiphers=" + f.opts.AllowedCiphers,
		"-allowedMACs=" + f.opts.AllowedMACs,
		"-allowedKeyExchanges=" + f.opts.AllowedKeyExchanges,
		"-logLevel=" + f.logLevel,
		"-debugAddr=" + f.debugAddr,
	}
	err := syscall.Exec("/proc/self/exe", args, os.Environ())
	logger.Error("failed-exec", err)
	os.Exit(daemon.ExitFailed)
}

package sshd

import (
	"syscall"

	"golang.org/x/crypto/ssh"
)

// Signal names of RFC 4254 section 6.10 and the process signals they mean.
var sshToSyscall = map[ssh.Signal]syscall.Signal{
	ssh.SIGABRT: syscall.SIGABRT,
	ssh.SIGALRM: syscall.SIGALRM,
	ssh.SIGFPE:  syscall.SIGFPE,
	ssh.SIGHUP:  syscall.SIGHUP,
	ssh.SIGILL:  syscall.SIGILL,
	ssh.SIGINT:  syscall.SIGINT,
	ssh.SIGKILL: syscall.SIGKILL,
	ssh.SIGPIPE: syscall.SIGPIPE,
	ssh.SIGQUIT: syscall.SIGQUIT,
	ssh.SIGSEGV: syscall.SIGSEGV,
	ssh.SIGTERM: syscall.SIGTERM,
	ssh.SIGUSR1: syscall.SIGUSR1,
	ssh.SIGUSR2: syscall.SIGUSR2,
}

// signalName is the RFC 4254 name of sig, or "" when it has none.
func signalName(sig syscall.Signal) ssh.Signal {
	for name, s := range sshToSyscall {
		if s == sig {
			return name
		}
	}
	return ""
}

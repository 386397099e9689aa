// Package healthcheck is the in-container health check that Diego runs
// beside every app instance: one TCP connect or HTTP GET against the
// instance's first non-loopback IPv4 address, repeated according to the
// mode (startup, liveness, readiness, until-ready), reporting failures with
// upstream's messages and exit codes (healthcheck:healthcheck.go,
// healthcheck:cmd/healthcheck/main.go).
package healthcheck

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// Exit codes, as the executor and Cloud Controller expect them.
const (
	ExitOK              = 0
	ExitInterfacesError = 1   // the interface list could not be read
	ExitUsage           = 2   // bad flags
	ExitNoInterface     = 3   // no non-loopback IPv4 address
	ExitTCPFailed       = 4   // TCP connect failed (refused, bad port, ...)
	ExitHTTPRefused     = 5   // HTTP request failed other than by timeout
	ExitHTTPFailed      = 6   // non-200 response, or the request could not be built
	ExitTCPTimeout      = 64  // TCP connect timed out
	ExitHTTPTimeout     = 65  // HTTP request timed out
	ExitUnknown         = 127 // anything else
)

// Error is a failed check: the process exit code and the message printed
// on stderr.
type Error struct {
	Code    int
	Message string
}

func (e *Error) Error() string { return e.Message }

// Check describes one probe: a TCP connect when URI is empty, otherwise an
// HTTP GET of http://<ip>:<Port><URI> that passes only on 200.
type Check struct {
	Network string // dial network for TCP checks, normally "tcp"
	URI     string
	Port    string
	Timeout time.Duration
}

// Probe runs the check once against ip. It returns nil or an *Error.
func (c Check) Probe(ip string) error {
	if c.URI == "" {
		return c.tcp(ip)
	}
	return c.http(ip)
}

func (c Check) tcp(ip string) error {
	addr := ip + ":" + c.Port
	conn, err := net.DialTimeout(c.Network, addr, c.Timeout)
	if err == nil {
		_ = conn.Close()
		return nil
	}
	if isTimeout(err) {
		return &Error{ExitTCPTimeout, fmt.Sprintf("failed to make TCP connection to %s: timed out after %.2f seconds", addr, c.Timeout.Seconds())}
	}
	return &Error{ExitTCPFailed, fmt.Sprintf("failed to make TCP connection to %s: %s", addr, err)}
}

// transport makes a fresh connection for every probe, so a check proves the
// app still accepts connections, and never goes through a proxy.
var transport = &http.Transport{DisableKeepAlives: true}

func (c Check) http(ip string) error {
	req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("http://%s:%s%s", ip, c.Port, c.URI), nil)
	if err != nil {
		return &Error{ExitHTTPFailed, fmt.Sprintf("failed to create an HTTP request to '%s' on port %s", c.URI, c.Port)}
	}
	req.Header.Set("User-Agent", "diego-healthcheck")
	req.Header.Set("X-Forwarded-Proto", "https")

	client := http.Client{Timeout: c.Timeout, Transport: transport}
	start := time.Now()
	resp, err := client.Do(req)
	elapsed := time.Since(start)
	if err != nil {
		if isTimeout(err) {
			return &Error{ExitHTTPTimeout, fmt.Sprintf("failed to make HTTP request to '%s' on port %s: timed out after %.2f seconds", c.URI, c.Port, c.Timeout.Seconds())}
		}
		return &Error{ExitHTTPRefused, fmt.Sprintf("failed to make HTTP request to '%s' on port %s: connection refused", c.URI, c.Port)}
	}
	// Drain the body so the app does not see the connection cut mid-response.
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	return &Error{ExitHTTPFailed, fmt.Sprintf("failed to make HTTP request to '%s' on port %s: received status code %d in %dms", c.URI, c.Port, resp.StatusCode, elapsed.Milliseconds())}
}

func isTimeout(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// FirstIPv4 returns the first non-loopback IPv4 address of interfaces, in
// order. Interfaces whose addresses cannot be read are skipped with a
// warning on warn.
func FirstIPv4(interfaces []net.Interface, warn io.Writer) (string, bool) {
	for _, intf := range interfaces {
		addrs, err := intf.Addrs()
		if err != nil {
			fmt.Fprintf(warn, "Warning: failed getting addresses for interface %v\n", intf)
			continue
		}
		for _, a := range addrs {
			if ipnet, ok := a.(*net.IPNet); ok && !ipnet.IP.IsLoopback() && ipnet.IP.To4() != nil {
				return ipnet.IP.String(), true
			}
		}
	}
	return "", false
}

// CheckInterfaces probes the first non-loopback IPv4 address of interfaces,
// or fails with exit code 3 when there is none.
func (c Check) CheckInterfaces(interfaces []net.Interface, warn io.Writer) error {
	ip, ok := FirstIPv4(interfaces, warn)
	if !ok {
		return &Error{ExitNoInterface, "failure to find suitable interface"}
	}
	return c.Probe(ip)
}

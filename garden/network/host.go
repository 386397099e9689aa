package network

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// Host is one Garden server's network: its bridge, pools and iptables chains.
type Host struct {
	Tag        string
	IPs        *IPPool
	Ports      *PortPool
	ExternalIP string
	MTU        int
}

// Bridge is the name of the server's bridge.
func (h *Host) Bridge() string { return "gbr-" + h.Tag }

func (h *Host) chain(kind string) string { return "g" + h.Tag + "-" + kind }

// netnsName is the /run/netns name of a container's namespace.
func (h *Host) netnsName(key string) string { return "g" + h.Tag + "-" + key }

// NetnsPath is the path runc joins for a container's network namespace.
func (h *Host) NetnsPath(key string) string { return filepath.Join("/run/netns", h.netnsName(key)) }

// HostVeth is the host end of a container's veth pair.
func (h *Host) HostVeth(key string) string { return "gv" + h.Tag[:4] + key[:8] }

// Setup creates (or re-creates) the bridge, sysctls and instance chains.
// It removes every per-container chain, namespace and veth with this
// server's tag, so it is also the restart clean-up for networking.
func (h *Host) Setup() error {
	if h.MTU == 0 {
		h.MTU = defaultMTU()
	}
	br := h.Bridge()
	if err := h.checkPoolFree(); err != nil {
		return err
	}
	if _, err := net.InterfaceByName(br); err != nil {
		if err := run("", "ip", "link", "add", br, "mtu", fmt.Sprint(h.MTU), "type", "bridge"); err != nil {
			return err
		}
	}
	gw := fmt.Sprintf("%s/%d", h.IPs.Gateway(), h.IPs.PrefixLen())
	_ = run("", "ip", "addr", "flush", "dev", br)
	if err := run(fmt.Sprintf("addr add %s dev %s\nlink set %s up\n", gw, br, br), "ip", "-batch", "-"); err != nil {
		return err
	}
	for path, val := range map[string]string{
		"/proc/sys/net/ipv4/ip_forward":                     "1",
		"/proc/sys/net/ipv4/conf/" + br + "/route_localnet": "1",
	} {
		if err := os.WriteFile(path, []byte(val), 0o644); err != nil {
			return fmt.Errorf("sysctl %s: %w", path, err)
		}
	}
	h.removeLeftovers()
	return h.setupChains()
}

func (h *Host) setupChains() error {
	fwd, netin, post := h.chain("fwd"), h.chain("netin"), h.chain("post")
	br := h.Bridge()
	pool := h.IPs.Subnet.String()
	batch := strings.Join([]string{
		"*filter",
		":" + fwd + " - [0:0]",
		"-A " + fwd + " -o " + br + " -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -j ACCEPT",
		"-A " + fwd + " -i " + br + " -o " + br + " -j ACCEPT",
		"-A " + fwd + " -i " + br + " -j REJECT --reject-with icmp-port-unreachable",
		"COMMIT",
		"*nat",
		":" + netin + " - [0:0]",
		":" + post + " - [0:0]",
		"-A " + post + " -s " + pool + " ! -o " + br + " -j MASQUERADE",
		"-A " + post + " -s 127.0.0.0/8 -o " + br + " -j MASQUERADE",
		"-A " + post + " -s " + pool + " -o " + br + " -m conntrack --ctstate DNAT -j MASQUERADE",
		"COMMIT", "",
	}, "\n")
	if err := iptablesRestore(batch); err != nil {
		return err
	}
	jumps := [][]string{
		{"filter", "FORWARD", "-j", fwd},
		{"nat", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-j", netin},
		{"nat", "OUTPUT", "-m", "addrtype", "--dst-type", "LOCAL", "-j", netin},
		{"nat", "POSTROUTING", "-j", post},
	}
	for _, j := range jumps {
		if iptables(append([]string{"-t", j[0], "-C", j[1]}, j[2:]...)...) == nil {
			continue
		}
		if err := iptables(append([]string{"-t", j[0], "-I", j[1], "1"}, j[2:]...)...); err != nil {
			return err
		}
	}
	return nil
}

// removeLeftovers deletes per-container chains, namespaces and veths that
// carry this server's tag.
func (h *Host) removeLeftovers() {
	prefixes := []string{h.chain("o-"), h.chain("i-")}
	if saved, err := output("iptables-save"); err == nil {
		var filterBatch, natBatch []string
		table := ""
		for _, line := range strings.Split(saved, "\n") {
			if strings.HasPrefix(line, "*") {
				table = line[1:]
			}
			if !strings.HasPrefix(line, ":") {
				continue
			}
			name := strings.Fields(line[1:])[0]
			for _, p := range prefixes {
				if strings.HasPrefix(name, p) {
					if table == "filter" {
						filterBatch = append(filterBatch, name)
					} else if table == "nat" {
						natBatch = append(natBatch, name)
					}
				}
			}
		}
		_ = iptables("-t", "filter", "-F", h.chain("fwd"))
		_ = iptables("-t", "nat", "-F", h.chain("netin"))
		for _, c := range filterBatch {
			_ = iptables("-t", "filter", "-F", c)
			_ = iptables("-t", "filter", "-X", c)
		}
		for _, c := range natBatch {
			_ = iptables("-t", "nat", "-F", c)
			_ = iptables("-t", "nat", "-X", c)
		}
	}
	entries, _ := os.ReadDir("/run/netns")
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "g"+h.Tag+"-") {
			_ = run("", "ip", "netns", "delete", e.Name())
		}
	}
	ifaces, _ := net.Interfaces()
	for _, i := range ifaces {
		if strings.HasPrefix(i.Name, "gv"+h.Tag[:4]) {
			_ = run("", "ip", "link", "delete", i.Name)
		}
	}
}

// Teardown removes the bridge and instance chains (used by tests and when
// a server is shut down for good).
func (h *Host) Teardown() {
	h.removeLeftovers()
	fwd, netin, post := h.chain("fwd"), h.chain("netin"), h.chain("post")
	_ = iptables("-t", "filter", "-D", "FORWARD", "-j", fwd)
	_ = iptables("-t", "nat", "-D", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-j", netin)
	_ = iptables("-t", "nat", "-D", "OUTPUT", "-m", "addrtype", "--dst-type", "LOCAL", "-j", netin)
	_ = iptables("-t", "nat", "-D", "POSTROUTING", "-j", post)
	for _, c := range [][2]string{{"filter", fwd}, {"nat", netin}, {"nat", post}} {
		_ = iptables("-t", c[0], "-F", c[1])
		_ = iptables("-t", c[0], "-X", c[1])
	}
	_ = run("", "ip", "link", "delete", h.Bridge())
}

// checkPoolFree fails when another interface (another Garden server's
// bridge, a VPN, ...) already has an address in our pool.
func (h *Host) checkPoolFree() error {
	ifaces, err := net.Interfaces()
	if err != nil {
		return err
	}
	for _, i := range ifaces {
		if i.Name == h.Bridge() {
			continue
		}
		addrs, _ := i.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && (h.IPs.Subnet.Contains(n.IP) || n.Contains(h.IPs.Subnet.IP)) {
				return fmt.Errorf("network_pool %s overlaps %s on interface %s", h.IPs.Subnet, n, i.Name)
			}
		}
	}
	return nil
}

// defaultMTU is the MTU of the interface holding the default route.
func defaultMTU() int {
	out, err := output("ip", "-o", "route", "show", "default")
	if err == nil {
		f := strings.Fields(out)
		for i := 0; i+1 < len(f); i++ {
			if f[i] == "dev" {
				if iface, err := net.InterfaceByName(f[i+1]); err == nil && iface.MTU > 0 {
					return iface.MTU
				}
			}
		}
	}
	return 1500
}

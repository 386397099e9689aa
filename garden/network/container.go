package network

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"code.cloudfoundry.org/garden"
)

// Container is one container's network: namespace, veth, address, chains.
type Container struct {
	host *Host
	Key  string // 10+ hex digits unique to the container within the server
	IP   net.IP
}

// Attach names the network namespace of process pid (the container's init,
// so the namespace belongs to the container's user namespace), plugs a veth
// into it, gives it ip and sets up its (deny-by-default) firewall and
// port-mapping chains. On failure nothing is left behind.
func (h *Host) Attach(key string, ip net.IP, pid int) (*Container, error) {
	c := &Container{host: h, Key: key, IP: ip}
	if err := c.attach(pid); err != nil {
		c.Detach()
		return nil, err
	}
	return c, nil
}

func (c *Container) attach(pid int) error {
	h := c.host
	ns, hv := h.netnsName(c.Key), h.HostVeth(c.Key)
	mtu := strconv.Itoa(h.MTU)
	if err := run("", "ip", "netns", "attach", ns, strconv.Itoa(pid)); err != nil {
		return err
	}
	hostCmds := fmt.Sprintf("link add %s mtu %s type veth peer name eth0 mtu %s netns %s\nlink set %s master %s up\n", hv, mtu, mtu, ns, hv, h.Bridge())
	if err := run(hostCmds, "ip", "-batch", "-"); err != nil {
		return err
	}
	nsCmds := fmt.Sprintf("link set lo up\naddr add %s/%d dev eth0\nlink set eth0 up\nroute add default via %s\n", c.IP, h.IPs.PrefixLen(), h.IPs.Gateway())
	if err := run(nsCmds, "ip", "-n", ns, "-batch", "-"); err != nil {
		return err
	}
	out, in := c.chain("o-"), c.chain("i-")
	return iptablesRestore(strings.Join([]string{
		"*filter",
		":" + out + " - [0:0]",
		"-A " + out + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
		"-A " + out + " -j REJECT --reject-with icmp-port-unreachable",
		"-I " + h.chain("fwd") + " 1 -i " + h.Bridge() + " -s " + c.IP.String() + "/32 -j " + out,
		"COMMIT",
		"*nat",
		":" + in + " - [0:0]",
		"-A " + h.chain("netin") + " -j " + in,
		"COMMIT", "",
	}, "\n"))
}

func (c *Container) chain(kind string) string { return c.host.chain(kind + c.Key[:10]) }

// NetnsPath is the namespace runc joins.
func (c *Container) NetnsPath() string { return c.host.NetnsPath(c.Key) }

// Detach removes everything Attach made; it tolerates missing pieces.
func (c *Container) Detach() {
	h := c.host
	out, in := c.chain("o-"), c.chain("i-")
	batch := strings.Join([]string{
		"*filter",
		"-D " + h.chain("fwd") + " -i " + h.Bridge() + " -s " + c.IP.String() + "/32 -j " + out,
		"-F " + out, "-X " + out,
		"COMMIT",
		"*nat",
		"-D " + h.chain("netin") + " -j " + in,
		"-F " + in, "-X " + in,
		"COMMIT", "",
	}, "\n")
	if iptablesRestore(batch) != nil {
		_ = iptables("-t", "filter", "-D", h.chain("fwd"), "-i", h.Bridge(), "-s", c.IP.String()+"/32", "-j", out)
		_ = iptables("-t", "filter", "-F", out)
		_ = iptables("-t", "filter", "-X", out)
		_ = iptables("-t", "nat", "-D", h.chain("netin"), "-j", in)
		_ = iptables("-t", "nat", "-F", in)
		_ = iptables("-t", "nat", "-X", in)
	}
	if _, err := net.InterfaceByName(h.HostVeth(c.Key)); err == nil {
		_ = run("", "ip", "link", "delete", h.HostVeth(c.Key))
	}
	if _, err := os.Stat(c.NetnsPath()); err == nil {
		_ = run("", "ip", "netns", "delete", h.netnsName(c.Key))
	}
}

// NetIn maps hostPort on every host address to containerPort.
func (c *Container) NetIn(hostPort, containerPort uint32) error {
	return iptables("-t", "nat", "-A", c.chain("i-"), "-p", "tcp", "--dport", fmt.Sprint(hostPort),
		"-j", "DNAT", "--to-destination", fmt.Sprintf("%s:%d", c.IP, containerPort))
}

// NetOut opens the firewall for the given rules.
func (c *Container) NetOut(rules []garden.NetOutRule) error {
	var lines []string
	for _, r := range rules {
		specs, err := ruleSpecs(r)
		if err != nil {
			return err
		}
		for _, s := range specs {
			lines = append(lines, "-I "+c.chain("o-")+" 2 "+s)
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return iptablesRestore("*filter\n" + strings.Join(lines, "\n") + "\nCOMMIT\n")
}

// Stats reports bytes received and sent by the container.
func (c *Container) Stats() (rx, tx uint64) {
	base := "/sys/class/net/" + c.host.HostVeth(c.Key) + "/statistics/"
	// The host end sends what the container receives, and vice versa.
	return readUint(base + "tx_bytes"), readUint(base + "rx_bytes")
}

func readUint(path string) uint64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	v, _ := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return v
}

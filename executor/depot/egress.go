package depot

import (
	"fmt"
	"net"
	"strings"

	"code.cloudfoundry.org/garden"

	"github.com/godiego/diego/proto/models"
)

// netOutRules turns a container's security group rules into Garden NetOut
// rules: protocol, destinations (an IP, a CIDR or an "a-b" range), ports or
// a port range, ICMP type and code, logging.
func netOutRules(rules []*models.SecurityGroupRule) ([]garden.NetOutRule, error) {
	out := make([]garden.NetOutRule, 0, len(rules))
	for _, r := range rules {
		rule := garden.NetOutRule{Log: r.GetLog()}
		switch r.GetProtocol() {
		case "tcp":
			rule.Protocol = garden.ProtocolTCP
		case "udp":
			rule.Protocol = garden.ProtocolUDP
		case "icmp":
			rule.Protocol = garden.ProtocolICMP
			rule.ICMPs = &garden.ICMPControl{Type: garden.ICMPType(r.GetIcmpInfo().GetType()),
				Code: garden.ICMPControlCode(uint8(r.GetIcmpInfo().GetCode()))}
		case "all":
			rule.Protocol = garden.ProtocolAll
		default:
			return nil, fmt.Errorf("egress rule: unknown protocol %q", r.GetProtocol())
		}
		if pr := r.GetPortRange(); pr != nil {
			rule.Ports = append(rule.Ports, garden.PortRange{Start: uint16(pr.GetStart()), End: uint16(pr.GetEnd())})
		} else {
			for _, p := range r.GetPorts() {
				rule.Ports = append(rule.Ports, garden.PortRangeFromPort(uint16(p)))
			}
		}
		for _, d := range r.GetDestinations() {
			ipr, err := ipRange(d)
			if err != nil {
				return nil, err
			}
			rule.Networks = append(rule.Networks, ipr)
		}
		out = append(out, rule)
	}
	return out, nil
}

func ipRange(dest string) (garden.IPRange, error) {
	if from, to, ok := strings.Cut(dest, "-"); ok {
		a, b := net.ParseIP(from), net.ParseIP(to)
		if a == nil || b == nil {
			return garden.IPRange{}, fmt.Errorf("egress rule: invalid destination %q", dest)
		}
		return garden.IPRange{Start: a, End: b}, nil
	}
	if ip := net.ParseIP(dest); ip != nil {
		return garden.IPRangeFromIP(ip), nil
	}
	_, n, err := net.ParseCIDR(dest)
	if err != nil {
		return garden.IPRange{}, fmt.Errorf("egress rule: invalid destination %q", dest)
	}
	return garden.IPRangeFromIPNet(n), nil
}

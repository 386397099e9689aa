package network

import (
	"fmt"
	"strings"

	"code.cloudfoundry.org/garden"
)

// ruleSpecs turns one NetOut rule into iptables rule specs (one per
// network × port range), each ending in ACCEPT (after LOG when asked).
func ruleSpecs(r garden.NetOutRule) ([]string, error) {
	var proto string
	switch r.Protocol {
	case garden.ProtocolAll:
		proto = "all"
	case garden.ProtocolTCP:
		proto = "tcp"
	case garden.ProtocolUDP:
		proto = "udp"
	case garden.ProtocolICMP:
		proto = "icmp"
	default:
		return nil, fmt.Errorf("netout: unknown protocol %d", r.Protocol)
	}
	if len(r.Ports) > 0 && proto != "tcp" && proto != "udp" {
		return nil, fmt.Errorf("netout: ports need protocol tcp or udp")
	}
	nets := []string{""}
	if len(r.Networks) > 0 {
		nets = nets[:0]
		for _, n := range r.Networks {
			if n.Start == nil || n.Start.To4() == nil {
				return nil, fmt.Errorf("netout: network range needs an IPv4 start")
			}
			end := n.End
			if end == nil {
				end = n.Start
			}
			nets = append(nets, fmt.Sprintf("-m iprange --dst-range %s-%s", n.Start, end))
		}
	}
	ports := []string{""}
	if len(r.Ports) > 0 {
		ports = ports[:0]
		for _, p := range r.Ports {
			end := p.End
			if end == 0 {
				end = p.Start
			}
			if p.Start > end {
				return nil, fmt.Errorf("netout: port range %d-%d is backwards", p.Start, end)
			}
			ports = append(ports, fmt.Sprintf("--dport %d:%d", p.Start, end))
		}
	}
	icmp := ""
	if r.ICMPs != nil && proto == "icmp" {
		icmp = fmt.Sprintf("--icmp-type %d", r.ICMPs.Type)
		if r.ICMPs.Code != nil {
			icmp += fmt.Sprintf("/%d", *r.ICMPs.Code)
		}
	}
	var specs []string
	for _, n := range nets {
		for _, p := range ports {
			parts := []string{"-p " + proto, n, p, icmp}
			match := strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
			specs = append(specs, match+" -j ACCEPT")
			if r.Log {
				specs = append(specs, match+" -m conntrack --ctstate NEW -j LOG --log-prefix \"garden-netout \"")
			}
		}
	}
	return specs, nil
}

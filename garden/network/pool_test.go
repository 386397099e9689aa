package network

import (
	"errors"
	"net"
	"strings"
	"testing"

	"code.cloudfoundry.org/garden"
)

func TestIPPoolAllocatesUsableAddressesAndCycles(t *testing.T) {
	p, err := NewIPPool("10.9.0.0/29")
	if err != nil {
		t.Fatal(err)
	}
	if p.Gateway().String() != "10.9.0.1" || p.PrefixLen() != 29 {
		t.Fatalf("gateway %s /%d", p.Gateway(), p.PrefixLen())
	}
	var got []string
	for i := 0; i < 5; i++ {
		ip, err := p.Allocate()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ip.String())
	}
	if strings.Join(got, ",") != "10.9.0.2,10.9.0.3,10.9.0.4,10.9.0.5,10.9.0.6" {
		t.Fatalf("allocated %v", got)
	}
	if _, err := p.Allocate(); !errors.Is(err, ErrPoolExhausted) {
		t.Fatalf("exhausted pool gave %v", err)
	}
	p.Release(net.ParseIP("10.9.0.3"))
	if ip, _ := p.Allocate(); ip.String() != "10.9.0.3" {
		t.Fatalf("reallocated %s", ip)
	}
}

func TestPortPool(t *testing.T) {
	p := &PortPool{Start: 100, Size: 2}
	a, _ := p.Allocate()
	b, _ := p.Allocate()
	if a != 100 || b != 101 {
		t.Fatalf("%d %d", a, b)
	}
	if _, err := p.Allocate(); err == nil {
		t.Fatal("allocated past the pool")
	}
	p.Release(100)
	if c, _ := p.Allocate(); c != 100 {
		t.Fatalf("%d", c)
	}
}

func TestRuleSpecs(t *testing.T) {
	code := garden.ICMPCode(0)
	for _, tc := range []struct {
		rule garden.NetOutRule
		want string
	}{
		{garden.NetOutRule{}, "-p all -j ACCEPT"},
		{garden.NetOutRule{Protocol: garden.ProtocolTCP,
			Networks: []garden.IPRange{{Start: net.ParseIP("1.2.3.4"), End: net.ParseIP("1.2.3.9")}},
			Ports:    []garden.PortRange{{Start: 80, End: 81}, {Start: 443}}},
			"-p tcp -m iprange --dst-range 1.2.3.4-1.2.3.9 --dport 80:81 -j ACCEPT|-p tcp -m iprange --dst-range 1.2.3.4-1.2.3.9 --dport 443:443 -j ACCEPT"},
		{garden.NetOutRule{Protocol: garden.ProtocolICMP, ICMPs: &garden.ICMPControl{Type: 8, Code: &code}}, "-p icmp --icmp-type 8/0 -j ACCEPT"},
		{garden.NetOutRule{Protocol: garden.ProtocolUDP, Log: true}, "-p udp -j ACCEPT|-p udp -m conntrack --ctstate NEW -j LOG --log-prefix \"garden-netout \""},
	} {
		specs, err := ruleSpecs(tc.rule)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(specs, "|"); got != tc.want {
			t.Fatalf("got  %s\nwant %s", got, tc.want)
		}
	}
	if _, err := ruleSpecs(garden.NetOutRule{Protocol: garden.ProtocolAll, Ports: []garden.PortRange{{Start: 1}}}); err == nil {
		t.Fatal("ports without tcp/udp accepted")
	}
	if _, err := ruleSpecs(garden.NetOutRule{Protocol: garden.ProtocolTCP, Ports: []garden.PortRange{{Start: 9, End: 1}}}); err == nil {
		t.Fatal("backwards port range accepted")
	}
}

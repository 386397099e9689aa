package depot

import (
	"net"
	"testing"

	"code.cloudfoundry.org/garden"

	"github.com/godiego/diego/proto/models"
)

func TestNetOutRules(t *testing.T) {
	rules, err := netOutRules([]*models.SecurityGroupRule{
		{Protocol: "tcp", Destinations: []string{"10.0.0.0/8"}, Ports: []uint32{80, 443}, Log: true},
		{Protocol: "udp", Destinations: []string{"1.1.1.1-1.1.1.9"}, PortRange: &models.PortRange{Start: 53, End: 54}},
		{Protocol: "icmp", Destinations: []string{"8.8.8.8"}, IcmpInfo: &models.ICMPInfo{Type: 8, Code: 0}},
		{Protocol: "all", Destinations: []string{"0.0.0.0-255.255.255.255"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rules[0].Protocol != garden.ProtocolTCP || len(rules[0].Ports) != 2 || rules[0].Ports[1].Start != 443 || !rules[0].Log ||
		!rules[0].Networks[0].Start.Equal(net.ParseIP("10.0.0.0")) || !rules[0].Networks[0].End.Equal(net.ParseIP("10.255.255.255")) {
		t.Fatalf("tcp rule %+v", rules[0])
	}
	if rules[1].Ports[0] != (garden.PortRange{Start: 53, End: 54}) || !rules[1].Networks[0].End.Equal(net.ParseIP("1.1.1.9")) {
		t.Fatalf("udp rule %+v", rules[1])
	}
	if rules[2].ICMPs == nil || rules[2].ICMPs.Type != 8 || rules[3].Protocol != garden.ProtocolAll {
		t.Fatalf("icmp/all %+v %+v", rules[2], rules[3])
	}
	for _, bad := range []*models.SecurityGroupRule{{Protocol: "sctp"}, {Protocol: "tcp", Destinations: []string{"nope"}}} {
		if _, err := netOutRules([]*models.SecurityGroupRule{bad}); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
}

package server_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"code.cloudfoundry.org/garden"
	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/garden/gardentest"
	gardenserver "github.com/godiego/diego/garden/server"
)

// serveHTTP starts busybox httpd on port in c serving body at /index.html.
func serveHTTP(t *testing.T, c garden.Container, port int, body string) {
	t.Helper()
	dir := fmt.Sprintf("/tmp/www%d", port)
	gardentest.Sh(t, c, fmt.Sprintf("mkdir -p %s && echo %s > %s/index.html", dir, body, dir))
	if _, err := c.Run(garden.ProcessSpec{Path: "httpd", Args: []string{"-f", "-p", fmt.Sprint(port), "-h", dir}}, garden.ProcessIO{}); err != nil {
		t.Fatal(err)
	}
}

func httpGet(url string) (string, error) {
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return strings.TrimSpace(string(b)), err
}

func TestPortMappingFromHost(t *testing.T) {
	cfg := gardentest.Config(t)
	client, _ := gardentest.Start(t, cfg)
	c, err := client.Create(garden.ContainerSpec{NetIn: []garden.NetIn{{HostPort: 0, ContainerPort: 8080}}})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Destroy(c.Handle())
	serveHTTP(t, c, 8080, "hello-from-container")
	hostPort, containerPort, err := c.NetIn(0, 9090)
	if err != nil || containerPort != 9090 || hostPort < cfg.PortPoolStart || hostPort >= cfg.PortPoolStart+cfg.PortPoolSize {
		t.Fatalf("NetIn gave %d->%d (%v)", hostPort, containerPort, err)
	}
	serveHTTP(t, c, 9090, "second-port")

	info, err := c.Info()
	if err != nil {
		t.Fatal(err)
	}
	if info.ContainerIP == "" || info.ExternalIP != cfg.ExternalIP || len(info.MappedPorts) != 2 || info.MappedPorts[0].ContainerPort != 8080 {
		t.Fatalf("info %+v", info)
	}
	if !strings.HasPrefix(info.ContainerIP, strings.TrimSuffix(cfg.NetworkPool, "0/24")) {
		t.Fatalf("container ip %s not from pool %s", info.ContainerIP, cfg.NetworkPool)
	}
	for _, target := range []struct {
		host string
		port uint32
		want string
	}{
		{"127.0.0.1", info.MappedPorts[0].HostPort, "hello-from-container"},
		{"127.0.0.1", hostPort, "second-port"},
		{info.ContainerIP, 8080, "hello-from-container"},
		{hostAddress(t), info.MappedPorts[0].HostPort, "hello-from-container"},
	} {
		url := fmt.Sprintf("http://%s:%d/index.html", target.host, target.port)
		var got string
		waitFor(t, url, func() bool { got, err = httpGet(url); return err == nil })
		if got != target.want {
			t.Fatalf("%s: %q", url, got)
		}
	}
}

// hostAddress is a non-loopback address of this host.
func hostAddress(t *testing.T) string {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !strings.HasPrefix(n.IP.String(), "10.2") {
			return n.IP.String()
		}
	}
	t.Skip("no external address")
	return ""
}

// Two servers (two cells) side by side, with their own pools and bridges;
// a container on one reaches a container on the other only once NetOut
// allows it.
func TestNetOutAndTwoServers(t *testing.T) {
	cfgA, cfgB := gardentest.Config(t), gardentest.Config(t)
	clientA, _ := gardentest.Start(t, cfgA)
	clientB, _ := gardentest.Start(t, cfgB)

	// A third server on the same pool refuses to start.
	cfgC := gardentest.Config(t)
	cfgC.NetworkPool = cfgA.NetworkPool
	if s, err := gardenserver.Start(cfgC, lager.NewLogger("overlap")); err == nil {
		s.Teardown()
		t.Fatal("a server started on another server's network pool")
	}

	server, err := clientB.Create(garden.ContainerSpec{Handle: "same-handle"})
	if err != nil {
		t.Fatal(err)
	}
	serveHTTP(t, server, 8080, "cell-b")
	info, _ := server.Info()

	c, err := clientA.Create(garden.ContainerSpec{Handle: "same-handle"})
	if err != nil {
		t.Fatal(err)
	}
	fetch := fmt.Sprintf("printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 2 %s 8080 | tail -n 1 | grep cell-b", info.ContainerIP)
	if r := gardentest.Run(t, c, "", "sh", "-c", fetch); r.Code == 0 {
		t.Fatalf("egress allowed without NetOut: %+v", r)
	}
	// A rule for another port does not open this one.
	if err := c.NetOut(garden.NetOutRule{Protocol: garden.ProtocolTCP,
		Networks: []garden.IPRange{garden.IPRangeFromIP(net.ParseIP(info.ContainerIP))},
		Ports:    []garden.PortRange{garden.PortRangeFromPort(9999)}}); err != nil {
		t.Fatal(err)
	}
	if r := gardentest.Run(t, c, "", "sh", "-c", fetch); r.Code == 0 {
		t.Fatal("egress allowed by a rule for another port")
	}
	if err := c.NetOut(garden.NetOutRule{Protocol: garden.ProtocolTCP,
		Networks: []garden.IPRange{garden.IPRangeFromIP(net.ParseIP(info.ContainerIP))},
		Ports:    []garden.PortRange{{Start: 8000, End: 8100}}}); err != nil {
		t.Fatal(err)
	}
	if out := gardentest.Sh(t, c, fetch); out != "cell-b" {
		t.Fatalf("fetched %q", out)
	}
	// Rules given at create time work too.
	c2, err := clientA.Create(garden.ContainerSpec{NetOut: []garden.NetOutRule{{Protocol: garden.ProtocolAll,
		Networks: []garden.IPRange{{Start: net.ParseIP(info.ContainerIP), End: net.ParseIP(info.ContainerIP)}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if out := gardentest.Sh(t, c2, fetch); out != "cell-b" {
		t.Fatalf("fetched %q", out)
	}
	if err := c.NetOut(garden.NetOutRule{Protocol: garden.ProtocolICMP, Ports: []garden.PortRange{{Start: 1}}}); err == nil {
		t.Fatal("an ICMP rule with ports was accepted")
	}
}

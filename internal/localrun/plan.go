package localrun

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/godiego/diego/internal/tlsconf"
)

// Addresses says where the local Diego's components listen.
type Addresses struct {
	Locket, BBS, BBSHealth, Auctioneer, FileServer, Router, RouteEmitterHealth string
	SSHProxy, SSHProxyHealth                                                   string
	NATS                                                                       string
	// DebugBase is the first debug port; each component takes the next one.
	DebugBase int
	// RepBase is cell 0's rep port; each further cell adds 10.
	RepBase int
	// PortPoolBase is cell 0's first garden host port; each cell adds 1000.
	PortPoolBase int
}

// DefaultAddresses are upstream's default ports, on loopback.
func DefaultAddresses() Addresses {
	return Addresses{
		Locket: "127.0.0.1:8891", BBS: "127.0.0.1:8889", BBSHealth: "127.0.0.1:8890",
		Auctioneer: "127.0.0.1:9016", FileServer: "127.0.0.1:8080", Router: "127.0.0.1:8081",
		RouteEmitterHealth: "127.0.0.1:17011", NATS: "127.0.0.1:4222",
		SSHProxy: "127.0.0.1:2222", SSHProxyHealth: "127.0.0.1:2223",
		DebugBase: 17001, RepBase: 1801, PortPoolBase: 61000,
	}
}

// Shifted returns the addresses with every port but NATS's moved by
// offset, so a second local Diego (a test's) can run beside the first.
func (a Addresses) Shifted(offset int) Addresses {
	shift := func(addr string) string {
		host, port, _ := strings.Cut(addr, ":")
		n, _ := strconv.Atoi(port)
		return host + ":" + strconv.Itoa(n+offset)
	}
	return Addresses{
		Locket: shift(a.Locket), BBS: shift(a.BBS), BBSHealth: shift(a.BBSHealth),
		Auctioneer: shift(a.Auctioneer), FileServer: shift(a.FileServer), Router: shift(a.Router),
		RouteEmitterHealth: shift(a.RouteEmitterHealth), NATS: a.NATS,
		SSHProxy: shift(a.SSHProxy), SSHProxyHealth: shift(a.SSHProxyHealth),
		DebugBase: a.DebugBase + offset, RepBase: a.RepBase + offset,
		// Garden host ports must not overlap another local Diego's, and must
		// stay above the kernel's ephemeral range (32768-60999): NetIn
		// rules would capture unrelated local connections there.
		PortPoolBase: a.PortPoolBase + 2000,
	}
}

func (a Addresses) debug(n int) string { return "127.0.0.1:" + strconv.Itoa(a.DebugBase+n) }

// Cell describes one local cell: a garden and a rep.
type Cell struct {
	ID          string
	Zone        string
	Index       int
	NetworkPool string
}

// Cells are the two local cells.
var Cells = []Cell{
	{ID: "cell-1", Zone: "z1", Index: 0, NetworkPool: "10.254.0.0/24"},
	{ID: "cell-2", Zone: "z2", Index: 1, NetworkPool: "10.254.1.0/24"},
}

// RepAddr is the cell's securable rep listener; the admin one is the port below.
func (a Addresses) RepAddr(c Cell) string { return "127.0.0.1:" + strconv.Itoa(a.RepBase+10*c.Index) }

// RepAdminAddr is the cell's admin rep listener.
func (a Addresses) RepAdminAddr(c Cell) string {
	return "127.0.0.1:" + strconv.Itoa(a.RepBase+10*c.Index-1)
}

// Stack is the preloaded rootfs name the local cells offer.
const Stack = "cflinuxfs4"

// Options select what the plan includes.
type Options struct {
	WithCells bool // gardens and reps need root and runc
	LogLevel  string
	Addresses Addresses
	// Cells overrides the cells (default: Cells).
	Cells []Cell
	// Tweak, when set, may change each component before it is started.
	Tweak func(*Component)
}

func (s State) tlsServer(prefix string) map[string]any {
	return map[string]any{
		prefix + "ca_file":   s.Certs.CACert,
		prefix + "cert_file": s.Certs.ServerCert,
		prefix + "key_file":  s.Certs.ServerKey,
	}
}

func (s State) locketClient(a Addresses) map[string]any {
	return map[string]any{
		"locket_address":          a.Locket,
		"locket_ca_cert_file":     s.Certs.CACert,
		"locket_client_cert_file": s.Certs.ClientCert,
		"locket_client_key_file":  s.Certs.ClientKey,
	}
}

func (s State) bbsClient(a Addresses) map[string]any {
	return map[string]any{
		"bbs_address":          "https://" + a.BBS,
		"bbs_ca_cert_file":     s.Certs.CACert,
		"bbs_client_cert_file": s.Certs.ClientCert,
		"bbs_client_key_file":  s.Certs.ClientKey,
	}
}

func merge(maps ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// Plan returns the components of the local Diego in start order.
func Plan(s State, opts Options) []Component {
	level := opts.LogLevel
	if level == "" {
		level = "info"
	}
	a := opts.Addresses
	if a.BBS == "" {
		a = DefaultAddresses()
	}
	cells := opts.Cells
	if cells == nil {
		cells = Cells
	}
	c := s.Certs
	plan := []Component{
		{
			Name: "locket", Binary: "locket", ReadyAt: a.Locket, Ready: s.tlsReady(a.Locket),
			Config: merge(s.tlsServer(""), map[string]any{
				"listen_address":             a.Locket,
				"database_driver":            "sqlite",
				"database_connection_string": s.Path("data", "locket.db"),
				"log_level":                  level,
				"debug_address":              a.debug(0),
			}),
		},
		{
			Name: "bbs", Binary: "bbs", ReadyAt: a.BBS, Ready: s.tlsReady(a.BBS),
			Config: merge(s.tlsServer(""), s.locketClient(a), map[string]any{
				"listen_address":             a.BBS,
				"health_address":             a.BBSHealth,
				"advertise_url":              "https://" + a.BBS,
				"uuid":                       "bbs-local-0",
				"database_driver":            "sqlite",
				"database_connection_string": s.Path("data", "bbs.db"),
				"encryption_keys":            map[string]string{"local": "local-development-passphrase"},
				"active_key_label":           "local",
				"auctioneer_address":         "https://" + a.Auctioneer,
				"auctioneer_ca_cert":         c.CACert,
				"auctioneer_client_cert":     c.ClientCert,
				"auctioneer_client_key":      c.ClientKey,
				"auctioneer_require_tls":     true,
				"rep_ca_cert":                c.CACert,
				"rep_client_cert":            c.ClientCert,
				"rep_client_key":             c.ClientKey,
				"rep_require_tls":            true,
				"log_level":                  level,
				"debug_address":              a.debug(1),
			}),
		},
		{
			Name: "auctioneer", Binary: "auctioneer", ReadyAt: a.Auctioneer, Ready: s.tlsReady(a.Auctioneer),
			Config: merge(s.bbsClient(a), s.locketClient(a), map[string]any{
				"listen_address":   a.Auctioneer,
				"uuid":             "auctioneer-local-0",
				"ca_cert_file":     c.CACert,
				"server_cert_file": c.ServerCert,
				"server_key_file":  c.ServerKey,
				"rep_ca_cert":      c.CACert,
				"rep_client_cert":  c.ClientCert,
				"rep_client_key":   c.ClientKey,
				"rep_require_tls":  true,
				"log_level":        level,
				"debug_address":    a.debug(2),
			}),
		},
		{
			Name: "file-server", Binary: "file-server", ReadyAt: a.FileServer, Ready: TCPReady(a.FileServer),
			Config: map[string]any{
				"server_address":   a.FileServer,
				"static_directory": s.Path("static"),
				"log_level":        level,
				"debug_address":    a.debug(3),
			},
		},
	}
	if opts.WithCells {
		for _, cell := range cells {
			plan = append(plan, gardenComponent(s, a, cell, level), repComponent(s, a, cell, level))
		}
	}
	plan = append(plan,
		Component{
			Name: "route-emitter", Binary: "route-emitter", ReadyAt: a.RouteEmitterHealth, Ready: TCPReady(a.RouteEmitterHealth),
			Config: merge(s.bbsClient(a), s.locketClient(a), map[string]any{
				"uuid":                "route-emitter-local-0",
				"nats_addresses":      a.NATS,
				"healthcheck_address": a.RouteEmitterHealth,
				"sync_interval":       "60s",
				"log_level":           level,
				"debug_address":       a.debug(4),
			}),
		},
		sshProxyComponent(s, a, level),
		Component{
			Name: "dev-router", Binary: "dev-router", ReadyAt: a.Router, Ready: TCPReady(a.Router),
			Config: map[string]any{
				"listen_address": a.Router,
				"nats_addresses": a.NATS,
				"log_level":      level,
			},
		},
	)
	if opts.Tweak != nil {
		for i := range plan {
			opts.Tweak(&plan[i])
		}
	}
	return plan
}

// tlsReady probes addr with an mTLS handshake using the client certificate
// (a plain TCP probe would make TLS servers log handshake errors).
func (s State) tlsReady(addr string) ReadyCheck {
	cfg, err := tlsconf.Client(s.Certs.ClientCert, s.Certs.ClientKey, s.Certs.CACert, false)
	if err != nil {
		return TCPReady(addr)
	}
	return TLSReady(addr, cfg)
}

func gardenComponent(s State, a Addresses, cell Cell, level string) Component {
	sock := s.Path(cell.ID, "garden.sock")
	return Component{
		Name: cell.ID + "-garden", Binary: "garden", ReadyAt: sock, Ready: UnixReady(sock),
		// Leave no containers, bridges or firewall rules behind.
		Cleanup: []string{"-teardown"},
		Config: map[string]any{
			"listen_network":     "unix",
			"listen_address":     sock,
			"depot_dir":          s.Path(cell.ID, "depot"),
			"default_rootfs":     s.Path("rootfs", Stack),
			"preloaded_rootfses": map[string]string{Stack: s.Path("rootfs", Stack)},
			"network_pool":       cell.NetworkPool,
			"port_pool_start":    a.PortPoolBase + 1000*cell.Index,
			"port_pool_size":     1000,
			"external_ip":        "127.0.0.1",
			"default_grace_time": "0s",
			"max_containers":     100,
			"log_level":          level,
		},
	}
}

func repComponent(s State, a Addresses, cell Cell, level string) Component {
	c := s.Certs
	admin := a.RepAdminAddr(cell)
	secure := a.RepAddr(cell)
	return Component{
		Name: cell.ID + "-rep", Binary: "rep", ReadyAt: secure, Ready: s.tlsReady(secure),
		Config: merge(s.bbsClient(a), s.locketClient(a), map[string]any{
			"cell_id":                        cell.ID,
			"cell_index":                     cell.Index,
			"zone":                           cell.Zone,
			"listen_addr":                    admin,
			"listen_addr_securable":          secure,
			"ca_cert_file":                   c.CACert,
			"server_cert_file":               c.ServerCert,
			"server_key_file":                c.ServerKey,
			"require_tls":                    true,
			"garden_network":                 "unix",
			"garden_addr":                    s.Path(cell.ID, "garden.sock"),
			"preloaded_root_fs":              []string{fmt.Sprintf("%s:%s", Stack, s.Path("rootfs", Stack))},
			"cache_path":                     s.Path(cell.ID, "cache"),
			"temp_dir":                       s.Path(cell.ID, "tmp"),
			"memory_mb":                      "auto",
			"disk_mb":                        "auto",
			"polling_interval":               "30s",
			"evacuation_timeout":             "60s",
			"enable_declarative_healthcheck": true,
			"declarative_healthcheck_path":   filepath.Join(s.Path("static"), "healthcheck"),
			"log_level":                      level,
			"debug_address":                  a.debug(20 + cell.Index),
		}),
	}
}

// SSHPassword is the local ssh-proxy's diego_credentials: `ssh -p 2222
// diego:PROCESS_GUID/INDEX@127.0.0.1` with this password reaches an
// instance that runs diego-sshd behind a diego-ssh route.
const SSHPassword = "local-diego-ssh"

func sshProxyComponent(s State, a Addresses, level string) Component {
	hostKey, _ := os.ReadFile(s.SSHHostKeyPath())
	c := s.Certs
	return Component{
		Name: "ssh-proxy", Binary: "ssh-proxy", ReadyAt: a.SSHProxy, Ready: TCPReady(a.SSHProxyHealth),
		Config: map[string]any{
			"address":              a.SSHProxy,
			"health_check_address": a.SSHProxyHealth,
			"host_key":             string(hostKey),
			"bbs_address":          "https://" + a.BBS,
			"bbs_ca_cert":          c.CACert,
			"bbs_client_cert":      c.ClientCert,
			"bbs_client_key":       c.ClientKey,
			"enable_diego_auth":    true,
			"diego_credentials":    SSHPassword,
			"log_level":            level,
			"debug_address":        a.debug(5),
		},
	}
}

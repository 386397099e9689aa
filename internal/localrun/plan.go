package localrun

import (
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/godiego/diego/internal/tlsconf"
)

// Addresses of the local Diego. Upstream's default ports, on loopback.
const (
	LocketAddr     = "127.0.0.1:8891"
	BBSAddr        = "127.0.0.1:8889"
	BBSHealthAddr  = "127.0.0.1:8890"
	AuctioneerAddr = "127.0.0.1:9016"
	FileServerAddr = "127.0.0.1:8080"
	RouterAddr     = "127.0.0.1:8081"
	NATSAddr       = "127.0.0.1:4222"
)

// Cell describes one local cell: a garden and a rep.
type Cell struct {
	ID          string
	Zone        string
	Index       int
	RepPort     int // securable listener; the admin listener is RepPort-1
	NetworkPool string
	PortStart   int
}

// Cells are the two local cells.
var Cells = []Cell{
	{ID: "cell-1", Zone: "z1", Index: 0, RepPort: 1801, NetworkPool: "10.254.0.0/24", PortStart: 61000},
	{ID: "cell-2", Zone: "z2", Index: 1, RepPort: 1811, NetworkPool: "10.254.1.0/24", PortStart: 62000},
}

// Stack is the preloaded rootfs name the local cells offer.
const Stack = "cflinuxfs4"

// Options select what the plan includes.
type Options struct {
	WithCells bool // gardens and reps need root and runc
	LogLevel  string
}

func (s State) tlsServer(prefix string) map[string]any {
	return map[string]any{
		prefix + "ca_file":   s.Certs.CACert,
		prefix + "cert_file": s.Certs.ServerCert,
		prefix + "key_file":  s.Certs.ServerKey,
	}
}

func (s State) locketClient() map[string]any {
	return map[string]any{
		"locket_address":          LocketAddr,
		"locket_ca_cert_file":     s.Certs.CACert,
		"locket_client_cert_file": s.Certs.ClientCert,
		"locket_client_key_file":  s.Certs.ClientKey,
	}
}

func (s State) bbsClient() map[string]any {
	return map[string]any{
		"bbs_address":          "https://" + BBSAddr,
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
	c := s.Certs
	tlsReady := func(addr string) ReadyCheck {
		cfg, err := tlsconf.Client(c.ClientCert, c.ClientKey, c.CACert, false)
		if err != nil {
			return TCPReady(addr)
		}
		return TLSReady(addr, cfg)
	}
	plan := []Component{
		{
			Name: "locket", Binary: "locket", ReadyAt: LocketAddr, Ready: tlsReady(LocketAddr),
			Config: merge(s.tlsServer(""), map[string]any{
				"listen_address":             LocketAddr,
				"database_driver":            "sqlite",
				"database_connection_string": s.Path("data", "locket.db"),
				"log_level":                  level,
				"debug_address":              "127.0.0.1:17018",
			}),
		},
		{
			Name: "bbs", Binary: "bbs", ReadyAt: BBSAddr, Ready: tlsReady(BBSAddr),
			Config: merge(s.tlsServer(""), s.locketClient(), map[string]any{
				"listen_address":             BBSAddr,
				"health_address":             BBSHealthAddr,
				"advertise_url":              "https://" + BBSAddr,
				"uuid":                       "bbs-local-0",
				"database_driver":            "sqlite",
				"database_connection_string": s.Path("data", "bbs.db"),
				"encryption_keys":            map[string]string{"local": "local-development-passphrase"},
				"active_key_label":           "local",
				"auctioneer_address":         "https://" + AuctioneerAddr,
				"auctioneer_ca_cert":         c.CACert,
				"auctioneer_client_cert":     c.ClientCert,
				"auctioneer_client_key":      c.ClientKey,
				"auctioneer_require_tls":     true,
				"rep_ca_cert":                c.CACert,
				"rep_client_cert":            c.ClientCert,
				"rep_client_key":             c.ClientKey,
				"rep_require_tls":            true,
				"log_level":                  level,
				"debug_address":              "127.0.0.1:17017",
			}),
		},
		{
			Name: "auctioneer", Binary: "auctioneer", ReadyAt: AuctioneerAddr, Ready: tlsReady(AuctioneerAddr),
			Config: merge(s.bbsClient(), s.locketClient(), map[string]any{
				"listen_address":   AuctioneerAddr,
				"uuid":             "auctioneer-local-0",
				"ca_cert_file":     c.CACert,
				"server_cert_file": c.ServerCert,
				"server_key_file":  c.ServerKey,
				"rep_ca_cert":      c.CACert,
				"rep_client_cert":  c.ClientCert,
				"rep_client_key":   c.ClientKey,
				"rep_require_tls":  true,
				"log_level":        level,
				"debug_address":    "127.0.0.1:17001",
			}),
		},
		{
			Name: "file-server", Binary: "file-server", ReadyAt: FileServerAddr, Ready: TCPReady(FileServerAddr),
			Config: map[string]any{
				"server_address":   FileServerAddr,
				"static_directory": s.Path("static"),
				"log_level":        level,
				"debug_address":    "127.0.0.1:17005",
			},
		},
	}
	if opts.WithCells {
		for _, cell := range Cells {
			plan = append(plan, gardenComponent(s, cell, level), repComponent(s, cell, level))
		}
	}
	plan = append(plan,
		Component{
			Name: "route-emitter", Binary: "route-emitter", ReadyAt: "127.0.0.1:17011", Ready: TCPReady("127.0.0.1:17011"),
			Config: merge(s.bbsClient(), s.locketClient(), map[string]any{
				"uuid":                "route-emitter-local-0",
				"nats_addresses":      NATSAddr,
				"healthcheck_address": "127.0.0.1:17011",
				"sync_interval":       "60s",
				"log_level":           level,
				"debug_address":       "127.0.0.1:17009",
			}),
		},
		Component{
			Name: "dev-router", Binary: "dev-router", ReadyAt: RouterAddr, Ready: TCPReady(RouterAddr),
			Config: map[string]any{
				"listen_address": RouterAddr,
				"nats_addresses": NATSAddr,
				"log_level":      level,
			},
		},
	)
	return plan
}

func repReady(s State, addr string) ReadyCheck {
	cfg, err := tlsconf.Client(s.Certs.ClientCert, s.Certs.ClientKey, s.Certs.CACert, false)
	if err != nil {
		return TCPReady(addr)
	}
	return TLSReady(addr, cfg)
}

func gardenComponent(s State, cell Cell, level string) Component {
	sock := s.Path(cell.ID, "garden.sock")
	return Component{
		Name: cell.ID + "-garden", Binary: "garden", ReadyAt: sock, Ready: UnixReady(sock),
		Config: map[string]any{
			"listen_network":     "unix",
			"listen_address":     sock,
			"depot_dir":          s.Path(cell.ID, "depot"),
			"default_rootfs":     s.Path("rootfs", Stack),
			"preloaded_rootfses": map[string]string{Stack: s.Path("rootfs", Stack)},
			"network_pool":       cell.NetworkPool,
			"port_pool_start":    cell.PortStart,
			"port_pool_size":     1000,
			"external_ip":        "127.0.0.1",
			"default_grace_time": "0s",
			"max_containers":     100,
			"log_level":          level,
		},
	}
}

func repComponent(s State, cell Cell, level string) Component {
	c := s.Certs
	admin := "127.0.0.1:" + strconv.Itoa(cell.RepPort-1)
	secure := "127.0.0.1:" + strconv.Itoa(cell.RepPort)
	return Component{
		Name: cell.ID + "-rep", Binary: "rep", ReadyAt: secure, Ready: repReady(s, secure),
		Config: merge(s.bbsClient(), s.locketClient(), map[string]any{
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
			"debug_address":                  "127.0.0.1:" + strconv.Itoa(17100+cell.Index),
		}),
	}
}

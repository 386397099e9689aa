package jobs

import (
	"os"
	"path/filepath"
	"testing"
)

// Each function below returns the minimal deployment of one job: what an
// operator has to set (certificates, database, keys), nothing more.

func bbsCase() daemonCase {
	return daemonCase{
		job: "bbs", binary: "bbs", config: "config/bbs.json",
		props: func(c devCerts) map[string]any {
			return map[string]any{
				"diego.bbs.ca_cert":          c.CA,
				"diego.bbs.server_cert":      c.ServerCert,
				"diego.bbs.server_key":       c.ServerKey,
				"diego.bbs.active_key_label": "key-2026",
				"diego.bbs.encryption_keys":  []map[string]string{{"label": "key-2026", "passphrase": "correct horse"}},
				"diego.bbs.sql.db_host":      "sql-db.service.cf.internal",
				"diego.bbs.sql.db_port":      3306,
				"diego.bbs.sql.db_schema":    "diego",
				"diego.bbs.sql.db_username":  "diego",
				"diego.bbs.sql.db_password":  "secret",
			}
		},
		want: map[string]any{
			"database_connection_string":   "diego:secret@tcp(sql-db.service.cf.internal:3306)/diego",
			"encryption_keys":              map[string]string{"key-2026": "correct horse"},
			"advertise_url":                "https://bbs-0.bbs.service.cf.internal:8889",
			"expire_pending_task_duration": "1800s",
		},
		bad:    map[string]any{"diego.bbs.sql.db_driver": "oracle"},
		badKey: "database_driver",
	}
}

func locketCase() daemonCase {
	return daemonCase{
		job: "locket", binary: "locket", config: "config/locket.json",
		props: func(c devCerts) map[string]any {
			return map[string]any{
				"tls.ca_cert":                      c.CA,
				"tls.cert":                         c.ServerCert,
				"tls.key":                          c.ServerKey,
				"diego.locket.sql.db_driver":       "postgres",
				"diego.locket.sql.db_host":         "sql-db.service.cf.internal",
				"diego.locket.sql.db_port":         5432,
				"diego.locket.sql.db_schema":       "locket",
				"diego.locket.sql.db_username":     "locket",
				"diego.locket.sql.db_password":     "secret",
				"diego.locket.sql.db_read_timeout": 60,
			}
		},
		want: map[string]any{
			"database_connection_string": "postgres://locket:secret@sql-db.service.cf.internal:5432/locket",
			"db_read_timeout":            "60s", "db_operation_timeout": "10s",
		},
		bad:    map[string]any{"logging.format.timestamp": "iso8601"},
		badKey: "time_format",
	}
}

func auctioneerCase() daemonCase {
	return daemonCase{
		job: "auctioneer", binary: "auctioneer", config: "config/auctioneer.json",
		props: func(c devCerts) map[string]any {
			return map[string]any{
				"diego.auctioneer.ca_cert":         c.CA,
				"diego.auctioneer.server_cert":     c.ServerCert,
				"diego.auctioneer.server_key":      c.ServerKey,
				"diego.auctioneer.bbs.ca_cert":     c.CA,
				"diego.auctioneer.bbs.client_cert": c.ClientCert,
				"diego.auctioneer.bbs.client_key":  c.ClientKey,
				"diego.auctioneer.rep.ca_cert":     c.CA,
				"diego.auctioneer.rep.client_cert": c.ClientCert,
				"diego.auctioneer.rep.client_key":  c.ClientKey,
				"diego.auctioneer.rep.require_tls": true,
			}
		},
		bad:    map[string]any{"diego.auctioneer.starting_container_weight": 1.5},
		badKey: "starting_container_weight",
	}
}

func repCase() daemonCase {
	return daemonCase{
		job: "rep", binary: "rep", config: "config/rep.json",
		props: func(c devCerts) map[string]any {
			return map[string]any{
				"tls.ca_cert":                        c.CA,
				"tls.cert":                           c.ServerCert,
				"tls.key":                            c.ServerKey,
				"diego.rep.preloaded_rootfses":       []string{"cflinuxfs4:/srv/rootfs/cflinuxfs4.tar"},
				"containers.trusted_ca_certificates": []string{c.CA},
			}
		},
		want: map[string]any{
			"zone": "z1", "cell_index": 0, "listen_addr": "127.0.0.1:1800", "polling_interval": "30s",
			"garden_healthcheck_process_args": []string{"-c", "ls > /tmp/test"},
			"preloaded_root_fs":               []string{"cflinuxfs4:/srv/rootfs/cflinuxfs4.tar"},
		},
		bad:    map[string]any{"diego.executor.memory_capacity_mb": "lots"},
		badKey: "memory_mb",
	}
}

func routeEmitterCase() daemonCase {
	return daemonCase{
		job: "route_emitter", binary: "route-emitter", config: "config/route_emitter.json",
		props: func(c devCerts) map[string]any {
			return map[string]any{
				"diego.route_emitter.bbs.ca_cert":          c.CA,
				"diego.route_emitter.bbs.client_cert":      c.ClientCert,
				"diego.route_emitter.bbs.client_key":       c.ClientKey,
				"diego.route_emitter.nats.tls.enabled":     true,
				"diego.route_emitter.nats.tls.client_cert": c.ClientCert,
				"diego.route_emitter.nats.tls.client_key":  c.ClientKey,
			}
		},
		// NATS comes from the nats-tls link, as in cf-deployment.
		extra: func(c devCerts) manifest {
			return manifest{"links": map[string]any{"nats-tls": map[string]any{
				"properties": map[string]any{"nats": map[string]any{
					"port": 4224, "user": "nats", "password": "secret",
					"external": map[string]any{"tls": map[string]any{"ca": c.CA}},
				}},
				"instances": []map[string]any{{"address": "10.0.31.191"}, {"address": "10.0.47.191"}},
			}}}
		},
		want: map[string]any{
			"nats_addresses": "10.0.31.191:4224,10.0.47.191:4224", "nats_username": "nats",
			"nats_tls_enabled": true, "sync_interval": "60s", "jitter_factor": 0.2,
		},
		bad:    map[string]any{"diego.route_emitter.sync_interval_in_seconds": 0},
		badKey: "sync_interval",
	}
}

func fileServerCase() daemonCase {
	return daemonCase{
		job: "file_server", binary: "file-server", config: "config/file_server.json",
		props: func(c devCerts) map[string]any {
			return map[string]any{
				"https_server_enabled": true,
				"tls.cert":             c.ServerCert,
				"tls.key":              c.ServerKey,
			}
		},
		// The lifecycle packages land in the job's packages directory.
		prepare: func(t *testing.T, r rendered) {
			if err := os.MkdirAll(filepath.Join(r.JobDir, "packages"), 0o755); err != nil {
				t.Fatal(err)
			}
		},
		want:   map[string]any{"server_address": "0.0.0.0:8080", "https_listen_addr": "0.0.0.0:8443"},
		bad:    map[string]any{"diego.file_server.listen_addr": "8080"},
		badKey: "server_address",
	}
}

func gardenCase() daemonCase {
	return daemonCase{
		job: "garden", binary: "garden", config: "config/garden.json",
		props: func(c devCerts) map[string]any {
			return map[string]any{
				"garden.preloaded_rootfses": []string{"cflinuxfs4:/var/vcap/packages/cflinuxfs4/rootfs.tar"},
			}
		},
		prepare: func(t *testing.T, r rendered) {
			dir := filepath.Join(r.Root, "packages", "cflinuxfs4")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "rootfs.tar"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		},
		want:   map[string]any{"external_ip": "10.0.16.5", "default_grace_time": "0s", "port_pool_start": 61001},
		bad:    map[string]any{"garden.network_pool": "10.254.0.0"},
		badKey: "network_pool",
	}
}

// sshProxyCase skips until bin/ssh-proxy exists; the keys are upstream's
// (diego-ssh cmd/ssh-proxy/config).
func sshProxyCase() daemonCase {
	return daemonCase{
		job: "ssh_proxy", binary: "ssh-proxy", config: "config/ssh_proxy.json",
		props: func(c devCerts) map[string]any {
			return map[string]any{
				"diego.ssh_proxy.host_key":          c.ServerKey,
				"diego.ssh_proxy.bbs.ca_cert":       c.CA,
				"diego.ssh_proxy.bbs.client_cert":   c.ClientCert,
				"diego.ssh_proxy.bbs.client_key":    c.ClientKey,
				"diego.ssh_proxy.enable_diego_auth": true,
				"diego.ssh_proxy.diego_credentials": "secret",
			}
		},
		want:   map[string]any{"address": "0.0.0.0:2222", "health_check_address": "0.0.0.0:2223"},
		bad:    map[string]any{"diego.ssh_proxy.log_level": "loud"},
		badKey: "log_level",
	}
}

package jobs

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
				"diego.rep.preloaded_rootfses":       []string{"cflinuxfs4:/var/vcap/packages/cflinuxfs4/rootfs.tar"},
				"containers.trusted_ca_certificates": []string{c.CA},
			}
		},
		bad:    map[string]any{"diego.executor.memory_capacity_mb": "lots"},
		badKey: "memory_mb",
	}
}

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

package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func load(t *testing.T, body string) (Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.json")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(path)
}

func TestDefaultsAreValid(t *testing.T) {
	cfg, err := load(t, `{}`)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ListenAddress != "127.0.0.1:7777" || cfg.NetworkPool != "10.254.0.0/22" || cfg.MaxContainers != 250 || cfg.DefaultGraceTime != 0 {
		t.Fatalf("defaults %+v", cfg)
	}
}

func TestRejects(t *testing.T) {
	for body, want := range map[string]string{
		`{"nope": 1}`:                                         "nope",
		`{"network_pool": "bogus"}`:                           "network_pool",
		`{"network_pool": "10.0.0.0/30"}`:                     "network_pool",
		`{"listen_network": "unix", "listen_address": "rel"}`: "listen_address",
		`{"port_pool_start": 65000, "port_pool_size": 1000}`:  "port_pool",
		`{"default_grace_time": "-1s"}`:                       "default_grace_time",
		`{"external_ip": "nope"}`:                             "external_ip",
		`{"depot_dir": "relative"}`:                           "depot_dir",
		`{"max_containers": 0}`:                               "max_containers",
		`{"default_rootfs": "/no/such"}`:                      "default_rootfs",
	} {
		_, err := load(t, body)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: error %v, want mention of %s", body, err, want)
		}
	}
}

func TestTagDependsOnDepot(t *testing.T) {
	if TagFor("/a") == TagFor("/b") || TagFor("/a") != TagFor("/a/") || len(TagFor("/a")) != 6 {
		t.Fatal("tags must be 6 hex digits, one per depot")
	}
}

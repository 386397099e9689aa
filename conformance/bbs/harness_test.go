// Package bbs_test checks our bin/bbs against upstream's own BBS client
// (code.cloudfoundry.org/bbs): every route group, error types for bad
// requests and illegal transitions, event streams, task callbacks and cell
// presences, with bin/locket for the lock and presences and an HTTP
// recorder standing in for the auctioneer.
package bbs_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"code.cloudfoundry.org/bbs"
	"code.cloudfoundry.org/bbs/models"
	"code.cloudfoundry.org/lager/v3"
	locket "code.cloudfoundry.org/locket"
	locketmodels "code.cloudfoundry.org/locket/models"

	"conformance/harness"
)

// auctioneer records the auction requests the BBS sends.
type auctioneer struct {
	mu    sync.Mutex
	lrps  []map[string]any
	tasks []map[string]any
	ids   []string
}

func (a *auctioneer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var reqs []map[string]any
	_ = json.Unmarshal(body, &reqs)
	a.mu.Lock()
	switch r.URL.Path {
	case "/v1/lrps":
		a.lrps = append(a.lrps, reqs...)
	case "/v1/tasks":
		a.tasks = append(a.tasks, reqs...)
	}
	a.ids = append(a.ids, r.Header.Get("X-Vcap-Request-Id"))
	a.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func (a *auctioneer) lrpRequests() []map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]map[string]any(nil), a.lrps...)
}

func (a *auctioneer) taskRequests() []map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]map[string]any(nil), a.tasks...)
}

func (a *auctioneer) requestIDs() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.ids...)
}

// env is a running locket + bbs pair and clients for both.
type env struct {
	bbs        bbs.InternalClient
	locket     locketmodels.LocketClient
	auctioneer *auctioneer
	proc       *harness.Process
	certs      harness.Certs
	url        string
	logger     lager.Logger
	config     map[string]any
}

func startEnv(t *testing.T, driver string, overrides map[string]any) *env {
	t.Helper()
	db := harness.NewDatabase(t, driver)
	certs := harness.NewCerts(t)

	locketAddr := harness.FreePort(t)
	lp := harness.Start(t, "locket", map[string]any{
		"ca_file": certs.CACert, "cert_file": certs.ServerCert, "key_file": certs.ServerKey,
		"listen_address": locketAddr, "database_driver": "sqlite",
		"database_connection_string": t.TempDir() + "/locket.db",
	})
	lp.WaitForListen(t, locketAddr, 30*time.Second)

	auc := &auctioneer{}
	aucSrv := httptest.NewServer(auc)
	t.Cleanup(aucSrv.Close)

	addr, health := harness.FreePort(t), harness.FreePort(t)
	cfg := map[string]any{
		"listen_address": addr, "health_address": health, "uuid": "bbs-conformance",
		"ca_file": certs.CACert, "cert_file": certs.ServerCert, "key_file": certs.ServerKey,
		"database_driver": db.Driver, "database_connection_string": db.ConnectionString,
		"encryption_keys": map[string]string{"k1": "a passphrase"}, "active_key_label": "k1",
		"auctioneer_address":       aucSrv.URL,
		"locket_address":           locketAddr,
		"locket_ca_cert_file":      certs.CACert,
		"locket_client_cert_file":  certs.ClientCert,
		"locket_client_key_file":   certs.ClientKey,
		"converge_repeat_interval": "1h",
		"log_level":                "debug",
		"loggregator":              map[string]any{"loggregator_api_port": 3458},
	}
	for k, v := range overrides {
		cfg[k] = v
	}
	proc := harness.Start(t, "bbs", cfg)
	proc.WaitForListen(t, addr, 60*time.Second)

	logger := lager.NewLogger("conformance")
	client, err := bbs.NewClient("https://"+addr, certs.CACert, certs.ClientCert, certs.ClientKey, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	harness.Eventually(t, 30*time.Second, "bbs to answer pings", func() bool { return client.Ping(logger, "") })
	lc, err := locket.NewClient(logger, locket.ClientLocketConfig{
		LocketAddress: locketAddr, LocketCACertFile: certs.CACert,
		LocketClientCertFile: certs.ClientCert, LocketClientKeyFile: certs.ClientKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &env{bbs: client, locket: lc, auctioneer: auc, proc: proc, certs: certs, url: "https://" + addr, logger: logger, config: cfg}
}

func errType(err error) models.Error_Type {
	return models.ConvertError(err).GetType()
}

func runAction() *models.Action {
	return models.WrapAction(&models.RunAction{Path: "/bin/sh", Args: []string{"-c", "true"}, User: "vcap"})
}

func desiredLRP(guid string, instances int32) *models.DesiredLRP {
	return &models.DesiredLRP{
		ProcessGuid: guid, Domain: "conformance", RootFs: "preloaded:cflinuxfs4", Instances: instances,
		MemoryMb: 128, DiskMb: 256, LogGuid: "log-" + guid, Action: runAction(),
		MetricTags: map[string]*models.MetricTagValue{"source_id": {Static: "src-" + guid}},
	}
}

func taskDef() *models.TaskDefinition {
	return &models.TaskDefinition{RootFs: "preloaded:cflinuxfs4", Action: runAction(), MemoryMb: 64, DiskMb: 64, LogGuid: "lg"}
}

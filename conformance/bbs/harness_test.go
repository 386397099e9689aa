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

	db            harness.Database
	locketProc    *harness.Process
	locketAddr    string
	auctioneerURL string
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

	e := &env{locketProc: lp, auctioneer: auc, certs: certs, logger: lager.NewLogger("conformance"), db: db, locketAddr: locketAddr, auctioneerURL: aucSrv.URL}
	e.proc, e.config = e.startBBS(t, "bbs-conformance", overrides)
	addr := e.config["listen_address"].(string)
	e.proc.WaitForListen(t, addr, 60*time.Second)
	e.url = "https://" + addr
	e.bbs = e.newClient(t, addr)
	harness.Eventually(t, 30*time.Second, "bbs to answer pings", func() bool { return e.bbs.Ping(e.logger, "") })
	lc, err := locket.NewClient(e.logger, locket.ClientLocketConfig{
		LocketAddress: locketAddr, LocketCACertFile: certs.CACert,
		LocketClientCertFile: certs.ClientCert, LocketClientKeyFile: certs.ClientKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.locket = lc
	return e
}

// startBBS starts a bbs process sharing the env's locket, database and
// auctioneer; it returns at once (the process may still wait for the lock).
func (e *env) startBBS(t *testing.T, uuid string, overrides map[string]any) (*harness.Process, map[string]any) {
	t.Helper()
	cfg := map[string]any{
		"listen_address": harness.FreePort(t), "health_address": harness.FreePort(t), "uuid": uuid,
		"ca_file": e.certs.CACert, "cert_file": e.certs.ServerCert, "key_file": e.certs.ServerKey,
		"database_driver": e.db.Driver, "database_connection_string": e.db.ConnectionString,
		"encryption_keys": map[string]string{"k1": "a passphrase"}, "active_key_label": "k1",
		"auctioneer_address":       e.auctioneerURL,
		"locket_address":           e.locketAddr,
		"locket_ca_cert_file":      e.certs.CACert,
		"locket_client_cert_file":  e.certs.ClientCert,
		"locket_client_key_file":   e.certs.ClientKey,
		"converge_repeat_interval": "1h",
		"log_level":                "debug",
		"loggregator":              map[string]any{"loggregator_api_port": 3458},
	}
	for k, v := range overrides {
		cfg[k] = v
	}
	return harness.Start(t, "bbs", cfg), cfg
}

func (e *env) newClient(t *testing.T, addr string) bbs.InternalClient {
	t.Helper()
	client, err := bbs.NewClient("https://"+addr, e.certs.CACert, e.certs.ClientCert, e.certs.ClientKey, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return client
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

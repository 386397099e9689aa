// Package demo drives `make demo` against a running local Diego: the sample
// app as an LRP with two instances and a route, a task, and cleanup.
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/internal/certs"
	"github.com/godiego/diego/internal/localrun"
	"github.com/godiego/diego/internal/tlsconf"
	"github.com/godiego/diego/proto/models"
)

// Names the demo uses.
const (
	Domain      = "demo"
	ProcessGUID = "demo-app"
	Hostname    = "demo-app.diego.local"
)

// Config says where the local Diego is.
type Config struct {
	StateDir string
	BinDir   string
	Timeout  time.Duration
	Keep     bool
	Out      io.Writer
	// Addresses default to make run's.
	Addresses localrun.Addresses
}

func (c *Config) addrs() localrun.Addresses {
	if c.Addresses.BBS == "" {
		return localrun.DefaultAddresses()
	}
	return c.Addresses
}

func (c *Config) step(format string, args ...any) {
	fmt.Fprintf(c.Out, "\n==> "+format+"\n", args...)
}

// AppURL is where cells download the demo app from.
func AppURL(a localrun.Addresses) string {
	return "http://" + a.FileServer + "/v1/static/demo-app/demo-app.tgz"
}

// DesiredApp is the demo app's desired LRP.
func DesiredApp(a localrun.Addresses, instances int32) *models.DesiredLRP {
	routes, _ := json.Marshal([]map[string]any{{"hostnames": []string{Hostname}, "port": 8080}})
	return &models.DesiredLRP{
		ProcessGuid: ProcessGUID, Domain: Domain, Instances: instances, LogGuid: ProcessGUID,
		RootFs: "preloaded:" + localrun.Stack, MemoryMb: 64, DiskMb: 128, Ports: []uint32{8080},
		Setup: &models.Action{DownloadAction: &models.DownloadAction{
			Artifact: "demo-app", From: AppURL(a), To: "/home/vcap/app", CacheKey: "demo-app", User: "vcap"}},
		Action: &models.Action{RunAction: &models.RunAction{Path: "/home/vcap/app/demo-app", User: "vcap",
			Env: []*models.EnvironmentVariable{{Name: "PORT", Value: "8080"}}}},
		CheckDefinition: &models.CheckDefinition{Checks: []*models.Check{{TcpCheck: &models.TCPCheck{Port: 8080}}}},
		StartTimeoutMs:  60000,
		Routes:          &models.ProtoRoutes{Routes: map[string][]byte{"cf-router": routes}},
		MetricTags:      map[string]*models.MetricTagValue{"source_id": {Static: ProcessGUID}},
	}
}

// DemoTask is a task that runs the app once and keeps its output as the result.
func DemoTask(a localrun.Addresses) *models.TaskDefinition {
	return &models.TaskDefinition{
		RootFs: "preloaded:" + localrun.Stack, MemoryMb: 64, DiskMb: 128, LogGuid: "demo-task",
		Action: &models.Action{SerialAction: &models.SerialAction{Actions: []*models.Action{
			{DownloadAction: &models.DownloadAction{Artifact: "demo-app", From: AppURL(a), To: "/home/vcap/app", User: "vcap"}},
			{RunAction: &models.RunAction{Path: "/bin/sh", User: "vcap",
				Args: []string{"-c", "/home/vcap/app/demo-app -once > /home/vcap/result.txt"}}},
		}}},
		ResultFile: "/home/vcap/result.txt",
		MetricTags: map[string]*models.MetricTagValue{"source_id": {Static: "demo-task"}},
	}
}

// Run performs the demo.
func Run(ctx context.Context, cfg Config) error {
	a := cfg.addrs()
	paths := certs.PathsIn(filepath.Join(cfg.StateDir, "certs"))
	tlsCfg, err := tlsconf.Client(paths.ClientCert, paths.ClientKey, paths.CACert, false)
	if err != nil {
		return fmt.Errorf("no local Diego credentials in %s (is make run up?): %w", cfg.StateDir, err)
	}
	bbs, err := bbsclient.New(bbsclient.Config{URL: "https://" + a.BBS, TLS: tlsCfg})
	if err != nil {
		return err
	}
	if !bbs.Ping(ctx) {
		return fmt.Errorf("the BBS at %s does not answer: start the local Diego with make run first", a.BBS)
	}
	cells, err := bbs.Cells(ctx)
	if err != nil {
		return err
	}
	if len(cells) == 0 {
		return fmt.Errorf("no cells are registered: make run starts them only as root with runc available")
	}
	fmt.Fprintf(cfg.Out, "local Diego at %s with %d cells\n", a.BBS, len(cells))

	cfg.step("desiring %s: 2 instances, route %s", ProcessGUID, Hostname)
	if err := bbs.UpsertDomain(ctx, Domain, 0); err != nil {
		return err
	}
	_ = bbs.RemoveDesiredLRP(ctx, ProcessGUID) // a leftover from an interrupted demo
	begin := time.Now()
	if err := bbs.DesireLRP(ctx, DesiredApp(a, 2)); err != nil {
		return err
	}
	if !cfg.Keep {
		defer func() {
			cfg.step("removing %s", ProcessGUID)
			_ = bbs.RemoveDesiredLRP(context.Background(), ProcessGUID)
		}()
	}
	if err := waitFor(ctx, cfg.Timeout, "2 RUNNING instances", func() (bool, error) {
		lrps, err := bbs.ActualLRPs(ctx, bbsclient.ActualLRPFilter{ProcessGUID: ProcessGUID})
		if err != nil {
			return false, err
		}
		running := 0
		for _, l := range lrps {
			if l.State == "RUNNING" {
				running++
			}
		}
		return running == 2, nil
	}); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Out, "both instances RUNNING after %s\n", time.Since(begin).Round(100*time.Millisecond))

	cfg.step("fetching http://%s/ through the dev router at %s", Hostname, a.Router)
	if err := waitFor(ctx, 30*time.Second, "the app answering on its route", func() (bool, error) {
		body, err := fetch(a.Router, Hostname)
		return err == nil && strings.HasPrefix(body, "hello"), nil
	}); err != nil {
		return err
	}
	for i := 0; i < 4; i++ {
		body, err := fetch(a.Router, Hostname)
		if err != nil {
			return err
		}
		fmt.Fprint(cfg.Out, "  "+body)
	}

	cfg.step("cfdot actual-lrps --output table")
	cfdot(cfg, a, paths, "actual-lrps", "--output", "table")

	taskGUID := fmt.Sprintf("demo-task-%d", time.Now().Unix())
	cfg.step("running task %s", taskGUID)
	if err := bbs.DesireTask(ctx, taskGUID, Domain, DemoTask(a)); err != nil {
		return err
	}
	var task *models.Task
	if err := waitFor(ctx, cfg.Timeout, "the task to complete", func() (bool, error) {
		t, err := bbs.TaskByGuid(ctx, taskGUID)
		task = t
		return err == nil && t.State == models.Task_Completed, err
	}); err != nil {
		return err
	}
	if task.Failed {
		return fmt.Errorf("task failed: %s", task.FailureReason)
	}
	fmt.Fprintf(cfg.Out, "task result: %s", task.Result)
	if !cfg.Keep {
		_ = bbs.ResolvingTask(ctx, taskGUID)
		_ = bbs.DeleteTask(ctx, taskGUID)
	}
	return nil
}

func fetch(router, host string) (string, error) {
	req, _ := http.NewRequest(http.MethodGet, "http://"+router+"/", nil)
	req.Host = host
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("router answered %d: %s", resp.StatusCode, body)
	}
	return string(body), err
}

func cfdot(cfg Config, a localrun.Addresses, p certs.Paths, args ...string) {
	cmd := exec.Command(filepath.Join(cfg.BinDir, "cfdot"), args...)
	cmd.Env = append(os.Environ(), "BBS_URL=https://"+a.BBS, "LOCKET_API_LOCATION="+a.Locket,
		"CA_CERT_FILE="+p.CACert, "CLIENT_CERT_FILE="+p.ClientCert, "CLIENT_KEY_FILE="+p.ClientKey)
	cmd.Stdout, cmd.Stderr = cfg.Out, cfg.Out
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(cfg.Out, "(cfdot: %v)\n", err)
	}
}

func waitFor(ctx context.Context, timeout time.Duration, what string, done func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		ok, err := done()
		if ok {
			return nil
		}
		last = err
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	return fmt.Errorf("timed out after %s waiting for %s (last error: %v)", timeout, what, last)
}

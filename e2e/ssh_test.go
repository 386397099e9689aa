package e2e

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/godiego/diego/internal/demo"
	"github.com/godiego/diego/internal/localrun"
	"github.com/godiego/diego/proto/models"
)

func sshKey(t *testing.T) (ssh.Signer, string) {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(key, "")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return signer, string(pem.EncodeToMemory(block))
}

// TestSSHThroughTheProxyIntoAnInstance runs diego-sshd beside an app in a
// real container, as Cloud Controller sets up `cf ssh`, and logs in through
// the ssh-proxy with diego credentials.
func TestSSHThroughTheProxyIntoAnInstance(t *testing.T) {
	w := StartWorld(t, WorldOptions{Cells: true})
	ctx := context.Background()
	_ = w.BBS.UpsertDomain(ctx, demo.Domain, 0)

	_, hostKeyPEM := sshKey(t)
	proxyKey, proxyKeyPEM := sshKey(t)
	authorized := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(proxyKey.PublicKey())))

	lrp := demo.DesiredApp(w.Addr, 1)
	lrp.ProcessGuid, lrp.LogGuid = "ssh-app", "ssh-app"
	lrp.MetricTags = map[string]*models.MetricTagValue{"source_id": {Static: "ssh-app"}}
	lrp.Ports = []uint32{8080, 2222}
	lrp.Setup = &models.Action{SerialAction: &models.SerialAction{Actions: []*models.Action{
		lrp.Setup,
		{DownloadAction: &models.DownloadAction{Artifact: "diego-sshd", From: "http://" + w.Addr.FileServer + "/v1/static/diego-sshd/diego-sshd.tgz",
			To: "/tmp/lifecycle", CacheKey: "diego-sshd", User: "vcap"}},
	}}}
	lrp.Action = &models.Action{CodependentAction: &models.CodependentAction{Actions: []*models.Action{
		lrp.Action,
		{RunAction: &models.RunAction{Path: "/tmp/lifecycle/sshd", User: "vcap", Args: []string{
			"-address=0.0.0.0:2222", "-hostKey=" + hostKeyPEM, "-authorizedKey=" + authorized, "-inheritDaemonEnv"}}},
	}}}
	sshRoute, _ := json.Marshal(map[string]any{"container_port": 2222, "private_key": proxyKeyPEM})
	lrp.Routes.Routes["diego-ssh"] = sshRoute
	if err := w.BBS.DesireLRP(ctx, lrp); err != nil {
		t.Fatal(err)
	}
	waitRunning(t, w, "ssh-app", 1, 90*time.Second)

	cfg := &ssh.ClientConfig{
		User:            "diego:ssh-app/0",
		Auth:            []ssh.AuthMethod{ssh.Password(localrun.SSHPassword)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
		Timeout:         10 * time.Second,
	}
	var out string
	Eventually(t, 30*time.Second, "a command run over ssh through the proxy", func() error {
		client, err := ssh.Dial("tcp", w.Addr.SSHProxy, cfg)
		if err != nil {
			return err
		}
		defer client.Close()
		session, err := client.NewSession()
		if err != nil {
			return err
		}
		defer session.Close()
		b, err := session.CombinedOutput("echo hello from instance $INSTANCE_INDEX as $(id -un)")
		out = string(b)
		return err
	})
	if strings.TrimSpace(out) != "hello from instance 0 as vcap" {
		t.Fatalf("ssh output %q", out)
	}

	bad := *cfg
	bad.Auth = []ssh.AuthMethod{ssh.Password("wrong")}
	if c, err := ssh.Dial("tcp", w.Addr.SSHProxy, &bad); err == nil {
		c.Close()
		t.Fatal("the proxy let a wrong password in")
	}
	fmt.Fprintln(&testWriter{t}, "ssh through the proxy:", strings.TrimSpace(out))
}

package main_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/proto/models"
	"github.com/godiego/diego/ssh-proxy/proxy"
	"github.com/godiego/diego/ssh-proxy/routes"
)

// binDir holds the binaries TestMain builds: ours and the ones the
// end-to-end test runs beside it.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ssh-proxy-bin")
	if err != nil {
		panic(err)
	}
	binDir = dir
	for name, pkg := range map[string]string{
		"ssh-proxy": ".", "sshd": "../sshd", "bbs": "../bbs", "locket": "../locket",
	} {
		build := exec.Command("go", "build", "-o", filepath.Join(dir, name), pkg)
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			panic(fmt.Sprintf("building %s: %v", name, err))
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestCheckConfig(t *testing.T) {
	_, hostKey := newKey(t)
	valid := writeJSON(t, map[string]any{"host_key": hostKey, "bbs_address": "http://127.0.0.1:8889",
		"enable_diego_auth": true, "diego_credentials": "secret"})
	out, err := exec.Command(filepath.Join(binDir, "ssh-proxy"), "-config", valid, "-check-config").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "is valid") {
		t.Fatalf("valid config: %v\n%s", err, out)
	}

	invalid := writeJSON(t, map[string]any{"host_key": "nope", "enable_cf_auth": true})
	out, err = exec.Command(filepath.Join(binDir, "ssh-proxy"), "-config", invalid, "-check-config").CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("invalid config: exit %v\n%s", err, out)
	}
	for _, want := range []string{"host_key:", "bbs_address: is required", "cc_api_url: is required", "uaa_username:"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}

	unknown := writeJSON(t, map[string]any{"listen_addr": "0.0.0.0:2222"})
	out, _ = exec.Command(filepath.Join(binDir, "ssh-proxy"), "-config", unknown, "-check-config").CombinedOutput()
	if !strings.Contains(string(out), `unknown key "listen_addr"`) {
		t.Fatalf("unknown key not named:\n%s", out)
	}
}

const (
	processGUID = "ssh-e2e-app"
	credentials = "diego-e2e-secret"
)

// TestEndToEnd runs the BBS, locket, an sshd standing in for the
// in-container daemon, and the ssh-proxy, all as processes. The BBS holds
// a desired LRP with a diego-ssh route and a RUNNING instance whose port
// mapping points at the sshd, claimed and started the way a rep would.
func TestEndToEnd(t *testing.T) {
	bbs, st, bbsURL := controlPlane(t)
	ctx := context.Background()

	// The backend: our sshd with a host key and one authorized user key.
	sshdHostKey, sshdHostKeyPEM := newKey(t)
	userKey, userKeyPEM := newKey(t)
	sshdAddr := freeAddr(t)
	var sshdOut syncBuffer
	startProcess(t, &sshdOut, []string{
		"SSHD_HOSTKEY=" + sshdHostKeyPEM,
		"SSHD_AUTHKEY=" + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(userKey.PublicKey()))),
	}, "sshd", "-address="+sshdAddr)
	waitListening(t, sshdAddr)
	_, sshdPort, _ := net.SplitHostPort(sshdAddr)
	var hostPort uint32
	fmt.Sscan(sshdPort, &hostPort)

	// The app, as Cloud Controller desires it, and its instance, as a rep runs it.
	route := routes.SSHRoute{ContainerPort: 2222, PrivateKey: userKeyPEM, HostFingerprint: proxy.MD5Fingerprint(sshdHostKey.PublicKey())}
	if err := bbs.UpsertDomain(ctx, "ssh-e2e", 0); err != nil {
		t.Fatal(err)
	}
	err := bbs.DesireLRP(ctx, &models.DesiredLRP{
		ProcessGuid: processGUID, Domain: "ssh-e2e", Instances: 1, RootFs: "preloaded:cflinuxfs4",
		MemoryMb: 64, DiskMb: 64, LogGuid: "ssh-e2e-log", Ports: []uint32{8080, 2222},
		Action:     &models.Action{RunAction: &models.RunAction{Path: "/bin/sh", User: "vcap", Args: []string{"-c", "sleep 3600"}}},
		Routes:     &models.ProtoRoutes{Routes: map[string][]byte{routes.DiegoSSH: route.Marshal()}},
		MetricTags: map[string]*models.MetricTagValue{"source_id": {Static: "ssh-e2e-source"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "unclaimed instance", func() error {
		lrps, err := bbs.ActualLRPs(ctx, bbsclient.ActualLRPFilter{ProcessGUID: processGUID})
		if err != nil || len(lrps) != 1 {
			return fmt.Errorf("%v %v", lrps, err)
		}
		return nil
	})
	key := &models.ActualLRPKey{ProcessGuid: processGUID, Index: 0, Domain: "ssh-e2e"}
	ik := &models.ActualLRPInstanceKey{InstanceGuid: "ssh-e2e-instance-0", CellId: "stand-in-cell"}
	if err := bbs.ClaimActualLRP(ctx, key, ik); err != nil {
		t.Fatal(err)
	}
	netInfo := &models.ActualLRPNetInfo{Address: "127.0.0.1", InstanceAddress: "10.255.0.9",
		PreferredAddress: models.ActualLRPNetInfo_HOST,
		Ports:            []*models.PortMapping{{ContainerPort: 8080, HostPort: 1}, {ContainerPort: 2222, HostPort: hostPort}}}
	if err := bbs.StartActualLRP(ctx, key, ik, netInfo, nil, nil, true, "z1"); err != nil {
		t.Fatal(err)
	}

	// The proxy.
	proxyHostKey, proxyHostKeyPEM := newKey(t)
	proxyAddr, healthAddr := freeAddr(t), freeAddr(t)
	cfgPath := writeJSON(t, map[string]any{
		"address": proxyAddr, "health_check_address": healthAddr, "host_key": proxyHostKeyPEM,
		"bbs_address": bbsURL, "bbs_ca_cert": st.Certs.CACert,
		"bbs_client_cert": st.Certs.ClientCert, "bbs_client_key": st.Certs.ClientKey,
		"enable_diego_auth": true, "diego_credentials": credentials,
		"enable_cf_auth": false, "log_level": "debug", "idle_connection_timeout": "5m",
	})
	var proxyOut syncBuffer
	startProcess(t, &proxyOut, nil, "ssh-proxy", "-config", cfgPath)
	waitListening(t, proxyAddr)

	eventually(t, "health server", func() error {
		resp, err := http.Get("http://" + healthAddr + "/")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	})

	login := func(user, password string) (*ssh.Client, error) {
		return ssh.Dial("tcp", proxyAddr, &ssh.ClientConfig{
			User: user, Auth: []ssh.AuthMethod{ssh.Password(password)}, Timeout: 10 * time.Second,
			HostKeyCallback: ssh.FixedHostKey(proxyHostKey.PublicKey()),
		})
	}

	t.Run("echo hello through the proxy", func(t *testing.T) {
		client, err := login("diego:"+processGUID+"/0", credentials)
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		session, err := client.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		out, err := session.CombinedOutput("echo hello")
		if err != nil || string(out) != "hello\n" {
			t.Fatalf("echo hello: %q, %v", out, err)
		}

		session, err = client.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		err = session.Run("exit 7")
		var exit *ssh.ExitError
		if !errors.As(err, &exit) || exit.ExitStatus() != 7 {
			t.Fatalf("exit status: %v", err)
		}
	})

	t.Run("port forwarding both ways and a pty shell", func(t *testing.T) {
		client, err := login("diego:"+processGUID+"/0", credentials)
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()

		// Local forwarding (direct-tcpip): reach a listener beside the sshd.
		app, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer app.Close()
		go func() {
			c, err := app.Accept()
			if err == nil {
				_, _ = c.Write([]byte("hello from the app\n"))
				c.Close()
			}
		}()
		conn, err := client.Dial("tcp", app.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(conn)
		conn.Close()
		if string(got) != "hello from the app\n" {
			t.Fatalf("local forward read %q", got)
		}

		// Remote forwarding (tcpip-forward): the daemon listens and opens
		// forwarded-tcpip channels back to us through the proxy.
		remote, err := client.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer remote.Close()
		go func() {
			c, err := remote.Accept()
			if err == nil {
				_, _ = c.Write([]byte("hello from the client side\n"))
				c.Close()
			}
		}()
		back, err := net.Dial("tcp", remote.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		got, _ = io.ReadAll(back)
		back.Close()
		if string(got) != "hello from the client side\n" {
			t.Fatalf("remote forward read %q", got)
		}

		// An interactive shell on a pseudo-terminal.
		session, err := client.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		defer session.Close()
		if err := session.RequestPty("xterm", 24, 80, ssh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
		var out syncBuffer
		session.Stdout = &out
		stdin, _ := session.StdinPipe()
		if err := session.Shell(); err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(stdin, "tty >/dev/null && echo on-a-tty; exit 5\n")
		err = session.Wait()
		var exit *ssh.ExitError
		if !errors.As(err, &exit) || exit.ExitStatus() != 5 || !strings.Contains(out.String(), "on-a-tty") {
			t.Fatalf("pty shell: %v, output %q", err, out.String())
		}
	})

	t.Run("openssh client", func(t *testing.T) {
		sshBin, err := exec.LookPath("ssh")
		if err != nil {
			t.Skip("no ssh client installed")
		}
		askpass := filepath.Join(t.TempDir(), "askpass")
		if err := os.WriteFile(askpass, []byte("#!/bin/sh\necho "+credentials+"\n"), 0o700); err != nil {
			t.Fatal(err)
		}
		host, port, _ := net.SplitHostPort(proxyAddr)
		cmd := exec.Command(sshBin, "-F", "/dev/null", "-p", port,
			"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
			"-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no", "-o", "BatchMode=no",
			"-o", "NumberOfPasswordPrompts=1", "-o", "ConnectTimeout=10",
			"-l", "diego:"+processGUID+"/0", host, "echo hello from openssh; exit 4")
		cmd.Env = append(os.Environ(), "SSH_ASKPASS="+askpass, "SSH_ASKPASS_REQUIRE=force", "DISPLAY=:0")
		out, err := cmd.Output()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 4 || string(out) != "hello from openssh\n" {
			t.Fatalf("openssh through the proxy: %q, %v", out, err)
		}
	})

	eventually(t, "session logged as app log lines", func() error {
		log := proxyOut.String()
		for _, want := range []string{"Successful remote access by 127.0.0.1:", "Remote access ended for 127.0.0.1:", "ssh-e2e-source"} {
			if !strings.Contains(log, want) {
				return fmt.Errorf("no %q in the proxy log", want)
			}
		}
		return nil
	})

	t.Run("cf auth", func(t *testing.T) {
		cfLogin(t, bbsURL, st)
	})

	refused := map[string][2]string{
		"wrong password":       {"diego:" + processGUID + "/0", "not-the-credentials"},
		"unknown process guid": {"diego:no-such-app/0", credentials},
		"unknown index":        {"diego:" + processGUID + "/1", credentials},
		"cf auth disabled":     {"cf:12345678-1234-1234-1234-123456789abc/0", credentials},
		"no realm":             {"root", credentials},
	}
	for name, c := range refused {
		t.Run(name, func(t *testing.T) {
			client, err := login(c[0], c[1])
			if err == nil {
				client.Close()
				t.Fatal("login succeeded")
			}
			if !strings.Contains(err.Error(), "unable to authenticate") {
				t.Fatalf("err = %v", err)
			}
		})
	}
	eventually(t, "the reason for refusing the unknown process guid logged", func() error {
		if !strings.Contains(proxyOut.String(), "no matching ActualLRP for ProcessGuid: no-such-app, Index: 0") {
			return errors.New("not in the proxy log")
		}
		return nil
	})
}

package cfdot

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"time"

	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/internal/tlsconf"
	locketclient "github.com/godiego/diego/locket/client"
	repclient "github.com/godiego/diego/rep/client"
)

var (
	bbsFlags = []Flag{
		{Long: "bbsURL", Env: "BBS_URL", Usage: "URL of BBS server to target [environment variable equivalent: BBS_URL]"},
	}
	locketFlags = []Flag{
		{Long: "locketAPILocation", Env: "LOCKET_API_LOCATION", Usage: "Hostname:Port of Locket server to target [environment variable equivalent: LOCKET_API_LOCATION]"},
	}
	tlsFlags = []Flag{
		{Long: "caCertFile", Env: "CA_CERT_FILE", Usage: "path the Certificate Authority (CA) file to use when verifying TLS keypairs [environment variable equivalent: CA_CERT_FILE]"},
		{Long: "clientCertFile", Env: "CLIENT_CERT_FILE", Usage: "path to the TLS client certificate to use during mutual-auth TLS [environment variable equivalent: CLIENT_CERT_FILE]"},
		{Long: "clientKeyFile", Env: "CLIENT_KEY_FILE", Usage: "path to the TLS client private key file to use during mutual-auth TLS [environment variable equivalent: CLIENT_KEY_FILE]"},
		{Long: "skipCertVerify", Kind: boolFlag, Env: "SKIP_CERT_VERIFY", Usage: "when set to true, skips all SSL/TLS certificate verification [environment variable equivalent: SKIP_CERT_VERIFY]"},
	}
	timeoutFlag = Flag{Long: "timeout", Kind: intFlag, Env: "CFDOT_TIMEOUT", Usage: "cfdot request timeout in seconds [environment variable equivalent: CFDOT_TIMEOUT]"}
)

// connection is the resolved target of a command.
type connection struct {
	bbsURL         string
	locketAddress  string
	caCertFile     string
	certFile       string
	keyFile        string
	skipCertVerify bool
	timeout        time.Duration
}

// configure reads the connection flags (falling back to the environment)
// and validates them as upstream's pre-run hooks do.
func (conn *connection) configure(c *Context) error {
	if c.cmd.Target == targetNone {
		return nil
	}
	env := c.io.Getenv
	flagOrEnv := func(long, envName string) string {
		if v := c.String(long); v != "" {
			return v
		}
		return env(envName)
	}
	if c.Set("skipCertVerify") {
		conn.skipCertVerify = c.Bool("skipCertVerify")
	} else if v := env("SKIP_CERT_VERIFY"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return invalid("The value '%s' is not a valid value for SKIP_CERT_VERIFY. Please specify one of the following valid boolean values: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False", v)
		}
		conn.skipCertVerify = b
	}
	conn.caCertFile = flagOrEnv("caCertFile", "CA_CERT_FILE")
	conn.certFile = flagOrEnv("clientCertFile", "CLIENT_CERT_FILE")
	conn.keyFile = flagOrEnv("clientKeyFile", "CLIENT_KEY_FILE")

	if c.cmd.Target == targetLocket {
		conn.locketAddress = flagOrEnv("locketAPILocation", "LOCKET_API_LOCATION")
		if conn.locketAddress == "" {
			return invalid("Locket API Location not set. Please specify one with the '--locketAPILocation' flag or the 'LOCKET_API_LOCATION' environment variable.")
		}
		return nil
	}

	if err := conn.checkBBS(flagOrEnv("bbsURL", "BBS_URL")); err != nil {
		return err
	}
	if c.cmd.Target == targetBBSTimeout {
		secs := c.Int("timeout")
		if secs == 0 {
			if v := env("CFDOT_TIMEOUT"); v != "" {
				n, err := strconv.ParseInt(v, 10, 16)
				if err != nil {
					return validation(err)
				}
				secs = n
			}
		}
		if secs < 0 {
			return invalid("timeout is negative")
		}
		conn.timeout = time.Duration(secs) * time.Second
	}
	return nil
}

func (conn *connection) checkBBS(raw string) error {
	const hint = "Please specify one with the '--bbsURL' flag or the 'BBS_URL' environment variable."
	if raw == "" {
		return invalid("BBS URL not set. %s", hint)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return invalid("The value '%s' is not a valid BBS URL. %s", raw, hint)
	}
	conn.bbsURL = raw
	switch u.Scheme {
	case "http":
		return nil
	case "https":
	default:
		return invalid("The URL '%s' does not have an 'http' or 'https' scheme. %s", raw, hint)
	}
	if !conn.skipCertVerify {
		if conn.caCertFile == "" {
			return invalid("--caCertFile must be specified if using HTTPS and --skipCertVerify is not set")
		}
		if err := readable(conn.caCertFile, "CA cert"); err != nil {
			return err
		}
	}
	if conn.keyFile == "" || conn.certFile == "" {
		return invalid("--clientCertFile and --clientKeyFile must both be specified for TLS connections.")
	}
	if err := readable(conn.keyFile, "key"); err != nil {
		return err
	}
	return readable(conn.certFile, "cert")
}

func readable(path, what string) error {
	f, err := os.Open(path)
	if err != nil {
		return invalid("%s file '%s' doesn't exist or is not readable: %s", what, path, err)
	}
	f.Close()
	return nil
}

// bbs builds the BBS client (plain HTTP for an http URL).
func (c *Context) bbs() (*bbsclient.Client, error) {
	cfg := bbsclient.Config{URL: c.conn.bbsURL, Timeout: c.conn.timeout}
	if u, _ := url.Parse(c.conn.bbsURL); u != nil && u.Scheme == "https" {
		ca := c.conn.caCertFile
		if c.conn.skipCertVerify {
			ca = ""
		}
		tlsCfg, err := tlsconf.Client(c.conn.certFile, c.conn.keyFile, ca, c.conn.skipCertVerify)
		if err != nil {
			return nil, &Error{Err: err, Code: ExitOther}
		}
		cfg.TLS = tlsCfg
	}
	cl, err := bbsclient.New(cfg)
	if err != nil {
		return nil, &Error{Err: err, Code: ExitOther}
	}
	return cl, nil
}

// locket connects to Locket; every failure is a Locket error (exit 4), as
// upstream reports them.
func (c *Context) locket() (*locketclient.Client, error) {
	cfg := locketclient.Config{
		LocketAddress:        c.conn.locketAddress,
		LocketCACertFile:     c.conn.caCertFile,
		LocketClientCertFile: c.conn.certFile,
		LocketClientKeyFile:  c.conn.keyFile,
	}
	dial := locketclient.New
	if c.conn.skipCertVerify {
		cfg.LocketCACertFile = ""
		dial = locketclient.NewSkipCertVerify
	} else if cfg.LocketCACertFile == "" {
		return nil, componentFailure(errors.New("locket client: a CA certificate file is required unless --skipCertVerify is set"))
	}
	cl, err := dial(c.Ctx(), cfg)
	if err != nil {
		return nil, componentFailure(err)
	}
	c.closer = append(c.closer, func() { cl.Close() })
	return cl, nil
}

// reps builds the rep client factory with the same TLS files; GET /state
// is bounded by 10 s, as upstream's cfdot bounds it.
func (c *Context) reps() (*repclient.Factory, error) {
	cfg := repclient.Config{StateTimeout: 10 * time.Second}
	if c.conn.certFile != "" || c.conn.caCertFile != "" {
		tlsCfg, err := tlsconf.Client(c.conn.certFile, c.conn.keyFile, c.conn.caCertFile, c.conn.skipCertVerify)
		if err != nil {
			return nil, componentFailure(fmt.Errorf("Failed creating rep client factory: %s", err))
		}
		cfg.TLS = tlsCfg
	}
	return repclient.NewFactory(cfg), nil
}

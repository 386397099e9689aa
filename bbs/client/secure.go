package client

import (
	"fmt"
	"strings"
	"time"

	"github.com/godiego/diego/internal/tlsconf"
)

// NewSecure builds a mutual-TLS client from PEM files, as cfdot's and the
// daemons' bbs_* settings name them. skipVerify skips checking the BBS
// certificate (cfdot's --skipCertVerify).
func NewSecure(url, caFile, certFile, keyFile string, skipVerify bool) (*Client, error) {
	tc, err := tlsconf.Client(certFile, keyFile, caFile, skipVerify)
	if err != nil {
		return nil, fmt.Errorf("bbs client TLS: %w", err)
	}
	return New(Config{URL: url, TLS: tc})
}

// NewForAddress builds the client a daemon's bbs_address and bbs_* file
// settings describe: mutual TLS from the PEM files when the address is
// https://, plain HTTP otherwise, as upstream's clients decide. timeout
// bounds each request (DefaultTimeout when zero).
func NewForAddress(url, caFile, certFile, keyFile string, timeout time.Duration) (*Client, error) {
	cfg := Config{URL: url, Timeout: timeout}
	if strings.HasPrefix(url, "https://") {
		tc, err := tlsconf.Client(certFile, keyFile, caFile, false)
		if err != nil {
			return nil, fmt.Errorf("bbs client TLS: %w", err)
		}
		cfg.TLS = tc
	}
	return New(cfg)
}

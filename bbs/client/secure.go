package client

import (
	"fmt"

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

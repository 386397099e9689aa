// Command certgen writes development certificates (a CA, a server and a
// client certificate) for local Diego runs and tests: `make certs`.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/godiego/diego/internal/certs"
)

func main() {
	dir := flag.String("dir", ".diego/certs", "directory to write the certificates to")
	hosts := flag.String("hosts", "", "comma-separated server SANs (default: loopback and the *.service.cf.internal names)")
	force := flag.Bool("force", false, "overwrite existing certificates")
	flag.Parse()
	p := certs.PathsIn(*dir)
	if _, err := os.Stat(p.CACert); err == nil && !*force {
		fmt.Printf("certificates already in %s (use -force to replace them)\n", *dir)
		return
	}
	var list []string
	if *hosts != "" {
		list = strings.Split(*hosts, ",")
	}
	if _, err := certs.Generate(*dir, list); err != nil {
		fmt.Fprintf(os.Stderr, "certgen: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("wrote CA, server and client certificates to %s\n", *dir)
}

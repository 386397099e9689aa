// Command demo-app is the sample application `make demo` runs on the local
// Diego: a static HTTP server that says which instance answered. It listens
// on $PORT (default 8080) and, with -once, prints its greeting and exits
// (the demo's task uses that).
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
)

func greeting() string {
	return fmt.Sprintf("hello from demo-app instance %s (guid %s) at %s\n",
		os.Getenv("INSTANCE_INDEX"), os.Getenv("INSTANCE_GUID"), os.Getenv("CF_INSTANCE_ADDR"))
}

func main() {
	once := flag.Bool("once", false, "print the greeting and exit")
	flag.Parse()
	if *once {
		fmt.Print(greeting())
		return
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, greeting()) })
	if err := http.ListenAndServe(":"+port, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

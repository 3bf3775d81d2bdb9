// Command scimcheck tells a SCIM 2.0 server's vendor, before Okta does, whether the server
// survives Okta's provisioning engine. `scimcheck` (or `scimcheck run`) replays Okta's requests
// against a target, by default the bundled reference server in process; `scimcheck serve` runs
// that reference server on its own.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	tclog "github.com/testcontainers/testcontainers-go/log"
	_ "golang.org/x/crypto/x509roots/fallback" // CA roots when the system has none (the FROM scratch image)

	"github.com/scimcheck/scimcheck/steps/cli"
)

func main() {
	reaperOff()
	tclog.SetDefault(tclog.NewNoopLogger()) // testcontainers' banner and progress lines off the console
	cli.SoftMemoryLimit()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// reaperOff turns testcontainers' Ryuk reaper off for this process unless the user chose
// (TESTCONTAINERS_RYUK_DISABLED set either way). Ryuk is an image to pull, and scimcheck
// removes its containers itself (labelled org.scimcheck.run, also after Ctrl-C).
// testcontainers-go reads this switch only from its environment or properties file: it
// has no option in code, so the command, not the library, sets it.
func reaperOff() {
	if _, ok := os.LookupEnv("TESTCONTAINERS_RYUK_DISABLED"); !ok {
		_ = os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
}

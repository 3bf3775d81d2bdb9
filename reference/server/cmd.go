package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/scimcheck/scimcheck/reference"
)

const serveUsage = `Usage: scimcheck serve [flags]

Runs the bundled reference SCIM 2.0 server: the known-good target every scimcheck scenario
passes against. It serves %s on --addr and logs one line per request to stderr
(method, path, query, status, duration; never a credential: credential-like query values
such as access_token or api_key are logged as [REDACTED]). --log-level off silences it (the
log costs a quarter to a third of the server's own throughput, up to 13 %% over loopback
HTTP; see the README's Figures), --log-level error keeps only failures, --log-format json
writes one JSON object a line.

Credentials: the bearer token comes from $SCIMCHECK_TOKEN or --token-file; clients send
"Authorization: Bearer <token>". --basic user:pass also accepts HTTP Basic.

Examples:
  SCIMCHECK_TOKEN=s3cret scimcheck serve --addr 127.0.0.1:8080
  SCIMCHECK_TOKEN=s3cret scimcheck serve --db scim.db --seed-data fixtures/seed/preexisting.json
  SCIMCHECK_TOKEN=s3cret scimcheck serve --quirk username-case-sensitive   # a deliberately broken server
  SCIMCHECK_TOKEN=s3cret scimcheck serve --log-level off                    # fastest: no request log
  SCIMCHECK_TOKEN=s3cret scimcheck serve --log-format json 2>requests.jsonl

Flags:
`

// Command runs `scimcheck serve` with args (without the subcommand name) until ctx ends (the
// caller wires SIGINT and SIGTERM to it). It returns the process exit code: 0 after a clean
// shutdown, 2 for a usage or configuration error, 3 when the server cannot start.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // help goes to stdout, below; an error is not followed by the help
	addr := fs.String("addr", "127.0.0.1:8080", "`host:port` to listen on")
	db := fs.String("db", "", "SQLite `file` that keeps data across restarts (WAL, synchronous); default: in memory")
	seed := fs.String("seed-data", "", "JSON `file` of users and groups to load before serving (see fixtures/seed/)")
	tokenFile := fs.String("token-file", "", "`file` holding the bearer token (instead of $SCIMCHECK_TOKEN)")
	basic := fs.String("basic", "", "also accept HTTP Basic with `user:pass`")
	maxBody := fs.Int64("max-body", DefaultMaxBodyBytes, "largest request body in `bytes`; larger ones get 413")
	maxPage := fs.Int("max-page-size", DefaultMaxPageSize, "largest `count` a list answers with (at least 200; Okta pages by 100)")
	logLevel := fs.String("log-level", "info", "`level` of the stderr log: off, error, warn, info (one line per request) or debug (adds client address and bytes)")
	logFormat := fs.String("log-format", "text", "`format` of the stderr log: text (key=value) or json")
	var quirks []string
	fs.Func("quirk", "switch on a deliberate defect `name` (repeatable; see `scimcheck quirks`)", func(v string) error {
		quirks = append(quirks, v)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stdout, serveUsage, BasePath)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return 0
		}
		fmt.Fprintln(stderr, "run 'scimcheck serve --help'")
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "scimcheck serve: unexpected argument %q (flags only; see --help)\n", fs.Arg(0))
		return 2
	}
	token, err := ReadToken(*tokenFile)
	if err != nil {
		fmt.Fprintf(stderr, "scimcheck serve: %v\n", err)
		return 2
	}
	if token == "" && *basic == "" {
		fmt.Fprintln(stderr, "scimcheck serve: no credential configured: set SCIMCHECK_TOKEN or pass --token-file (or --basic user:pass)")
		return 2
	}
	if *basic != "" && !strings.Contains(*basic, ":") {
		fmt.Fprintln(stderr, "scimcheck serve: --basic must be user:pass")
		return 2
	}
	if *maxPage < 200 {
		fmt.Fprintf(stderr, "scimcheck serve: --max-page-size must be at least 200 (Okta asks for count=100), got %d\n", *maxPage)
		return 2
	}
	qs, err := reference.ParseQuirks(quirks)
	if err != nil {
		fmt.Fprintf(stderr, "scimcheck serve: %v\n", err)
		return 2
	}
	logger, err := NewLogger(stderr, *logLevel, *logFormat)
	if err != nil {
		fmt.Fprintf(stderr, "scimcheck serve: %v\n", err)
		return 2
	}
	run, err := Start(ctx, Config{
		Addr: *addr, DB: *db, SeedData: *seed,
		Options: Options{Token: token, Basic: *basic, MaxBodyBytes: *maxBody, MaxPageSize: *maxPage, Log: logger, Quirks: qs},
	})
	if err != nil {
		fmt.Fprintf(stderr, "scimcheck serve: %v\n", err)
		return 3
	}
	msg := fmt.Sprintf("scimcheck reference server listening on %s", run.URL)
	if len(qs) > 0 {
		msg += " with quirks " + strings.Join(qs.Names(), ", ")
	}
	fmt.Fprintln(stdout, msg)
	<-ctx.Done()
	if err := run.Close(); err != nil {
		fmt.Fprintf(stderr, "scimcheck serve: shutdown: %v\n", err)
		return 3
	}
	fmt.Fprintln(stdout, "scimcheck reference server stopped")
	return 0
}

// ReadToken returns the token from file (when not empty, trimmed of surrounding white space)
// or else from $SCIMCHECK_TOKEN. Errors: the file cannot be read or is empty.
func ReadToken(file string) (string, error) {
	if file == "" {
		return strings.TrimSpace(os.Getenv("SCIMCHECK_TOKEN")), nil
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read --token-file: %w", err)
	}
	tok := strings.TrimSpace(string(raw))
	if tok == "" {
		return "", fmt.Errorf("--token-file %s is empty", file)
	}
	return tok, nil
}

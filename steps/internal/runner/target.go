package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/server"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// target is the server a run talks to, and how.
type target struct {
	url       string
	secret    string
	inProcess bool
	ref       *server.Running // the in-process reference server, or nil
	logFile   *os.File        // its request log, or nil

	ctr    *containerTarget // the container the run started (container.go), or nil
	note   string           // says what the target is after its URL, e.g. " (image acme/scim:1.4, …)"
	redact []string         // more secrets for the run's output to hide (--container-env credentials)
}

// close stops the in-process server or removes the container, if any, and closes the log.
func (t *target) close() error {
	var err error
	if t.ctr != nil {
		err = t.ctr.close(t.logFile) // before the log is closed: the container's log goes there
	}
	if t.ref != nil {
		err = t.ref.Close()
	}
	if t.logFile != nil {
		if cerr := t.logFile.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// openTarget returns the target of o: o.Target, the container o.Container asks for (see
// openContainer), or the reference server started in process on a loopback port, accepting
// o.Token (a random one when empty) as o.Auth says. Its request log goes, redacted, to
// o.ServerLog, or nowhere. Errors: the log file (a *usageError) or the server cannot start.
func openTarget(ctx context.Context, o Options) (*target, error) {
	if o.Target != "" {
		return &target{url: o.Target, secret: o.Token}, nil
	}
	if o.Container.enabled() {
		return openContainer(ctx, o)
	}
	secret := o.Token
	if secret == "" {
		secret = server.RandomToken()
		if o.Auth == scim.AuthBasic {
			secret = "scimcheck:" + secret
		}
	}
	t := &target{secret: secret, inProcess: true}
	opts := server.Options{Token: secret}
	switch o.Auth {
	case scim.AuthBasic:
		opts = server.Options{Basic: secret}
	case scim.AuthHeader:
		// Header auth sends the secret verbatim; the reference server wants a bearer token.
		opts.Token = strings.TrimPrefix(secret, "Bearer ")
		t.secret = "Bearer " + opts.Token
	}
	qs, err := reference.ParseQuirks(o.Quirks)
	if err != nil {
		return nil, usagef("--quirk: %v", err)
	}
	opts.Quirks = qs
	if o.ServerLog != "" {
		f, err := os.Create(o.ServerLog)
		if err != nil {
			return nil, usagef("--server-log: %v", err)
		}
		t.logFile = f
		rd, err := newRedactor(o.Auth, t.secret)
		if err != nil {
			f.Close()
			return nil, err
		}
		opts.Log = slog.New(slog.NewTextHandler(&redactWriter{w: f, rd: rd}, nil))
	}
	run, err := server.Start(ctx, server.Config{Options: opts})
	if err != nil {
		_ = t.close()
		return nil, fmt.Errorf("start the in-process reference server: %w", err)
	}
	t.ref, t.url = run, run.URL
	return t, nil
}

// unreachableError is a target that gave no usable HTTP answer to the probe.
type unreachableError struct {
	target string
	err    *scim.TransportError
	curl   string
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("target %s could not be reached: %v", e.target, e.err)
}

// unusableError is a target whose answers already prove that no scenario can pass: the
// credential refused, no SCIM service at the base URL, a redirect, a page that is not JSON.
type unusableError struct {
	target, reason, curl string
}

func (e *unusableError) Error() string {
	return fmt.Sprintf("target %s cannot be used: %s", e.target, e.reason)
}

// probe sends GET /ServiceProviderConfig with a client configured as cfg, but without 429
// retries, to check that the target answers HTTP at all. It prints what came back, with the
// defects Okta would trip over. When that answer is a 401, 403 or 404, a redirect, or not
// JSON, it asks GET /Users?startIndex=1&count=1 as Okta's "Test API Credentials" does
// (okta-wire §2.1), and when that answer is no better, no scenario can pass. Any other HTTP
// status (429, 500) is an answer for the scenarios to judge. Errors: an *unreachableError when
// no HTTP response came; an *unusableError when no scenario can pass; else the context's
// error or a harness bug.
func probe(ctx context.Context, cfg scim.Config, w io.Writer) error {
	cfg.Retry429 = scim.Retry429{MaxAttempts: 1}
	c, err := scim.New(cfg)
	if err != nil {
		return err
	}
	ex, err := c.Do(ctx, scim.Request{Path: "/ServiceProviderConfig"})
	var te *scim.TransportError
	switch {
	case errors.As(err, &te):
		curl := ""
		if ex != nil {
			curl = ex.Curl()
		}
		return &unreachableError{target: cfg.BaseURL, err: te, curl: curl}
	case err != nil:
		return err
	}
	fmt.Fprintf(w, "probe: %s → %s in %s\n", ex.RequestLine(), ex.ShownStatus(), ex.Duration.Round(100*time.Microsecond))
	for _, d := range diagnose(ex) {
		fmt.Fprintf(w, "probe: %s\n", d)
	}
	if unusable(ex) == "" {
		return nil
	}
	users, err := c.Do(ctx, scim.Request{Path: "/Users?startIndex=1&count=1"})
	if err != nil {
		return nil // no verdict from the second probe: the scenarios judge
	}
	fmt.Fprintf(w, "probe: %s → %s in %s\n", users.RequestLine(), users.ShownStatus(), users.Duration.Round(100*time.Microsecond))
	if reason := unusable(users); reason != "" {
		return &unusableError{target: cfg.BaseURL, reason: reason, curl: users.Curl()}
	}
	return nil
}

// unusable returns why an answer of ex's kind fails every scenario, or "".
func unusable(ex *scim.Exchange) string {
	r := ex.Response
	switch code := r.StatusCode; {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return fmt.Sprintf("%d: the target refused the credential: check $SCIMCHECK_TOKEN or --token-file, and --auth", code)
	case code == http.StatusNotFound:
		return "404: no SCIM service at this base URL: --target must end where /Users begins, e.g. https://app.example.com/scim/v2"
	case code >= 300 && code < 400:
		return fmt.Sprintf("redirect (%d) to %s: Okta does not follow redirects; use the final URL as --target", code, ex.Redact(r.Header.Get("Location")))
	case code >= 200 && code < 300 && len(r.Body) > 0 && !r.Truncated && !ex.IsJSON():
		return fmt.Sprintf("%d with a body that is not JSON (Content-Type %q, starting %q), e.g. a sign-in page: Okta parses every answer as JSON",
			code, r.Header.Get("Content-Type"), ex.Redact(snippet(r.Body, 40)))
	}
	return ""
}

// diagnose returns what is wrong with the probe's answer from Okta's point of view, one
// sentence per defect.
func diagnose(ex *scim.Exchange) []string {
	r := ex.Response
	var out []string
	switch code := r.StatusCode; {
	case code >= 300 && code < 400:
		loc := r.Header.Get("Location")
		if loc == "" {
			loc = "(no Location header)"
		}
		out = append(out, fmt.Sprintf("redirect (%d) to %s: Okta does not follow redirects; use the final URL as --target", code, ex.Redact(loc)))
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		out = append(out, fmt.Sprintf("%d: the target refused the credential: check $SCIMCHECK_TOKEN or --token-file, and --auth", code))
	case code == http.StatusTooManyRequests:
		out = append(out, "429: the target is rate limiting; scimcheck waits and retries as Okta does (Retry-After, else 1s doubling; 10 attempts), "+
			"and --max-rps can lower the request rate")
	case code == http.StatusNotFound:
		out = append(out, "404: no /ServiceProviderConfig at this base URL (Okta does not need it); if /Users is missing too, "+
			"--target is wrong: it must end where /Users begins, e.g. https://app.example.com/scim/v2")
	case code >= 500:
		out = append(out, fmt.Sprintf("%d: the target failed with a server error", code))
	}
	switch {
	case r.Truncated:
		out = append(out, fmt.Sprintf("body is larger than the client's cap of %d bytes; it was cut there", r.CutAt()))
	case ex.TooDeep():
		out = append(out, fmt.Sprintf("body nests deeper than %d levels (%d bytes): scimcheck refuses to parse it",
			scim.MaxDepth, len(r.Body)))
	case len(r.Body) > 0 && !ex.IsJSON():
		out = append(out, fmt.Sprintf("body is not JSON (Content-Type %q, %d bytes, starting %q): Okta parses every answer as JSON",
			r.Header.Get("Content-Type"), len(r.Body), ex.Redact(snippet(r.Body, 40))))
	case len(r.Body) == 0 && r.StatusCode == http.StatusOK:
		out = append(out, "200 with an empty body: Okta parses every answer as JSON")
	}
	return out
}

// snippet returns up to n runes of b, valid UTF-8.
func snippet(b []byte, n int) string {
	s := strings.ToValidUTF8(string(b[:min(len(b), 4*n)]), "\uFFFD")
	if utf8.RuneCountInString(s) > n {
		s = string([]rune(s)[:n]) + "…"
	}
	return s
}

package scim

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// AuthMode says how a Client sends Config.Secret (okta-wire §1.3).
type AuthMode string

// The authentication modes Okta offers for SCIM apps.
const (
	// AuthBearer sends "Authorization: Bearer <secret>" (OIN "Bearer", template "OAuth
	// Bearer Token", AIW "HTTP Header").
	AuthBearer AuthMode = "bearer"
	// AuthHeader sends "Authorization: <secret>" verbatim (OIN "Header Auth").
	AuthHeader AuthMode = "header"
	// AuthBasic sends "Authorization: Basic base64(<secret>)"; the secret is "user:password".
	AuthBasic AuthMode = "basic"
	// AuthNone sends no Authorization header.
	AuthNone AuthMode = "none"
)

// Defaults applied by New to zero Config fields.
const (
	// DefaultTimeout is Okta's limit: it closes the socket after 60 seconds (okta-wire §9.1).
	DefaultTimeout = 60 * time.Second
	// DefaultUserAgent is the User-Agent of every Okta SCIM request (okta-wire §1.1).
	DefaultUserAgent = "Okta SCIM Client 1.0.0"
	// DefaultMaxBody is how many response body bytes an Exchange keeps.
	DefaultMaxBody int64 = 10 << 20
	// DefaultMaxAttempts is how many times Okta sends a request answered 429 (okta-wire §9.1).
	DefaultMaxAttempts = 10
	// DefaultMaxRetryWait caps one wait after a 429.
	DefaultMaxRetryWait = 120 * time.Second
	// DefaultBackoffBase is the first wait after a 429 without a usable Retry-After.
	DefaultBackoffBase = time.Second
)

// Config describes the SCIM server under test and how to talk to it like Okta does. The zero
// value of every field but BaseURL means its default.
type Config struct {
	// BaseURL is the SCIM base URL, e.g. "https://app.example.com/scim/v2". A trailing slash is
	// removed; request paths are appended to it.
	BaseURL string
	// Auth is the authentication mode. Empty means AuthBearer when Secret is set, AuthNone
	// otherwise.
	Auth AuthMode
	// Secret is the API token, or "user:password" for AuthBasic. It never appears in anything
	// the package renders.
	Secret string
	// Timeout bounds each attempt, from sending the request to reading the last body byte.
	// Default DefaultTimeout.
	Timeout time.Duration
	// Insecure skips TLS certificate verification.
	Insecure bool
	// CAFile is a PEM file of CA certificates trusted in addition to the system roots.
	CAFile string
	// UserAgent is the User-Agent of Okta-style requests. Default DefaultUserAgent.
	UserAgent string
	// MaxRPS caps the request rate of the Client (all goroutines together, retries
	// included); 0 means unlimited.
	MaxRPS float64
	// MaxBody is how many response body bytes an Exchange keeps; the rest is dropped and
	// RecordedResponse.Truncated set. Default DefaultMaxBody.
	MaxBody int64
	// Retry429 says how requests answered 429 Too Many Requests are retried.
	Retry429 Retry429
	// Sleep waits d or until ctx ends, returning ctx.Err() in that case. The Client uses it
	// between 429 retries and for the MaxRPS limiter; tests replace it to avoid real waits.
	// Default: a timer that honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// Transport replaces the HTTP transport (for tests). Insecure and CAFile do not apply to
	// it. The Client still never follows redirects.
	Transport http.RoundTripper
}

// Retry429 says how a Client retries a request answered 429 Too Many Requests.
//
// Okta waits Retry-After integer seconds, or 5 minutes when the header is absent or not an
// integer, doubles the wait on each further 429 and gives up after 10 attempts (okta-wire
// §9.1). Five minutes is too long for a test tool, so a Client waits:
//
//   - Retry-After seconds when the header is a non-negative integer (each time, not doubled:
//     the server said how long);
//   - otherwise BackoffBase, doubled on each further 429 (1s, 2s, 4s, …);
//
// and never more than MaxWait for one wait. After MaxAttempts attempts the last 429 is
// returned as the Exchange's status; it is data, not an error.
type Retry429 struct {
	// MaxAttempts counts the first request; 1 disables retries. Default DefaultMaxAttempts.
	MaxAttempts int
	// MaxWait caps one wait. Default DefaultMaxRetryWait.
	MaxWait time.Duration
	// BackoffBase is the first wait without a usable Retry-After. Default DefaultBackoffBase.
	BackoffBase time.Duration
}

// Client sends SCIM requests the way Okta's provisioning engine does and returns whole
// exchanges. It never follows redirects: Okta does not follow them for SCIM calls, so a 3xx is
// returned as the exchange's status for the harness to report. It speaks HTTP/1.1 only, as
// Okta does. A Client is safe for concurrent use.
type Client struct {
	cfg       Config
	base      string // BaseURL without its trailing slash
	auth      string // Authorization value for configured credentials, "" for AuthNone
	authShown string // auth redacted, as requests record it
	redactor  *Redactor
	http      *http.Client
	limiter   *limiter // nil when unlimited
}

// New returns a Client for cfg with defaults applied. It returns an error when the base URL is
// not an absolute http or https URL, the auth mode is unknown or lacks its secret, a limit is
// negative, or the CA file cannot be used.
func New(cfg Config) (*Client, error) {
	c, err := newClient(cfg)
	if err != nil {
		return nil, redactError(NewRedactor(cfg.Secret), err)
	}
	return c, nil
}

// newClient is New without the redaction of its errors.
func newClient(cfg Config) (*Client, error) {
	cfg, err := withDefaults(cfg)
	if err != nil {
		return nil, err
	}
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, base: base}
	switch cfg.Auth {
	case AuthBearer:
		c.auth = "Bearer " + cfg.Secret
		c.redactor = NewRedactor(cfg.Secret)
	case AuthHeader:
		c.auth = cfg.Secret
		c.redactor = NewRedactor(cfg.Secret)
	case AuthBasic:
		enc := base64.StdEncoding.EncodeToString([]byte(cfg.Secret))
		c.auth = "Basic " + enc
		_, password, _ := strings.Cut(cfg.Secret, ":")
		c.redactor = NewRedactor(cfg.Secret, password, enc,
			base64.RawStdEncoding.EncodeToString([]byte(cfg.Secret)))
	case AuthNone:
		c.redactor = NewRedactor(cfg.Secret)
	}
	c.authShown = c.redactor.String(c.auth)
	rt := cfg.Transport
	if rt == nil {
		if rt, err = newTransport(cfg); err != nil {
			return nil, err
		}
	}
	c.http = &http.Client{
		Transport: rt,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	if cfg.MaxRPS > 0 {
		c.limiter = &limiter{interval: time.Duration(float64(time.Second) / cfg.MaxRPS), now: time.Now}
	}
	return c, nil
}

// withDefaults fills zero fields of cfg and rejects invalid ones.
func withDefaults(cfg Config) (Config, error) {
	if cfg.Auth == "" {
		cfg.Auth = AuthNone
		if cfg.Secret != "" {
			cfg.Auth = AuthBearer
		}
	}
	switch cfg.Auth {
	case AuthBearer, AuthHeader:
		if cfg.Secret == "" {
			return cfg, fmt.Errorf("auth mode %s needs a secret: Config.Secret is empty", cfg.Auth)
		}
	case AuthBasic:
		if user, _, ok := strings.Cut(cfg.Secret, ":"); !ok || user == "" {
			return cfg, errors.New("auth mode basic needs a secret of the form user:password")
		}
	case AuthNone:
	default:
		return cfg, fmt.Errorf("unknown auth mode %q: want bearer, header, basic or none", cfg.Auth)
	}
	if cfg.Timeout < 0 || cfg.MaxRPS < 0 || cfg.MaxBody < 0 || cfg.Retry429.MaxAttempts < 0 ||
		cfg.Retry429.MaxWait < 0 || cfg.Retry429.BackoffBase < 0 {
		return cfg, errors.New("timeout, MaxRPS, MaxBody and Retry429 limits must not be negative")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Retry429.MaxAttempts == 0 {
		cfg.Retry429.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.Retry429.MaxWait == 0 {
		cfg.Retry429.MaxWait = DefaultMaxRetryWait
	}
	if cfg.Retry429.BackoffBase == 0 {
		cfg.Retry429.BackoffBase = DefaultBackoffBase
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	return cfg, nil
}

// parseBaseURL returns raw without its trailing slashes, or an error saying why it is not a
// usable SCIM base URL.
func parseBaseURL(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", errors.New("base URL is empty: want e.g. https://app.example.com/scim/v2")
	}
	// Checked first, and the URL not quoted: it may hold a password, maybe malformed.
	if strings.Contains(raw, "@") {
		return "", errors.New(`base URL must not contain "@" (credentials): set Config.Auth and Config.Secret`)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("base URL %q: %w", raw, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("base URL %q: scheme must be http or https, got %q", raw, u.Scheme)
	case u.Host == "":
		return "", fmt.Errorf("base URL %q has no host", raw)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", fmt.Errorf("base URL %q must not have a query or fragment", raw)
	}
	return strings.TrimRight(raw, "/"), nil
}

// newTransport returns an HTTP/1.1-only transport with cfg's TLS settings. It keeps the
// default proxy, dial and gzip behaviour: Go asks for gzip and decodes it transparently.
func newTransport(cfg Config) (*http.Transport, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.Insecure} //nolint:gosec // opt-in for test servers
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %q holds no PEM certificate", cfg.CAFile)
		}
		tc.RootCAs = pool
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = tc
	t.Protocols = new(http.Protocols)
	t.Protocols.SetHTTP1(true)
	return t, nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

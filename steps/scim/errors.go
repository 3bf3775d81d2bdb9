package scim

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Kind classifies a TransportError.
type Kind string

// The kinds of transport failure. Each is a failure of the target (or of the network to
// it), never of the harness.
const (
	// KindTimeout: no complete response within Config.Timeout, or a connect/TLS handshake
	// timeout.
	KindTimeout Kind = "timeout"
	// KindRefused: nothing accepts connections at the address.
	KindRefused Kind = "connection refused"
	// KindReset: the server reset the connection.
	KindReset Kind = "connection reset"
	// KindClosed: the server closed the connection before a complete response.
	KindClosed Kind = "connection closed"
	// KindUnreachable: no route to the host or network.
	KindUnreachable Kind = "unreachable"
	// KindDNS: the host name does not resolve.
	KindDNS Kind = "dns"
	// KindTLS: the TLS handshake or certificate verification failed.
	KindTLS Kind = "tls"
	// KindMalformed: the server's answer is not valid HTTP.
	KindMalformed Kind = "malformed response"
	// KindOther: any other transport failure.
	KindOther Kind = "transport"
)

// TransportError is a request that got no usable HTTP response: the target did not answer,
// or not in time, or not in HTTP. It is never a harness bug (those are plain errors) and
// never a status code (a status is data in the Exchange). Its Error text is redacted.
type TransportError struct {
	// Kind classifies the failure.
	Kind Kind
	// RequestLine is the redacted request line, e.g. "GET /scim/v2/Users HTTP/1.1".
	RequestLine string
	// Timeout is the per-attempt limit that expired, for KindTimeout after Config.Timeout.
	Timeout time.Duration
	// Err is the underlying error, unwrapped from *url.Error. Its own text is not redacted:
	// print the TransportError, not Err.
	Err error

	msg      string
	redactor *Redactor
}

// Error returns "<request line>: <kind>: <explanation>", with secrets redacted: wholly where
// the explanation may quote what the target sent (tls, malformed, closed, other), and only
// their long forms (Redactor.LongOnly) where it is the network stack's own words about
// scimcheck's own URL (see ownWords): a one-letter secret would otherwise turn "connection
// refused" into "connec[REDACTED]ion refused".
func (e *TransportError) Error() string {
	msg := e.msg
	if !strings.HasPrefix(msg, string(e.Kind)+": ") { // "tls: tls: …" reads badly
		msg = string(e.Kind) + ": " + msg
	}
	rd := e.redactor
	if e.Kind.ownWords() {
		rd = rd.LongOnly()
	}
	return rd.String(e.RequestLine + ": " + msg)
}

// ownWords reports whether the explanation of a failure of kind k holds nothing the target
// sent: only Go's and the operating system's words (or scimcheck's) about the address
// scimcheck dialled, as for a refused or reset connection, an unreachable network, a name
// that does not resolve, or a timeout.
func (k Kind) ownWords() bool {
	switch k {
	case KindRefused, KindReset, KindUnreachable, KindDNS, KindTimeout:
		return true
	}
	return false
}

// Unwrap returns Err.
func (e *TransportError) Unwrap() error { return e.Err }

// failure returns the error for err, which ended one attempt. When the caller's ctx ended it
// returns a plain wrapped ctx error (the harness stopped, the target did not fail); otherwise a
// *TransportError. inBody says whether the response headers had arrived.
func (c *Client) failure(ctx, attempt context.Context, line string, err error, inBody bool) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", line, ctx.Err())
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	te := &TransportError{RequestLine: line, Err: err, redactor: c.redactor}
	if errors.Is(attempt.Err(), context.DeadlineExceeded) {
		te.Kind, te.Timeout = KindTimeout, c.cfg.Timeout
		what := "no response"
		if inBody {
			what = "response body not complete"
		}
		te.msg = fmt.Sprintf("%s within %s: Okta closes the socket after 60 seconds", what, c.cfg.Timeout)
		return te
	}
	te.Kind = classify(err)
	te.msg = err.Error()
	switch te.Kind {
	case KindClosed:
		te.msg = "the server closed the connection before a complete response: " + te.msg
	case KindTLS:
		var ua x509.UnknownAuthorityError
		if errors.As(err, &ua) {
			te.msg += " (set CAFile to the CA that signed the server's certificate, or Insecure)"
		}
	}
	return te
}

// classify returns the Kind of a transport error that is not the per-attempt deadline.
func classify(err error) Kind {
	var (
		dnsErr   *net.DNSError
		netErr   net.Error
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
		alert    tls.AlertError
	)
	switch {
	case errors.As(err, &dnsErr):
		return KindDNS
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED):
		return KindReset
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return KindUnreachable
	case errors.As(err, &verify), errors.As(err, &unknown), errors.As(err, &hostname),
		errors.As(err, &invalid), errors.As(err, &record), errors.As(err, &alert):
		return KindTLS
	case errors.As(err, &netErr) && netErr.Timeout():
		return KindTimeout
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return KindClosed
	}
	s := err.Error()
	switch {
	case strings.Contains(s, "malformed HTTP"), strings.Contains(s, "malformed MIME"),
		strings.Contains(s, "bad Content-Length"), strings.Contains(s, "invalid byte in chunk"),
		strings.Contains(s, "gzip: invalid header"), strings.Contains(s, "flate: corrupt"):
		return KindMalformed
	case strings.Contains(s, "tls: "), strings.Contains(s, "x509: "):
		return KindTLS
	case strings.Contains(s, "connection reset"):
		return KindReset
	case strings.HasSuffix(s, "EOF"):
		return KindClosed
	}
	return KindOther
}

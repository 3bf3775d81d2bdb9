package scim

import (
	"bufio"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawServer answers each connection with fn after reading the request head, and returns its
// base URL.
func rawServer(t *testing.T, fn func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_, _ = http.ReadRequest(bufio.NewReader(conn))
				fn(conn)
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// refusedBase returns the base URL, and its host:port, of a loopback port that nothing listens
// on any more: connections to it are refused.
func refusedBase(t *testing.T) (string, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr, addr
}

func TestTransportErrors(t *testing.T) {
	refusedURL, refusedAddr := refusedBase(t)
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })

	tests := []struct {
		name       string
		base       string
		kind       Kind
		want       string // the error text after "GET /Users HTTP/1.1: "
		wantStatus int    // the status recorded before the failure, if any
	}{
		{"refused", refusedURL, KindRefused,
			"connection refused: dial tcp " + refusedAddr + ": connect: connection refused", 0},
		{"closed before answering", rawServer(t, func(net.Conn) {}), KindClosed,
			"connection closed: the server closed the connection before a complete response: EOF", 0},
		{"reset", rawServer(t, func(c net.Conn) { _ = c.(*net.TCPConn).SetLinger(0) }), KindReset, "", 0},
		{"not HTTP", rawServer(t, func(c net.Conn) { _, _ = io.WriteString(c, "HELLO\r\n\r\n") }), KindMalformed,
			`malformed response: net/http: HTTP/1.x transport connection broken: malformed HTTP response "HELLO"`, 0},
		{"secret echoed in garbage", rawServer(t, func(c net.Conn) {
			_, _ = io.WriteString(c, "HTTP/1.1 "+canary+"\r\n\r\n")
		}), KindMalformed, "", 0},
		{"closed mid-body", rawServer(t, func(c net.Conn) {
			_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"id\":")
		}), KindClosed, "connection closed: the server closed the connection before a complete response: unexpected EOF", 200},
		{"slow headers", rawServer(t, func(net.Conn) { <-hold }), KindTimeout,
			"timeout: no response within 100ms: Okta closes the socket after 60 seconds", 0},
		{"slow body", rawServer(t, func(c net.Conn) {
			_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"id\":")
			<-hold
		}), KindTimeout, "timeout: response body not complete within 100ms: Okta closes the socket after 60 seconds", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := client(t, Config{BaseURL: tt.base, Secret: canary, Timeout: 100 * time.Millisecond})
			start := time.Now()
			ex, err := c.Do(context.Background(), Request{Path: "/Users"})
			assert.Less(t, time.Since(start), 2*time.Second, "never hangs past Timeout")

			var te *TransportError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, tt.kind, te.Kind, err.Error())
			if tt.want != "" {
				assert.Equal(t, "GET /Users HTTP/1.1: "+tt.want, err.Error())
			}
			assert.NotContains(t, err.Error(), canary)
			require.NotNil(t, ex, "the exchange is returned with the error")
			assert.Equal(t, err, ex.Err)
			assert.Equal(t, tt.wantStatus, ex.Response.StatusCode)
			assert.Contains(t, ex.Transcript(), err.Error())
			assert.NotContains(t, ex.Transcript(), canary)
			assert.NotContains(t, ex.Curl(), canary)
		})
	}
}

// A one-letter secret leaves the network stack's own words alone (refused, timeout), and is
// still redacted wherever the target's bytes are quoted (a malformed answer that echoes it).
func TestTransportErrorsWithAOneLetterSecret(t *testing.T) {
	refusedURL, refusedAddr := refusedBase(t)
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	tests := []struct {
		name, base, want string
	}{
		{"refused", refusedURL, "GET /Users HTTP/1.1: connection refused: dial tcp " + refusedAddr + ": connect: connection refused"},
		{"timeout", rawServer(t, func(net.Conn) { <-hold }), "GET /Users HTTP/1.1: timeout: no response within 100ms: Okta closes the socket after 60 seconds"},
		{"echoed in a malformed answer", rawServer(t, func(c net.Conn) { _, _ = io.WriteString(c, "HTTP/1.1 t\r\n\r\n") }),
			`GET /Users HTTP/1.1: malformed response: ne[REDACTED]/h[REDACTED][REDACTED]p: HTTP/1.x [REDACTED]ranspor[REDACTED] connec[REDACTED]ion broken: malformed HTTP s[REDACTED]a[REDACTED]us code "[REDACTED]"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := client(t, Config{BaseURL: tt.base, Secret: "t", Timeout: 100 * time.Millisecond})
			ex, err := c.Do(context.Background(), Request{Path: "/Users"})
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			assert.Contains(t, ex.Transcript(), "* no response: "+tt.want+" in ", "the transcript says it once, as the error does")
			assert.Contains(t, ex.Transcript(), "< no response: "+tt.want+"\n")
		})
	}
}

// With a one-letter secret a standard status stays whole in the transcript's status and
// summary lines, and a reason phrase of the target's own is redacted in both.
func TestTranscriptStatusWithAOneLetterSecret(t *testing.T) {
	for status, want := range map[string]string{
		"204 No Content":   "204 No Content",
		"204 Totally Done": "204 To[REDACTED]ally Done",
	} {
		base := rawServer(t, func(c net.Conn) { _, _ = io.WriteString(c, "HTTP/1.1 "+status+"\r\nContent-Length: 0\r\n\r\n") })
		c := client(t, Config{BaseURL: base, Secret: "t"})
		ex, err := c.Do(context.Background(), Request{Path: "/Users"})
		require.NoError(t, err)
		assert.Contains(t, ex.Transcript(), "< HTTP/1.1 "+want+"\n", status)
		assert.Contains(t, ex.Transcript(), "* "+want+" in ", status)
	}
}

func TestCallerCancelIsNotATargetFailure(t *testing.T) {
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	base := rawServer(t, func(net.Conn) { <-hold })
	c := client(t, Config{BaseURL: base})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()

	_, err := c.Do(ctx, Request{Path: "/Users"})
	require.Error(t, err)
	var te *TransportError
	assert.NotErrorAs(t, err, &te)
	assert.True(t, errors.Is(err, context.DeadlineExceeded))
	assert.Equal(t, "GET /Users HTTP/1.1: context deadline exceeded", err.Error())
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err  error
		want Kind
	}{
		{&net.DNSError{Err: "no such host", Name: "scim.invalid", IsNotFound: true}, KindDNS},
		{&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, KindRefused},
		{&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, KindReset},
		{&net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}, KindReset},
		{&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}, KindUnreachable},
		{&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}, KindUnreachable},
		{&net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}, KindTimeout},
		{x509.HostnameError{Certificate: &x509.Certificate{}, Host: "h"}, KindTLS},
		{errors.New("tls: handshake failure"), KindTLS},
		{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), KindClosed},
		{errors.New(`malformed HTTP status code "x"`), KindMalformed},
		{errors.New("something else"), KindOther},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			assert.Equal(t, tt.want, classify(tt.err))
		})
	}
}

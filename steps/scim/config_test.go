package scim

import (
	"context"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewRejectsBadConfig(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.txt")
	require.NoError(t, os.WriteFile(notPEM, []byte("hello"), 0o600))

	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"empty base", Config{}, "base URL is empty: want e.g. https://app.example.com/scim/v2"},
		{"relative base", Config{BaseURL: "/scim/v2"}, `base URL "/scim/v2": scheme must be http or https, got ""`},
		{"ftp base", Config{BaseURL: "ftp://h/scim"}, `base URL "ftp://h/scim": scheme must be http or https, got "ftp"`},
		{"no host", Config{BaseURL: "http:///scim"}, `base URL "http:///scim" has no host`},
		{"credentials", Config{BaseURL: "https://u:" + canary + "@h/scim"}, `base URL must not contain "@" (credentials): set Config.Auth and Config.Secret`},
		{"query", Config{BaseURL: "https://h/scim?x=1"}, `base URL "https://h/scim?x=1" must not have a query or fragment`},
		{"unparsable", Config{BaseURL: "http://h/%zz"}, `base URL "http://h/%zz": parse "http://h/%zz": invalid URL escape "%zz"`},
		{"unknown auth", Config{BaseURL: "http://h", Auth: "oauth"}, `unknown auth mode "oauth": want bearer, header, basic or none`},
		{"bearer without secret", Config{BaseURL: "http://h", Auth: AuthBearer}, "auth mode bearer needs a secret: Config.Secret is empty"},
		{"header without secret", Config{BaseURL: "http://h", Auth: AuthHeader}, "auth mode header needs a secret: Config.Secret is empty"},
		{"basic without colon", Config{BaseURL: "http://h", Auth: AuthBasic, Secret: canary}, "auth mode basic needs a secret of the form user:password"},
		{"negative timeout", Config{BaseURL: "http://h", Timeout: -time.Second}, "timeout, MaxRPS, MaxBody and Retry429 limits must not be negative"},
		{"missing CA file", Config{BaseURL: "https://h", CAFile: filepath.Join(dir, "nope.pem")}, "read CA file: open " + filepath.Join(dir, "nope.pem") + ": no such file or directory"},
		{"CA file not PEM", Config{BaseURL: "https://h", CAFile: notPEM}, `CA file "` + notPEM + `" holds no PEM certificate`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.cfg)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.Equal(t, tt.want, err.Error())
			assert.NotContains(t, err.Error(), canary)
		})
	}
}

func TestNewDefaults(t *testing.T) {
	c := client(t, Config{BaseURL: "https://h.example/scim/v2/", Secret: "s"})
	assert.Equal(t, "https://h.example/scim/v2", c.base)
	assert.Equal(t, AuthBearer, c.cfg.Auth, "a secret without a mode means bearer")
	assert.Equal(t, 60*time.Second, c.cfg.Timeout)
	assert.Equal(t, "Okta SCIM Client 1.0.0", c.cfg.UserAgent)
	assert.Equal(t, int64(10<<20), c.cfg.MaxBody)
	assert.Equal(t, Retry429{MaxAttempts: 10, MaxWait: 120 * time.Second, BackoffBase: time.Second}, c.cfg.Retry429)
	assert.Nil(t, c.limiter)

	anon := client(t, Config{BaseURL: "http://h"})
	assert.Equal(t, AuthNone, anon.cfg.Auth, "no secret and no mode means none")
}

func TestDefaultSleepHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	err := sleep(ctx, time.Hour)
	assert.True(t, errors.Is(err, context.Canceled))
	assert.Less(t, time.Since(start), time.Second)
	assert.NoError(t, sleep(context.Background(), time.Millisecond))
}

func TestTLS(t *testing.T) {
	srv := serveTLS(t)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	require.NoError(t, os.WriteFile(caFile, pemBytes, 0o600))

	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"untrusted", Config{BaseURL: srv.URL}, "GET /Users HTTP/1.1: tls: failed to verify certificate: x509: certificate signed by unknown authority (set CAFile to the CA that signed the server's certificate, or Insecure)"},
		{"CA file", Config{BaseURL: srv.URL, CAFile: caFile}, ""},
		{"insecure", Config{BaseURL: srv.URL, Insecure: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex, err := client(t, tt.cfg).Do(context.Background(), Request{Path: "/Users"})
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, 200, ex.Response.StatusCode)
				assert.Equal(t, "HTTP/1.1", ex.Response.Proto, "Okta speaks HTTP/1.1")
				return
			}
			var te *TransportError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, KindTLS, te.Kind)
			assert.Equal(t, tt.wantErr, err.Error())
		})
	}
}

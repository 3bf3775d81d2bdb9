package server

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLogLevels: what each --log-level and --log-format keeps of three requests, one of which
// panics.
func TestLogLevels(t *testing.T) {
	tests := []struct {
		level, format string
		lines         int      // lines written
		has, hasNot   []string // in the log
	}{
		{"off", "text", 0, nil, []string{"panic"}},
		{"error", "text", 1, []string{"level=ERROR", "injected panic"}, []string{"msg=request"}},
		{"warn", "json", 1, []string{`"level":"ERROR"`}, []string{`"msg":"request"`}},
		{"info", "text", 4, []string{"msg=request", "method=POST", "status=201", "status=500", "injected panic"}, []string{"remote=", "response_bytes"}},
		{"INFO", "json", 4, []string{`"msg":"request"`, `"status":201`, `"method":"POST"`}, []string{"remote"}},
		{"debug", "text", 4, []string{"msg=request", "remote=192.0.2.1:1234", "response_bytes=", "request_bytes="}, nil},
		{"debug", "json", 4, []string{`"remote":"192.0.2.1:1234"`, `"response_bytes":`}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.level+"/"+tc.format, func(t *testing.T) {
			var logs bytes.Buffer
			logger, err := NewLogger(&logs, tc.level, tc.format)
			require.NoError(t, err)
			c := newClient(t, func(o *Options) { o.Log = logger })
			c.createUser("ada")
			r := req("POST", "/Users", "x")
			r.Body = panicBody{}
			assertSCIMError(t, c.send(r), 500, "")
			c.must(200, "GET", "/Users?access_token="+testToken, "")

			log := strings.TrimSpace(logs.String())
			if tc.lines == 0 {
				assert.Empty(t, log)
			} else {
				lines := strings.Split(log, "\n")
				require.Len(t, lines, tc.lines, log)
				if strings.EqualFold(tc.format, "json") {
					for _, l := range lines {
						assert.True(t, json.Valid([]byte(l)), "one JSON object a line: %s", l)
					}
				}
			}
			for _, s := range tc.has {
				assert.Contains(t, log, s)
			}
			for _, s := range tc.hasNot {
				assert.NotContains(t, log, s)
			}
			assert.NotContains(t, log, testToken, "never a credential")
		})
	}
}

func TestNewLoggerRejects(t *testing.T) {
	for _, tc := range []struct{ level, format, want string }{
		{"verbose", "text", `unknown --log-level "verbose"`},
		{"", "text", "unknown --log-level"},
		{"info", "xml", `unknown --log-format "xml"`},
		{"off", "xml", "unknown --log-format"},
	} {
		_, err := NewLogger(&bytes.Buffer{}, tc.level, tc.format)
		require.Error(t, err, tc.level+"/"+tc.format)
		assert.Contains(t, err.Error(), tc.want)
	}
}

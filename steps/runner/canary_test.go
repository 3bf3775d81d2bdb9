package runner

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cucumber/godog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference/server"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// canary is a credential that must never appear in anything scimcheck writes.
const canary = "canary-SECRET-7f3a9e"

// echoAuth answers every request with its Authorization header, and the credential after the
// scheme, echoed in response headers and in a SCIM error body: a hostile target that tries to
// make scimcheck print the secret.
func echoAuth(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	_, cred, _ := strings.Cut(auth, " ")
	w.Header().Set("X-Echo", auth)
	w.Header().Set("X-Echo-Credential", cred)
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"},
		"status":  "400", "detail": "you sent " + auth + " (credential " + cred + ") from " + r.UserAgent(),
	})
}

func TestCanaryTokenAppearsInNoOutput(t *testing.T) {
	basicSecret := "okta:" + canary
	hostile := func(t *testing.T) string {
		srv := httptest.NewServer(http.HandlerFunc(echoAuth))
		t.Cleanup(srv.Close)
		return srv.URL + "/scim/v2"
	}
	tests := []struct {
		name   string
		opts   Options
		target func(t *testing.T) string // nil: the in-process server
		code   int
	}{
		{name: "bearer in process", opts: Options{Token: canary}},
		{name: "basic in process", opts: Options{Token: basicSecret, Auth: scim.AuthBasic}},
		{name: "header in process", opts: Options{Token: "Bearer " + canary, Auth: scim.AuthHeader}},
		{name: "failing target in process", opts: Options{Token: canary, Quirks: []string{"internal-error"}}, code: ExitFail},
		{
			name: "bearer against the reference server as --target",
			opts: Options{Token: canary},
			target: func(t *testing.T) string {
				ref, err := server.Start(t.Context(), server.Config{Options: server.Options{Token: canary}})
				require.NoError(t, err)
				t.Cleanup(func() { _ = ref.Close() })
				return ref.URL
			},
		},
		{name: "hostile target echoing the basic secret", opts: Options{Token: basicSecret, Auth: scim.AuthBasic}, target: hostile, code: ExitFail},
		{name: "hostile target echoing the header secret", opts: Options{Token: "Bearer " + canary, Auth: scim.AuthHeader}, target: hostile, code: ExitFail},
		{name: "hostile target echoing the bearer token", opts: Options{Token: canary}, target: hostile, code: ExitFail},
	}
	forbidden := []string{
		canary,
		base64.StdEncoding.EncodeToString([]byte(canary)),
		base64.StdEncoding.EncodeToString([]byte(basicSecret)),
		base64.RawStdEncoding.EncodeToString([]byte(basicSecret)),
		base64.URLEncoding.EncodeToString([]byte(canary)),
		"Bearer canary",
		"SECRET-7f3a9e",
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			o := tc.opts
			o.Formats = []string{"pretty", "junit:" + filepath.Join(dir, "junit.xml"), "cucumber:" + filepath.Join(dir, "cucumber.json")}
			o.TraceDir = filepath.Join(dir, "traces")
			o.ReportDir = filepath.Join(dir, "report") // summary.json, junit.xml, report.html, cucumber.json
			if tc.target != nil {
				o.Target = tc.target(t)
				o.Tags = "@connection, @push-users" // enough to exercise every output
			} else {
				o.ServerLog = filepath.Join(dir, "server.log")
			}
			r := runOpts(t, o, runLimit)
			require.Equal(t, tc.code, r.code, r.dump())

			outputs := map[string]string{"stdout": r.stdout, "stderr": r.stderr}
			files := 0
			require.NoError(t, filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
				if err != nil || info.IsDir() {
					return err
				}
				raw, err := os.ReadFile(path)
				outputs[path] = string(raw)
				files++
				return err
			}))
			assert.GreaterOrEqual(t, files, 3, "junit, cucumber and at least one transcript")
			assert.NotEmpty(t, outputs[filepath.Join(dir, "junit.xml")])
			for _, f := range reportFiles {
				assert.NotEmpty(t, outputs[filepath.Join(o.ReportDir, f)], "--report wrote %s", f)
			}
			if tc.target == nil {
				assert.Contains(t, outputs[o.ServerLog], "msg=request", "the server log was written")
			}
			cuke := filepath.Join(dir, "cucumber.json")
			embedded := embeddings(t, outputs[cuke])
			if tc.code == ExitFail {
				assert.NotEmpty(t, embedded, "failed scenarios attach their transcripts")
			}
			for i, e := range embedded {
				outputs[fmt.Sprintf("%s embedding %d", cuke, i)] = e
			}
			for name, text := range outputs {
				for _, f := range forbidden {
					assert.False(t, strings.Contains(text, f), "%s holds %q", name, f)
				}
			}
		})
	}
}

// TestCanaryLeakedByAStepIsStillRedacted checks the second line of defence: a step whose
// failure message holds the secret (a bug in a step definition) still leaks it nowhere.
func TestCanaryLeakedByAStepIsStillRedacted(t *testing.T) {
	leaky := fstest.MapFS{"okta/leak.feature": {Data: []byte(`@connection
Feature: Leak
  Scenario: a step leaks the secret
    Given a step that leaks the secret
`)}}
	hook := func(sc *godog.ScenarioContext) {
		sc.Step(`^a step that leaks the secret$`, func(ctx context.Context) (context.Context, error) {
			ctx = godog.Attach(ctx, godog.Attachment{
				Body: []byte("> Authorization: Bearer " + canary + "\n"), FileName: "transcript.txt", MediaType: "text/plain",
			})
			return ctx, fmt.Errorf("expected 200, got 401 for Authorization: Bearer %s", canary)
		})
	}
	dir := t.TempDir()
	junit, cuke := filepath.Join(dir, "junit.xml"), filepath.Join(dir, "cucumber.json")
	reports := filepath.Join(dir, "report")
	r := runOpts(t, Options{
		features: leaky, scenarioHook: hook, Token: canary, TraceDir: "-", ReportDir: reports,
		Formats: []string{"pretty", "junit:" + junit, "cucumber:" + cuke},
	}, runLimit)
	require.Equal(t, ExitFail, r.code, r.dump())
	assert.Contains(t, r.stdout, "got 401 for Authorization: Bearer [REDACTED]")
	embedded := embeddings(t, readFile(t, cuke))
	assert.Contains(t, embedded, "> Authorization: Bearer [REDACTED]\n", "the step's attachment, redacted")
	outputs := map[string]string{"stdout": r.stdout, "stderr": r.stderr, "junit": readFile(t, junit), "cucumber": readFile(t, cuke)}
	for _, f := range reportFiles {
		outputs[f] = readFile(t, filepath.Join(reports, f))
	}
	assert.Contains(t, outputs[reportSummary], "got 401 for Authorization: Bearer [REDACTED]", "the leaked message, redacted")
	assert.Contains(t, outputs[reportHTML], "401 for Authorization: Bearer [REDACTED]")
	for name, text := range outputs {
		assert.NotContains(t, text, canary, name)
	}
}

// embeddings returns the decoded attachments of a cucumber JSON report.
func embeddings(t *testing.T, report string) []string {
	t.Helper()
	var features []struct {
		Elements []struct {
			Steps []struct {
				Embeddings []struct {
					Data string `json:"data"`
				} `json:"embeddings"`
			} `json:"steps"`
		} `json:"elements"`
	}
	require.NoError(t, json.Unmarshal([]byte(report), &features))
	var out []string
	for _, f := range features {
		for _, e := range f.Elements {
			for _, s := range e.Steps {
				for _, emb := range s.Embeddings {
					raw, err := base64.StdEncoding.DecodeString(emb.Data)
					require.NoError(t, err)
					out = append(out, string(raw))
				}
			}
		}
	}
	return out
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(raw)
}

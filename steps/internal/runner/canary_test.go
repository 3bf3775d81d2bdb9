package runner

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cucumber/godog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference/server"
	rpt "github.com/scimcheck/scimcheck/steps/report"
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

// TestOddCredentialsKeepStructure runs with credentials that occur everywhere in rendered
// text ("t", "T", "scim"), hold a space, regex metacharacters or characters JSON escapes, in
// process and against a target echoing them back. The credential is redacted where it is a
// value (the echoed headers and bodies), and nothing else changes: every JSON and XML file
// parses with its keys and elements, the HTML keeps its elements, the marker is never redacted
// inside itself, and rerun commands are runnable words.
func TestOddCredentialsKeepStructure(t *testing.T) {
	hostile := func(t *testing.T) string {
		srv := httptest.NewServer(http.HandlerFunc(echoAuth))
		t.Cleanup(srv.Close)
		return srv.URL + "/scim/v2"
	}
	// elements returns the set of element names of an HTML or XML text.
	elements := func(text string) map[string]bool {
		set := map[string]bool{}
		for _, m := range regexp.MustCompile(`</?([a-zA-Z][a-zA-Z0-9]*)`).FindAllStringSubmatch(text, -1) {
			set[m[1]] = true
		}
		return set
	}
	run := func(t *testing.T, token string, target func(*testing.T) string) (result, string) {
		dir := t.TempDir()
		o := Options{Token: token, Tags: "@connection, @push-users", ReportDir: filepath.Join(dir, "report"),
			TraceDir: filepath.Join(dir, "traces"),
			Formats:  []string{"pretty", "junit:" + filepath.Join(dir, "junit.xml"), "cucumber:" + filepath.Join(dir, "cucumber.json")}}
		if target != nil {
			o.Target = target(t)
		}
		return runOpts(t, o, runLimit), dir
	}
	for _, where := range []struct {
		name   string
		target func(*testing.T) string
		code   int
	}{{"in process", nil, ExitPass}, {"echoing target", hostile, ExitFail}} {
		t.Run(where.name, func(t *testing.T) {
			_, base := run(t, canary, where.target)
			baseHTML := elements(readFile(t, filepath.Join(base, "report", reportHTML)))
			baseJUnit := elements(readFile(t, filepath.Join(base, "report", reportJUnit)))
			for _, token := range []string{"t", "T", "scim", "a b", `a.b*c+?(d)[e]{2}|^$\`, `q"u\o/te`} {
				t.Run(token, func(t *testing.T) {
					r, dir := run(t, token, where.target)
					require.Equal(t, where.code, r.code, r.dump())
					outputs := map[string]string{"stdout": r.stdout, "stderr": r.stderr}
					require.NoError(t, filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
						if err == nil && !info.IsDir() {
							outputs[path] = readFile(t, path)
						}
						return err
					}))
					for name, text := range outputs {
						assert.NotContains(t, text, "[REDAC[", "%s: the marker redacted inside itself", name)
						assert.NotContains(t, text, "ED]ED]", "%s: the marker redacted inside itself", name)
						switch {
						case strings.HasSuffix(name, ".json"):
							var v any
							assert.NoError(t, json.Unmarshal([]byte(text), &v), "%s parses", name)
						case strings.HasSuffix(name, ".xml"):
							dec := xml.NewDecoder(strings.NewReader(text))
							for {
								_, err := dec.Token()
								if err == io.EOF {
									break
								}
								if !assert.NoError(t, err, "%s parses", name) {
									break
								}
							}
						}
					}
					summary := outputs[filepath.Join(dir, "report", reportSummary)]
					assert.NoError(t, rpt.Validate([]byte(summary)), "summary.json keeps its schema")
					assert.Equal(t, baseHTML, elements(outputs[filepath.Join(dir, "report", reportHTML)]), "report.html keeps its elements")
					assert.Equal(t, baseJUnit, elements(outputs[filepath.Join(dir, "report", reportJUnit)]), "junit.xml keeps its elements")
					assert.Contains(t, r.stdout, "Capability                 Okta     review rfc  Scenarios", "the console table is intact")
					if where.code == ExitFail {
						// The target echoes the credential in X-Echo-Credential and its body.
						traces := ""
						for name, text := range outputs {
							if strings.Contains(name, "traces") {
								traces += text
							}
						}
						assert.Contains(t, traces, "# X-Echo-Credential: [REDACTED]\n", "the echoed credential is redacted as a value")
						assert.NotContains(t, traces, "(credential "+token+")")
						for _, f := range []string{reportHTML, reportJUnit} {
							assert.Contains(t, outputs[filepath.Join(dir, "report", f)], "X-Echo-Credential: [REDACTED]", f)
						}
						embedded := strings.Join(embeddings(t, outputs[filepath.Join(dir, "cucumber.json")]), "")
						assert.Contains(t, embedded, "X-Echo-Credential: [REDACTED]", "cucumber.json's attachments")
						var s struct {
							Scenarios []struct{ Rerun string } `json:"scenarios"`
						}
						require.NoError(t, json.Unmarshal([]byte(summary), &s))
						require.NotEmpty(t, s.Scenarios)
						for _, sc := range s.Scenarios {
							if sc.Rerun != "" {
								assert.True(t, strings.HasPrefix(sc.Rerun, "scimcheck run --target http://127.0.0.1:"), sc.Rerun)
								assert.NotContains(t, sc.Rerun, scim.Redacted, "a rerun command is runnable")
							}
						}
						assert.Contains(t, r.stdout, "scimcheck run --target", "rerun commands on the console")
					}
				})
			}
		})
	}
}

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeScimcheck is a scimcheck that records its arguments (one per line of $ARGV_FILE, NUL
// separated) and its $SCIMCHECK_TOKEN, writes a summary.json into --report's directory, and
// exits with $FAKE_EXIT.
const fakeScimcheck = `#!/usr/bin/env bash
printf '%s\0' "$@" > "$ARGV_FILE"
printf '%s' "${SCIMCHECK_TOKEN-unset}" > "$ARGV_FILE.token"
while [ $# -gt 0 ]; do
  if [ "$1" = "--report" ]; then
    cat > "$2/summary.json" <<'JSON'
{"target": {"url": "http://127.0.0.1:8080/scim/v2"}, "oktaMode": "oin",
 "counts": {"passed": 9, "failed": 1, "waived": 0, "skipped": 0, "selected": 10},
 "capabilities": [{"name": "Push users", "status": "failed", "detail": "9 passed, 1 failed of 10"}]}
JSON
  fi
  shift
done
exit "${FAKE_EXIT:-0}"
`

// runAction runs .github/action/run.sh with env (the Action's inputs) and a fake scimcheck,
// and returns the arguments scimcheck got, the script's output, its exit code and the files
// it wrote: $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY.
func runAction(t *testing.T, env map[string]string) (argv []string, out string, code int, outputs, summary string) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	require.NoError(t, os.Mkdir(bin, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(bin, "scimcheck"), []byte(fakeScimcheck), 0o755))
	argvFile := filepath.Join(dir, "argv")
	cmd := exec.Command("bash", ".github/action/run.sh")
	cmd.Dir, _ = os.Getwd()
	cmd.Env = []string{
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + dir, "ARGV_FILE=" + argvFile,
		"GITHUB_OUTPUT=" + filepath.Join(dir, "output"), "GITHUB_STEP_SUMMARY=" + filepath.Join(dir, "summary.md"),
		"SCIMCHECK_INPUT_REPORT=" + filepath.Join(dir, "report"),
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	raw, err := cmd.CombinedOutput()
	code = cmd.ProcessState.ExitCode()
	if err != nil && code < 0 {
		require.NoError(t, err)
	}
	if a, err := os.ReadFile(argvFile); err == nil {
		argv = strings.Split(strings.TrimSuffix(string(a), "\x00"), "\x00")
	}
	o, _ := os.ReadFile(filepath.Join(dir, "output"))
	s, _ := os.ReadFile(filepath.Join(dir, "summary.md"))
	return argv, string(raw), code, string(o), string(s)
}

func TestActionScriptPassesInputsAsWords(t *testing.T) {
	argv, out, code, outputs, summary := runAction(t, map[string]string{
		"MY_TOKEN":                          "tok en's \"x\"",
		"SCIMCHECK_INPUT_TOKEN_NAME":        "MY_TOKEN",
		"SCIMCHECK_INPUT_IMAGE":             "acme/scim:1.4",
		"SCIMCHECK_INPUT_TOKEN_ENV":         "API_TOKEN",
		"SCIMCHECK_INPUT_CONTAINER_CMD":     "serve --addr 0.0.0.0:8080",
		"SCIMCHECK_INPUT_TAGS":              "@push-users && ~@optional",
		"SCIMCHECK_INPUT_MODE":              "oin",
		"SCIMCHECK_INPUT_EXPECTED_FAILURES": "known failures.json",
		"SCIMCHECK_INPUT_FAIL_ON":           "okta",
		"SCIMCHECK_INPUT_ARGS":              `--container-port 3000 --name "a b" --container-env 'GREETING=it'\''s $HOME' --base-path /api/scim/v2 $(touch /tmp/pwned) ` + "`id`",
		"FAKE_EXIT":                         "1",
	})
	require.Equal(t, 1, code, out)
	require.NotEmpty(t, argv, out)
	report := argv[6]
	assert.Equal(t, []string{
		"run", "--okta-mode", "oin", "--format", "progress", "--report", report,
		"--image", "acme/scim:1.4", "--container-token-env", "API_TOKEN", "--container-cmd", "serve --addr 0.0.0.0:8080",
		"--tags", "@push-users && ~@optional", "--expected-failures", "known failures.json", "--fail-on", "okta",
		"--container-port", "3000", "--name", "a b", "--container-env", "GREETING=it's $HOME", "--base-path", "/api/scim/v2",
		"$(touch", "/tmp/pwned)", "`id`",
	}, argv, "every input one word, args split as a shell would, nothing evaluated")
	assert.Contains(t, out, "::add-mask::tok en's \"x\"")
	assert.Contains(t, outputs, "exit-code=1\n")
	assert.Contains(t, outputs, "report="+report+"\n")
	assert.Contains(t, summary, "| Capability | Result | Scenarios |\n|---|---|---|\n| Push users | failed | 9 passed, 1 failed of 10 |")
	assert.Contains(t, summary, "exit code 1")
}

func TestActionScriptRefusesBadInputs(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no target", map[string]string{"SCIMCHECK_TOKEN": "x"}, "set target"},
		{"target and image", map[string]string{"SCIMCHECK_TOKEN": "x", "SCIMCHECK_INPUT_TARGET": "http://127.0.0.1:1", "SCIMCHECK_INPUT_IMAGE": "a"}, "not both"},
		{"no token", map[string]string{"SCIMCHECK_INPUT_TARGET": "http://127.0.0.1:1"}, "$SCIMCHECK_TOKEN is empty"},
		{"bad token name", map[string]string{"SCIMCHECK_INPUT_TOKEN_NAME": "A-B", "SCIMCHECK_INPUT_TARGET": "http://127.0.0.1:1"}, "environment variable name"},
		{"unbalanced quote", map[string]string{"SCIMCHECK_TOKEN": "x", "SCIMCHECK_INPUT_TARGET": "http://127.0.0.1:1", "SCIMCHECK_INPUT_ARGS": "--name 'a b"}, "well-quoted"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			argv, out, code, _, _ := runAction(t, tc.env)
			assert.Equal(t, 2, code, out)
			assert.Contains(t, out, tc.want)
			assert.Empty(t, argv, "scimcheck did not run")
		})
	}
	t.Run("reference container needs neither", func(t *testing.T) {
		argv, out, code, _, _ := runAction(t, map[string]string{"SCIMCHECK_INPUT_ARGS": "--reference-container"})
		require.Equal(t, 0, code, out)
		assert.Equal(t, "--reference-container", argv[len(argv)-1])
		assert.NotContains(t, argv, "--target")
	})
}

package runner

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCommandUsageErrors(t *testing.T) {
	t.Setenv("SCIMCHECK_TOKEN", "")
	t.Setenv("SCIMCHECK_TARGET", "")
	target := "http://" + closedPort(t) + "/scim/v2"
	missing := filepath.Join(t.TempDir(), "no-such-file")
	empty := filepath.Join(t.TempDir(), "empty")
	require.NoError(t, os.WriteFile(empty, []byte("\n"), 0o600))

	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"unknown okta mode", []string{"--okta-mode", "foo"}, `--okta-mode "foo": want oin, aiw or both`},
		{"unknown format", []string{"--format", "xml"}, `--format "xml": want pretty, progress, junit:FILE or cucumber:FILE`},
		{"junit without a file", []string{"--format", "junit"}, "--format junit needs a file"},
		{"two console formats", []string{"--format", "pretty", "--format", "progress"}, "at most one of pretty and progress"},
		{"target without token", []string{"--target", target}, "set SCIMCHECK_TOKEN=<token> or pass --token-file FILE"},
		{"unknown name", []string{"--name", "^no scenario is called this$"}, "matches no scenario name; for example:"},
		{"bad name regexp", []string{"--name", "("}, "is not a regular expression"},
		{"bad tag expression", []string{"--tags", "@push-users &&"}, `"" is not a tag`},
		{"cucumber-style tag expression", []string{"--tags", "@push-users and not @oin"}, "is not a tag"},
		{"tags that select nothing", []string{"--tags", "@no-such-tag"}, "select(s) no scenario; tags in use: "},
		{"unknown auth", []string{"--auth", "oauth"}, `--auth "oauth": want bearer, header or basic`},
		{"unknown quirk", []string{"--quirk", "no-such-quirk"}, "unknown quirk"},
		{"missing token file", []string{"--token-file", missing}, "read --token-file"},
		{"empty token file", []string{"--token-file", empty}, "is empty"},
		{"unknown flag", []string{"--no-such-flag"}, "flag provided but not defined"},
		{"positional argument", []string{"push-users"}, `unexpected argument "push-users"`},
		{"negative timeout", []string{"--timeout", "-1s"}, "must not be negative"},
		{"bad run id", []string{"--run-id", "a b"}, "--run-id"},
		{"report file in a missing directory", []string{"--format", "junit:" + filepath.Join(missing, "r.xml")}, "--format junit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runArgs(t, tc.args...)
			assert.Equal(t, ExitUsage, r.code, r.dump())
			assert.Contains(t, r.stderr, tc.want)
			assert.NotContains(t, r.stdout, "seed:", "nothing may run after a usage error")
		})
	}
}

func TestCommandQuirkNeedsInProcessServer(t *testing.T) {
	t.Setenv("SCIMCHECK_TOKEN", "tok")
	r := runArgs(t, "--target", "http://"+closedPort(t)+"/scim/v2", "--quirk", "internal-error")
	assert.Equal(t, ExitUsage, r.code, r.dump())
	assert.Contains(t, r.stderr, "cannot be combined with --target")
}

func TestCommandBasicAuthNeedsUserAndPassword(t *testing.T) {
	t.Setenv("SCIMCHECK_TOKEN", "no-colon")
	r := runArgs(t, "--target", "http://"+closedPort(t)+"/scim/v2", "--auth", "basic")
	assert.Equal(t, ExitUsage, r.code, r.dump())
	assert.Contains(t, r.stderr, "user:password")
	assert.NotContains(t, r.stderr, "no-colon")
}

func TestCommandHelp(t *testing.T) {
	r := runArgs(t, "--help")
	assert.Equal(t, ExitPass, r.code)
	for _, want := range []string{
		"SCIMCHECK_TOKEN", "--token-file", "Exit codes:", "0   every selected scenario passed",
		"1   at least one scenario failed", "2   usage or configuration error", "3   the target could not be reached",
		"harness bug", "scimcheck serve --addr 127.0.0.1:8080", "--target http://127.0.0.1:8080/scim/v2",
		"-okta-mode", "-trace-dir", "-max-rps", "-batch-size", "-ca-file", "-insecure", "-concurrency",
	} {
		assert.Contains(t, r.stdout, want, "help goes to stdout")
	}
	assert.Empty(t, r.stderr)
}

func TestCommandTargetFromEnvironment(t *testing.T) {
	t.Setenv("SCIMCHECK_TOKEN", "tok")
	t.Setenv("SCIMCHECK_TARGET", "http://"+closedPort(t)+"/scim/v2")
	r := runArgs(t, "--tags", "@connection")
	assert.Equal(t, ExitError, r.code, r.dump())
	assert.Contains(t, r.stderr, "could not be reached")
}

func TestListCommand(t *testing.T) {
	var out, errb syncBuffer
	code := ListCommand([]string{"--okta-mode", "oin", "--tags", "@push-groups"}, &out, &errb)
	require.Equal(t, ExitPass, code, errb.String())
	lines := nonEmptyLines(out.String())
	require.NotEmpty(t, lines)
	for _, l := range lines {
		assert.Contains(t, l, "okta/push-groups.feature:")
		assert.Contains(t, l, "@push-groups")
		assert.NotContains(t, l, "@aiw")
	}

	all := ListCommand(nil, &out, &errb)
	assert.Equal(t, ExitPass, all)

	var errb2 syncBuffer
	assert.Equal(t, ExitUsage, ListCommand([]string{"--name", "^nothing matches this$"}, &out, &errb2))
	assert.Contains(t, errb2.String(), "matches no scenario name")
	assert.Equal(t, ExitUsage, ListCommand([]string{"--okta-mode", "x"}, &out, &errb2))
}

// TestEveryRunFlagHasAGroup fails when a flag of `scimcheck run` is in no section of its
// --help: add it to runFlagGroup (usage.go).
func TestEveryRunFlagHasAGroup(t *testing.T) {
	var out, errb bytes.Buffer
	require.Equal(t, ExitPass, Command(context.Background(), []string{"--help"}, &out, &errb))
	groups := map[string]bool{}
	for _, g := range runFlagGroups() {
		groups[g.key] = true
	}
	of := runFlagGroup()
	for name, g := range of {
		assert.True(t, groups[g], "flag %s: group %q has no section", name, g)
	}
	assert.NotContains(t, out.String(), "\nOther:\n", "flags without a group:\n%s", out.String())
	for _, line := range strings.Split(out.String(), "\n") {
		if name, ok := strings.CutPrefix(line, "  --"); ok {
			name, _, _ = strings.Cut(name, " ")
			assert.NotEmpty(t, of[name], "--%s has no group in runFlagGroup", name)
		}
	}
}

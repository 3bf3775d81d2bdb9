package runner

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/scimcheck/scimcheck/steps/scim"
)

// rerunCommand returns the command line that reruns sc alone with the same seed and prints its
// transcript. It names the credential's source, never the credential.
func (r *run) rerunCommand(sc *scenario) string {
	o := r.opts
	args := []string{"scimcheck", "run"}
	add := func(a ...string) { args = append(args, a...) }
	if o.Target != "" {
		add("--target", o.Target)
	}
	add(o.Container.rerunArgs()...)
	if o.TokenFile != "" {
		add("--token-file", o.TokenFile)
	}
	if o.Auth != scim.AuthBearer {
		add("--auth", string(o.Auth))
	}
	if o.Mode != ModeBoth {
		add("--okta-mode", o.Mode)
	}
	for _, d := range o.FeatureDirs {
		add("--features", d)
	}
	for _, q := range o.Quirks {
		add("--quirk", q)
	}
	if o.Insecure {
		add("--insecure")
	}
	if o.CAFile != "" {
		add("--ca-file", o.CAFile)
	}
	if o.Timeout != scim.DefaultTimeout {
		add("--timeout", o.Timeout.String())
	}
	if o.BatchSize != DefaultBatchSize {
		add("--batch-size", strconv.Itoa(o.BatchSize))
	}
	if o.MaxRPS > 0 {
		add("--max-rps", strconv.FormatFloat(o.MaxRPS, 'g', -1, 64))
	}
	add(retryArgs(o.Retry429)...) // reportflags.go
	add("--name", "^"+regexp.QuoteMeta(sc.name)+"$", "--seed", strconv.FormatInt(r.seed, 10), "--trace-dir", "-")
	// Each word with the net only, before quoting: a short secret would eat "scimcheck".
	for i, a := range args {
		args[i] = quoteArg(r.rd.net().String(a))
	}
	return strings.Join(args, " ")
}

// safeArg matches a shell word that needs no quotes.
var safeArg = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// quoteArg returns s quoted for a POSIX shell when it needs it.
func quoteArg(s string) string {
	if safeArg.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

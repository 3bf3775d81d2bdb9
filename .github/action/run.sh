#!/usr/bin/env bash
# The Action's run step (action.yml): turns its inputs, passed as SCIMCHECK_INPUT_* variables,
# into one `scimcheck run` command, runs it, and writes the step's outputs and job summary.
# It never evaluates an input: `args` is split as a shell would split it (quotes and
# backslashes, by xargs), without expanding anything, so
#   args: --container-cmd 'serve --addr 0.0.0.0:8080' --name "a b"
# gives scimcheck exactly those four words. The Go test action_test.go (repository root) runs this
# script with a fake scimcheck on PATH.
set -uo pipefail

fail() { echo "::error title=scimcheck::$1"; exit 2; }

name="${SCIMCHECK_INPUT_TOKEN_NAME:-SCIMCHECK_TOKEN}"
[[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] ||
  fail "token-secret-name must be an environment variable name, got '$name' (pass the secret in env:, its name here)"

# args: a shell-quoted list, split without evaluation.
extra=()
if [ -n "${SCIMCHECK_INPUT_ARGS:-}" ]; then
  words=$(mktemp)
  if ! printf '%s\n' "$SCIMCHECK_INPUT_ARGS" | xargs printf '%s\0' >"$words" 2>"$words.err"; then
    msg=$(cat "$words.err"); rm -f "$words" "$words.err"
    fail "args is not a well-quoted list of words: $msg"
  fi
  while IFS= read -r -d '' w; do extra+=("$w"); done <"$words"
  rm -f "$words" "$words.err"
fi
reference=false
for w in "${extra[@]+"${extra[@]}"}"; do
  [ "$w" = "--reference-container" ] && reference=true
done

target="${SCIMCHECK_INPUT_TARGET:-}" image="${SCIMCHECK_INPUT_IMAGE:-}"
[ -n "$target" ] && [ -n "$image" ] && fail "give target (a running server) or image (the action starts it), not both"
[ -z "$target$image" ] && ! $reference && fail "set target (the SCIM base URL of a running server) or image (the action starts it)"

token="${!name:-}"
if [ -z "$token" ] && [ -z "${SCIMCHECK_INPUT_TOKEN_ENV:-}" ] && ! $reference; then
  fail "\$$name is empty: set $name from your secret in the env of the step that uses the action"
fi
if [ -n "$token" ]; then
  echo "::add-mask::$token"
  export SCIMCHECK_TOKEN="$token"
else
  unset SCIMCHECK_TOKEN
fi

report="${SCIMCHECK_INPUT_REPORT:-scimcheck-report}"
mkdir -p "$report"
cmd=(scimcheck run --okta-mode "${SCIMCHECK_INPUT_MODE:-both}" --format progress --report "$report")
# input     flag
while read -r input flag; do
  value="${!input:-}"
  [ -n "$value" ] && cmd+=("$flag" "$value")
done <<'MAP'
SCIMCHECK_INPUT_TARGET --target
SCIMCHECK_INPUT_IMAGE --image
SCIMCHECK_INPUT_TOKEN_ENV --container-token-env
SCIMCHECK_INPUT_CONTAINER_CMD --container-cmd
SCIMCHECK_INPUT_TAGS --tags
SCIMCHECK_INPUT_EXPECTED_FAILURES --expected-failures
SCIMCHECK_INPUT_FAIL_ON --fail-on
MAP
cmd+=("${extra[@]+"${extra[@]}"}")

printf '%q ' "${cmd[@]}"; echo
"${cmd[@]}"
code=$?

out="${GITHUB_OUTPUT:-/dev/null}"
{
  echo "exit-code=$code"
  echo "report=$report"
  echo "junit=$report/junit.xml"
} >>"$out"

# The capability table, in the job summary.
summary="$report/summary.json"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  {
    echo "### scimcheck: exit code $code"
    echo
    if [ -f "$summary" ] && command -v jq >/dev/null 2>&1; then
      jq -r '
        "target: `\(.target.url)`; okta mode \(.oktaMode); \(.counts.passed) passed, \(.counts.failed) failed, \(.counts.waived) waived, \(.counts.skipped) skipped of \(.counts.selected) selected",
        "",
        "| Capability | Result | Scenarios |",
        "|---|---|---|",
        (.capabilities[] | "| \(.name) | \(.status) | \(.detail | gsub("\\|"; "\\\\|")) |")' "$summary"
      echo
      echo "The full report (report.html, summary.json, junit.xml, cucumber.json) is in \`$report\`."
    else
      echo "No summary.json was written (nothing ran: see the step's log)."
    fi
  } >>"$GITHUB_STEP_SUMMARY"
fi
exit "$code"

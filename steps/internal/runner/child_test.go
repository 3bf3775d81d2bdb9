package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// childEnv names the variable that turns a test binary into the scimcheck command: its value
// is the JSON array of `scimcheck run` arguments. Tests that measure a whole process (its
// peak memory) set it for the child they start; nothing else does.
const childEnv = "SCIMCHECK_TEST_CHILD_ARGS"

// childArgs returns the arguments of a child started with childEnv, and whether this process
// is one.
func childArgs() ([]string, bool) {
	raw, ok := os.LookupEnv(childEnv)
	if !ok {
		return nil, false
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		return []string{"--unparseable-child-args"}, true
	}
	return args, true
}

// childHWMPrefix starts the last line a child writes to stderr: its VmHWM in kB.
const childHWMPrefix = "\nscimcheck test child VmHWM kB: "

// runChild runs `scimcheck run args` as the scimcheck command does (main.go: the soft memory
// limit, SIGINT and SIGTERM), writes its peak resident set (VmHWM of /proc/self/status) to
// stderr last, and returns its exit code.
func runChild(args []string) int {
	SoftMemoryLimit()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := Command(ctx, args, os.Stdout, os.Stderr)
	hwm := "unknown"
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				hwm = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB"))
			}
		}
	}
	fmt.Fprintf(os.Stderr, "%s%s\n", childHWMPrefix, hwm)
	return code
}

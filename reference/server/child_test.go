package server

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/scimcheck/scimcheck/reference/store"
)

// childEnv names the variable that turns this test binary into `scimcheck serve`, which exits
// once it listens: its value is the JSON array of the command's arguments. Benchmarks that
// measure a whole process (its peak memory) set it for the child they start; nothing else
// does. childWholeSeed makes the child load its --seed-data the way serve did before it
// streamed the file (read whole, unmarshalled, then LoadSeed), for the comparison.
const (
	childEnv       = "SCIMCHECK_TEST_SERVE_ARGS"
	childWholeSeed = "SCIMCHECK_TEST_SEED_WHOLE"
)

// childHWMPrefix starts the last line a child writes to stderr: its VmHWM in kB.
const childHWMPrefix = "\nscimcheck test child VmHWM kB: "

func TestMain(m *testing.M) {
	if raw, ok := os.LookupEnv(childEnv); ok {
		os.Exit(runChild(raw))
	}
	os.Exit(m.Run())
}

// runChild runs `scimcheck serve` with the JSON array of arguments raw, with main.go's soft
// memory limit (128 MiB, runner.SoftMemoryLimit), until it listens; then it writes its peak
// resident set (VmHWM of /proc/self/status) to stderr last and returns the exit code.
func runChild(raw string) int {
	debug.SetMemoryLimit(128 << 20)
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	code := 0
	if seed, whole := os.LookupEnv(childWholeSeed); whole {
		code = loadWhole(seed)
	} else {
		ctx, cancel := context.WithCancel(context.Background())
		code = Command(ctx, args, cancelOnListen{os.Stdout, cancel}, os.Stderr)
	}
	hwm := "unknown"
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for line := range strings.SplitSeq(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				hwm = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB"))
			}
		}
	}
	fmt.Fprintf(os.Stderr, "%s%s\n", childHWMPrefix, hwm)
	return code
}

// cancelOnListen is the child's stdout: it ends the command once it says it listens.
type cancelOnListen struct {
	w      *os.File
	cancel context.CancelFunc
}

func (c cancelOnListen) Write(p []byte) (int, error) {
	if strings.Contains(string(p), "listening on") {
		c.cancel()
	}
	return c.w.Write(p)
}

// loadWhole loads the seed file at path into an in-memory store as serve did before
// LoadSeedFile streamed: the whole file read, then unmarshalled, then loaded.
func loadWhole(path string) int {
	ctx := context.Background()
	st, err := store.Open(ctx, "")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	defer st.Close()
	raw, err := os.ReadFile(path)
	if err == nil {
		var seed Seed
		if err = json.Unmarshal(raw, &seed); err == nil {
			err = LoadSeed(ctx, st, seed)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	return 0
}

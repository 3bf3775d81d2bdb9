package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkSeedMemory reports the peak resident set (VmHWM) of `scimcheck serve --seed-data`
// run as a child process (this test binary) with 10k and 100k users as Okta creates them,
// until it listens: "stream" is serve as it is, "whole" loads the file as serve did before
// it streamed (read whole, unmarshalled, then loaded). Run it alone:
// go test -run '^$' -bench SeedMemory -benchtime 1x ./reference/server
func BenchmarkSeedMemory(b *testing.B) {
	for _, size := range benchSizes {
		path := filepath.Join(b.TempDir(), "seed.json")
		writeSeed(b, path, size.n)
		info, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		for _, mode := range []string{"stream", "whole"} {
			b.Run(size.name+"/"+mode, func(b *testing.B) {
				for b.Loop() {
					env := []string{"SCIMCHECK_TOKEN=" + testToken}
					if mode == "whole" {
						env = append(env, childWholeSeed+"="+path)
					}
					peak := childPeakRSS(b, env, "--addr", "127.0.0.1:0", "--log-level", "off", "--seed-data", path)
					b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
					b.ReportMetric(float64(info.Size())/(1<<20), "file-MB")
				}
			})
		}
	}
}

// writeSeed writes a seed file of n benchUsers and one group of the first benchGroupSize of
// them, named by userName.
func writeSeed(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	w.WriteString(`{"Users":[`)
	for i := range n {
		if i > 0 {
			w.WriteByte(',')
		}
		if err := enc.Encode(benchUser(i)); err != nil {
			tb.Fatal(err)
		}
	}
	w.WriteString(`],"Groups":[{"displayName":"everyone","members":[`)
	for i := range min(n, benchGroupSize) {
		if i > 0 {
			w.WriteByte(',')
		}
		fmt.Fprintf(w, `{"userName":"user-%06d@example.com"}`, i)
	}
	w.WriteString("]}]}\n")
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
}

// childPeakRSS runs `scimcheck serve args` as a child process (this test binary, see childEnv)
// with env added, until it listens, and returns its peak resident set in bytes. It fails b
// unless the child exits 0.
func childPeakRSS(b *testing.B, env []string, args ...string) int64 {
	b.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.CommandContext(b.Context(), os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childEnv+"="+string(raw)), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("serve %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	_, hwm, ok := strings.Cut(stderr.String(), childHWMPrefix)
	if !ok {
		b.Fatalf("the child reports no peak resident set: %s", stderr.String())
	}
	kb, err := strconv.ParseInt(strings.TrimSpace(hwm), 10, 64)
	if err != nil {
		b.Fatal(err)
	}
	return kb << 10
}

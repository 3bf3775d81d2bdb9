package runner

import (
	"bytes"
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// runLimit bounds every run a test starts: a run that takes longer is a bug in itself.
const runLimit = 60 * time.Second

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a run.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// result is what one run printed and returned.
type result struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
	run            *run
}

// runOpts runs o with a deadline of limit and returns what it printed. The test fails if the
// run does not end in time or panics.
func runOpts(t *testing.T, o Options, limit time.Duration) result {
	t.Helper()
	var out, errb syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type done struct {
		code int
		r    *run
	}
	ch := make(chan done, 1)
	start := time.Now()
	go func() {
		code, r := runOnce(ctx, o, &out, &errb)
		ch <- done{code, r}
	}()
	select {
	case d := <-ch:
		return result{code: d.code, stdout: out.String(), stderr: errb.String(), elapsed: time.Since(start), run: d.r}
	case <-time.After(limit):
		cancel()
		t.Fatalf("run did not end within %s\nstdout:\n%s\nstderr:\n%s", limit, out.String(), errb.String())
	}
	return result{}
}

// runArgs runs Command with args and returns what it printed.
func runArgs(t *testing.T, args ...string) result {
	t.Helper()
	return commandArgs(t, Command, args...)
}

// commandArgs runs the command cmd (Command, ExploreCommand) with args, within runLimit, and
// returns what it printed.
func commandArgs(t *testing.T, cmd func(context.Context, []string, io.Writer, io.Writer) int, args ...string) result {
	t.Helper()
	var out, errb syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), runLimit)
	defer cancel()
	code := cmd(ctx, args, &out, &errb)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// closedPort returns a loopback address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// dump returns the output of r for a failure message.
func (r result) dump() string {
	return "exit " + strconv.Itoa(r.code) + "\n--- stdout:\n" + r.stdout + "\n--- stderr:\n" + r.stderr
}

// nonEmptyLines returns the lines of s that hold more than white space.
func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

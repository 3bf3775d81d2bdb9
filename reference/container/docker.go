package container

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

const (
	// LabelRun is the label every container this package starts carries; its value is the
	// start's run id (Container.RunID, Target.RunID), so that a run's containers can be
	// listed and removed: docker rm -f $(docker ps -aq --filter label=org.scimcheck.run).
	LabelRun = "org.scimcheck.run"
	// LabelRole is "reference" for reference containers, "target" for StartTarget's and
	// "reference-image" on images BuildImage builds.
	LabelRole = "org.scimcheck.role"

	// redacted replaces secrets in the log lines quoted in errors.
	redacted = "[REDACTED]"
	// cleanupTimeout bounds Terminate and RemoveRun when the caller's context is gone.
	cleanupTimeout = 30 * time.Second
)

// Available reports whether a Docker engine answers: nil, or why not (no socket, the daemon
// is down, or its API version is too old). It waits at most 10 seconds.
func Available(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	const tried = "no docker engine answers (tried $DOCKER_HOST, the docker context, /var/run/docker.sock and the rootless sockets)"
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", tried, err)
	}
	defer cli.Close()
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		return fmt.Errorf("%s: %w", tried, err)
	}
	return nil
}

// NewRunID returns a fresh run id (16 hex characters) for LabelRun.
func NewRunID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// randomToken returns a random bearer token of 32 hex characters.
func randomToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// RunContainers returns the ids of the containers, running or not, labelled with run id.
func RunContainers(ctx context.Context, runID string) ([]string, error) {
	if runID == "" {
		return nil, errors.New("empty run id")
	}
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return nil, fmt.Errorf("docker client: %w", err)
	}
	defer cli.Close()
	res, err := cli.ContainerList(ctx, client.ContainerListOptions{
		All:     true,
		Filters: make(client.Filters).Add("label", LabelRun+"="+runID),
	})
	if err != nil {
		return nil, fmt.Errorf("list containers of run %s: %w", runID, err)
	}
	ids := make([]string, 0, len(res.Items))
	for _, c := range res.Items {
		ids = append(ids, c.ID)
	}
	return ids, nil
}

// RemoveRun force-removes every container labelled with run id, with its anonymous volumes.
// It is the backstop behind Terminate: it also finds a container whose creation raced a
// cancelled context. It works when ctx is already cancelled (Ctrl-C): it then uses a fresh
// context of 30 seconds.
func RemoveRun(ctx context.Context, runID string) error {
	ctx, cancel := cleanupContext(ctx)
	defer cancel()
	ids, err := RunContainers(ctx, runID)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return fmt.Errorf("docker client: %w", err)
	}
	defer cli.Close()
	var errs []error
	for _, id := range ids {
		_, err := cli.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		if err != nil && !isGone(err) {
			errs = append(errs, fmt.Errorf("remove container %.12s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// cleanupContext returns a context for cleaning up that outlives a cancelled ctx (keeping
// its values) and ends after cleanupTimeout.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
}

// isGone reports whether err says the container is already removed or being removed.
func isGone(err error) bool {
	return cerrdefs.IsNotFound(err) || strings.Contains(err.Error(), "already in progress")
}

// logTail quotes ctr's logs (stdout and stderr): the first logHead lines, where the cause
// of a crash often is, and the last n, with every secret replaced by [REDACTED]; "" when
// ctr is nil or its logs cannot be read.
func logTail(ctr testcontainers.Container, n int, secrets []string) string {
	if ctr == nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rc, err := ctr.Logs(ctx)
	if err != nil {
		return ""
	}
	defer rc.Close()
	return tailLines(rc, n, secrets)
}

// logHead is how many first log lines logTail quotes besides the last ones.
const logHead = 5

// tailLines returns the first logHead and the last n lines of r, redacted, each indented by
// two spaces, with a line saying how many were left out between them.
func tailLines(r io.Reader, n int, secrets []string) string {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var head, ring []string
	total := 0
	for sc.Scan() {
		total++
		if len(head) < logHead {
			head = append(head, sc.Text())
			continue
		}
		if len(ring) == n {
			ring = ring[1:]
		}
		ring = append(ring, sc.Text())
	}
	// Longest first, so that a secret containing another is replaced whole.
	secrets = append([]string(nil), secrets...)
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	var b strings.Builder
	write := func(line string) {
		for _, s := range secrets {
			if s != "" {
				line = strings.ReplaceAll(line, s, redacted)
			}
		}
		b.WriteString("  ")
		b.WriteString(line)
		b.WriteByte('\n')
	}
	for _, line := range head {
		write(line)
	}
	if left := total - len(head) - len(ring); left > 0 {
		fmt.Fprintf(&b, "  ... (%d lines left out)\n", left)
	}
	for _, line := range ring {
		write(line)
	}
	return b.String()
}

// secretValues returns the values of env whose names look like credentials (TOKEN,
// SECRET, PASSWORD, PASSWD, KEY, CREDENTIAL), for redaction. Values shorter than four
// characters are left out: replacing them would garble the log.
func secretValues(env map[string]string) []string {
	var out []string
	for k, v := range env {
		up := strings.ToUpper(k)
		for _, word := range []string{"TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL"} {
			if strings.Contains(up, word) && len(v) >= 4 {
				out = append(out, v)
				break
			}
		}
	}
	return out
}

// logSuffix quotes a log tail for the end of an error message.
func logSuffix(tail string) string {
	if strings.TrimSpace(tail) == "" {
		return "; the container logged nothing"
	}
	return "; last log lines:\n" + strings.TrimRight(tail, "\n")
}

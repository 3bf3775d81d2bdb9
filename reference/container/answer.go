package container

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// probeTimeout bounds one HTTP attempt of answerWait and of findHost.
const probeTimeout = 2 * time.Second

// answerWait is the wait strategy of Run and StartTarget. It polls path on the port the
// engine published for port, at every host where that port may answer, and remembers the
// first host that answers: the loopback first (Docker publishes on every host address, and a
// scimcheck running inside a container with the engine's socket reaches the ports on its
// own loopback, not on the gateway testcontainers infers there), then the host testcontainers
// infers (a remote engine, Docker Desktop). It gives up at once when the container exits, so
// nothing waits out the startup timeout to learn that a host is wrong or a server is dead.
type answerWait struct {
	port    string            // e.g. "8080/tcp"
	path    string            // e.g. "/scim/v2/ServiceProviderConfig"
	headers map[string]string // sent with every attempt
	tls     bool              // HTTPS, the certificate not verified
	accept  func(status int) bool
	timeout time.Duration
	found   *foundHost
}

// foundHost is the host answerWait found; empty until then.
type foundHost struct {
	mu   sync.Mutex
	host string
}

func (f *foundHost) set(h string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.host = h
}

func (f *foundHost) get() string {
	if f == nil {
		return ""
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.host
}

// Timeout implements wait.StrategyTimeout.
func (w *answerWait) Timeout() *time.Duration { return &w.timeout }

// WaitUntilReady implements wait.Strategy: it returns nil once a host answers with a status
// accept takes, or an error when the container exits or the timeout passes.
func (w *answerWait) WaitUntilReady(ctx context.Context, target wait.StrategyTarget) error {
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	client := probeClient(w.tls)
	defer client.CloseIdleConnections()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		if st, err := target.State(ctx); err == nil && !st.Running && (st.Status == "exited" || st.Status == "dead") {
			return fmt.Errorf("container exited with code %d", st.ExitCode)
		}
		hosts, port, err := candidates(ctx, target, w.port)
		if err == nil {
			for _, h := range hosts {
				status, perr := probe(ctx, client, w.url(h, port), w.headers)
				if perr == nil && w.accept(status) {
					w.found.set(w.preferred(ctx, client, hosts, h, port))
					return nil
				}
				if perr == nil {
					perr = fmt.Errorf("status %d", status)
				}
				last = fmt.Errorf("GET %s: %w", w.url(h, port), perr)
			}
		} else {
			last = err
		}
		select {
		case <-ctx.Done():
			if last != nil {
				return fmt.Errorf("%w (last attempt: %v)", ctx.Err(), last)
			}
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// preferred returns the loopback when answered is another host and the loopback answers
// now: the server may have come up between the loopback's attempt and the other host's, and
// the loopback is the host to keep whenever it works (a gateway that answers here may not
// answer a client started later from elsewhere).
func (w *answerWait) preferred(ctx context.Context, client *http.Client, hosts []string, answered, port string) string {
	if answered == hosts[0] {
		return answered
	}
	if status, err := probe(ctx, client, w.url(hosts[0], port), w.headers); err == nil && w.accept(status) {
		return hosts[0]
	}
	return answered
}

func (w *answerWait) url(host, port string) string {
	scheme := "http"
	if w.tls {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, port) + w.path
}

// candidates returns the hosts where the published port of port may answer, the loopback
// first, and that published port.
func candidates(ctx context.Context, target wait.StrategyTarget, port string) ([]string, string, error) {
	p, err := target.MappedPort(ctx, port)
	if err != nil {
		return nil, "", fmt.Errorf("published port of %s: %w", port, err)
	}
	hosts := []string{"127.0.0.1"}
	if h, err := target.Host(ctx); err == nil && h != "" && h != "localhost" && h != "127.0.0.1" {
		hosts = append(hosts, h)
	}
	return hosts, p.Port(), nil
}

// probe sends one GET to url and returns the status of the answer.
func probe(ctx context.Context, client *http.Client, url string, headers map[string]string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// probeClient returns a client that goes straight to the container (no proxy from the
// environment), without keeping connections.
func probeClient(insecureTLS bool) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:             nil,
			DisableKeepAlives: true,
			TLSClientConfig:   &tls.Config{InsecureSkipVerify: insecureTLS}, //nolint:gosec // a container's own certificate, for the wait only
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// hostURL returns scheme://host:published-port plus basePath for ctr's port: the host
// answerWait found, or, when the caller replaced the wait strategy, the first candidate that
// answers HTTP at all, or else the host testcontainers infers ("localhost" spelled 127.0.0.1:
// Docker may publish a port on IPv4 only).
func hostURL(ctx context.Context, ctr testcontainers.Container, found *foundHost, port, basePath string, insecureTLS bool) (string, error) {
	scheme := "http"
	if insecureTLS {
		scheme = "https"
	}
	p, err := ctr.MappedPort(ctx, port)
	if err != nil {
		return "", fmt.Errorf("endpoint of port %s: %w", port, err)
	}
	host := found.get()
	if host == "" {
		hosts, _, err := candidates(ctx, ctr, port)
		if err != nil {
			return "", err
		}
		client := probeClient(insecureTLS)
		for _, h := range hosts {
			if _, err := probe(ctx, client, scheme+"://"+net.JoinHostPort(h, p.Port())+basePath, nil); err == nil {
				host = h
				break
			}
		}
		client.CloseIdleConnections()
		if host == "" {
			host = strings.Replace(hosts[len(hosts)-1], "localhost", "127.0.0.1", 1)
		}
	}
	return scheme + "://" + net.JoinHostPort(host, p.Port()) + basePath, nil
}

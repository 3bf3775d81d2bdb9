// Package container runs SCIM servers in Docker containers with testcontainers-go.
//
// Run starts the bundled reference server, a known-good SCIM 2.0 server, from an image
// BuildImage builds locally (FROM scratch around a static scimcheck binary; nothing is
// pulled). It is a testcontainers-go module in the usual style, so other Go projects can use
// it in their own tests:
//
//	img, err := container.BuildImage(ctx)
//	...
//	ctr, err := container.Run(ctx, img, container.WithQuirks("username-case-sensitive"))
//	defer testcontainers.TerminateContainer(ctr)
//	...
//	base, err := ctr.BaseURL(ctx) // http://127.0.0.1:49153/scim/v2
//	req.Header.Set("Authorization", "Bearer "+ctr.Token())
//
// RunReference does both steps in one call.
//
// StartTarget starts any image (or builds a Dockerfile directory) as a server under test,
// waits until it answers HTTP, and removes it on Terminate.
//
// Docker must be reachable (DOCKER_HOST, or the default socket). The host of a published
// port is found where the port answers (the loopback first, also when the caller runs in a
// container with the engine's socket), not guessed. Every container carries the label
// org.scimcheck.run (LabelRun), and Terminate, RemoveRun and scimcheck remove what carries
// it, so testcontainers' Ryuk reaper is not needed; but testcontainers-go reads its switch
// only from its environment or ~/.testcontainers.properties (by design: it offers no option
// in code), so a program that cannot pull Ryuk's image turns it off there: the scimcheck
// command and scimcheck's own tests set TESTCONTAINERS_RYUK_DISABLED=true for their own
// process unless it is set already.
package container

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/testcontainers/testcontainers-go"
)

const (
	// Port is the container port the reference server listens on.
	Port = "8080/tcp"
	// BasePath is the SCIM base path of the reference server.
	BasePath = "/scim/v2"
	// DefaultStartupTimeout is how long Run and StartTarget wait for the server to answer.
	DefaultStartupTimeout = 60 * time.Second

	// seedPath is where WithSeedData puts the seed file in the container.
	seedPath = "/seed/seed.json"
	// logLines is how many log lines an error quotes.
	logLines = 20
)

// Container is a running reference server. It embeds testcontainers.Container, so
// Terminate, Logs, MappedPort and the rest are there too.
type Container struct {
	testcontainers.Container
	token string
	runID string
	found *foundHost
}

// Token returns the bearer token the server accepts.
func (c *Container) Token() string { return c.token }

// RunID returns the value of the container's LabelRun label.
func (c *Container) RunID() string { return c.runID }

// BaseURL returns the SCIM base URL on the host where the server answered, e.g.
// http://127.0.0.1:49153/scim/v2.
func (c *Container) BaseURL(ctx context.Context) (string, error) {
	return hostURL(ctx, c.Container, c.found, Port, BasePath, false)
}

// options holds the settings of the module's own options.
type options struct {
	token          string
	startupTimeout time.Duration
	anyStatus      bool
}

// Option configures Run itself rather than the container request. It satisfies
// testcontainers.ContainerCustomizer, so it goes in Run's opts with the others.
type Option func(*options) error

// Customize implements testcontainers.ContainerCustomizer; Run reads Options itself.
func (o Option) Customize(*testcontainers.GenericContainerRequest) error { return nil }

// WithToken sets the bearer token the server accepts (default: 32 random hex characters).
func WithToken(token string) Option {
	return func(o *options) error {
		token = strings.TrimSpace(token)
		if token == "" {
			return errors.New("empty token")
		}
		o.token = token
		return nil
	}
}

// WithStartupTimeout sets how long Run waits for the server to answer
// GET /scim/v2/ServiceProviderConfig with 200 (default DefaultStartupTimeout).
func WithStartupTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("startup timeout %v is not positive", d)
		}
		o.startupTimeout = d
		return nil
	}
}

// WithReadyOnAnyStatus makes Run wait for any HTTP answer rather than a 200: for a server
// started with quirks such as internal-error, which fail every request.
func WithReadyOnAnyStatus() Option {
	return func(o *options) error {
		o.anyStatus = true
		return nil
	}
}

// WithSeedData copies the JSON fixture file into the container and loads it before the
// server serves (serve --seed-data).
func WithSeedData(file string) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		if _, err := os.Stat(file); err != nil {
			return fmt.Errorf("seed data: %w", err)
		}
		f := testcontainers.ContainerFile{HostFilePath: file, ContainerFilePath: seedPath, FileMode: 0o644}
		if err := testcontainers.WithFiles(f)(req); err != nil {
			return err
		}
		return testcontainers.WithCmdArgs("--seed-data", seedPath)(req)
	}
}

// WithQuirks switches on deliberate defects by name (serve --quirk; see `scimcheck quirks`).
// An unknown name makes the server exit, and Run fail quoting its log.
func WithQuirks(names ...string) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		args := make([]string, 0, 2*len(names))
		for _, n := range names {
			args = append(args, "--quirk", n)
		}
		return testcontainers.WithCmdArgs(args...)(req)
	}
}

// Run starts the reference server from img (an image whose entrypoint is the scimcheck
// binary, such as BuildImage's or the scimcheck image) and waits until it answers
// authenticated SCIM requests. Defaults, applied before opts: command
// `serve --addr 0.0.0.0:8080`, port 8080/tcp exposed, SCIMCHECK_TOKEN set to the token,
// the labels LabelRun and LabelRole=reference, and a wait for
// GET /scim/v2/ServiceProviderConfig with the bearer token answering 200.
//
// As with every testcontainers module, the container is returned even with an error, so
// that the caller can terminate it: call testcontainers.TerminateContainer(ctr) in a defer
// right after Run.
func Run(ctx context.Context, img string, opts ...testcontainers.ContainerCustomizer) (*Container, error) {
	settings := options{startupTimeout: DefaultStartupTimeout}
	for _, opt := range opts {
		if o, ok := opt.(Option); ok {
			if err := o(&settings); err != nil {
				return nil, fmt.Errorf("run scimcheck reference: %w", err)
			}
		}
	}
	if settings.token == "" {
		settings.token = randomToken()
	}
	runID := NewRunID()
	found := &foundHost{}
	ready := &answerWait{
		port:    Port,
		path:    BasePath + "/ServiceProviderConfig",
		headers: map[string]string{"Authorization": "Bearer " + settings.token},
		accept:  func(status int) bool { return status == 200 || settings.anyStatus },
		timeout: settings.startupTimeout,
		found:   found,
	}
	moduleOpts := []testcontainers.ContainerCustomizer{
		testcontainers.WithCmd("serve", "--addr", "0.0.0.0:8080"),
		testcontainers.WithExposedPorts(Port),
		testcontainers.WithEnv(map[string]string{"SCIMCHECK_TOKEN": settings.token}),
		testcontainers.WithLabels(map[string]string{LabelRun: runID, LabelRole: "reference"}),
		testcontainers.WithWaitStrategyAndDeadline(settings.startupTimeout, ready),
	}
	moduleOpts = append(moduleOpts, opts...)

	ctr, err := runGuarded(ctx, img, moduleOpts)
	var c *Container
	if ctr != nil {
		c = &Container{Container: ctr, token: settings.token, runID: runID, found: found}
	}
	if err != nil {
		var logs string
		if ctr != nil {
			logs = logSuffix(logTail(ctr, logLines, []string{settings.token}))
		}
		return c, fmt.Errorf("run scimcheck reference: %w%s", err, logs)
	}
	return c, nil
}

// RunReference runs the reference server in a Docker container, testcontainers style: it
// builds the reference image locally (BuildImage with its defaults: FROM scratch around a
// static scimcheck binary, cached by the binary's hash, nothing pulled) and starts it with
// Run and opts. Terminate the result with testcontainers.TerminateContainer, also when an
// error comes back with it. Use Run directly for an image already built.
//
// It lives here, not in package reference, so that importing the reference server's domain
// or its HTTP handler does not link testcontainers-go.
//
//	ctr, err := container.RunReference(ctx, container.WithToken("s3cret"))
//	defer testcontainers.TerminateContainer(ctr)
//	base, err := ctr.BaseURL(ctx) // http://127.0.0.1:49153/scim/v2
func RunReference(ctx context.Context, opts ...testcontainers.ContainerCustomizer) (*Container, error) {
	img, err := BuildImage(ctx)
	if err != nil {
		return nil, fmt.Errorf("run reference container: %w", err)
	}
	return Run(ctx, img, opts...)
}

package container

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
)

// TargetOptions configures StartTarget. Exactly one of Image and DockerfileDir is needed.
type TargetOptions struct {
	// Image to run, e.g. "acme/scim:1.4". It is pulled when not present locally.
	Image string
	// DockerfileDir is a build context with a Dockerfile to build and run instead of Image
	// (scimcheck run --dockerfile DIR).
	DockerfileDir string
	// Dockerfile is the Dockerfile's path inside DockerfileDir (default "Dockerfile").
	Dockerfile string
	// KeepImage keeps the image built from DockerfileDir after Terminate (default: removed).
	KeepImage bool

	// Port is the container port the server listens on (default 8080).
	Port int
	// Env is the container's environment (e.g. the token the server should accept).
	Env map[string]string
	// Cmd replaces the image's command when not empty.
	Cmd []string
	// BasePath is the SCIM base path on the server (default "/scim/v2").
	BasePath string
	// WaitPath is the path polled until the server answers HTTP with any status
	// (default BasePath).
	WaitPath string
	// StartupTimeout bounds the wait for the first answer (default DefaultStartupTimeout).
	StartupTimeout time.Duration
	// TLS says the server speaks HTTPS on Port: the wait uses TLS without verifying the
	// certificate, and URL starts with https:// (the client must trust the certificate).
	TLS bool

	// RunID is the value of the LabelRun label (default: NewRunID()).
	RunID string
	// Labels are added to the container's labels (LabelRun and LabelRole are set anyway).
	Labels map[string]string
	// Redact lists more secrets to hide in quoted logs; the values of Env entries whose
	// names contain TOKEN, SECRET, PASSWORD, KEY or CREDENTIAL are always hidden.
	Redact []string
	// Logger gets testcontainers' progress lines (default: none).
	Logger tclog.Logger
}

// Target is a server under test running in a container. Terminate removes it.
type Target struct {
	// Container is the running container.
	Container testcontainers.Container
	// URL is the SCIM base URL on the host, e.g. http://127.0.0.1:49153/scim/v2.
	URL string
	// RunID is the value of the container's LabelRun label.
	RunID string

	secrets []string
	once    sync.Once
	termErr error
}

// StartTarget starts the server under test and waits until its port answers HTTP (any
// status) at the wait path. On failure nothing is left running: the container is removed
// before StartTarget returns, and the error says why, quoting the container's last log
// lines with secrets redacted, e.g.
//
//	container did not answer HTTP on port 8080 (GET /scim/v2) within 30s; last log lines: ...
//
// A cancelled ctx (Ctrl-C) stops the wait and removes the container too. On success the
// caller must call Terminate, typically in a defer; it works with a cancelled context.
func StartTarget(ctx context.Context, opts TargetOptions) (*Target, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("start target: %w", err)
	}
	port := strconv.Itoa(o.Port) + "/tcp"
	found := &foundHost{}
	ready := &answerWait{
		port:    port,
		path:    o.WaitPath,
		tls:     o.TLS,
		accept:  func(int) bool { return true },
		timeout: o.StartupTimeout,
		found:   found,
	}
	labels := maps.Clone(o.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[LabelRun], labels[LabelRole] = o.RunID, "target" // cleanup relies on these

	customizers := []testcontainers.ContainerCustomizer{
		testcontainers.WithLogger(o.Logger),
		testcontainers.WithExposedPorts(port),
		testcontainers.WithEnv(o.Env),
		testcontainers.WithLabels(labels),
		testcontainers.WithWaitStrategyAndDeadline(o.StartupTimeout, ready),
	}
	if len(o.Cmd) > 0 {
		customizers = append(customizers, testcontainers.WithCmd(o.Cmd...))
	}
	what := "image " + o.Image
	if o.DockerfileDir != "" {
		what = "dockerfile " + o.DockerfileDir
		customizers = append(customizers, testcontainers.WithDockerfile(testcontainers.FromDockerfile{
			Context:    o.DockerfileDir,
			Dockerfile: o.Dockerfile,
			Repo:       "scimcheck-target",
			Tag:        o.RunID,
			KeepImage:  o.KeepImage,
		}))
	}
	t := &Target{RunID: o.RunID, secrets: append(secretValues(o.Env), o.Redact...)}

	ctr, err := runGuarded(ctx, o.Image, customizers)
	if ctr != nil {
		t.Container = ctr
	}
	if err == nil {
		t.URL, err = hostURL(ctx, ctr, found, port, o.BasePath, o.TLS)
	}
	if err != nil {
		cause := t.explain(ctx, err, o, what)
		if cerr := t.Terminate(ctx); cerr != nil {
			cause = errors.Join(cause, cerr)
		}
		return nil, cause
	}
	return t, nil
}

// withDefaults checks o and fills in its defaults.
func (o TargetOptions) withDefaults() (TargetOptions, error) {
	switch {
	case o.Image == "" && o.DockerfileDir == "":
		return o, errors.New("no image and no dockerfile directory")
	case o.Image != "" && o.DockerfileDir != "":
		return o, errors.New("both an image and a dockerfile directory: pick one")
	case o.Port < 0 || o.Port > 65535:
		return o, fmt.Errorf("container port %d is out of range", o.Port)
	case o.StartupTimeout < 0:
		return o, fmt.Errorf("startup timeout %v is negative", o.StartupTimeout)
	}
	if o.Port == 0 {
		o.Port = 8080
	}
	if o.BasePath == "" {
		o.BasePath = BasePath
	}
	o.BasePath = "/" + strings.Trim(o.BasePath, "/")
	if o.BasePath == "/" {
		o.BasePath = ""
	}
	if o.WaitPath == "" {
		o.WaitPath = o.BasePath
	}
	if !strings.HasPrefix(o.WaitPath, "/") {
		o.WaitPath = "/" + o.WaitPath
	}
	if o.StartupTimeout == 0 {
		o.StartupTimeout = DefaultStartupTimeout
	}
	if o.RunID == "" {
		o.RunID = NewRunID()
	}
	if o.Logger == nil {
		o.Logger = tclog.NewNoopLogger()
	}
	return o, nil
}

// scheme names the protocol the wait speaks, for messages.
func (o TargetOptions) scheme() string {
	if o.TLS {
		return "HTTPS"
	}
	return "HTTP"
}

// explain turns a start failure into an error that says what happened, quoting the logs.
func (t *Target) explain(ctx context.Context, err error, o TargetOptions, what string) error {
	var logs string
	if t.Container != nil {
		logs = logSuffix(logTail(t.Container, logLines, t.secrets))
	}
	if ctx.Err() != nil {
		return fmt.Errorf("start target %s: interrupted: %w", what, ctx.Err())
	}
	if t.Container == nil {
		if o.Image != "" && !imagePresent(o.Image) {
			return fmt.Errorf("start target %s: the image is not present locally and pulling it failed "+
				"(build or load it first, e.g. docker build -t %s .): %w", what, o.Image, err)
		}
		return fmt.Errorf("start target %s: %w", what, err)
	}
	sctx, cancel := cleanupContext(ctx)
	defer cancel()
	if st, serr := t.Container.State(sctx); serr == nil && !st.Running && st.Status == "exited" {
		return fmt.Errorf("start target %s: container exited with code %d before answering %s on port %d (GET %s)%s",
			what, st.ExitCode, o.scheme(), o.Port, o.WaitPath, logs)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("start target %s: container did not answer %s on port %d (GET %s) within %v%s",
			what, o.scheme(), o.Port, o.WaitPath, o.StartupTimeout, logs)
	}
	return fmt.Errorf("start target %s: %w%s", what, err, logs)
}

// BaseURL returns the SCIM base URL on the host.
func (t *Target) BaseURL() string { return t.URL }

// Logs returns the container's last n log lines, secrets redacted.
func (t *Target) Logs(n int) string { return logTail(t.Container, n, t.secrets) }

// Terminate stops and removes the container (and its image, when built from a Dockerfile
// directory and not kept), then removes anything else labelled with the run id. It works
// when ctx is cancelled (after Ctrl-C) by using a fresh context of 30 seconds, and only the
// first call does anything.
func (t *Target) Terminate(ctx context.Context) error {
	if t == nil {
		return nil
	}
	t.once.Do(func() {
		cctx, cancel := cleanupContext(ctx)
		defer cancel()
		var errs []error
		if t.Container != nil {
			err := testcontainers.TerminateContainer(t.Container,
				testcontainers.StopContext(cctx), testcontainers.StopTimeout(2*time.Second))
			if err != nil {
				errs = append(errs, err)
			}
		}
		if err := RemoveRun(cctx, t.RunID); err != nil {
			errs = append(errs, err)
		}
		if len(errs) > 0 {
			t.termErr = fmt.Errorf("terminate target: %w", errors.Join(errs...))
		}
	})
	return t.termErr
}

// imagePresent reports whether the engine has the image img locally.
func imagePresent(img string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return false
	}
	defer cli.Close()
	_, err = cli.ImageInspect(ctx, img)
	return err == nil
}

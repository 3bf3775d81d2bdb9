package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/scimcheck/scimcheck/reference/container"
	"github.com/scimcheck/scimcheck/reference/server"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// engine is what a run asks of the Docker engine; a nil *engine, or a nil field, is the real
// one. Tests give Options.engine a stand-in (a prebuilt image, a known run id, no engine).
type engine struct {
	// buildReference builds (or finds) the reference image for --reference-container.
	buildReference func(ctx context.Context) (string, error)
	// newRunID returns the value of the run's container's LabelRun label.
	newRunID func() string
	// available reports why no Docker engine answers, or nil.
	available func(ctx context.Context) error
}

func (e *engine) buildReferenceImage(ctx context.Context) (string, error) {
	if e == nil || e.buildReference == nil {
		return container.BuildImage(ctx)
	}
	return e.buildReference(ctx)
}

func (e *engine) runID() string {
	if e == nil || e.newRunID == nil {
		return container.NewRunID()
	}
	return e.newRunID()
}

func (e *engine) dockerAvailable(ctx context.Context) error {
	if e == nil || e.available == nil {
		return container.Available(ctx)
	}
	return e.available(ctx)
}

// containerTarget is the container a run started.
type containerTarget struct {
	runID  string
	tgt    *container.Target    // the server under test, or nil
	ref    *container.Container // the reference server, or nil
	rd     redactor             // for the copy of the reference server's log
	closed bool
}

// dockerHint says how to get a Docker engine, for the error when none answers.
const dockerHint = "start the Docker engine (Docker Desktop; `sudo systemctl start docker`; or `sudo dockerd &`) " +
	"or point DOCKER_HOST at one. Without Docker, use --target URL for a server that is already running, " +
	"or leave out --reference-container to run the reference server in process"

// openContainer starts the container o.Container asks for, waits until it answers, and
// returns it as the run's target. Errors: Docker is not available, the image cannot be built
// or started, the server does not answer in time (quoting its log, secrets hidden), ctx
// ended; a *usageError for the server log file. Nothing is left running on error.
func openContainer(ctx context.Context, o Options) (*target, error) {
	c := o.Container
	if err := o.engine.dockerAvailable(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("docker is not available, and %s needs it: %v.\nTo fix: %s", c.flag(), err, dockerHint)
	}
	if c.StartupTimeout == 0 {
		c.StartupTimeout = container.DefaultStartupTimeout
	}
	if c.Reference {
		return openReferenceContainer(ctx, o, c)
	}
	return openTargetContainer(ctx, o, c)
}

// openTargetContainer starts the server under test from c.Image or c.DockerfileDir.
func openTargetContainer(ctx context.Context, o Options, c ContainerOptions) (*target, error) {
	secret := o.Token
	if secret == "" { // only with TokenEnv (check)
		secret = server.RandomToken()
		if o.Auth == scim.AuthBasic {
			secret = "scimcheck:" + secret
		}
	}
	env := maps.Clone(c.Env)
	if env == nil {
		env = map[string]string{}
	}
	if c.TokenEnv != "" {
		env[c.TokenEnv] = secret
	}
	rd, err := outputRedactor(o.Auth, secret, c.Env)
	if err != nil {
		return nil, usagef("%v", err)
	}
	runID := o.engine.runID()
	start := time.Now()
	tgt, err := container.StartTarget(ctx, container.TargetOptions{
		Image:          c.Image,
		DockerfileDir:  c.DockerfileDir,
		Port:           c.Port,
		Cmd:            c.Cmd,
		Env:            env,
		BasePath:       c.BasePath,
		StartupTimeout: c.StartupTimeout,
		RunID:          runID,
		Redact:         append(logSecrets(c.Env), secret),
		Logger:         tclog.NewNoopLogger(),
	})
	if err != nil { // StartTarget removed the container
		return nil, errors.New(rd.net().String(err.Error()))
	}
	what := "image " + c.Image
	if c.DockerfileDir != "" {
		what = "built from " + filepath.Join(c.DockerfileDir, "Dockerfile")
	}
	return &target{
		url:    tgt.URL,
		secret: secret,
		note:   fmt.Sprintf(" (%s, in container %.12s, ready in %s)", what, tgt.Container.GetContainerID(), roundMs(time.Since(start))),
		redact: credentialValues(c.Env),
		ctr:    &containerTarget{runID: runID, tgt: tgt},
	}, nil
}

// openReferenceContainer builds the reference image and starts the reference server from it,
// with o.Quirks, accepting the run's secret.
func openReferenceContainer(ctx context.Context, o Options, c ContainerOptions) (*target, error) {
	secret := o.Token
	if secret == "" {
		secret = server.RandomToken()
		if o.Auth == scim.AuthBasic {
			secret = "scimcheck:" + secret
		}
	}
	token := secret
	switch o.Auth {
	case scim.AuthBasic:
		token = server.RandomToken() // the server needs one; the run sends Basic
	case scim.AuthHeader:
		// Header auth sends the secret verbatim; the reference server wants a bearer token.
		token = strings.TrimPrefix(secret, "Bearer ")
		secret = "Bearer " + token
	}
	rd, err := outputRedactor(o.Auth, secret, nil)
	if err != nil {
		return nil, usagef("%v", err)
	}
	rd = append(rd, scim.NewRedactor(token))

	t := &target{secret: secret}
	if o.ServerLog != "" {
		f, err := os.Create(o.ServerLog)
		if err != nil {
			return nil, usagef("--server-log: %v", err)
		}
		t.logFile = f
	}
	ok := false
	defer func() {
		if !ok && t.logFile != nil {
			t.logFile.Close()
		}
	}()

	start := time.Now()
	img, err := o.engine.buildReferenceImage(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("build the reference image: %w", ctx.Err())
		}
		return nil, fmt.Errorf("--reference-container: %v\n(scimcheck puts itself in the image when it is built with CGO_ENABLED=0 for linux; "+
			"otherwise it builds one from the scimcheck module the working directory is in, which needs Go)", err)
	}
	built := time.Since(start)

	runID := o.engine.runID()
	opts := []testcontainers.ContainerCustomizer{
		testcontainers.WithLogger(tclog.NewNoopLogger()),
		container.WithToken(token),
		container.WithStartupTimeout(c.StartupTimeout),
		// Our own run id, so that the container can be found even when Run fails midway.
		testcontainers.WithLabels(map[string]string{container.LabelRun: runID}),
	}
	if len(o.Quirks) > 0 {
		// Ready once it answers at all: a quirk such as internal-error fails every request,
		// and judging the answers is the scenarios' job (Run's own wait wants a 200).
		opts = append(opts, container.WithQuirks(o.Quirks...), container.WithReadyOnAnyStatus())
	}
	if o.Auth == scim.AuthBasic {
		opts = append(opts, testcontainers.WithCmdArgs("--basic", secret))
	}
	start = time.Now()
	ctr, err := container.Run(ctx, img, opts...)
	ct := &containerTarget{runID: runID, ref: ctr, rd: rd}
	if err == nil {
		t.url, err = ctr.BaseURL(ctx)
	}
	if err != nil {
		err = errors.New(rd.net().String(fmt.Sprintf("start the reference container: %v", err)))
		if cerr := ct.close(nil); cerr != nil {
			err = errors.Join(err, cerr)
		}
		return nil, err
	}
	t.ctr = ct
	t.note = fmt.Sprintf(" (the reference server, in container %.12s of %s; image in %s, ready in %s", ctr.GetContainerID(), img, roundMs(built), roundMs(time.Since(start)))
	if len(o.Quirks) > 0 {
		t.note += "; with quirks " + strings.Join(o.Quirks, ", ")
	}
	t.note += ")"
	ok = true
	return t, nil
}

// close copies the reference server's log to log (when not nil), then stops and removes the
// container and anything else labelled with its run id. It works after Ctrl-C: the removal
// uses a fresh context. Only the first call does anything.
func (ct *containerTarget) close(log *os.File) error {
	if ct == nil || ct.closed {
		return nil
	}
	ct.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	if ct.ref != nil {
		if log != nil {
			if err := ct.copyLog(ctx, log); err != nil {
				errs = append(errs, fmt.Errorf("--server-log: %w", err))
			}
		}
		if err := testcontainers.TerminateContainer(ct.ref, testcontainers.StopContext(ctx), testcontainers.StopTimeout(2*time.Second)); err != nil {
			errs = append(errs, err)
		}
	}
	if ct.tgt != nil {
		if err := ct.tgt.Terminate(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := container.RemoveRun(ctx, ct.runID); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("removing the container (docker rm -f $(docker ps -aq --filter label=%s=%s)): %w",
			container.LabelRun, ct.runID, errors.Join(errs...))
	}
	return nil
}

// copyLog writes the reference container's log, redacted, to w.
func (ct *containerTarget) copyLog(ctx context.Context, w io.Writer) error {
	rc, err := ct.ref.Logs(ctx)
	if err != nil {
		return err
	}
	defer rc.Close()
	rw := &redactWriter{w: w, rd: ct.rd}
	if _, err := io.Copy(rw, rc); err != nil {
		return err
	}
	return rw.Flush()
}

// outputRedactor returns the redactor for secret sent as auth says, also hiding the values
// of env whose names say they are credentials.
func outputRedactor(auth scim.AuthMode, secret string, env map[string]string) (redactor, error) {
	rd, err := newRedactor(auth, secret)
	if err != nil {
		return nil, err
	}
	return append(rd, scim.NewRedactor(credentialValues(env)...)), nil
}

// credentialValues returns the values (four characters or more) of the variables of env
// whose names say they are credentials: TOKEN, SECRET, PASSWORD, PASSWD, KEY, CREDENTIAL.
func credentialValues(env map[string]string) []string {
	var out []string
	for name, v := range env {
		up := strings.ToUpper(name)
		for _, word := range []string{"TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL"} {
			if strings.Contains(up, word) && len(v) >= 4 {
				out = append(out, v)
				break
			}
		}
	}
	return out
}

// logSecrets returns every value of env of four characters or more: a server may log its
// configuration, and quoted logs hide all of it. Shorter values would garble the log.
func logSecrets(env map[string]string) []string {
	var out []string
	for _, v := range env {
		if len(v) >= 4 {
			out = append(out, v)
		}
	}
	return out
}

// roundMs rounds d for messages: 512ms, 1.53s.
func roundMs(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(10 * time.Millisecond)
}

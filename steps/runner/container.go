package runner

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/scimcheck/scimcheck/reference/container"
	"github.com/scimcheck/scimcheck/reference/server"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// ContainerOptions start the server a run talks to in a Docker container, and remove it when
// the run ends, however it ends (pass, failure, error, Ctrl-C). Either the server under test,
// from Image or built from DockerfileDir (scimcheck run --image, --dockerfile), or the
// bundled reference server (--reference-container). The zero value starts no container.
type ContainerOptions struct {
	// Reference runs the bundled reference server in a container instead of in process: the
	// image is built locally FROM scratch around this binary, when it is a static linux
	// scimcheck, or else around one built from the scimcheck module the working directory is
	// in (container.BuildImage); nothing is pulled. Options.Quirks and Options.ServerLog
	// apply to it.
	Reference bool
	// Image is the server under test's image, e.g. "acme/scim:1.4" (pulled when not present).
	Image string
	// DockerfileDir is a build context with a Dockerfile to build the server under test from
	// instead of Image; the image is removed with the container.
	DockerfileDir string
	// Port is the container port the server under test listens on (default 8080).
	Port int
	// Cmd replaces the image's command when not empty, e.g. serve --addr 0.0.0.0:8080. It
	// appears in rerun commands: put secrets in Env, not here.
	Cmd []string
	// Env is the environment of the server under test's container. Its values are never
	// printed: quoted container logs hide every value of four characters or more, and the
	// run's output hides the values whose names say they are credentials (TOKEN, SECRET,
	// PASSWORD, PASSWD, KEY, CREDENTIAL).
	Env map[string]string
	// TokenEnv names a variable set to the run's secret (Options.Token, or a random one when
	// that is empty) in the server under test's container, e.g. "API_TOKEN".
	TokenEnv string
	// BasePath is the SCIM base path of the server under test (default "/scim/v2").
	BasePath string
	// StartupTimeout bounds the wait until the container answers HTTP (default 60s).
	StartupTimeout time.Duration
}

// enabled reports whether the run starts a container.
func (c ContainerOptions) enabled() bool { return c.Reference || c.underTest() }

// underTest reports whether the run starts the server under test in a container.
func (c ContainerOptions) underTest() bool { return c.Image != "" || c.DockerfileDir != "" }

// check returns a *usageError when c cannot be used with the rest of o.
func (c ContainerOptions) check(o Options) error {
	switch {
	case c.Reference && (o.Target != "" || c.underTest()):
		return usagef("--reference-container runs the bundled reference server in a container; " +
			"it cannot be combined with --target, --image or --dockerfile, which name another server")
	case c.Image != "" && c.DockerfileDir != "":
		return usagef("--image and --dockerfile both name the server under test: pick one")
	case c.underTest() && o.Target != "":
		return usagef("%s starts the server under test and runs against its published port; "+
			"it cannot be combined with --target (unset $SCIMCHECK_TARGET, or drop --target)", c.flag())
	case !c.underTest() && (c.Port != 0 || len(c.Env) > 0 || c.TokenEnv != "" || c.BasePath != "" || len(c.Cmd) > 0):
		return usagef("--container-port, --container-env, --container-token-env, --container-cmd and --base-path " +
			"configure the container of --image or --dockerfile; give one of those")
	case c.StartupTimeout < 0:
		return usagef("--container-startup-timeout must not be negative")
	}
	if !c.underTest() {
		return nil
	}
	if c.Port < 0 || c.Port > 65535 {
		return usagef("--container-port %d: want a port from 1 to 65535", c.Port)
	}
	if len(o.Quirks) > 0 {
		return usagef("--quirk switches defects on in the bundled reference server; it cannot be combined with %s", c.flag())
	}
	if o.ServerLog != "" {
		return usagef("--server-log is the bundled reference server's log; it cannot be combined with %s "+
			"(docker logs shows the container's, while it runs)", c.flag())
	}
	if o.Token == "" && c.TokenEnv == "" {
		return usagef("%s needs the credential the server accepts: set SCIMCHECK_TOKEN=<token> or pass --token-file FILE, "+
			"and hand it to the container with --container-env or --container-token-env NAME "+
			"(--container-token-env alone makes up a random one)", c.flag())
	}
	for name := range c.Env {
		if err := checkEnvName("--container-env", name); err != nil {
			return err
		}
	}
	if c.TokenEnv != "" {
		if err := checkEnvName("--container-token-env", c.TokenEnv); err != nil {
			return err
		}
		if _, ok := c.Env[c.TokenEnv]; ok {
			return usagef("--container-token-env %s: --container-env sets %s too; drop one", c.TokenEnv, c.TokenEnv)
		}
	}
	if c.DockerfileDir != "" {
		if _, err := os.Stat(filepath.Join(c.DockerfileDir, "Dockerfile")); err != nil {
			return usagef("--dockerfile %s: no Dockerfile there: %v", c.DockerfileDir, errors.Unwrap(err))
		}
	}
	return nil
}

// flag names the option that starts the container, for messages.
func (c ContainerOptions) flag() string {
	switch {
	case c.Reference:
		return "--reference-container"
	case c.DockerfileDir != "":
		return "--dockerfile"
	}
	return "--image"
}

// checkEnvName returns a *usageError unless name can be a variable name in a container. The
// message never quotes a value.
func checkEnvName(flagName, name string) error {
	if name == "" || strings.ContainsAny(name, "= \t\r\n\x00") {
		return usagef("%s: %q is not a variable name (want NAME=VALUE, or NAME alone to pass on $NAME)", flagName, name)
	}
	return nil
}

// rerunArgs returns the flags that start the same container in a rerun command. They name
// the variables of Env, never their values: `--container-env NAME` passes on $NAME.
func (c ContainerOptions) rerunArgs() []string {
	var args []string
	switch {
	case c.Reference:
		args = append(args, "--reference-container")
	case c.Image != "":
		args = append(args, "--image", c.Image)
	case c.DockerfileDir != "":
		args = append(args, "--dockerfile", c.DockerfileDir)
	default:
		return nil
	}
	if c.Port != 0 && c.Port != 8080 {
		args = append(args, "--container-port", strconv.Itoa(c.Port))
	}
	if c.BasePath != "" {
		args = append(args, "--base-path", c.BasePath)
	}
	if len(c.Cmd) > 0 {
		args = append(args, "--container-cmd", strings.Join(c.Cmd, " "))
	}
	for _, name := range slices.Sorted(maps.Keys(c.Env)) {
		args = append(args, "--container-env", name)
	}
	if c.TokenEnv != "" {
		args = append(args, "--container-token-env", c.TokenEnv)
	}
	if c.StartupTimeout != 0 && c.StartupTimeout != container.DefaultStartupTimeout {
		args = append(args, "--container-startup-timeout", c.StartupTimeout.String())
	}
	return args
}

// containerFlags are the container flags of `scimcheck run`, until apply turns them into
// ContainerOptions.
type containerFlags struct {
	c   *ContainerOptions
	env multiFlag
	cmd string
}

// addContainerFlags registers the container flags on fs; they fill c.
func addContainerFlags(fs *flag.FlagSet, c *ContainerOptions) *containerFlags {
	cf := &containerFlags{c: c}
	fs.BoolVar(&c.Reference, "reference-container", false, "run against the bundled reference server in a Docker container instead of in process "+
		"(image built locally FROM scratch around this binary or one built from the module source; nothing is pulled); every scenario passes there")
	fs.StringVar(&c.Image, "image", "", "start the server under test from `image` in a Docker container, run against its published port, "+
		"remove it afterwards (also after a failure or Ctrl-C), e.g. --image acme/scim:1.4")
	fs.StringVar(&c.DockerfileDir, "dockerfile", "", "like --image, but build the image from the Dockerfile in `dir` (removed afterwards)")
	fs.IntVar(&c.Port, "container-port", 0, "container `port` the server of --image or --dockerfile listens on (default 8080)")
	fs.Var(&cf.env, "container-env", "set `NAME=VALUE` in the container of --image or --dockerfile; NAME alone passes on scimcheck's own $NAME "+
		"and keeps the value off the command line; repeatable; values are never printed")
	fs.StringVar(&c.TokenEnv, "container-token-env", "", "set the variable `NAME` in the container of --image or --dockerfile to the credential "+
		"($SCIMCHECK_TOKEN or --token-file; a random one when neither is set), without printing it")
	fs.StringVar(&cf.cmd, "container-cmd", "", "`command` replacing the CMD of the image of --image or --dockerfile, split on white space "+
		"(no quoting), e.g. 'serve --addr 0.0.0.0:8080'; it appears in rerun commands, so keep secrets in --container-env")
	fs.StringVar(&c.BasePath, "base-path", "", "SCIM base `path` of the server of --image or --dockerfile (default /scim/v2)")
	fs.DurationVar(&c.StartupTimeout, "container-startup-timeout", container.DefaultStartupTimeout,
		"how long to wait for the container of --image, --dockerfile or --reference-container to answer HTTP")
	return cf
}

// apply completes the ContainerOptions after parsing: it reads --container-env into Env and
// leaves out a target that came from $SCIMCHECK_TARGET when a container flag names the
// server. Errors: *usageError, never quoting a value.
func (cf *containerFlags) apply(fs *flag.FlagSet, o *Options) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if cf.c.enabled() && !set["target"] {
		o.Target = ""
	}
	if set["container-startup-timeout"] && cf.c.StartupTimeout <= 0 {
		return usagef("--container-startup-timeout must be positive")
	}
	if set["container-port"] && cf.c.Port == 0 {
		return usagef("--container-port 0: want a port from 1 to 65535")
	}
	cf.c.Cmd = strings.Fields(cf.cmd)
	if set["container-cmd"] && len(cf.c.Cmd) == 0 {
		return usagef("--container-cmd is empty")
	}
	for _, kv := range cf.env {
		name, value, hasValue := strings.Cut(kv, "=")
		if err := checkEnvName("--container-env", name); err != nil {
			return err
		}
		if !hasValue {
			v, ok := os.LookupEnv(name)
			if !ok {
				return usagef("--container-env %s: $%s is not set (NAME alone passes on scimcheck's own $NAME; or give NAME=VALUE)", name, name)
			}
			value = v
		}
		if cf.c.Env == nil {
			cf.c.Env = map[string]string{}
		}
		if _, dup := cf.c.Env[name]; dup {
			return usagef("--container-env %s is given twice", name)
		}
		cf.c.Env[name] = value
	}
	return nil
}

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

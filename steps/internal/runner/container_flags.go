package runner

import (
	"errors"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scimcheck/scimcheck/reference/container"
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

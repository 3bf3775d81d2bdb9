package container

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/jsonmessage"
	"github.com/testcontainers/testcontainers-go"
)

const (
	// ImageRepository is the repository BuildImage tags its images in:
	// scimcheck-reference:<the first 16 hex digits of the binary's SHA-256>.
	ImageRepository = "scimcheck-reference"
	// modulePath is the module (and main package) the reference server is built from.
	modulePath = "github.com/scimcheck/scimcheck"
)

// referenceDockerfile is the image BuildImage builds: nothing but the static binary, an
// empty /tmp the user owns, and a non-root numeric user (scratch has no /etc/passwd).
const referenceDockerfile = `FROM scratch
COPY scimcheck /scimcheck
COPY --chown=65532:65532 tmp /tmp
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/scimcheck"]
CMD ["serve", "--addr", "0.0.0.0:8080"]
`

// BuildOption configures BuildImage.
type BuildOption func(*buildSettings)

type buildSettings struct {
	sourceDir string
	binary    string
	repo      string
	log       io.Writer
}

// WithSourceDir builds the binary from the scimcheck module at dir (default: this binary
// when it is a static linux scimcheck, else the module the working directory is in).
func WithSourceDir(dir string) BuildOption {
	return func(s *buildSettings) { s.sourceDir = dir }
}

// WithBinary puts a prebuilt scimcheck binary in the image instead of building one. It must
// be a static linux executable for the engine's architecture (CGO_ENABLED=0 GOOS=linux).
func WithBinary(path string) BuildOption {
	return func(s *buildSettings) { s.binary = path }
}

// WithRepository tags the image in repo instead of ImageRepository.
func WithRepository(repo string) BuildOption {
	return func(s *buildSettings) { s.repo = repo }
}

// WithBuildLog sends the output of `go build` and of the image build to w (default: none).
func WithBuildLog(w io.Writer) BuildOption {
	return func(s *buildSettings) { s.log = w }
}

// Builder builds reference images one at a time: callers that share a Builder (parallel
// tests) wait for the build in progress and then find its image, cached. The zero value is
// ready to use.
type Builder struct {
	mu sync.Mutex
}

// BuildImage builds the reference image locally and returns its name. The image is
// FROM scratch around a static scimcheck binary, so nothing is pulled. The binary is, in
// order: WithBinary's; built by `go build` (CGO_ENABLED=0, GOOS=linux, the engine's
// GOARCH) from WithSourceDir's module; this very executable when it is a static linux
// scimcheck of the engine's architecture; built from the scimcheck module the working
// directory is in. The tag is a hash of the binary, so an image already built from the
// same binary is reused rather than rebuilt.
//
// BuildImage builds with a Builder of its own; calls that should wait for each other's builds
// share a Builder instead.
func BuildImage(ctx context.Context, opts ...BuildOption) (string, error) {
	return new(Builder).Build(ctx, opts...)
}

// Build builds the reference image as BuildImage does, after any build b is running.
func (b *Builder) Build(ctx context.Context, opts ...BuildOption) (string, error) {
	s := buildSettings{repo: ImageRepository, log: io.Discard}
	for _, o := range opts {
		o(&s)
	}
	b.mu.Lock()
	defer b.mu.Unlock()

	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return "", fmt.Errorf("build reference image: docker client: %w", err)
	}
	defer cli.Close()
	ver, err := cli.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		return "", fmt.Errorf("build reference image: docker version: %w", err)
	}
	if ver.Os != "" && ver.Os != "linux" {
		return "", fmt.Errorf("build reference image: the docker engine runs %s containers, not linux", ver.Os)
	}

	tmp, err := os.MkdirTemp("", "scimcheck-image-")
	if err != nil {
		return "", fmt.Errorf("build reference image: %w", err)
	}
	defer os.RemoveAll(tmp)
	bin, err := s.resolveBinary(ctx, ver.Arch, tmp)
	if err != nil {
		return "", fmt.Errorf("build reference image: %w", err)
	}
	raw, err := os.ReadFile(bin)
	if err != nil {
		return "", fmt.Errorf("build reference image: %w", err)
	}
	sum := sha256.Sum256(raw)
	tag := s.repo + ":" + hex.EncodeToString(sum[:8])

	if _, err := cli.ImageInspect(ctx, tag); err == nil {
		return tag, nil
	} else if !cerrdefs.IsNotFound(err) {
		return "", fmt.Errorf("build reference image: inspect %s: %w", tag, err)
	}
	if err := buildFromFiles(ctx, cli, tag, referenceFiles(raw), referenceLabels(), s.log); err != nil {
		return "", fmt.Errorf("build reference image: %w", err)
	}
	pruneImages(ctx, cli, s.repo, keepImages)
	return tag, nil
}

// keepImages is how many of BuildImage's images (the newest) stay after a build.
const keepImages = 3

// pruneImages removes all but the newest keep reference images in repo, so that editing
// and testing over and over does not pile up an image per build. An image a container
// still uses stays; errors are ignored (another process may be pruning too).
func pruneImages(ctx context.Context, cli client.APIClient, repo string, keep int) {
	res, err := cli.ImageList(ctx, client.ImageListOptions{
		Filters: make(client.Filters).Add("reference", repo).Add("label", LabelRole+"=reference-image"),
	})
	if err != nil || len(res.Items) <= keep {
		return
	}
	imgs := res.Items
	sort.Slice(imgs, func(i, j int) bool { return imgs[i].Created > imgs[j].Created })
	for _, img := range imgs[keep:] {
		for _, tag := range img.RepoTags {
			_, _ = cli.ImageRemove(ctx, tag, client.ImageRemoveOptions{PruneChildren: true})
		}
	}
}

// resolveBinary returns the path of the static linux binary for arch the image gets,
// building it into dir when needed.
func (s buildSettings) resolveBinary(ctx context.Context, arch, dir string) (string, error) {
	if s.binary != "" {
		return s.binary, checkStatic(s.binary, arch)
	}
	if s.sourceDir != "" {
		return goBuild(ctx, s.sourceDir, arch, dir, s.log)
	}
	if self, ok := selfBinary(arch); ok {
		return self, nil
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	return goBuild(ctx, root, arch, dir, s.log)
}

// selfBinary returns this executable when it is scimcheck's main built with CGO_ENABLED=0
// for linux/arch, the binary `scimcheck run --reference-container` can put in the image.
func selfBinary(arch string) (string, bool) {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Path != modulePath {
		return "", false
	}
	want := map[string]string{"CGO_ENABLED": "0", "GOOS": "linux", "GOARCH": arch}
	for _, kv := range info.Settings {
		if v, ok := want[kv.Key]; ok && kv.Value == v {
			delete(want, kv.Key)
		}
	}
	if len(want) > 0 {
		return "", false
	}
	exe, err := os.Executable()
	if err != nil || checkStatic(exe, arch) != nil {
		return "", false
	}
	return exe, true
}

// moduleRoot returns the directory of the scimcheck module the working directory is in or,
// in another module that requires scimcheck (container.RunReference in that module's tests),
// the directory its build uses: the module cache's copy, or a replace directive's directory.
func moduleRoot(ctx context.Context) (string, error) {
	const hint = "pass WithSourceDir or WithBinary, or run inside the scimcheck module"
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find the scimcheck source: go env GOMOD: %v (%s)", err, hint)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("find the scimcheck source: not in a Go module (%s)", hint)
	}
	f, err := os.Open(gomod)
	if err != nil {
		return "", fmt.Errorf("find the scimcheck source: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if path, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			if strings.Trim(strings.TrimSpace(path), `"`) == modulePath {
				return filepath.Dir(gomod), nil
			}
			break
		}
	}
	if dir, err := requiredModuleDir(ctx, filepath.Dir(gomod)); err == nil {
		return dir, nil
	}
	return "", fmt.Errorf("find the scimcheck source: %s is neither the %s module nor requires it (%s)", gomod, modulePath, hint)
}

// requiredModuleDir returns the directory of the scimcheck module that the module at dir
// requires, as `go list -m` finds it.
func requiredModuleDir(ctx context.Context, dir string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", modulePath)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", err
	}
	src := strings.TrimSpace(string(out))
	if src == "" {
		return "", errors.New("not in the module cache")
	}
	if _, err := os.Stat(filepath.Join(src, "go.mod")); err != nil {
		return "", err
	}
	return src, nil
}

// goBuild builds the scimcheck main package of the module at src as a static linux/arch
// binary into dir and returns its path.
func goBuild(ctx context.Context, src, arch, dir string, log io.Writer) (string, error) {
	out := filepath.Join(dir, "scimcheck")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", out, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	var buf bytes.Buffer
	cmd.Stdout = io.MultiWriter(&buf, log)
	cmd.Stderr = cmd.Stdout
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build in %s: %w\n%s", src, err, strings.TrimSpace(buf.String()))
	}
	return out, nil
}

// checkStatic returns an error unless path is a statically linked linux ELF executable for
// arch (amd64, arm64, ...).
func checkStatic(path, arch string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("binary %s: not a linux executable: %w", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("binary %s is dynamically linked: build it with CGO_ENABLED=0", path)
		}
	}
	machines := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64, "386": elf.EM_386,
		"arm": elf.EM_ARM, "ppc64le": elf.EM_PPC64, "s390x": elf.EM_S390, "riscv64": elf.EM_RISCV}
	if m, ok := machines[arch]; ok && f.Machine != m {
		return fmt.Errorf("binary %s is for %v, the docker engine runs %s: build it with GOARCH=%s", path, f.Machine, arch, arch)
	}
	return nil
}

// referenceFiles returns the build context of the reference image around binary.
func referenceFiles(binary []byte) []contextFile {
	return []contextFile{
		{name: "Dockerfile", mode: 0o644, data: []byte(referenceDockerfile)},
		{name: "scimcheck", mode: 0o755, data: binary},
		{name: "tmp/", mode: 0o755, dir: true},
	}
}

// referenceLabels returns the labels of the reference image.
func referenceLabels() map[string]string {
	return map[string]string{LabelRole: "reference-image", "org.opencontainers.image.title": "scimcheck reference server"}
}

// contextFile is one entry of a build context.
type contextFile struct {
	name string
	mode int64
	data []byte
	dir  bool
}

// buildFromFiles builds files (a Dockerfile among them) as an image tagged tag with the
// engine's classic builder, and sends the build output to log. A Dockerfile FROM scratch
// pulls nothing.
func buildFromFiles(ctx context.Context, cli client.APIClient, tag string, files []contextFile, labels map[string]string, log io.Writer) error {
	return buildWith(ctx, cli, files, client.ImageBuildOptions{Tags: []string{tag}, Labels: labels}, log)
}

// buildWith builds files with opts (Tags[0] is the image checked for afterwards).
func buildWith(ctx context.Context, cli client.APIClient, files []contextFile, opts client.ImageBuildOptions, log io.Writer) error {
	tag := opts.Tags[0]
	buildContext, err := tarFiles(files)
	if err != nil {
		return fmt.Errorf("build context: %w", err)
	}
	opts.Dockerfile, opts.Remove, opts.ForceRemove = "Dockerfile", true, true
	res, err := cli.ImageBuild(ctx, buildContext, opts)
	if err != nil {
		return fmt.Errorf("docker build %s: %w", tag, err)
	}
	defer res.Body.Close()
	if err := jsonmessage.DisplayStream(res.Body, log); err != nil {
		return fmt.Errorf("docker build %s: %w", tag, err)
	}
	if _, err := cli.ImageInspect(ctx, tag); err != nil {
		return errors.Join(fmt.Errorf("docker build %s: the image is missing afterwards", tag), err)
	}
	return nil
}

// tarFiles returns files as a tar archive, every entry dated 1970 so that equal contents
// make equal archives.
func tarFiles(files []contextFile) (*bytes.Buffer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data)), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg}
		if f.dir {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return &buf, nil
}

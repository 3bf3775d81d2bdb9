package container

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
)

// TestRootDockerfile builds the repository's Dockerfile the documented way (a static binary,
// then a docker build whose context is that binary alone) and runs the image as the
// reference server: the scimcheck image doubles as a reference image for Run.
func TestRootDockerfile(t *testing.T) {
	bin := testBinary(t)
	ctx := context.Background()
	dockerfile, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	require.NoError(t, err)
	raw, err := os.ReadFile(bin)
	require.NoError(t, err)
	sum := sha256.Sum256(append(append([]byte(nil), dockerfile...), raw...))
	tag := "scimcheck-dockerfile-test:" + hex.EncodeToString(sum[:8])

	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	require.NoError(t, err)
	defer cli.Close()
	var log bytes.Buffer
	err = buildFromFiles(ctx, cli, tag, []contextFile{
		{name: "Dockerfile", mode: 0o644, data: dockerfile},
		{name: "scimcheck", mode: 0o755, data: raw},
	}, map[string]string{LabelRole: "test-image"}, &log)
	require.NoError(t, err, "build log:\n%s", log.String())
	t.Cleanup(func() {
		_, _ = cli.ImageRemove(context.Background(), tag, client.ImageRemoveOptions{Force: true, PruneChildren: true})
	})

	img, err := cli.ImageInspect(ctx, tag)
	require.NoError(t, err)
	assert.Equal(t, "65532:65532", img.Config.User, "non-root")
	assert.Equal(t, []string{"/scimcheck"}, img.Config.Entrypoint)
	assert.Contains(t, img.Config.ExposedPorts, "8080/tcp")
	assert.Len(t, img.RootFS.Layers, 1, "FROM scratch: the binary is the only layer")

	ctr, err := Run(ctx, tag)
	t.Cleanup(func() { require.NoError(t, testcontainers.TerminateContainer(ctr)) })
	require.NoError(t, err)
	base, err := ctr.BaseURL(ctx)
	require.NoError(t, err)
	status, _ := scimDo(t, http.MethodGet, base+"/ServiceProviderConfig", ctr.Token(), "")
	assert.Equal(t, http.StatusOK, status)
}

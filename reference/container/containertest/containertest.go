// Package containertest holds what the container tests of scimcheck's packages share: the
// reaper switch their TestMain sets, and the clean-up of the images they build. Only tests
// import it, so no binary links it.
package containertest

import (
	"context"
	"os"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// ReaperOff turns testcontainers' Ryuk reaper off unless the environment chose, as the
// scimcheck command does: no registry serves its image here, and the tests remove what they
// start by scimcheck's own labels. Call it from TestMain only; it sets the environment.
func ReaperOff() {
	if _, ok := os.LookupEnv("TESTCONTAINERS_RYUK_DISABLED"); !ok {
		_ = os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
}

// ImageTags returns the tags of the images in repo; none when no engine answers.
func ImageTags(repo string) map[string]bool {
	tags := map[string]bool{}
	withDocker(10*time.Second, func(ctx context.Context, cli *testcontainers.DockerClient) {
		res, err := cli.ImageList(ctx, client.ImageListOptions{Filters: make(client.Filters).Add("reference", repo)})
		if err != nil {
			return
		}
		for _, img := range res.Items {
			for _, t := range img.RepoTags {
				tags[t] = true
			}
		}
	})
	return tags
}

// RemoveImage removes the image tag, with the layers only it used; nothing when no engine answers.
func RemoveImage(tag string) {
	withDocker(30*time.Second, func(ctx context.Context, cli *testcontainers.DockerClient) {
		_, _ = cli.ImageRemove(ctx, tag, client.ImageRemoveOptions{Force: true, PruneChildren: true})
	})
}

// RemoveDanglingImages removes the untagged images that carry label ("key=value"): a rebuilt
// image leaves its predecessor untagged.
func RemoveDanglingImages(label string) {
	withDocker(30*time.Second, func(ctx context.Context, cli *testcontainers.DockerClient) {
		res, err := cli.ImageList(ctx, client.ImageListOptions{Filters: make(client.Filters).Add("dangling", "true").Add("label", label)})
		if err != nil {
			return
		}
		for _, img := range res.Items {
			_, _ = cli.ImageRemove(ctx, img.ID, client.ImageRemoveOptions{Force: true, PruneChildren: true})
		}
	})
}

// withDocker calls fn with a Docker client, within timeout; not at all when no engine answers.
func withDocker(timeout time.Duration, fn func(ctx context.Context, cli *testcontainers.DockerClient)) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return
	}
	defer cli.Close()
	fn(ctx, cli)
}

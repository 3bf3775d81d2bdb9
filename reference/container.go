package reference

import (
	"context"
	"fmt"

	"github.com/scimcheck/scimcheck/reference/container"
	"github.com/testcontainers/testcontainers-go"
)

// RunContainer runs the reference server in a Docker container, testcontainers style: it
// builds the reference image locally (container.BuildImage with its defaults: FROM scratch
// around a static scimcheck binary, cached by the binary's hash, nothing pulled) and starts
// it with container.Run and opts. Terminate the result with testcontainers.TerminateContainer,
// also when an error comes back with it. Use container.Run directly for an image already built.
//
//	ctr, err := reference.RunContainer(ctx, container.WithToken("s3cret"))
//	defer testcontainers.TerminateContainer(ctr)
//	base, err := ctr.BaseURL(ctx) // http://127.0.0.1:49153/scim/v2
func RunContainer(ctx context.Context, opts ...testcontainers.ContainerCustomizer) (*container.Container, error) {
	img, err := container.BuildImage(ctx)
	if err != nil {
		return nil, fmt.Errorf("run reference container: %w", err)
	}
	return container.Run(ctx, img, opts...)
}

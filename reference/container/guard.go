package container

import (
	"context"
	"sync"

	"github.com/testcontainers/testcontainers-go"
)

// runGuarded is testcontainers.Run made safe to interrupt. A context cancelled while the
// engine creates the container would abandon the create call, and the engine would then
// create a container nobody knows of. So the create call runs on a context that ctx's
// cancellation reaches only once the create has come back (and the container is known,
// returned with the error for the caller to terminate). Before and after it — pulling,
// building, starting, waiting — cancelling ctx interrupts at once.
func runGuarded(ctx context.Context, img string, opts []testcontainers.ContainerCustomizer) (*testcontainers.DockerContainer, error) {
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	g := &createGuard{cancel: cancel}
	stop := context.AfterFunc(ctx, g.interrupt)
	defer stop()

	hooks := testcontainers.ContainerLifecycleHooks{
		PreCreates: []testcontainers.ContainerRequestHook{
			func(context.Context, testcontainers.ContainerRequest) error { return g.enter(ctx) },
		},
		PostCreates: []testcontainers.ContainerHook{
			func(context.Context, testcontainers.Container) error { return g.leave(ctx) },
		},
	}
	all := make([]testcontainers.ContainerCustomizer, 0, len(opts)+1)
	all = append(all, opts...)
	all = append(all, testcontainers.WithAdditionalLifecycleHooks(hooks))
	return testcontainers.Run(runCtx, img, all...)
}

// createGuard defers an interruption that arrives during the create call until it ends.
type createGuard struct {
	mu          sync.Mutex
	creating    bool
	interrupted bool
	cancel      context.CancelFunc
}

// interrupt cancels the run now, or when the create call in progress ends.
func (g *createGuard) interrupt() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.interrupted = true
	if !g.creating {
		g.cancel()
	}
}

// enter runs just before the create call; it refuses to start one once interrupted.
func (g *createGuard) enter(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.interrupted {
		return context.Cause(ctx)
	}
	g.creating = true
	return nil
}

// leave runs once the container exists; an interruption that came meanwhile takes effect.
func (g *createGuard) leave(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.creating = false
	if g.interrupted {
		g.cancel()
		return context.Cause(ctx)
	}
	return nil
}

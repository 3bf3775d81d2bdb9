package container

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestModuleRootOfAnotherModule: in the tests of another module that requires scimcheck
// (container.RunReference there), BuildImage builds from the scimcheck copy that module uses.
func TestModuleRootOfAnotherModule(t *testing.T) {
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	other := t.TempDir()
	gomod := "module example.com/other\n\ngo 1.26.0\n\nrequire " + modulePath + " v0.0.0\n\nreplace " + modulePath + " => " + repo + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(other, "go.mod"), []byte(gomod), 0o644))
	t.Chdir(other)

	got, err := moduleRoot(context.Background())
	require.NoError(t, err)
	assert.Equal(t, repo, got)

	// A module that does not require scimcheck gets the hint.
	unrelated := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(unrelated, "go.mod"), []byte("module example.com/unrelated\n\ngo 1.26.0\n"), 0o644))
	t.Chdir(unrelated)
	_, err = moduleRoot(context.Background())
	assert.ErrorContains(t, err, "is neither the "+modulePath+" module nor requires it (pass WithSourceDir or WithBinary")
}

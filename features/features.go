// Package features embeds scimcheck's Gherkin scenarios: the specification users read, and
// what `scimcheck run` replays.
package features

import "embed"

// FS holds okta/*.feature.
//
//go:embed okta
var FS embed.FS

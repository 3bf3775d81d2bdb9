//go:build !race

package runner

// raceBuild reports a test binary built with -race (race_on_test.go).
const raceBuild = false

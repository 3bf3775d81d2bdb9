//go:build race

package runner

// raceBuild reports a test binary built with -race, whose memory the race detector multiplies
// (by 5 to 10, as its documentation says): a memory ceiling does not hold there.
const raceBuild = true

//go:build race

package e2e

// raceEnabled builds the members with the race detector too.
const raceEnabled = true

//go:build race

package ingest_test

// raceEnabled reports a build with the race detector, whose
// instrumentation makes heap measurements slow and loose.
const raceEnabled = true

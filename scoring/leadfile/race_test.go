//go:build race

package leadfile_test

// raceDetector is set when the tests run with -race, under which the
// memory test is skipped (.ci/run runs it without -race).
const raceDetector = true

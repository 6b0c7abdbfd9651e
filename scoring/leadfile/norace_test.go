//go:build !race

package leadfile_test

const raceDetector = false

//go:build !race

package mix

// raceDetector: see race_on_test.go.
const raceDetector = false

//go:build race

package mix

// raceDetector is set when the tests run under -race, which makes the
// simulations that fit hundreds of models ten times slower: they run in
// full without it (.ci/run has a step for them) and are skipped with it.
const raceDetector = true

//go:build race

package main

// raceDetector is set when the tests run under -race, which makes a mix
// model's fit (hundreds of refits, each a search of the curves) ten
// times slower: the tests that fit one run in full without it (.ci/run
// has a step for them) and are skipped with it (see leadscore).
const raceDetector = true

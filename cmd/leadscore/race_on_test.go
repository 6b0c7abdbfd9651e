//go:build race

package main

// raceDetector tells the tests that run the built command many times that
// this test binary runs under -race (slow, and no help to a built command).
const raceDetector = true

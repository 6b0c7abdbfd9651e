package main

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// containsAt finds a needle wherever it lies, across the boundaries of
// its chunks and parts too, as bytes.Contains on the whole does.
func TestContainsAtEveryOffset(t *testing.T) {
	r := rand.New(rand.NewPCG(28, 7))
	needle := []byte(`"dispositions"`)
	for _, size := range []int{0, 5, 13, 14, 100, 257, 1000} {
		for _, chunk := range []int64{1, 3, 4, 16} {
			for parts := 1; parts <= 4; parts++ {
				for at := -1; at <= size-len(needle); at++ {
					data := make([]byte, size)
					for i := range data {
						data[i] = "ab\"dis"[r.IntN(6)]
					}
					if at >= 0 {
						copy(data[at:], needle)
					}
					want := bytes.Contains(data, needle)
					if got := containsAt(bytes.NewReader(data), int64(size), needle, parts, chunk); got != want {
						t.Fatalf("size %d, chunk %d, parts %d, needle at %d: %v, want %v", size, chunk, parts, at, got, want)
					}
				}
			}
		}
	}
}

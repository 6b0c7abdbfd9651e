// Package suggest finds the did-you-mean for a misspelt name: the nearest
// candidate by edit distance, when it is near enough to be a typo. The rule
// files' decoder and the attribution readers share it, so a misspelt key
// and a misspelt column are judged alike.
package suggest

import (
	"slices"
	"strings"
	"unicode"
)

// Nearest returns the candidate nearest to name, if one is near enough to
// be a plausible typo (an edit distance of at least 1 and at most a third of
// the name, or 1 for names shorter than 3), or "" otherwise. Of equally near
// candidates, the first wins.
func Nearest(name string, candidates []string) string {
	best, bestDist := "", -1
	limit := max(1, len([]rune(name))/3)
	for _, c := range candidates {
		if d := EditDistance(name, c); d > 0 && d <= limit && (bestDist < 0 || d < bestDist) {
			best, bestDist = c, d
		}
	}
	return best
}

// EditDistance is the Levenshtein distance counting a swap of two adjacent
// characters as one edit (optimal string alignment), over runes.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// Name returns the candidate a misspelt or shortened name most likely
// means, or "": the same name but for case, spaces or dashes (Job-Title for
// job_title); else the nearest by edit distance (Nearest); else one whose
// words (split at _ . - and spaces) contain the name's as a run, or the other
// way round (title or demo for job_title or demo_request), when only one is.
func Name(name string, candidates []string) string {
	norm := normalize(name)
	for _, c := range candidates {
		if c != name && normalize(c) == norm {
			return c
		}
	}
	if s := Nearest(name, candidates); s != "" {
		return s
	}
	words := split(norm)
	if len([]rune(strings.Join(words, ""))) < 3 {
		return ""
	}
	best := ""
	for _, c := range candidates {
		cw := split(normalize(c))
		if c == name || !(hasRun(cw, words) || hasRun(words, cw) && len([]rune(strings.Join(cw, ""))) >= 3) {
			continue
		}
		if best != "" {
			return "" // more than one: a guess, not a suggestion
		}
		best = c
	}
	return best
}

func normalize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return '_'
		}
		return unicode.ToLower(r)
	}, strings.TrimSpace(s))
}

func split(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '_' || r == '.' })
}

// hasRun reports whether run is a contiguous run of words, shorter than words.
func hasRun(words, run []string) bool {
	if len(run) == 0 || len(run) >= len(words) {
		return false
	}
	for i := 0; i+len(run) <= len(words); i++ {
		if slices.Equal(words[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

// Package suggest finds the did-you-mean for a misspelt name: the nearest
// candidate by edit distance, when it is near enough to be a typo. The rule
// files' decoder and the attribution readers share it, so a misspelt key
// and a misspelt column are judged alike.
package suggest

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

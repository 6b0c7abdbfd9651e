package dsl

import (
	"fmt"

	"github.com/leadscore/leadscore/internal/suggest"
)

// Suggest returns the candidate name most likely means, or "": the same
// name but for case, spaces or dashes; a plausible typo (an edit distance of
// at least 1 and at most a third of the name); or a name whose words contain
// name's (title for job_title, demo for demo_request), or the other way round.
func Suggest(name string, candidates []string) string {
	return suggest.Name(name, candidates)
}

// DidYouMean returns `; did you mean "x"?` for the nearest candidate, or "".
func DidYouMean(name string, candidates []string) string {
	if s := Suggest(name, candidates); s != "" {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}

// DidYouMeanOr returns a did-you-mean for name among candidates, or else
// "; " and the advice (nothing when the advice is empty).
func DidYouMeanOr(name string, candidates []string, advice string) string {
	if s := DidYouMean(name, candidates); s != "" {
		return s
	}
	if advice == "" {
		return ""
	}
	return "; " + advice
}

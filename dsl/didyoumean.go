package dsl

import (
	"fmt"

	"github.com/leadscore/leadscore/internal/suggest"
)

// Suggest returns the candidate nearest to name, if one is near enough to be
// a plausible typo (an edit distance of at most a third of the name, and at
// least 1), or "" otherwise.
func Suggest(name string, candidates []string) string {
	return suggest.Nearest(name, candidates)
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

// DidYouMeanName is DidYouMeanOr for a name an expression uses: it also
// offers the same name but for case, and the one name whose words contain
// name's or the other way round (title for job_title, demo for
// demo_request); see suggest.Name.
func DidYouMeanName(name string, candidates []string, advice string) string {
	if s := suggest.Name(name, candidates); s != "" {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	if advice == "" {
		return ""
	}
	return "; " + advice
}

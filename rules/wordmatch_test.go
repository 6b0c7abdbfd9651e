package rules

import (
	"regexp"
	"testing"
)

func TestWordMatcherAgreesWithRegexp(t *testing.T) {
	patterns := []string{
		`(?i)\b(vp|vice president|director|head|chief|cto)\b`,
		`(?i)\b(?:student|intern)\b`,
		`(?i)\bintern\b`,
		`(?i)\b( vp|c-level|_x)\b`,
	}
	texts := []string{"", "VP", "vp of sales", "SVP", "Vice President", "vice  president", "head-of-growth",
		"Headcount", "the_cto", "cto_", "CTO.", "chief", "Chiefs", "x vp", "a  vp", "c-level", "C-LEVEL exec", "_x",
		"ſtudent", "\u212aelvin intern", "interns", "intern", "(intern)", "vice preſident", "\xff vp", "vp\x00"}
	for _, p := range patterns {
		w := newWordMatcher(p)
		if w == nil {
			t.Fatalf("%s: not taken", p)
		}
		w.re = regexp.MustCompile(p)
		for _, s := range texts {
			if got, want := w.match(s), w.re.MatchString(s); got != want {
				t.Errorf("%s on %q: got %v, regexp says %v", p, s, got, want)
			}
		}
	}
	for _, p := range []string{`(?i)\b(vp|dir.ctor)\b`, `\b(vp)\b`, `(?i)\b(vp|)\b`, `(?i)(vp)`, `(?i)\b(vp)\b+`} {
		if newWordMatcher(p) != nil {
			t.Errorf("%s: taken, but it is not a plain alternation of words", p)
		}
	}
}

// FuzzWordMatcher checks the matcher against Go's regexp on any words and
// any text.
func FuzzWordMatcher(f *testing.F) {
	f.Add("vp|vice president|head", "Vice President of Sales")
	f.Add("student|intern", "ſtudent")
	f.Add("c-level| x", "a x")
	f.Fuzz(func(t *testing.T, words, text string) {
		p := `(?i)\b(` + words + `)\b`
		w := newWordMatcher(p)
		if w == nil {
			return
		}
		w.re = regexp.MustCompile(p)
		if got, want := w.match(text), w.re.MatchString(text); got != want {
			t.Fatalf("%s on %q: got %v, regexp says %v", p, text, got, want)
		}
	})
}

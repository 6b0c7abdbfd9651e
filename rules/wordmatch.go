package rules

import (
	"regexp"
	"strings"
)

// wordMatcher decides `text matches "(?i)\b(vp|vice president|head)\b"`,
// the shape rule files use for titles, without the regexp machinery: some
// word of the alternation, in any case, between word boundaries. It covers
// ASCII text only; a text with any other byte goes to the regexp, whose
// case folding reaches beyond ASCII (the Kelvin sign folds to k).
type wordMatcher struct {
	alts  []string // lower case
	first [256]bool
	re    *regexp.Regexp
}

// wordPatternRE is the shape of pattern wordMatcher covers: (?i), a word
// boundary, one word or a group of words separated by |, a word boundary.
var wordPatternRE = regexp.MustCompile(`^\(\?i\)\\b(?:\((?:\?:)?([A-Za-z0-9 _-]+(?:\|[A-Za-z0-9 _-]+)*)\)|([A-Za-z0-9 _-]+))\\b$`)

// newWordMatcher returns a matcher for pattern, or nil when the pattern
// has another shape.
func newWordMatcher(pattern string) *wordMatcher {
	m := wordPatternRE.FindStringSubmatch(pattern)
	if m == nil {
		return nil
	}
	words := m[1]
	if words == "" {
		words = m[2]
	}
	w := &wordMatcher{}
	for _, a := range strings.Split(words, "|") {
		a = strings.ToLower(a)
		w.alts = append(w.alts, a)
		w.first[a[0]] = true
		if c := a[0]; 'a' <= c && c <= 'z' {
			w.first[c-'a'+'A'] = true
		}
	}
	return w
}

// match reports whether s matches the pattern.
func (w *wordMatcher) match(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return w.re.MatchString(s)
		}
	}
	for i := 0; i < len(s); i++ {
		if !w.first[s[i]] || !wordBoundary(s, i) {
			continue
		}
		for _, a := range w.alts {
			if end := i + len(a); end <= len(s) && asciiEqualLower(s[i:end], a) && wordBoundary(s, end) {
				return true
			}
		}
	}
	return false
}

// wordBoundary is \b at byte i of ASCII text: a word character (letter,
// digit, underscore) on one side and not on the other.
func wordBoundary(s string, i int) bool {
	before := i > 0 && isWordByte(s[i-1])
	after := i < len(s) && isWordByte(s[i])
	return before != after
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// asciiEqualLower reports whether s, in lower case, is lower.
func asciiEqualLower(s, lower string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

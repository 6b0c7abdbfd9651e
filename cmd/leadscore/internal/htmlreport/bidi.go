package htmlreport

import (
	"html/template"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/bidi"
)

// Names on a page come from rule files, CRM exports and file names, so they
// may hold right-to-left words (a campaign named in Hebrew or Arabic) or
// the invisible characters that reorder text (U+202E turns what follows it
// around, up to the end of the paragraph). Left alone, either can make the
// numbers beside a name read wrongly: "‮Q4 webinar 120" could show 021.
// Each run of words that holds such characters is therefore set apart
// (isolated) from the sentence around it, with its own reordering
// characters balanced, so it can only change how it shows itself.

// isolateHTML escapes s for HTML and wraps each run that needs it in <bdi>.
func isolateHTML(s string) template.HTML {
	var b strings.Builder
	isolateRuns(s, func(text string, isolated bool) {
		if isolated {
			b.WriteString("<bdi>")
			b.WriteString(template.HTMLEscapeString(text))
			b.WriteString("</bdi>")
			return
		}
		b.WriteString(template.HTMLEscapeString(text))
	})
	return template.HTML(b.String())
}

// isolateText wraps each run that needs it in U+2068 FIRST STRONG ISOLATE
// and U+2069 POP DIRECTIONAL ISOLATE, for text that cannot hold elements:
// the page's <title>, SVG labels and tooltips.
func isolateText(s string) string {
	var b strings.Builder
	isolateRuns(s, func(text string, isolated bool) {
		if isolated {
			b.WriteString("\u2068")
			b.WriteString(text)
			b.WriteString("\u2069")
			return
		}
		b.WriteString(text)
	})
	return b.String()
}

// tokenKind is how a space-separated word of a name affects the order
// around it.
type tokenKind int

const (
	neutral   tokenKind = iota // numbers: take the order around them
	separator                  // punctuation alone ("·", "|", "—"): ends a run
	leftToRight
	rightToLeft // right-to-left letters or reordering characters
)

// isolateRuns splits s into runs and calls emit for each, in order: a run
// of words is isolated when it starts and ends with a right-to-left word
// (numbers between stay with it, so "קמפיין 2026 חורף" keeps its order; a
// left-to-right word or punctuation alone, such as "·", ends it). Within an isolated run, a closing
// reordering character without its opener is dropped and openers left
// open are closed, so nothing the run opens reaches past it.
func isolateRuns(s string, emit func(text string, isolated bool)) {
	if !needsIsolation(s) {
		emit(s, false)
		return
	}
	type token struct {
		start, end int
		kind       tokenKind
	}
	var tokens []token
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && !spaceAt(s, j) {
			_, n := utf8.DecodeRuneInString(s[j:])
			j += n
		}
		if j > i {
			tokens = append(tokens, token{i, j, kindOf(s[i:j])})
		}
		for j < len(s) && spaceAt(s, j) {
			_, n := utf8.DecodeRuneInString(s[j:])
			j += n
		}
		i = j
	}
	at := 0
	for k := 0; k < len(tokens); k++ {
		if tokens[k].kind != rightToLeft {
			continue
		}
		last := k
		for m := k + 1; m < len(tokens) && tokens[m].kind != leftToRight; m++ {
			if tokens[m].kind == separator {
				break // "·", "|", "—" part names: each keeps its own numbers
			}
			if tokens[m].kind == rightToLeft {
				last = m
			}
		}
		start, end := tokens[k].start, tokens[last].end
		if start > at {
			emit(s[at:start], false)
		}
		emit(balance(s[start:end]), true)
		at = end
		k = last
	}
	if at < len(s) {
		emit(s[at:], false)
	}
}

// spaceAt reports whether s holds a space (any, the no-break one too) at i.
func spaceAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}

// needsIsolation reports whether s holds a right-to-left letter, an
// Arabic digit or a reordering character.
func needsIsolation(s string) bool {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if reorders(r) {
			return true
		}
		i += n
	}
	return false
}

func kindOf(word string) tokenKind {
	kind, digits := neutral, false
	for _, r := range word {
		if reorders(r) {
			return rightToLeft
		}
		if p, _ := bidi.LookupRune(r); p.Class() == bidi.L {
			kind = leftToRight
		}
		digits = digits || unicode.IsDigit(r)
	}
	if kind == neutral && !digits {
		return separator
	}
	return kind
}

// reorders reports whether r is a right-to-left letter (Hebrew, Arabic and
// the like), an Arabic-Indic digit, or a character that reorders text.
func reorders(r rune) bool {
	if r < utf8.RuneSelf {
		return false
	}
	p, _ := bidi.LookupRune(r)
	switch p.Class() {
	case bidi.R, bidi.AL, bidi.AN,
		bidi.LRE, bidi.RLE, bidi.LRO, bidi.RLO, bidi.PDF,
		bidi.LRI, bidi.RLI, bidi.FSI, bidi.PDI:
		return true
	}
	return false
}

// balance drops closing reordering characters that close nothing opened
// within s and closes, at its end, what s leaves open.
func balance(s string) string {
	var open []rune // 'E' for an embedding or override, 'I' for an isolate
	var b strings.Builder
	for _, r := range s {
		p, _ := bidi.LookupRune(r)
		switch p.Class() {
		case bidi.LRE, bidi.RLE, bidi.LRO, bidi.RLO:
			open = append(open, 'E')
		case bidi.LRI, bidi.RLI, bidi.FSI:
			open = append(open, 'I')
		case bidi.PDF:
			if len(open) == 0 || open[len(open)-1] != 'E' {
				continue // closes nothing here: dropped
			}
			open = open[:len(open)-1]
		case bidi.PDI:
			i := len(open) - 1
			for i >= 0 && open[i] != 'I' {
				i--
			}
			if i < 0 {
				continue // closes nothing here: dropped
			}
			// A PDI also closes the embeddings opened inside its isolate.
			open = open[:i]
		}
		b.WriteRune(r)
	}
	for i := len(open) - 1; i >= 0; i-- {
		if open[i] == 'E' {
			b.WriteRune('\u202C')
		} else {
			b.WriteRune('\u2069')
		}
	}
	return b.String()
}

package langserver

import (
	"strings"
	"unicode/utf16"
)

// place is where the cursor stands in a YAML document, read from the text
// alone, so that it answers while the file is half written: the keys that
// lead to the spot (["rules", "when"], ["cases", "expect", "fired"]),
// whether a key is written there rather than a value, and the word there.
type place struct {
	line   int    // 0-based
	col    int    // rune column, 0-based
	text   string // the line
	chain  []string
	atKey  bool
	before string // the line's text before the cursor
}

// placeAt reads the place at an LSP position of text.
func placeAt(text string, pos Position) *place {
	lines := strings.Split(text, "\n")
	if pos.Line < 0 || pos.Line >= len(lines) {
		return nil
	}
	for i := range lines {
		lines[i] = strings.TrimSuffix(lines[i], "\r")
	}
	line := lines[pos.Line]
	runes := []rune(line)
	col := min(runeCol(line, pos.Character), len(runes))
	p := &place{line: pos.Line, col: col, text: line, before: string(runes[:col])}

	// Keys written on the line before the cursor, by depth of flow
	// collections ({...} and [...]).
	inline, opens := lineKeys(p.before)
	// The keys of the lines above that hold this one.
	threshold := indentOf(line)
	// A "- item" line may sit at its key's own indentation.
	sameIndent := strings.HasPrefix(strings.TrimSpace(line), "-")
	if k := firstKeyCol(line); k >= 0 && len(inline) > 0 {
		threshold, sameIndent = k, false
	}
	var parents []string
	for i := pos.Line - 1; i >= 0 && (threshold > 0 || sameIndent); i-- {
		l := lines[i]
		k := firstKeyCol(l)
		if k < 0 {
			continue
		}
		if k < threshold || sameIndent && k == threshold && strings.HasSuffix(strings.TrimSpace(stripComment(l)), ":") {
			parents = append([]string{keyAt(l, k)}, parents...)
			threshold, sameIndent = k, false
		}
	}
	p.chain = append(parents, inline...)
	// A key is written here when nothing but indentation, a dash, or the
	// opening of a flow mapping or a comma in one comes before the word.
	word := strings.TrimRightFunc(p.before, isValueRune)
	rest := strings.TrimSpace(word)
	switch {
	case len(opens) > 0:
		last := opens[len(opens)-1]
		p.atKey = last.brace == '{' && !strings.Contains(p.before[last.at:], ":") ||
			last.brace == '{' && strings.HasSuffix(rest, ",")
		if last.brace == '{' && strings.HasSuffix(rest, ",") {
			// a new key of the flow mapping: the keys of it so far are siblings
			p.chain = p.chain[:max(0, len(p.chain)-1)]
		}
	case len(inline) == 0:
		p.atKey = rest == "" || rest == "-" && len(parents) > 0 && !isListKey(parents[len(parents)-1])
	}
	return p
}

// isListKey names the keys whose items are values, not mappings.
func isListKey(k string) bool {
	switch k {
	case "contradicts", "resets", "fired", "not_fired", "gates", "event", "event_types", "include", "tags":
		return true
	}
	return false
}

type flowOpen struct {
	brace rune
	at    int // byte offset just after it
}

// lineKeys returns the keys written in s, outside quotes, the innermost
// last (one per depth of flow collection still open), and the flow
// collections still open at its end.
func lineKeys(s string) ([]string, []flowOpen) {
	var keys []string
	var depthOf []int // the depth of each key
	var opens []flowOpen
	quote := rune(0)
	start := -1 // where the current plain word starts
	for i, r := range s {
		if quote != 0 {
			if r == quote {
				quote = 0
			}
			continue
		}
		switch {
		case r == '#' && (i == 0 || s[i-1] == ' '):
			return keys, opens
		case r == '"' || r == '\'':
			quote = r
		case r == '{' || r == '[':
			opens = append(opens, flowOpen{r, i + 1})
		case r == '}' || r == ']':
			if len(opens) > 0 {
				opens = opens[:len(opens)-1]
			}
			for len(depthOf) > 0 && depthOf[len(depthOf)-1] > len(opens) {
				keys, depthOf = keys[:len(keys)-1], depthOf[:len(depthOf)-1]
			}
		case r == ':' && start >= 0 && (i+1 == len(s) || s[i+1] == ' '):
			for len(depthOf) > 0 && depthOf[len(depthOf)-1] >= len(opens) {
				keys, depthOf = keys[:len(keys)-1], depthOf[:len(depthOf)-1]
			}
			keys = append(keys, s[start:i])
			depthOf = append(depthOf, len(opens))
		}
		if isKeyRune(r) {
			if start < 0 {
				start = i
			}
		} else {
			start = -1
		}
	}
	return keys, opens
}

func isKeyRune(r rune) bool {
	return r == '_' || r == '-' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// isValueRune is a character of a name, a rule id or a duration.
func isValueRune(r rune) bool { return isKeyRune(r) }

func indentOf(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

// firstKeyCol is the byte column of the key a line starts with (after any
// "- "), or -1 when it starts with none.
func firstKeyCol(l string) int {
	i := indentOf(l)
	for strings.HasPrefix(l[i:], "- ") {
		i += 2
		for i < len(l) && l[i] == ' ' {
			i++
		}
	}
	j := i
	for j < len(l) && isKeyRune(rune(l[j])) {
		j++
	}
	if j == i || j >= len(l) || l[j] != ':' || j+1 < len(l) && l[j+1] != ' ' {
		return -1
	}
	return i
}

func keyAt(l string, k int) string {
	j := k
	for j < len(l) && isKeyRune(rune(l[j])) {
		j++
	}
	return l[k:j]
}

func stripComment(l string) string {
	if i := strings.Index(l, " #"); i >= 0 {
		return l[:i]
	}
	return l
}

// last is the innermost key, or "".
func (p *place) last() string {
	if len(p.chain) == 0 {
		return ""
	}
	return p.chain[len(p.chain)-1]
}

// inExpression tells whether the cursor is in an expression: a when:, a
// total: or a define.
func (p *place) inExpression() bool {
	if p.atKey && len(p.chain) < 2 {
		return false
	}
	switch k := p.last(); {
	case k == "when" || k == "total":
		return true
	case len(p.chain) == 2 && p.chain[0] == "define":
		return !p.atKey
	}
	return false
}

// word returns the word before the cursor made of runes for which in is
// true, and the range it covers.
func (p *place) word(in func(rune) bool) (string, Range) {
	runes := []rune(p.before)
	i := len(runes)
	for i > 0 && in(runes[i-1]) {
		i--
	}
	return string(runes[i:]), Range{
		Start: Position{p.line, utf16Len(runes[:i])},
		End:   Position{p.line, utf16Len(runes)},
	}
}

// wordAround returns the whole word under the cursor (before and after
// it), its rune offset in the line and its range.
func (p *place) wordAround(in func(rune) bool) (string, int, Range) {
	runes := []rune(p.text)
	i, j := p.col, p.col
	for i > 0 && in(runes[i-1]) {
		i--
	}
	for j < len(runes) && in(runes[j]) {
		j++
	}
	return string(runes[i:j]), i, Range{
		Start: Position{p.line, len(utf16.Encode(runes[:i]))},
		End:   Position{p.line, len(utf16.Encode(runes[:j]))},
	}
}

func isIdentRune(r rune) bool {
	return r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

package dsl

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// This file finds where a YAML mistake is, and says what it is in words.
// The YAML parser's own messages name the start of the construct it was
// reading (often the enclosing mapping, lines above) in terms of its
// grammar ("did not find expected key"). Most mistakes in rule files are a
// handful of shapes around expressions, which these functions recognise
// on the line where the file stops being YAML.

// normalizeBreaks turns every line break YAML reads as one (CR LF, a lone
// CR, NEL) into LF, so that the lines this package counts and shows are
// YAML's lines, and comments carry no stray CR. YAML reads the values of
// the file the same either way.
func normalizeBreaks(src []byte) []byte {
	if !bytes.ContainsRune(src, '\r') && !bytes.Contains(src, []byte("\u0085")) {
		return src
	}
	src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	src = bytes.ReplaceAll(src, []byte("\r"), []byte("\n"))
	return bytes.ReplaceAll(src, []byte("\u0085"), []byte("\n"))
}

// splitLines splits a file into the lines that snippets show: line breaks
// normalised, bytes that are not UTF-8 shown as U+FFFD.
func splitLines(src []byte) []string {
	lines := strings.Split(string(normalizeBreaks(src)), "\n")
	for i, l := range lines {
		if !utf8.ValidString(l) {
			lines[i] = strings.ToValidUTF8(l, "\uFFFD")
		}
	}
	return lines
}

// decodeYAML decodes the first YAML document of a file. It returns the
// decoder (to look for more documents), or a diagnostic at the mistake
// when the file is not UTF-8 text or not YAML; io.EOF for an empty file.
func decodeYAML(file string, src []byte, lines []string) (*yaml.Node, *yaml.Decoder, *Diagnostic, error) {
	src = normalizeBreaks(src)
	if d := encodingError(file, src, lines); d != nil {
		return nil, nil, d, nil
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&root); err != nil {
		if err == io.EOF {
			return nil, nil, nil, err
		}
		return nil, nil, yamlSyntaxError(file, lines, err), nil
	}
	return &root, dec, nil, nil
}

// encodingError reports a file that is not UTF-8 text, at the first byte
// that is not.
func encodingError(file string, src []byte, lines []string) *Diagnostic {
	if utf8.Valid(src) && bytes.IndexByte(src, 0) < 0 {
		return nil
	}
	line, start := 1, 0
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		switch {
		case r == utf8.RuneError && size <= 1, r == 0:
			pos := Pos{File: file, Line: line, Col: utf8.RuneCount(src[start:i]) + 1}
			if r == 0 {
				// A NUL byte: not a text file at all. Show none of it.
				return &Diagnostic{Pos: pos, Message: fmt.Sprintf("this is not a text file (it holds a NUL byte at line %d); a rule file is YAML text", line)}
			}
			return &Diagnostic{Pos: pos, Source: sourceLine(lines, line), Message: fmt.Sprintf(
				"the file is not valid UTF-8 at line %d; save it as UTF-8 (an editor or spreadsheet may have saved it as Latin-1 or Windows-1252)", line)}
		case r == '\n':
			line, start = line+1, i+1
		}
		i += size
	}
	return nil
}

func sourceLine(lines []string, line int) string {
	if line < 1 || line > len(lines) {
		return ""
	}
	return lines[line-1]
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// yamlSyntaxError positions a YAML syntax error at the line where the file
// stops being YAML, and explains the mistakes people make there.
func yamlSyntaxError(file string, lines []string, err error) *Diagnostic {
	msg := err.Error()
	reported := 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		msg = m[2]
		reported, _ = strconv.Atoi(m[1])
	}
	generic := "YAML syntax error: " + msg + " (check the indentation and the colons on this line and the one before)"
	line := brokenLine(lines, reported)
	if line == 0 {
		pos := Pos{File: file, Line: reported}
		if reported > 0 {
			pos.Col = 1
		}
		return &Diagnostic{Pos: pos, Message: generic, Source: sourceLine(lines, reported)}
	}
	for _, at := range []int{line, line - 1} {
		if at < 1 {
			continue
		}
		if i := strings.IndexRune(lines[at-1], '\u00a0'); i >= 0 {
			return &Diagnostic{Pos: Pos{File: file, Line: at, Col: utf8.RuneCountInString(lines[at-1][:i]) + 1}, Source: lines[at-1], Message: "a non-breaking space (U+00A0) is here, " +
				"likely pasted from a web page or a document; YAML does not read it as a space: replace it with an ordinary space"}
		}
	}
	if at, col, explained := colonInPlainLines(lines, line); explained != "" {
		return &Diagnostic{Pos: Pos{File: file, Line: at, Col: col}, Message: explained, Source: lines[at-1]}
	}
	text := lines[line-1]
	col, explained := explainLine(lines[:line-1], text)
	if explained != "" {
		return &Diagnostic{Pos: Pos{File: file, Line: line, Col: col}, Message: explained, Source: text}
	}
	if p, col := commentAbove(lines, line); p > 0 {
		key := "when"
		if v, _ := valueOf(lines[p-1]); v.key > 0 && lines[p-1][v.key] == ':' {
			key = strings.TrimSpace(strings.TrimLeft(lines[p-1][:v.key], " -"))
		}
		return &Diagnostic{Pos: Pos{File: file, Line: p, Col: col}, Source: lines[p-1], Message: fmt.Sprintf("# starts a YAML comment, "+
			"so the value ends before it and YAML cannot read the line below; to keep the # in an expression, write the expression as a block (%s: | and the expression on the lines below)", key)}
	}
	return &Diagnostic{Pos: Pos{File: file, Line: line, Col: firstNonBlank(text)}, Message: generic, Source: text}
}

// commentAbove finds a comment that ended a value which was meant to go on
// at the broken line: the line above it ends in " # ...", and without the
// # the two lines decode. It returns the 1-based line and column of the #.
func commentAbove(lines []string, line int) (int, int) {
	p := line - 1
	for p > 0 && strings.TrimSpace(lines[p-1]) == "" {
		p--
	}
	if p == 0 {
		return 0, 0
	}
	above := lines[p-1]
	i := indentOf(above)
	c := commentStart(above[i:])
	if c <= 0 {
		return 0, 0
	}
	c += i
	fixed := append(append([]string{}, lines[:p-1]...), above[:c]+above[c+1:])
	if !isYAML(append(fixed, lines[p:line]...)) {
		return 0, 0
	}
	return p, len([]rune(above[:c])) + 1
}

// isYAML reports whether the lines, joined, decode as YAML.
func isYAML(lines []string) bool {
	var n yaml.Node
	err := yaml.Unmarshal([]byte(strings.Join(lines, "\n")), &n)
	return err == nil || errors.Is(err, io.EOF)
}

// maxProbes bounds the decodes brokenLine spends on one error.
const maxProbes = 64

// brokenLine returns the 1-based line at which the file stops being YAML:
// the lines above it decode, and no longer prefix that takes it in does
// (a quoted or bracketed value that spans lines decodes once closed). It
// starts near the line the parser reported, which is at or a little before
// the mistake, and returns 0 when it cannot tell.
func brokenLine(lines []string, reported int) int {
	probes := 0
	ok := func(n int) bool { probes++; return isYAML(lines[:n]) }
	start := max(0, min(reported-2, len(lines)))
	if !ok(start) {
		start = 0
	}
	for k := start + 1; k <= len(lines); k++ {
		if probes > maxProbes {
			return 0
		}
		if ok(k) {
			continue
		}
		// Lines k.. may hold a value that spans lines: look for a longer
		// prefix that decodes, up to the next line indented no deeper.
		indent := indentOf(lines[k-1])
		recovered := 0
		for j := k + 1; j <= len(lines) && probes <= maxProbes; j++ {
			if ok(j) {
				recovered = j
				break
			}
			if t := lines[j-1]; strings.TrimSpace(t) != "" && indentOf(t) <= indent {
				break
			}
		}
		if recovered == 0 {
			return k
		}
		k = recovered
	}
	return 0
}

func indentOf(s string) int { return len(s) - len(strings.TrimLeft(s, " \t")) }

func firstNonBlank(s string) int {
	return len([]rune(s[:indentOf(s)])) + 1
}

// explainLine recognises the mistake on a line where a file stops being
// YAML, given the lines above it, and returns its column and the message;
// "" when it sees none it can explain. Each explanation is checked: the
// line, corrected as the message advises, must decode.
func explainLine(above []string, line string) (int, string) {
	if ws := line[:indentOf(line)]; strings.Contains(ws, "\t") {
		return len([]rune(ws[:strings.Index(ws, "\t")])) + 1,
			"a tab indents this line, and YAML cannot be indented with tabs; indent with spaces"
	}
	fits := func(fixed string) bool { return isYAML(append(append([]string{}, above...), fixed)) }
	if i, end := markedValue(line); i >= 0 {
		value := strings.TrimSpace(line[i:end])
		if fits(line[:i] + quoteWhole(value) + line[end:]) {
			return len([]rune(line[:i])) + 1, startsYAML(keyBefore(line[:i]), value)
		}
	}
	if col, msg := colonInValue(line, fits); msg != "" {
		return col, msg
	}
	v, ok := valueOf(line)
	if !ok {
		return 0, ""
	}
	col := len([]rune(line[:v.start])) + 1
	open := line[v.start : v.start+1]
	what := map[string]string{`"`: `the quote (")`, `'`: `the quote (')`, "[": "the list ([)", "{": "the mapping ({)"}[open]
	quoteWhole := v.suggestion(line)
	switch {
	case v.end < 0:
		closer := map[string]string{`"`: `"`, `'`: `'`, "[": "]", "{": "}"}[open]
		if !fits(strings.TrimRight(v.cut(line), " ") + closer) {
			return 0, ""
		}
		msg := fmt.Sprintf("%s that starts this value is not closed on this line, so YAML reads on into the lines below; close it with %s", what, closer)
		if open == "[" || open == "{" {
			msg += fmt.Sprintf(", or, if the %s is part of an expression, quote the whole expression", open)
		}
		return col, msg
	case v.rest != "":
		if quoteWhole == "" || !fits(quoteWhole) {
			return 0, ""
		}
		whole := "value"
		if k := v.key; k > 0 && line[k] == ':' && (strings.HasSuffix(line[:k], "when") || strings.HasSuffix(line[:k], "total")) {
			whole = "expression"
		}
		return col, fmt.Sprintf("YAML reads %s as the whole value and cannot go on with what follows it; quote the whole %s, such as: %s",
			line[v.start:v.end], whole, strings.TrimSpace(quoteWhole))
	}
	return 0, ""
}

// colonInValue explains a plain value with a colon and a space in it
// (when: title: x): YAML reads the colon as the start of another key.
func colonInValue(line string, fits func(string) bool) (int, string) {
	v, i := valueStart(line)
	if v.key < 0 || i >= len(line) || strings.ContainsRune(`"'[{|>`, rune(line[i])) {
		return 0, ""
	}
	value := line[i:]
	if c := commentStart(value); c >= 0 {
		value = value[:c]
	}
	value = strings.TrimRight(value, " ")
	colon := strings.Index(value+" ", ": ")
	if colon < 0 || !fits(line[:i]+quoteWhole(value)) {
		return 0, ""
	}
	key := keyBefore(line[:i])
	what, such := "value", quoteWhole(value)
	if key != "" {
		such = key + ": " + such
	}
	if key == "when" || key == "total" || key == "" {
		what = "expression"
	}
	return len([]rune(line[:i+colon])) + 1, fmt.Sprintf("a colon followed by a space starts a new key in YAML, so YAML cannot read this %s; put the whole %s in quotes, such as: %s", what, what, such)
}

// startsYAML explains a value that YAML reads as an alias (*) or a tag (!)
// because of its first character; key is the key it is the value of, "" for
// a list item.
func startsYAML(key, value string) string {
	what, such := "value", quoteWhole(value)
	if key != "" {
		such = key + ": " + such
	}
	if key == "when" || key == "total" {
		what = "expression"
	}
	if value[0] == '*' {
		return fmt.Sprintf("* at the start of a value makes YAML read it as an alias (a reference to an &anchor), not as text; put the %s in quotes, such as: %s", what, such)
	}
	msg := fmt.Sprintf("a value starting with ! is read by YAML as a tag, and the %s is lost; put it in quotes, such as: %s", what, such)
	if key == "when" && len(value) > 1 && (value[1] == '(' || unicode.IsLetter(rune(value[1]))) {
		msg += " (or write not " + value[1:] + ")"
	}
	return msg
}

// markedValue finds the first value on a line that starts with * or !, and
// returns its start and end offsets (its end: the end of the line or a
// comment, or in brackets or braces the , ] or } that ends it); -1 if none.
func markedValue(line string) (int, int) {
	flow := 0
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '{' || c == '[':
			flow++
		case c == '"' || c == '\'':
			if e := closeOf(line, i); e > 0 {
				i = e - 1
			}
		case c == '#' && (i == 0 || line[i-1] == ' '):
			return -1, -1
		case (c == '*' || c == '!') && valueAt(line, i):
			end, depth := len(line), 0
			for j := i; j < len(line) && end == len(line); j++ {
				switch line[j] {
				case '(':
					depth++
				case ')':
					depth--
				case ',', ']', '}':
					if flow > 0 && depth <= 0 {
						end = j
					}
				case '#':
					if line[j-1] == ' ' {
						end = j
					}
				}
			}
			return i, end
		}
	}
	return -1, -1
}

// valueAt reports whether a value can start at offset i of a line: after
// the indentation, "- ", ": ", or a , [ or { and spaces.
func valueAt(line string, i int) bool {
	before := strings.TrimRight(line[:i], " ")
	return before == "" || strings.HasSuffix(before, "-") && len(before) < len(line[:i]) ||
		strings.HasSuffix(before, ":") && len(before) < len(line[:i]) || strings.HasSuffix(before, ",") ||
		strings.HasSuffix(before, "[") || strings.HasSuffix(before, "{")
}

// keyBefore returns the key whose value starts at the end of prefix (the
// text of its line before it), or "" for a list item.
func keyBefore(prefix string) string {
	if m := keyBeforeRE.FindStringSubmatch(prefix); m != nil {
		return m[1]
	}
	return ""
}

var keyBeforeRE = regexp.MustCompile(`([^\s{},\[\]:-][^\s{},\[\]:]*):\s*$`)

// lineValue is where a value on a line starts with a quote or a bracket.
type lineValue struct {
	start int    // byte offset of the opening quote or bracket
	end   int    // byte offset just past its closing one; -1 if not on the line
	rest  string // what follows the closing one, before a comment
	key   int    // byte offset of the key's ": " (or of "- "), -1 if none
}

// valueOf finds the value of a block "key: value" or "- value" line that
// starts with a quote, [ or {.
func valueOf(line string) (lineValue, bool) {
	v, i := valueStart(line)
	if i >= len(line) || !strings.ContainsRune(`"'[{`, rune(line[i])) {
		return v, false
	}
	v.start, v.end = i, closeOf(line, i)
	if v.end > 0 {
		rest := strings.TrimSpace(line[v.end:])
		if c := commentStart(rest); c >= 0 {
			rest = strings.TrimSpace(rest[:c])
		}
		v.rest = rest
	}
	return v, true
}

// valueStart returns the offset at which the value of a block "key: value"
// or "- value" line starts, with the offset of its key's ": " in v.key.
func valueStart(line string) (v lineValue, i int) {
	i = indentOf(line)
	v = lineValue{key: -1}
	for strings.HasPrefix(line[i:], "- ") {
		v.key = i
		i += 2
		for i < len(line) && line[i] == ' ' {
			i++
		}
	}
	if k := keyEnd(line[i:]); k > 0 {
		v.key = i + k
		i += k + 2
		for i < len(line) && line[i] == ' ' {
			i++
		}
	}
	return v, i
}

// keyEnd returns the offset of the ": " that ends a plain key at the start
// of s, or -1.
func keyEnd(s string) int {
	if s == "" || strings.ContainsRune(`"'[{#&*!|>%@`+"`", rune(s[0])) {
		return -1
	}
	for i := 0; i+1 < len(s); i++ {
		switch {
		case s[i] == ':' && s[i+1] == ' ':
			return i
		case s[i] == ' ' && s[i+1] == '#':
			return -1
		}
	}
	return -1
}

// closeOf returns the offset just past the quote or bracket that closes the
// one at i, or -1 when the line ends first.
func closeOf(s string, i int) int {
	switch s[i] {
	case '"':
		for j := i + 1; j < len(s); j++ {
			switch s[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
	case '\'':
		for j := i + 1; j < len(s); j++ {
			if s[j] == '\'' {
				if j+1 < len(s) && s[j+1] == '\'' {
					j++
					continue
				}
				return j + 1
			}
		}
	default:
		depth := 0
		for j := i; j < len(s); j++ {
			switch s[j] {
			case '[', '{':
				depth++
			case ']', '}':
				if depth--; depth == 0 {
					return j + 1
				}
			case '"', '\'':
				if e := closeOf(s, j); e > 0 {
					j = e - 1
				} else {
					return -1
				}
			}
		}
	}
	return -1
}

// commentStart returns the offset of a " #" comment outside quotes in s,
// or of a # at its start; -1 if none.
func commentStart(s string) int {
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return i
		case s[i] == '"' || s[i] == '\'':
			if e := closeOf(s, i); e > 0 {
				i = e - 1
			} else {
				return -1
			}
		}
	}
	return -1
}

// cut returns the line up to the end of the value, without a comment.
func (v lineValue) cut(line string) string {
	if c := commentStart(line[v.start:]); c > 0 {
		return line[:v.start+c]
	}
	return line
}

// suggestion returns the line with its whole value in single quotes, or ""
// when the value is not on the line (it ends in a flow collection).
func (v lineValue) suggestion(line string) string {
	value := strings.TrimSpace(v.cut(line)[v.start:])
	if value == "" {
		return ""
	}
	return line[:v.start] + quoteWhole(value)
}

// quoteWhole quotes a value for YAML as it would be written by hand: in
// single quotes, or in double quotes when it holds single quotes only.
func quoteWhole(value string) string {
	if strings.Contains(value, "'") && !strings.ContainsAny(value, "\\\"") {
		return `"` + value + `"`
	}
	return "'" + strings.ReplaceAll(value, "'", "''") + "'"
}

// commentCut reports an expression that a YAML comment cut short: a plain
// scalar followed, on its line, by " #" and text that was meant as part of
// it (the expression left is unfinished). It returns the position of the
// # and the message, or "" when the expression stands as written.
func commentCut(n *yaml.Node, e *Expr, lines []string, key string) (Pos, string) {
	if n.Style != 0 || n.LineComment == "" || !unfinished(n.Value) {
		return Pos{}, ""
	}
	end := e.PosAt(len([]rune(e.Text)))
	line := sourceLine(lines, end.Line)
	runes := []rune(line)
	col := -1
	for i := max(0, end.Col-1); i < len(runes); i++ {
		if runes[i] == '#' {
			col = i
			break
		}
	}
	if col < 0 || !strings.HasPrefix(string(runes[col:]), n.LineComment) {
		return Pos{}, ""
	}
	whole := strings.TrimSpace(n.Value + " " + n.LineComment)
	if strings.Contains(n.Value, "\n") {
		return Pos{File: end.File, Line: end.Line, Col: col + 1}, fmt.Sprintf(
			"# starts a YAML comment, so the expression ends before it, unfinished; to keep the # in the expression, write the expression as a block (%s: | and the expression on the lines below)", key)
	}
	return Pos{File: end.File, Line: end.Line, Col: col + 1}, fmt.Sprintf(
		"# starts a YAML comment: YAML reads the rest of the line as a comment, and the expression stops before it, unfinished; to keep the #, quote the whole expression, such as: %s: %s",
		key, quoteWhole(whole))
}

// openText returns the offset (in runes) of the quote that opens a text an
// expression leaves unclosed, or -1.
func openText(text string) int {
	runes := []rune(text)
	for i := 0; i < len(runes); i++ {
		c := runes[i]
		if c != '"' && c != '\'' && c != '`' {
			continue
		}
		j := i + 1
		for ; j < len(runes) && runes[j] != c; j++ {
			if runes[j] == '\\' && c != '`' {
				j++
			}
		}
		if j >= len(runes) {
			return i
		}
		i = j
	}
	return -1
}

// unfinished reports whether an expression's text is cut short: a string or
// a bracket left open, or an operator or comma at its end.
func unfinished(text string) bool {
	depth := 0
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case '"', '\'', '`':
			j := i + 1
			for ; j < len(text) && text[j] != c; j++ {
				if text[j] == '\\' && c != '`' {
					j++
				}
			}
			if j >= len(text) {
				return true
			}
			i = j
		}
	}
	if depth > 0 {
		return true
	}
	t := strings.TrimSpace(text)
	for _, op := range []string{",", "(", "&&", "||", "==", "!=", "<", ">", "+", "-", "*", "/", "%", "!", "?", ":", "..", "^"} {
		if strings.HasSuffix(t, op) {
			return true
		}
	}
	fields := strings.Fields(t)
	if len(fields) < 2 {
		return false
	}
	switch fields[len(fields)-1] {
	case "and", "or", "not", "in", "matches", "contains", "startsWith", "endsWith":
		return true
	}
	return false
}

// plainKeyRE is a key whose plain value starts on its line (when: x > 1),
// as a mapping key or the first key of a list item.
var plainKeyRE = regexp.MustCompile(`^(\s*(?:- +)*)([\w.-]+):[ ]+([^\s"'\[{|>&*!#].*)$`)

// keyLineRE is a line that starts with a key.
var keyLineRE = regexp.MustCompile(`^\s*[\w.-]+:( |$)`)

// colonInPlainLines explains a colon and a space in a plain value that
// runs over several lines (when: a and, then b: c on the next): the
// value is quoted on none of its lines, so the advice is a block, which
// keeps the lines joined as YAML joined them. It returns the line and
// column of the colon and the message, or "" when the broken line is no
// such value or the block would not decode.
func colonInPlainLines(lines []string, broken int) (int, int, string) {
	start := 0
	if plainKeyRE.MatchString(lines[broken-1]) {
		start = broken
	} else {
		indent := indentOf(lines[broken-1])
		for k := broken - 1; k >= 1; k-- {
			if strings.TrimSpace(lines[k-1]) == "" {
				continue
			}
			if indentOf(lines[k-1]) < indent {
				start = k
				break
			}
		}
	}
	if start == 0 {
		return 0, 0, ""
	}
	m := plainKeyRE.FindStringSubmatchIndex(lines[start-1])
	if m == nil {
		return 0, 0, ""
	}
	first := lines[start-1]
	if key := first[m[4]:m[5]]; key != "when" && key != "total" {
		return 0, 0, "" // an expression; a key indented too deep is not
	}
	keyCol := m[4] // byte offset of the key
	end := start
	for end < len(lines) && strings.TrimSpace(lines[end]) != "" && indentOf(lines[end]) > keyCol &&
		!strings.HasPrefix(strings.TrimSpace(lines[end]), "#") {
		end++
	}
	if end == start || broken > end {
		return 0, 0, ""
	}
	// The colon: on the first line in its value, or at the start of a
	// continuation line's text.
	at, col := 0, 0
	if c := strings.Index(first[m[6]:]+" ", ": "); c >= 0 {
		at, col = start, len([]rune(first[:m[6]+c]))+1
	}
	for k := start + 1; at == 0 && k <= end; k++ {
		if c := strings.Index(lines[k-1]+" ", ": "); c >= 0 {
			if keyLineRE.MatchString(lines[k-1]) {
				return 0, 0, "" // a key indented too deep
			}
			at, col = k, len([]rune(lines[k-1][:c]))+1
		}
	}
	if at == 0 {
		return 0, 0, ""
	}
	key := first[m[4]:m[5]]
	pad := strings.Repeat(" ", keyCol+2)
	fixed := append(append([]string{}, lines[:start-1]...), first[:m[5]]+": >")
	fixed = append(fixed, pad+first[m[6]:])
	for k := start + 1; k <= end; k++ {
		fixed = append(fixed, pad+strings.TrimSpace(lines[k-1]))
	}
	if !isYAML(fixed) {
		return 0, 0, ""
	}
	return at, col, fmt.Sprintf("a colon followed by a space starts a new key in YAML, so YAML cannot read this expression, which runs over %d lines (%d to %d); write it as a block: %s: > and the expression on the lines below it, indented, which YAML joins as it did these lines", end-start+1, start, end, key)
}

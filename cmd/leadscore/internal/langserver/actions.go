package langserver

import (
	"fmt"
	"regexp"
	"strings"
)

// codeAction is an LSP code action: a quick fix with its edit.
type codeAction struct {
	Title       string         `json:"title"`
	Kind        string         `json:"kind"`
	Diagnostics []Diagnostic   `json:"diagnostics,omitempty"`
	IsPreferred bool           `json:"isPreferred,omitempty"`
	Edit        *workspaceEdit `json:"edit,omitempty"`
}

// workspaceEdit is the edits of a quick fix, by document URI.
type workspaceEdit struct {
	Changes map[string][]textEdit `json:"changes"`
}

// codeActionParams asks for the fixes of the editor's diagnostics in a
// range.
type codeActionParams struct {
	TextDocument struct {
		URI string `json:"uri"`
	} `json:"textDocument"`
	Range   Range `json:"range"`
	Context struct {
		Diagnostics []Diagnostic `json:"diagnostics"`
	} `json:"context"`
}

var (
	didYouMean   = regexp.MustCompile(`did you mean "([^"]+)"\?`)
	monthsOr     = regexp.MustCompile(`write ([0-9.]+mo) for months .* or ([0-9.]+min) for minutes`)
	lowerCase    = regexp.MustCompile(`^write (and|or|not) \(or [&|!]+\) in lower case`)
	notOperator  = regexp.MustCompile(`^"([^"]+)" is not an operator; write (==|!=|>=|<=|>|<|contains|not in, two words,) for `)
	unknownName  = regexp.MustCompile(`^unknown name "([A-Za-z_][A-Za-z0-9_.]*)"`)
	comparedWith = regexp.MustCompile(`^\s*(==|!=|<=|>=|<|>|in|matches|contains|startsWith|endsWith)\s*(\S?)`)
)

// codeActions are the quick fixes for the editor's diagnostics of our
// own in the range: each did-you-mean, a single = made ==, AND, OR and
// NOT in lower case, a word of another language of conditions (is, gt,
// includes) made the operator meant, a month written 6m made 6mo (or 6min), an expression YAML
// cut short put in quotes, and a name no field has added to fields.
func (s *server) codeActions(params codeActionParams) []codeAction {
	out := []codeAction{}
	file, doc, ok := s.openDoc(params.TextDocument.URI)
	if !ok {
		return out
	}
	lines := strings.Split(doc.Text, "\n")
	uri := params.TextDocument.URI
	for _, d := range params.Context.Diagnostics {
		if d.Source != "leadscore" || d.Range.Start.Line < 0 || d.Range.Start.Line >= len(lines) || d.Range.Start.Line != d.Range.End.Line {
			continue
		}
		line := strings.TrimSuffix(lines[d.Range.Start.Line], "\r")
		runes := []rune(line)
		from, to := runeCol(line, d.Range.Start.Character), runeCol(line, d.Range.End.Character)
		if from > to || to > len(runes) {
			continue
		}
		word := string(runes[from:to])
		fix := func(title, newText string, preferred bool) {
			out = append(out, codeAction{Title: title, Kind: "quickfix", Diagnostics: []Diagnostic{d}, IsPreferred: preferred,
				Edit: &workspaceEdit{Changes: map[string][]textEdit{uri: {{Range: d.Range, NewText: newText}}}}})
		}
		msg := d.Message
		switch {
		case strings.HasPrefix(msg, "a single = does not compare") && word == "=":
			fix("Change = to ==", "==", true)
		case lowerCase.MatchString(msg) && lowerCase.FindStringSubmatch(msg)[1] == strings.ToLower(word) && word != strings.ToLower(word):
			fix(fmt.Sprintf("Change %s to %s", word, strings.ToLower(word)), strings.ToLower(word), true)
		case notOperator.MatchString(msg) && notOperator.FindStringSubmatch(msg)[1] == word:
			m := notOperator.FindStringSubmatch(msg)
			op := m[2]
			if op == "not in, two words," {
				op = "not in"
			}
			fix(fmt.Sprintf("Change %s to %s", word, op), op, true)
		case monthsOr.MatchString(msg):
			m := monthsOr.FindStringSubmatch(msg)
			if strings.HasSuffix(word, "m") {
				fix(fmt.Sprintf("Change %s to %s (months)", word, m[1]), m[1], true)
				fix(fmt.Sprintf("Change %s to %s (minutes)", word, m[2]), m[2], false)
			}
		case strings.Contains(msg, "quote the whole expression") || strings.Contains(msg, "put the whole expression in quotes"):
			if a, ok := quoteFix(line, d); ok {
				a.Edit.Changes = map[string][]textEdit{uri: a.Edit.Changes[""]}
				out = append(out, a)
			}
		}
		if m := didYouMean.FindStringSubmatch(msg); m != nil && word != "" && word != m[1] && strings.Contains(msg, `"`+word+`"`) {
			fix(fmt.Sprintf("Change %s to %s", word, m[1]), m[1], true)
		}
		if m := unknownName.FindStringSubmatch(msg); m != nil && m[1] == word {
			if a, ok := s.addFieldFix(file, word, string(runes[to:]), d); ok {
				out = append(out, a)
			}
		}
	}
	return out
}

// quoteFix puts the value of a key: value line in single quotes, from
// its start to the end of the line.
func quoteFix(line string, d Diagnostic) (codeAction, bool) {
	k := firstKeyCol(line)
	if k < 0 {
		return codeAction{}, false
	}
	j := strings.Index(line[k:], ": ")
	if j < 0 {
		return codeAction{}, false
	}
	start := k + j + 2
	value := strings.TrimRight(line[start:], " ")
	if value == "" || value[0] == '\'' || value[0] == '|' || value[0] == '>' {
		return codeAction{}, false
	}
	quoted := "'" + strings.ReplaceAll(value, "'", "''") + "'"
	l := d.Range.Start.Line
	r := Range{Start: Position{l, utf16Len([]rune(line[:start]))}, End: Position{l, utf16Len([]rune(line[:start+len(value)]))}}
	return codeAction{Title: "Put the expression in quotes", Kind: "quickfix", Diagnostics: []Diagnostic{d}, IsPreferred: true,
		Edit: &workspaceEdit{Changes: map[string][]textEdit{"": {{Range: r, NewText: quoted}}}}}, true
}

// addFieldFix adds a name an expression reads to the model's fields,
// above the first field, with the type its use suggests (after is the
// expression's text after the name).
func (s *server) addFieldFix(file, name, after string, d Diagnostic) (codeAction, bool) {
	p := s.project(file)
	if p.doc == nil || len(p.doc.Fields) == 0 {
		return codeAction{}, false
	}
	first := p.doc.Fields[0].Name.Pos
	if first.File == "" || first.Line < 1 {
		return codeAction{}, false
	}
	line := s.line(first.File, first.Line-1)
	if k := firstKeyCol(line); k < 0 || keyAt(line, k) != p.doc.Fields[0].Name.Value {
		return codeAction{}, false // a flow mapping: fields: {a: string}
	}
	indent := line[:indentOf(line)]
	at := Position{first.Line - 1, 0}
	edit := textEdit{Range: Range{at, at}, NewText: indent + name + ": " + guessType(after) + "\n"}
	return codeAction{Title: fmt.Sprintf("Add %s to fields", name), Kind: "quickfix", Diagnostics: []Diagnostic{d},
		Edit: &workspaceEdit{Changes: map[string][]textEdit{uriOf(first.File): {edit}}}}, true
}

// guessType is the type a name is compared as: text when compared with a
// quoted text or matched, a number when compared with one, true or false
// when it stands alone.
func guessType(after string) string {
	m := comparedWith.FindStringSubmatch(after)
	if m == nil {
		return "bool"
	}
	switch {
	case m[1] == "in" || m[1] == "matches" || m[1] == "contains" || m[1] == "startsWith" || m[1] == "endsWith":
		return "string"
	case m[2] >= "0" && m[2] <= "9" || m[2] == "-":
		if strings.Contains(strings.Fields(after[len(m[0])-1:] + " ")[0], ".") {
			return "float"
		}
		return "int"
	}
	return "string"
}

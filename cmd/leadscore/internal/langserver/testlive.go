package langserver

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/scoring/scoringtest"
)

// caseDiagnostics are the outcomes of a test file's cases as the editor
// shows them: a failing case as an error at its expect: key, with what
// it expected, what it got and why (the explanation leadscore test
// prints); a case whose lead cannot be scored as an error at its name.
func (s *server) caseDiagnostics(file, text string, fr *scoringtest.FileResult) []Diagnostic {
	if fr == nil || fr.Err != nil || len(fr.Cases) == 0 {
		return nil
	}
	tf, _ := dsl.ParseTestFile(file, []byte(text))
	if tf == nil {
		return nil
	}
	lines := strings.Split(text, "\n")
	var out []Diagnostic
	for _, tc := range tf.Cases {
		cr := caseResult(fr, tc)
		if cr == nil {
			continue
		}
		switch cr.Status {
		case scoringtest.Fail:
			var b strings.Builder
			fmt.Fprintf(&b, "case %q fails:\n", tc.Name.Value)
			for _, f := range cr.Failures {
				b.WriteString("  " + f + "\n")
			}
			if cr.Explanation != nil {
				cr.Explanation.WriteText(&b, mentionsRules(cr.Failures))
			}
			out = append(out, Diagnostic{Range: expectKey(lines, tc), Severity: 1, Source: "leadscore", Message: strings.TrimRight(b.String(), "\n")})
		case scoringtest.Error:
			r := s.span(tc.Name.Pos, len([]rune(tc.Name.Value))).Range
			out = append(out, Diagnostic{Range: r, Severity: 1, Source: "leadscore", Message: fmt.Sprintf("case %q cannot be scored: %s", tc.Name.Value, cr.Error)})
		}
	}
	return out
}

// mentionsRules tells whether failures are about particular rules, so
// that the explanation lists the rules that did not fire too (as
// leadscore test does).
func mentionsRules(failures []string) bool {
	for _, f := range failures {
		if strings.HasPrefix(f, "fired:") || strings.HasPrefix(f, "not_fired:") || strings.HasPrefix(f, "gates:") {
			return true
		}
	}
	return false
}

// expectKey is the range of a case's expect: key; of its name when the
// case has no expect:.
func expectKey(lines []string, tc *dsl.TestCase) Range {
	last := tc.Expect.Pos.Line
	if last == 0 {
		last = len(lines)
	}
	for i := max(tc.Pos.Line-1, 0); i < last && i < len(lines); i++ {
		l := strings.TrimSuffix(lines[i], "\r")
		if j := strings.Index(l, "expect:"); j >= 0 && (j == 0 || l[j-1] == ' ') {
			runes := []rune(l[:j])
			return Range{Start: Position{i, utf16Len(runes)}, End: Position{i, utf16Len(runes) + len("expect")}}
		}
	}
	p := tc.Name.Pos
	return Range{Start: Position{max(p.Line-1, 0), 0}, End: Position{max(p.Line-1, 0), 0}}
}

// inlayHint is a note the editor shows inside a line.
type inlayHint struct {
	Position    Position `json:"position"`
	Label       string   `json:"label"`
	PaddingLeft bool     `json:"paddingLeft"`
}

// inlayHints are the outcomes of the test file's cases as last run, at
// the end of each case's name line ("✓ passes: stage mql, total 30"),
// and the coverage of the model's outcomes at the end of the model: line.
func (s *server) inlayHints(uri string) []inlayHint {
	out := []inlayHint{}
	file, err := pathOf(uri)
	if err != nil {
		return out
	}
	doc, ok := s.docs[file]
	fr := s.runs[file]
	if !ok || fr == nil || fr.Err != nil {
		return out
	}
	tf, _ := dsl.ParseTestFile(file, []byte(doc.Text))
	if tf == nil {
		return out
	}
	lines := strings.Split(doc.Text, "\n")
	end := func(line int) Position {
		return Position{line, utf16Len([]rune(strings.TrimSuffix(lines[line], "\r")))}
	}
	if c := fr.Coverage; c != nil && tf.Model.Pos.Line >= 1 && tf.Model.Pos.Line <= len(lines) {
		covered, total := c.Counts()
		out = append(out, inlayHint{end(tf.Model.Pos.Line - 1), fmt.Sprintf("cases cover %d of the model's %d outcomes (%.0f%%; leadscore test --coverage lists the rest)", covered, total, c.Percent()), true})
	}
	for _, tc := range tf.Cases {
		cr := caseResult(fr, tc)
		l := tc.Name.Pos.Line - 1
		if cr == nil || l < 0 || l >= len(lines) {
			continue
		}
		label := ""
		switch cr.Status {
		case scoringtest.Pass:
			label = "✓ passes"
			if r := cr.Result; r != nil {
				stage := r.Stage
				if stage == "" {
					stage = "none"
				}
				label += fmt.Sprintf(": stage %s, total %s", stage, strconv.FormatFloat(r.Total, 'f', -1, 64))
			}
		case scoringtest.Fail:
			label = "✗ fails"
		case scoringtest.Pending:
			label = "pending"
		case scoringtest.Error:
			label = "✗ cannot be scored"
		}
		out = append(out, inlayHint{end(l), label, true})
	}
	return out
}

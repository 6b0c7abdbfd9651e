package langserver

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring/scoringtest"
)

// hoverResult is an LSP hover: markdown, over the range of the name.
type hoverResult struct {
	Contents markup `json:"contents"`
	Range    *Range `json:"range,omitempty"`
}

// hover says what the name under the cursor is; in a test file, on a
// case's name or its expect:, what the case's lead scored beside what the
// case expects. nil when there is nothing to say.
func (s *server) hover(params positionParams) *hoverResult {
	p, pl, ok := s.at(params)
	if !ok || p.doc == nil {
		return nil
	}
	if sym := p.symbolAt(pl); sym != nil {
		if text := p.describe(sym); text != "" {
			r := sym.rng
			return &hoverResult{Contents: markup{"markdown", text}, Range: &r}
		}
	}
	if p.test != nil {
		if tc := p.caseAt(pl); tc != nil {
			return &hoverResult{Contents: markup{"markdown", p.caseOutcome(tc)}}
		}
	}
	return nil
}

// compile compiles the model as the editor last had its files
// well-formed; nil when it does not compile.
func (p *project) compile() *rules.Model {
	if p.root == "" {
		return nil
	}
	m, err := rules.CompileFS(p.srv.dirFSOf(filepath.Dir(p.root), true), filepath.Base(p.root))
	if err != nil {
		return nil
	}
	return m
}

// describe is the hover text of a symbol, in markdown.
func (p *project) describe(sym *symbol) string {
	d := p.doc
	where := func(k symbolKind) string {
		if pos := p.declaration(k, sym.name); pos != nil && pos.File != "" {
			return fmt.Sprintf("\n\nDeclared in %s, line %d.", p.rel(pos.File), pos.Line)
		}
		return ""
	}
	switch sym.kind {
	case symField:
		for _, f := range d.Fields {
			if f.Name.Value == sym.name {
				return fieldText(f, "a lead field") + where(symField)
			}
		}
	case symEventField:
		name := strings.TrimPrefix(sym.name, "event.")
		if f := p.eventField(name); f != nil {
			return fieldText(f, "a field of every event") + where(symEventField)
		}
	case symList:
		for _, l := range d.Lists {
			if l.Name.Value == sym.name {
				return fmt.Sprintf("`%s`: a list of %d (%s)", l.Name.Value, len(l.Items), strings.TrimPrefix(listDetail(l), fmt.Sprintf("list of %d: ", len(l.Items)))) + where(symList)
			}
		}
	case symDefine:
		for _, df := range d.Defines {
			if df.Name.Value != sym.name {
				continue
			}
			kind := "its value's kind shows once the rule file compiles"
			if m := p.compile(); m != nil {
				for _, md := range m.Defines {
					if md.Name == sym.name {
						kind = "gives " + kindWords(md.Expr.Type())
					}
				}
			}
			return fmt.Sprintf("`%s`: a define; %s\n\n```\n%s\n```", df.Name.Value, kind, strings.TrimSpace(df.Expr.Text)) + where(symDefine)
		}
	case symCategory:
		for _, c := range d.Categories {
			if c.Name.Value == sym.name {
				return fmt.Sprintf("`%s`: a score category, %s", c.Name.Value, bounds(c)) + where(symCategory)
			}
		}
	case symRule:
		if r := p.rule(sym.name); r != nil {
			return ruleText(r) + where(symRule)
		}
	case symStage:
		for i, st := range d.Stages {
			if st.ID.Value != sym.name {
				continue
			}
			s := fmt.Sprintf("`%s`: stage %d of %d", st.ID.Value, i+1, len(d.Stages))
			if st.SalesReady {
				s += ", the sales-ready one"
			}
			if st.Description.Value != "" {
				s += "\n\n" + st.Description.Value
			}
			if st.When != nil {
				s += "\n\n```\n" + strings.TrimSpace(st.When.Text) + "\n```"
			}
			return s + where(symStage)
		}
	case symFunction:
		if f := functionNamed(sym.name); f != nil {
			return "```\n" + f.Signature + "\n```\n\n" + f.Doc
		}
	}
	return ""
}

func fieldText(f *dsl.Field, what string) string {
	s := fmt.Sprintf("`%s`: %s, %s", f.Name.Value, what, kindWords(string(f.Type)))
	if f.Required {
		s += ", required"
	}
	if f.Description.Value != "" {
		s += "\n\n" + f.Description.Value
	}
	return s
}

// kindWords says a type as the reference does: "text (string)".
func kindWords(t string) string {
	switch t {
	case "string":
		return "text (string)"
	case "int":
		return "a whole number (int)"
	case "float":
		return "a number (float)"
	case "bool":
		return "true or false (bool)"
	case "time":
		return "a time (time)"
	case "list":
		return "a list of texts (list)"
	}
	return "a value of any kind"
}

func bounds(c *dsl.Category) string {
	f := func(n *dsl.Number) string { return strconv.FormatFloat(n.Value, 'f', -1, 64) }
	switch {
	case c.Min != nil && c.Max != nil:
		return "from " + f(c.Min) + " to " + f(c.Max)
	case c.Min != nil:
		return "at least " + f(c.Min)
	case c.Max != nil:
		return "at most " + f(c.Max)
	}
	return "without bounds"
}

// ruleText is a rule's points, owner and reason.
func ruleText(r *dsl.Rule) string {
	s := fmt.Sprintf("`%s`: ", r.ID.Value)
	if r.IsGate() {
		s += "a gate: a lead it holds for is disqualified (" + r.Disqualify.Value + ")"
	} else {
		s += ruleDetail(r)
	}
	var lines []string
	if r.Owner.Value != "" {
		lines = append(lines, "Owner: "+r.Owner.Value)
	}
	if r.Reason.Value != "" {
		lines = append(lines, "Reason: "+r.Reason.Value)
	}
	if r.When != nil {
		lines = append(lines, "```\n"+strings.TrimSpace(r.When.Text)+"\n```")
	}
	if len(lines) > 0 {
		s += "\n\n" + strings.Join(lines, "\n\n")
	}
	return s
}

// caseAt is the test case whose name or expect: line holds the cursor.
func (p *project) caseAt(pl *place) *dsl.TestCase {
	if len(pl.chain) == 0 || pl.chain[0] != "cases" {
		return nil
	}
	tc := p.caseHolding(pl.line + 1)
	if tc == nil {
		return nil
	}
	line := strings.TrimLeft(strings.TrimSpace(pl.text), "- ")
	if tc.Name.Pos.Line == pl.line+1 || strings.HasPrefix(line, "expect:") {
		return tc
	}
	return nil
}

// caseHolding is the case whose item holds the 1-based line.
func (p *project) caseHolding(line int) *dsl.TestCase {
	var found *dsl.TestCase
	for _, tc := range p.test.Cases {
		if tc.Pos.File == p.file && tc.Pos.Line <= line && (found == nil || tc.Pos.Line > found.Pos.Line) {
			found = tc
		}
	}
	return found
}

// runCases runs the test file's cases with the editor's text.
func (p *project) runCases() *scoringtest.FileResult {
	text, ok := p.srv.text(p.file)
	if !ok {
		return nil
	}
	dir := filepath.Dir(p.file)
	return scoringtest.RunText(p.srv.dirFSOf(dir, true), dir, p.file, []byte(text), scoringtest.Options{})
}

// caseResult is the outcome of the case tc in fr.
func caseResult(fr *scoringtest.FileResult, tc *dsl.TestCase) *scoringtest.CaseResult {
	if fr == nil {
		return nil
	}
	for i := range fr.Cases {
		if fr.Cases[i].Pos == tc.Pos.String() {
			return &fr.Cases[i]
		}
	}
	return nil
}

// caseOutcome says what the case expects and what its lead got.
func (p *project) caseOutcome(tc *dsl.TestCase) string {
	cr := caseResult(p.runCases(), tc)
	var b strings.Builder
	fmt.Fprintf(&b, "**%s**", tc.Name.Value)
	switch {
	case cr == nil:
		b.WriteString(": not run; the test file or its model has problems (see them in the editor)")
		return b.String()
	case cr.Status == scoringtest.Pending:
		b.WriteString(": pending (" + cr.Pending + ")")
		return b.String()
	case cr.Status == scoringtest.Error:
		b.WriteString(": cannot be scored: " + cr.Error)
		return b.String()
	case cr.Status == scoringtest.Pass:
		b.WriteString(": passes")
	default:
		b.WriteString(": fails")
	}
	b.WriteString("\n\n| | expects | got |\n|---|---|---|\n")
	for _, row := range outcomeRows(tc.Expect, cr) {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", row[0], row[1], row[2])
	}
	for _, f := range cr.Failures {
		b.WriteString("\n- " + f)
	}
	return strings.TrimRight(b.String(), "\n")
}

// outcomeRows are the lines of the expects-and-got table: stage, total
// and rules fired always, the rest when the case expects them.
func outcomeRows(e dsl.Expect, cr *scoringtest.CaseResult) [][3]string {
	r := cr.Result
	if r == nil {
		return nil
	}
	dash := func(s string) string {
		if s == "" {
			return "—"
		}
		return s
	}
	stage := r.Stage
	if stage == "" {
		stage = "none"
	}
	var fired []string
	for _, f := range r.Fired {
		fired = append(fired, f.Rule)
	}
	var gates []string
	for _, g := range r.Gates {
		gates = append(gates, g.Rule)
	}
	var rows [][3]string
	exp := func(s *dsl.String) string {
		if s == nil {
			return ""
		}
		return s.Value
	}
	rows = append(rows, [3]string{"stage", dash(exp(e.Stage)), stage})
	total := ""
	if e.Total != nil {
		total = e.Total.String()
	}
	rows = append(rows, [3]string{"total", dash(total), strconv.FormatFloat(r.Total, 'f', -1, 64)})
	if e.Grade != nil {
		rows = append(rows, [3]string{"grade", e.Grade.Value, dash(r.Grade)})
	}
	if e.SalesReady != nil {
		rows = append(rows, [3]string{"sales-ready", strconv.FormatBool(e.SalesReady.Value), strconv.FormatBool(r.SalesReady)})
	}
	if e.Disqualified != nil {
		rows = append(rows, [3]string{"disqualified", strconv.FormatBool(e.Disqualified.Value), strconv.FormatBool(r.Disqualified)})
	}
	rows = append(rows, [3]string{"fired", dash(joinValues(e.Fired)), dash(strings.Join(fired, ", "))})
	if e.GatesSet || len(gates) > 0 {
		rows = append(rows, [3]string{"gates", dash(joinValues(e.Gates)), dash(strings.Join(gates, ", "))})
	}
	return rows
}

func joinValues(l []dsl.String) string {
	var vs []string
	for _, s := range l {
		vs = append(vs, s.Value)
	}
	return strings.Join(vs, ", ")
}

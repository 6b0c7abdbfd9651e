package langserver

import (
	"slices"
	"strings"

	"github.com/leadscore/leadscore/dsl"
)

// definition is where the name under the cursor is declared: a field,
// list or define read in an expression, a rule id in a test file or a
// handoff, a category, a stage; in whichever file of the model (an
// included one too). Empty when the cursor is on no such name.
func (s *server) definition(params positionParams) []location {
	out := []location{}
	p, pl, ok := s.at(params)
	if !ok {
		return out
	}
	sym := p.symbolAt(pl)
	if sym == nil {
		return out
	}
	if pos := p.declaration(sym.kind, sym.name); pos != nil && pos.File != "" {
		out = append(out, s.span(*pos, len([]rune(declaredName(sym)))))
	}
	return out
}

// declaredName is the name as its declaration writes it.
func declaredName(sym *symbol) string {
	if sym.kind == symEventField {
		return strings.TrimPrefix(sym.name, "event.")
	}
	return sym.name
}

// referenceParams asks for the references of the name at a position.
type referenceParams struct {
	positionParams
	Context struct {
		IncludeDeclaration bool `json:"includeDeclaration"`
	} `json:"context"`
}

// references are the places that name what the cursor is on: the
// expressions of the model's files (defines, rules, grades, stages, the
// total), the handoff's contradicts and resets, and the model's test
// files (their leads' fields, the rules they expect fired or not, the
// stages and categories they expect); with the declaration when asked.
func (s *server) references(params referenceParams) []location {
	out := []location{}
	p, pl, ok := s.at(params.positionParams)
	if !ok {
		return out
	}
	sym := p.symbolAt(pl)
	if sym == nil || sym.kind == symFunction {
		return out
	}
	name := declaredName(sym)
	if params.Context.IncludeDeclaration {
		if pos := p.declaration(sym.kind, sym.name); pos != nil && pos.File != "" {
			out = append(out, s.span(*pos, len([]rune(name))))
		}
	}
	add := func(v dsl.String) {
		if v.Value == name && v.Pos.File != "" {
			out = append(out, s.span(v.Pos, len([]rune(name))))
		}
	}
	// Names read in expressions.
	read := sym.name
	if sym.kind == symEventField {
		read = "event." + name
	}
	switch sym.kind {
	case symField, symEventField, symList, symDefine, symCategory:
		for _, e := range p.expressions() {
			for _, t := range names(e.Text) {
				if t.name == read {
					out = append(out, s.span(e.PosAt(t.at), len([]rune(read))))
				}
			}
		}
	}
	d := p.doc
	switch sym.kind {
	case symRule, symCategory:
		if d.Handoff != nil {
			for _, r := range d.Handoff.Reasons {
				for _, c := range r.Contradicts {
					add(c)
				}
			}
			if d.Handoff.Recycle != nil {
				for _, r := range d.Handoff.Recycle.Resets {
					add(r)
				}
			}
		}
		if sym.kind == symCategory {
			for _, r := range d.Rules {
				add(r.Category)
			}
		}
	}
	for _, tf := range p.testFiles() {
		for _, fx := range tf.Fixtures {
			if sym.kind == symField {
				for _, fv := range fx.Lead {
					add(fv.Name)
				}
			}
		}
		for _, tc := range tf.Cases {
			e := tc.Expect
			switch sym.kind {
			case symField:
				for _, fv := range tc.Lead {
					add(fv.Name)
				}
			case symRule:
				for _, l := range [][]dsl.String{e.Fired, e.NotFired, e.Gates} {
					for _, v := range l {
						add(v)
					}
				}
			case symStage:
				if e.Stage != nil {
					add(*e.Stage)
				}
			case symCategory:
				for _, sc := range e.Scores {
					add(sc.Category)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b location) int {
		if c := strings.Compare(a.URI, b.URI); c != 0 {
			return c
		}
		if a.Range.Start.Line != b.Range.Start.Line {
			return a.Range.Start.Line - b.Range.Start.Line
		}
		return a.Range.Start.Character - b.Range.Start.Character
	})
	return slices.CompactFunc(out, func(a, b location) bool { return a == b })
}

// expressions are the model's expressions, in file order.
func (p *project) expressions() []*dsl.Expr {
	d := p.doc
	var out []*dsl.Expr
	for _, df := range d.Defines {
		out = append(out, df.Expr)
	}
	if d.Total != nil {
		out = append(out, d.Total)
	}
	for _, r := range d.Rules {
		out = append(out, r.When)
	}
	for _, g := range d.Grades {
		out = append(out, g.When)
	}
	for _, st := range d.Stages {
		out = append(out, st.When)
	}
	return slices.DeleteFunc(out, func(e *dsl.Expr) bool { return e == nil })
}

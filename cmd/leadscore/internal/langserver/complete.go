package langserver

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/leadscore/leadscore/dsl"
)

// LSP completion item kinds.
const (
	kindFunction   = 3
	kindField      = 5
	kindVariable   = 6
	kindModule     = 9
	kindUnit       = 11
	kindKeyword    = 14
	kindReference  = 18
	kindEnumMember = 20
	kindConstant   = 21
	kindTypeParam  = 25
)

type completionItem struct {
	Label         string    `json:"label"`
	Kind          int       `json:"kind,omitempty"`
	Detail        string    `json:"detail,omitempty"`
	Documentation *markup   `json:"documentation,omitempty"`
	TextEdit      *textEdit `json:"textEdit,omitempty"`
}

type markup struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

func markdown(s string) *markup {
	if s == "" {
		return nil
	}
	return &markup{Kind: "markdown", Value: s}
}

type textEdit struct {
	Range   Range  `json:"range"`
	NewText string `json:"newText"`
}

type positionParams struct {
	TextDocument struct {
		URI string `json:"uri"`
	} `json:"textDocument"`
	Position Position `json:"position"`
}

type completionList struct {
	IsIncomplete bool             `json:"isIncomplete"`
	Items        []completionItem `json:"items"`
}

// at finds the document, its project and the place of a position request;
// ok is false when the document is not open (or too large to read).
func (s *server) at(params positionParams) (*project, *place, bool) {
	file, doc, ok := s.openDoc(params.TextDocument.URI)
	if !ok {
		return nil, nil, false
	}
	pl := placeAt(doc.Text, params.Position)
	if pl == nil {
		return nil, nil, false
	}
	return s.project(file), pl, true
}

// complete lists what may be written at the cursor.
func (s *server) complete(params positionParams) completionList {
	list := completionList{Items: []completionItem{}}
	p, pl, ok := s.at(params)
	if !ok {
		return list
	}
	var c completer
	if pl.inExpression() {
		c = p.expressionItems(pl)
	} else {
		c = p.valueItems(pl)
	}
	for _, it := range c.items {
		if strings.HasPrefix(strings.ToLower(it.Label), strings.ToLower(c.prefix)) && it.Label != c.prefix {
			it.TextEdit = &textEdit{Range: c.rng, NewText: it.Label}
			list.Items = append(list.Items, it)
		}
	}
	return list
}

// completer is what completion offers at a place: the items, the text
// already typed that they complete, and the range that text covers.
type completer struct {
	items  []completionItem
	prefix string
	rng    Range
}

var eventWindow = regexp.MustCompile(`events\(\s*"[^"]*"\s*,\s*$`)

// expressionItems completes inside an expression.
func (p *project) expressionItems(pl *place) completer {
	if q, in := openQuote(pl.before); in {
		partial := pl.before[q+1:]
		rng := Range{Start: Position{pl.line, utf16Len([]rune(pl.before[:q+1]))}, End: Position{pl.line, utf16Len([]rune(pl.before))}}
		pre := strings.TrimRight(pl.before[:q], " ")
		switch {
		case strings.HasSuffix(pre, "events(") || strings.HasSuffix(pre, "daysSinceLast("):
			return completer{p.eventTypeItems(), partial, rng}
		case eventWindow.MatchString(pre):
			return completer{durationItems(partial), partial, rng}
		}
		return completer{}
	}
	token, rng := pl.word(isIdentRune)
	if i := strings.LastIndexByte(token, '.'); i >= 0 {
		base, partial := token[:i], token[i+1:]
		rng.Start.Character = rng.End.Character - utf16Len([]rune(partial))
		var items []completionItem
		if base == "event" {
			if r := p.ruleAt(pl); r == nil || r.IsEvent() {
				items = p.eventMemberItems()
			}
		} else if p.doc != nil {
			for _, f := range p.doc.Fields {
				if rest, ok := strings.CutPrefix(f.Name.Value, base+"."); ok {
					items = append(items, fieldItem(f, rest))
				}
			}
		}
		return completer{items, partial, rng}
	}
	var items []completionItem
	if d := p.doc; d != nil {
		for _, f := range d.Fields {
			items = append(items, fieldItem(f, f.Name.Value))
		}
		for _, l := range d.Lists {
			items = append(items, completionItem{Label: l.Name.Value, Kind: kindConstant, Detail: listDetail(l)})
		}
		for _, df := range d.Defines {
			items = append(items, completionItem{Label: df.Name.Value, Kind: kindVariable, Detail: "define", Documentation: markdown("```\n" + df.Expr.Text + "\n```")})
		}
		// What the total, the grades and the stages read besides.
		top := pl.chain[0]
		if top == "total" || top == "grades" || top == "stages" {
			for _, c := range d.Categories {
				items = append(items, completionItem{Label: c.Name.Value, Kind: kindModule, Detail: "score category"})
			}
		}
		if top == "grades" || top == "stages" {
			items = append(items, completionItem{Label: "total", Kind: kindVariable, Detail: "the total score"})
		}
		if top == "stages" && len(d.Grades) > 0 {
			items = append(items, completionItem{Label: "grade", Kind: kindVariable, Detail: "the lead's grade"})
		}
	}
	if r := p.ruleAt(pl); r != nil && r.IsEvent() {
		items = append(items, completionItem{Label: "event", Kind: kindModule, Detail: "the event this rule counts"})
	}
	for _, f := range functions {
		items = append(items, completionItem{Label: f.Name, Kind: kindFunction, Detail: f.Signature, Documentation: markdown(f.Doc)})
	}
	for _, o := range operators {
		items = append(items, completionItem{Label: o, Kind: kindKeyword})
	}
	return completer{items, token, rng}
}

// openQuote tells whether s ends inside a quoted text, and where the
// quote opened.
func openQuote(s string) (int, bool) {
	quote, at := rune(0), -1
	for i, r := range s {
		switch {
		case quote != 0 && r == quote && (i == 0 || s[i-1] != '\\'):
			quote = 0
		case quote == 0 && (r == '"' || r == '\''):
			quote, at = r, i
		}
	}
	return at, quote != 0
}

func fieldItem(f *dsl.Field, label string) completionItem {
	detail := string(f.Type)
	if f.Required {
		detail += ", required"
	}
	return completionItem{Label: label, Kind: kindField, Detail: detail, Documentation: markdown(f.Description.Value)}
}

func listDetail(l *dsl.List) string {
	var vs []string
	for i, it := range l.Items {
		if i == 3 {
			vs = append(vs, "…")
			break
		}
		vs = append(vs, it.Value)
	}
	return fmt.Sprintf("list of %d: %s", len(l.Items), strings.Join(vs, ", "))
}

// ruleAt is the rule whose item holds the place, in a rule file.
func (p *project) ruleAt(pl *place) *dsl.Rule {
	if p.doc == nil || p.test != nil || len(pl.chain) == 0 || pl.chain[0] != "rules" {
		return nil
	}
	var found *dsl.Rule
	for _, r := range p.doc.Rules {
		if r.Pos.File == p.file && r.Pos.Line <= pl.line+1 && (found == nil || r.Pos.Line > found.Pos.Line) {
			found = r
		}
	}
	return found
}

// eventTypes are the model's event types: event_types, or else those its
// rules count.
func (p *project) eventTypes() []string {
	if p.doc == nil {
		return nil
	}
	var out []string
	for _, t := range p.doc.EventTypes {
		out = append(out, t.Value)
	}
	if len(out) == 0 {
		for _, r := range p.doc.Rules {
			for _, e := range r.Events {
				if !contains(out, e.Value) {
					out = append(out, e.Value)
				}
			}
		}
	}
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func (p *project) eventTypeItems() []completionItem {
	var items []completionItem
	for _, t := range p.eventTypes() {
		items = append(items, completionItem{Label: t, Kind: kindEnumMember, Detail: "event type"})
	}
	return items
}

func (p *project) eventMemberItems() []completionItem {
	items := []completionItem{
		{Label: "type", Kind: kindField, Detail: "string", Documentation: markdown("The event's type.")},
		{Label: "at", Kind: kindField, Detail: "time", Documentation: markdown("When the event happened.")},
	}
	if p.doc != nil {
		for _, f := range p.doc.EventFields {
			items = append(items, fieldItem(f, f.Name.Value))
		}
	}
	return items
}

// durationUnits are the units of a duration, as docs/reference.md says them.
var durationUnits = []struct{ unit, means string }{
	{"y", "years of 365 days"}, {"mo", "months of 30 days"}, {"w", "weeks"}, {"d", "days"},
	{"h", "hours"}, {"min", "minutes"}, {"s", "seconds"},
}

// durationItems completes a number with each unit.
func durationItems(typed string) []completionItem {
	digits := strings.TrimRightFunc(typed, func(r rune) bool { return r < '0' || r > '9' })
	if _, err := strconv.Atoi(digits); err != nil || !strings.HasPrefix(typed, digits) {
		return nil
	}
	var items []completionItem
	for _, u := range durationUnits {
		items = append(items, completionItem{Label: digits + u.unit, Kind: kindUnit, Detail: digits + " " + u.means})
	}
	return items
}

// valueItems completes a value (or a key) outside expressions.
func (p *project) valueItems(pl *place) completer {
	token, rng := pl.word(isValueRune)
	done := func(items []completionItem) completer { return completer{items, token, rng} }
	key := pl.last()
	switch key {
	case "within", "hold", "sla", "half_life", "ago":
		if !pl.atKey {
			return done(durationItems(token))
		}
	}
	d := p.doc
	if d == nil || pl.atKey && key != "lead" && key != "scores" {
		return completer{}
	}
	top := pl.chain[0]
	if p.test == nil {
		switch {
		case key == "event" && top == "rules":
			return done(p.eventTypeItems())
		case key == "score" && top == "rules":
			return done(p.categoryItems())
		case key == "contradicts" || key == "resets":
			return done(append(p.ruleItems(false), p.categoryItems()...))
		case key == "type" && (top == "fields" || top == "events"):
			var items []completionItem
			for _, t := range dsl.FieldTypes {
				items = append(items, completionItem{Label: string(t), Kind: kindTypeParam, Detail: "field type"})
			}
			return done(items)
		}
		return completer{}
	}
	switch key {
	case "fired", "not_fired":
		return done(p.ruleItems(false))
	case "gates":
		return done(p.ruleItems(true))
	case "stage":
		var items []completionItem
		for _, st := range d.Stages {
			items = append(items, completionItem{Label: st.ID.Value, Kind: kindEnumMember, Detail: "stage", Documentation: markdown(st.Description.Value)})
		}
		return done(append(items, completionItem{Label: "none", Kind: kindEnumMember, Detail: "no stage"}))
	case "grade":
		var items []completionItem
		for _, g := range d.Grades {
			items = append(items, completionItem{Label: g.Grade.Value, Kind: kindEnumMember, Detail: "grade"})
		}
		return done(items)
	case "extends":
		var items []completionItem
		for _, f := range p.test.Fixtures {
			items = append(items, completionItem{Label: f.Name.Value, Kind: kindVariable, Detail: "fixture"})
		}
		return done(items)
	case "type":
		if contains(pl.chain, "events") {
			return done(p.eventTypeItems())
		}
	case "reason":
		var items []completionItem
		if d.Handoff != nil {
			for _, r := range d.Handoff.Reasons {
				items = append(items, completionItem{Label: r.Code.Value, Kind: kindEnumMember, Detail: "rejection reason", Documentation: markdown(r.Description.Value)})
			}
		}
		return done(items)
	case "status":
		return done([]completionItem{{Label: "accepted", Kind: kindEnumMember}, {Label: "rejected", Kind: kindEnumMember}, {Label: "recycled", Kind: kindEnumMember}})
	case "lead":
		if pl.atKey {
			var items []completionItem
			for _, f := range d.Fields {
				items = append(items, fieldItem(f, f.Name.Value))
			}
			return done(items)
		}
	case "scores":
		if pl.atKey {
			return done(p.categoryItems())
		}
	}
	return completer{}
}

func (p *project) categoryItems() []completionItem {
	var items []completionItem
	for _, c := range p.doc.Categories {
		items = append(items, completionItem{Label: c.Name.Value, Kind: kindModule, Detail: "score category"})
	}
	return items
}

// ruleItems are the model's scoring rules, or its gates.
func (p *project) ruleItems(gates bool) []completionItem {
	var items []completionItem
	for _, r := range p.doc.Rules {
		if r.IsGate() == gates {
			items = append(items, completionItem{Label: r.ID.Value, Kind: kindReference, Detail: ruleDetail(r), Documentation: markdown(r.Reason.Value)})
		}
	}
	return items
}

// ruleDetail says what a rule gives: "20 points to fit", "gate".
func ruleDetail(r *dsl.Rule) string {
	if r.IsGate() {
		return "gate: " + r.Disqualify.Value
	}
	pts := "?"
	if r.Points != nil {
		pts = strconv.FormatFloat(r.Points.Value, 'f', -1, 64)
	}
	s := pts + " points to " + r.Category.Value
	if r.IsEvent() {
		var ts []string
		for _, e := range r.Events {
			ts = append(ts, e.Value)
		}
		s += " per " + strings.Join(ts, " or ") + " event"
	}
	return s
}

// rel names a file for messages, relative to the project's document.
func (p *project) rel(file string) string {
	if r, err := filepath.Rel(filepath.Dir(p.file), file); err == nil {
		return filepath.ToSlash(r)
	}
	return file
}

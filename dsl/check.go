package dsl

import (
	"fmt"
	"strings"
)

// Check validates what can be known without compiling expressions: the
// format version and model name, names declared twice, rules naming unknown
// score categories or event types, and the shape of the grade list and the
// stage ladder. Load runs it; it is exported for documents built in code.
func (d *Document) Check() Diagnostics {
	var ds Diagnostics
	add := func(pos Pos, format string, args ...any) {
		ds = append(ds, d.Diag(pos, fmt.Sprintf(format, args...)))
	}
	root := Pos{}
	if len(d.Files) > 0 {
		root = Pos{File: d.Files[0], Line: 1, Col: 1}
	}
	if d.Version == 0 {
		add(root, "the file does not say its format version; start it with leadscore: %d", Version)
	}
	if d.Model.Value == "" {
		add(root, "the file does not name its model; add model: followed by a short name such as b2b-saas")
	}

	// One namespace for everything an expression can name.
	names := map[string]Pos{}
	declare := func(kind string, s String) {
		if s.Value == "" {
			return
		}
		if prev, ok := names[s.Value]; ok {
			add(s.Pos, "%s %q is declared twice (first at %s); rename one", kind, s.Value, prev)
			return
		}
		names[s.Value] = s.Pos
	}
	for _, f := range d.Fields {
		declare("field", f.Name)
		if f.Name.Value == "id" { // events is refused as a function's name
			add(f.Name.Pos, "field \"id\" is taken: lead data carries the lead's id beside its fields; rename the field, such as crm_id")
		}
	}
	// A nested field's first name stands for its group in expressions
	// (company in company.size), so it shares the namespace.
	groups := map[string]Pos{}
	for _, f := range d.Fields {
		if root, _, nested := strings.Cut(f.Name.Value, "."); nested {
			if _, ok := groups[root]; !ok {
				groups[root] = f.Name.Pos
				if prev, ok := names[root]; ok && !hasField(d.Fields, root) {
					add(f.Name.Pos, "%q names a group of fields here and something else at %s; rename one", root, prev)
				}
			}
		}
	}
	checkNesting("field", d.Fields, add)
	checkNesting("event field", d.EventFields, add)
	for _, l := range d.Lists {
		declare("list", l.Name)
	}
	for _, df := range d.Defines {
		declare("define", df.Name)
	}
	for _, c := range d.Categories {
		declare("score category", c.Name)
	}
	eventFields := map[string]Pos{}
	for _, f := range d.EventFields {
		if prev, ok := eventFields[f.Name.Value]; ok {
			add(f.Name.Pos, "event field %q is declared twice (first at %s); rename one", f.Name.Value, prev)
		}
		if f.Name.Value == "type" || f.Name.Value == "at" {
			add(f.Name.Pos, "event field %q is built in (every event has a type and a time, at); remove it from events", f.Name.Value)
		}
		eventFields[f.Name.Value] = f.Name.Pos
	}

	if len(d.Categories) == 0 && !d.Unread("scores") {
		add(root, "the model declares no score categories; add scores: with at least one, such as fit: {min: 0, max: 100}")
	}
	categories := make([]string, len(d.Categories))
	for i, c := range d.Categories {
		categories[i] = c.Name.Value
	}
	eventTypes := make([]string, len(d.EventTypes))
	seenTypes := map[string]Pos{}
	for i, t := range d.EventTypes {
		eventTypes[i] = t.Value
		if prev, ok := seenTypes[t.Value]; ok {
			add(t.Pos, "event type %q is listed twice (first at %s)", t.Value, prev)
		}
		seenTypes[t.Value] = t.Pos
	}

	ids := map[string]Pos{}
	for _, r := range d.Rules {
		if prev, ok := ids[r.ID.Value]; ok && r.ID.Value != "" {
			add(r.ID.Pos, "rule id %q is used twice (first at %s); every rule needs its own id", r.ID.Value, prev)
		} else {
			ids[r.ID.Value] = r.ID.Pos
		}
		if c := r.Category; c.Value != "" && !contains(categories, c.Value) && !d.Unread("scores") {
			add(c.Pos, "rule %s scores unknown category %q%s", r.ID.Value, c.Value, didYouMeanOr(c.Value, categories))
		}
		if len(eventTypes) > 0 {
			for _, t := range r.Events {
				if t.Value != "" && !contains(eventTypes, t.Value) {
					add(t.Pos, "rule %s counts unknown event type %q%s", r.ID.Value, t.Value, DidYouMeanName(t.Value, eventTypes, "add it to event_types"))
				}
			}
		}
	}

	grades := map[string]Pos{}
	for i, g := range d.Grades {
		if prev, ok := grades[g.Grade.Value]; ok && g.Grade.Value != "" {
			add(g.Grade.Pos, "grade %q is listed twice (first at %s)", g.Grade.Value, prev)
		}
		grades[g.Grade.Value] = g.Grade.Pos
		if g.When == nil && i < len(d.Grades)-1 {
			add(g.Grade.Pos, "grade %s has no when, so the grades after it can never apply; only the last grade may omit when", g.Grade.Value)
		}
	}

	stages := map[string]Pos{}
	var salesReady []string
	var second Pos // of the second stage marked sales_ready
	marked := false
	for _, s := range d.Stages {
		marked = marked || s.salesReadyKey
		if prev, ok := stages[s.ID.Value]; ok && s.ID.Value != "" {
			add(s.ID.Pos, "stage %q is listed twice (first at %s)", s.ID.Value, prev)
		}
		stages[s.ID.Value] = s.ID.Pos
		if s.SalesReady {
			salesReady = append(salesReady, s.ID.Value)
			if len(salesReady) == 2 {
				second = s.ID.Pos
			}
		}
	}
	// Only one stage is the hand-off to sales; with two or more, which one
	// comes last is not the question.
	if n := len(salesReady); n > 1 {
		both := "both"
		if n > 2 {
			both = "all"
		}
		add(second, "stages %s are %s marked sales_ready, and only one stage can be the hand-off to sales; keep sales_ready: true on the one both teams agreed on (usually the last) and remove it from the other%s",
			strings.Join(salesReady[:n-1], ", ")+" and "+salesReady[n-1], both, plural(n-1, "", "s"))
	}
	// The ladder climbs: stages are listed lowest first and a lead stands on
	// the highest that holds, so the hand-off is the top rung. A ladder
	// listed best first (as grades are) would otherwise call leads on a
	// lower stage sales-ready.
	if i := d.SalesReadyStage(); i >= 0 && i < len(d.Stages)-1 && len(salesReady) == 1 {
		s := d.Stages[i]
		var after []string
		for _, later := range d.Stages[i+1:] {
			after = append(after, later.ID.Value)
		}
		advice := fmt.Sprintf("move %s to the end", s.ID.Value)
		if i == 0 {
			advice = "it looks listed best first, as grades are: reverse the list"
		}
		add(s.ID.Pos, "stage %s is sales-ready, but %s %s after it; stages are listed from the lowest to the highest (a lead stands on the highest stage that holds), so the sales-ready stage comes last: %s",
			s.ID.Value, strings.Join(after, ", "), plural(len(after), "comes", "come"), advice)
	}
	if len(d.Stages) == 0 && d.Version != 0 {
		if !d.Unread("stages") {
			add(root, "the model declares no stages; add stages: with the ladder, one marked sales_ready: true")
		}
	} else if len(d.Stages) > 0 && !marked {
		add(d.Stages[len(d.Stages)-1].ID.Pos, "no stage is marked sales_ready; mark the hand-off stage both teams agreed on with sales_ready: true")
	}
	d.checkHandoff(add)
	// The account's model is checked as a model of its own; the lists it
	// shares with the lead model were checked above.
	if a := d.Accounts; a != nil && len(a.Categories) > 0 && len(a.Stages) > 0 {
		sub := d.AccountDocument()
		sub.Lists = nil
		ds = append(ds, sub.Check()...)
	}
	return ds
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func hasField(fields []*Field, name string) bool {
	for _, f := range fields {
		if f.Name.Value == name {
			return true
		}
	}
	return false
}

// checkNesting refuses a field that is also the group of nested fields
// (company and company.size): a value cannot also be an object.
func checkNesting(kind string, fields []*Field, add func(Pos, string, ...any)) {
	byName := map[string]*Field{}
	for _, f := range fields {
		byName[f.Name.Value] = f
	}
	for _, f := range fields {
		name := f.Name.Value
		if !pathRE.MatchString(name) {
			continue // reported as not a valid name
		}
		for i := strings.IndexByte(name, '.'); i >= 0; i = nextDot(name, i) {
			if outer, ok := byName[name[:i]]; ok {
				add(f.Name.Pos, "%s %s is nested in %s, but %s is declared as a %s value at %s; a field is a value or a group of fields, not both: rename one",
					kind, name, name[:i], name[:i], outer.Type, outer.Name.Pos)
				break
			}
		}
	}
}

func nextDot(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '.')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

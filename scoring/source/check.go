package source

import (
	"fmt"
	"sort"
	"strings"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
)

// Check checks the mapping against a model: every field and event field it
// maps must be one the model declares (with a did-you-mean otherwise), each
// option must suit the field's type, and the event types of a values: map
// must be the model's. It sets each Field's Type. A required field the
// mapping leaves out is an error: every row would fail. The mapping is
// usable when the result has no errors (Diagnostics.Err() is nil).
func (m *Mapping) Check(model *rules.Model) dsl.Diagnostics {
	c := &checker{file: m.File, lines: m.lines}
	c.diags = append(c.diags, m.warnings...)
	var names []string
	for _, f := range model.Fields {
		names = append(names, f.Name)
	}
	mapped := map[string]bool{}
	for _, f := range m.Fields {
		mf := model.Field(f.Name)
		if mf == nil {
			c.errorAt(f.Pos, "fields: %q is not a field of model %s%s", f.Name, model.Name,
				dsl.DidYouMeanOr(f.Name, names, "its fields are "+strings.Join(names, ", ")))
			continue
		}
		mapped[f.Name] = true
		f.Type = mf.Type
		c.options(f, "fields."+f.Name)
	}
	for _, f := range model.Fields {
		if f.Required && !mapped[f.Name] {
			c.errorAt(dsl.Pos{File: m.File, Line: firstLine(m), Col: 1}, "fields: model %s requires %s, but no column is mapped to it, so every lead would fail; map the column that holds it", model.Name, f.Name)
		}
	}
	ignored := map[string]bool{}
	for _, col := range m.Ignore {
		ignored[col] = true
	}
	for _, f := range m.Fields {
		if ignored[f.Column] {
			c.errorAt(f.ColumnPos, "fields.%s: column %q is also under ignore:; take it out of one", f.Name, f.Column)
		}
	}
	if e := m.Events; e != nil {
		var evNames []string
		for _, f := range model.EventFields {
			evNames = append(evNames, f.Name)
		}
		for _, f := range e.Fields {
			var mf *rules.Field
			for _, ef := range model.EventFields {
				if ef.Name == f.Name {
					mf = ef
				}
			}
			if mf == nil {
				c.errorAt(f.Pos, "events.fields: %q is not an event field of model %s%s", f.Name, model.Name,
					dsl.DidYouMeanOr(f.Name, evNames, "its event fields are "+strings.Join(evNames, ", ")))
				continue
			}
			f.Type = mf.Type
			c.options(f, "events.fields."+f.Name)
		}
		if e.Type != nil {
			e.Type.Type = dsl.TypeString
			if len(model.EventTypes) > 0 {
				for _, cell := range e.Type.valueOrder {
					t := e.Type.Values[cell]
					if !contains(model.EventTypes, t) {
						c.errorAt(e.Type.valuePos[cell], "events.type.values: %q reads as event type %q, which model %s does not declare%s", cell, t, model.Name,
							eventTypeHint(t, model.EventTypes))
					}
				}
			}
		}
	}
	if !c.diags.HasErrors() {
		m.checked = true
	}
	c.diags.Sort()
	return c.diags
}

// CheckFile parses a mapping file and checks it against model (when not
// nil): every problem, positioned.
func CheckFile(path string, model *rules.Model) (*Mapping, dsl.Diagnostics) {
	m, err := ParseFile(path)
	if err != nil {
		ds, _ := err.(dsl.Diagnostics)
		return nil, ds
	}
	if model == nil {
		return m, m.Warnings()
	}
	ds := m.Check(model)
	if ds.HasErrors() {
		return nil, ds
	}
	return m, ds
}

// eventTypeHint suggests the declared event type a values: target means:
// the nearest by spelling, else the one it begins or is part of ("demo"
// for demo_request), else the list of them.
func eventTypeHint(t string, types []string) string {
	if s := dsl.DidYouMean(t, types); s != "" {
		return s
	}
	norm := func(s string) string {
		return strings.NewReplacer("_", "", "-", "", " ", "", ".", "").Replace(strings.ToLower(s))
	}
	var near []string
	if n := norm(t); n != "" {
		for _, et := range types {
			if strings.Contains(norm(et), n) || strings.Contains(n, norm(et)) {
				near = append(near, et)
			}
		}
	}
	switch {
	case len(near) == 1:
		return fmt.Sprintf("; did you mean %q?", near[0])
	case len(near) > 1:
		return "; did you mean one of " + strings.Join(near, ", ") + "?"
	}
	return "; its event types are " + strings.Join(types, ", ")
}

func firstLine(m *Mapping) int {
	if len(m.Fields) > 0 {
		return max(m.Fields[0].Pos.Line-1, 1)
	}
	return 1
}

// optionTypes says which field types take each option.
var optionTypes = map[string][]dsl.FieldType{
	"values":    {dsl.TypeString, dsl.TypeList},
	"separator": {dsl.TypeList},
	"layout":    {dsl.TypeTime},
	"true":      {dsl.TypeBool},
	"false":     {dsl.TypeBool},
	"format":    {dsl.TypeInt, dsl.TypeFloat},
}

var optionUse = map[string]string{
	"values":    "maps the cells of a text or list field",
	"separator": "splits the cells of a list field",
	"layout":    "reads the cells of a time field",
	"true":      "names the true cells of a bool field",
	"false":     "names the false cells of a bool field",
	"format":    "reads the cells of a number field",
}

// options checks that each option of f suits its type.
func (c *checker) options(f *Field, what string) {
	var keys []string
	for k := range f.options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		types, ok := optionTypes[k]
		if !ok {
			continue // column
		}
		fits := false
		for _, t := range types {
			fits = fits || t == f.Type
		}
		if !fits {
			c.errorAt(f.options[k], "%s: %s: %s, and %s is %s field; leave it out", what, k, optionUse[k], f.Name, article(string(f.Type)))
		}
	}
}

type checker struct {
	file  string
	lines []string
	diags dsl.Diagnostics
}

func (c *checker) errorAt(pos dsl.Pos, format string, args ...any) {
	c.add(dsl.Error, pos, format, args...)
}

func (c *checker) warnAt(pos dsl.Pos, format string, args ...any) {
	c.add(dsl.Warning, pos, format, args...)
}

func (c *checker) add(sev dsl.Severity, pos dsl.Pos, format string, args ...any) {
	d := &dsl.Diagnostic{Severity: sev, Pos: pos, Message: fmt.Sprintf(format, args...)}
	if pos.Line >= 1 && pos.Line <= len(c.lines) {
		d.Source = c.lines[pos.Line-1]
	}
	c.diags = append(c.diags, d)
}

// article puts "a" or "an" before a type's name.
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}

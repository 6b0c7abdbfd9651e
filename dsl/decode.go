package dsl

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/leadscore/leadscore/internal/calendar"
	"github.com/leadscore/leadscore/internal/numfmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"
)

var (
	nameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// pathRE is a field name, which may be nested: company.size.
	pathRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)
	idRE   = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.\-]*$`)
)

// decoder turns the YAML nodes of one file into Document parts, collecting
// every problem it meets instead of stopping at the first.
type decoder struct {
	file  string
	lines []string
	doc   *Document
	diags *Diagnostics
}

func (d *decoder) pos(n *yaml.Node) Pos {
	return Pos{File: d.file, Line: n.Line, Col: n.Column}
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.errorAt(d.pos(n), format, args...)
}

func (d *decoder) errorAt(pos Pos, format string, args ...any) {
	*d.diags = append(*d.diags, d.doc.Diag(pos, fmt.Sprintf(format, args...)))
}

// NodeKind says what a YAML node is, in the words of error messages ("a
// mapping", "a list", "nothing", or its quoted value): for readers of other
// YAML files of the project (source mappings) to word their errors alike.
func NodeKind(n *yaml.Node) string { return kindName(n) }

// kindName says what a node is, in the words of the error messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	return fmt.Sprintf("%q", n.Value)
}

// mapping walks the key/value pairs of a mapping, reporting duplicate and
// unknown keys (with a did-you-mean over keys) and calling fn for the rest.
func (d *decoder) mapping(n *yaml.Node, what string, keys []string, fn func(key string, k, v *yaml.Node)) bool {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping of keys to values, not %s", what, kindName(n))
		return false
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if d.refuseAlias(k) || d.refuseAlias(v) {
			continue
		}
		key := k.Value
		if seen[key] {
			d.errorf(k, "%s has %q twice; keep one", what, key)
			continue
		}
		seen[key] = true
		if keys != nil && !contains(keys, key) {
			d.errorf(k, "unknown key %q in %s%s", key, what, didYouMeanOr(key, keys))
			if what == "accounts" && d.doc != nil { // a misspelt part of accounts: its names are not reported again
				if meant := Suggest(key, keys); meant != "" {
					if d.doc.unread == nil {
						d.doc.unread = map[string]bool{}
					}
					d.doc.unread["accounts."+meant] = true
				}
			}
			continue
		}
		fn(key, k, v)
	}
	return true
}

// didYouMeanOr suggests the nearest key, or lists them all.
func didYouMeanOr(name string, keys []string) string {
	if len(keys) == 0 {
		return DidYouMeanOr(name, keys, "")
	}
	return DidYouMeanOr(name, keys, "expected one of: "+strings.Join(keys, ", "))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (d *decoder) refuseAlias(n *yaml.Node) bool {
	switch {
	case n.Kind == yaml.AliasNode:
		d.errorf(n, "* at the start of a value makes YAML read it as an alias (*%s, a reference to the &%s anchor), which rule files do not use; write the value out, or put an expression starting with * in quotes", n.Value, n.Value)
	case n.Tag == "!!merge":
		d.errorf(n, "YAML merge keys (<<) are not supported in rule files; write the value out")
	default:
		return false
	}
	return true
}

// untag reports each value YAML read as a tag because it starts with !
// (when: !has(email) gives the tag !has(email) and no value), and gives it
// back its text, so that nothing more is said of it.
//
// A lone ! followed by a space (when: ! has(email)) is YAML's
// non-specific tag: the value reads as has(email), the negation lost
// without a word. It is reported the same way; a standard tag written out
// (!!str) is the author's own and is kept.
func (d *decoder) untag(n *yaml.Node) {
	bare := n.Kind == yaml.ScalarNode && n.Style == 0 && d.bareTag(n)
	if n.Kind == yaml.ScalarNode && (bare || strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!")) {
		value := n.Tag
		if bare {
			value = "!"
		}
		if n.Value != "" {
			value += " " + n.Value
		}
		key, shown, line := "", value, []rune(sourceLine(d.lines, n.Line))
		if n.Column >= 1 && n.Column <= len(line) {
			before := string(line[:n.Column-1])
			key = keyBefore(before)
			// The line says better where the value ends, in brackets.
			if i, end := markedValue(string(line)); i == len(before) {
				shown = strings.TrimSpace(string(line)[i:end])
			}
		}
		d.errorf(n, "%s", startsYAML(key, shown))
		n.Tag, n.Value, n.Style = "!!str", value, 0
	}
	for _, c := range n.Content {
		d.untag(c)
	}
}

// bareTag reports whether the tag of n is written as a lone "!" in the
// source.
func (d *decoder) bareTag(n *yaml.Node) bool {
	line := []rune(sourceLine(d.lines, n.Line))
	if n.Column < 1 || n.Column > len(line) {
		return false
	}
	rest := string(line[n.Column-1:])
	return rest == "!" || strings.HasPrefix(rest, "! ") || strings.HasPrefix(rest, "!\t")
}

// minAboveMax refuses a min above its max, at the max.
func (d *decoder) minAboveMax(what string, min, max *Number) {
	if min != nil && max != nil && min.Value > max.Value {
		d.errorAt(max.Pos, "%s: max %v is below min %v; swap them", what, max.Value, min.Value)
	}
}

// seq calls fn for each item of a sequence.
func (d *decoder) seq(n *yaml.Node, what string, fn func(item *yaml.Node)) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list (lines starting with \"- \"), not %s", what, kindName(n))
		return
	}
	for _, item := range n.Content {
		if !d.refuseAlias(item) {
			fn(item)
		}
	}
}

func (d *decoder) isScalar(n *yaml.Node, what string) bool {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.errorf(n, "%s must be a single value, not %s", what, kindName(n))
		return false
	}
	return true
}

func (d *decoder) text(n *yaml.Node, what string) String {
	if !d.isScalar(n, what) {
		return String{Pos: d.pos(n)}
	}
	return String{Value: n.Value, Pos: d.pos(n)}
}

// name reads a name that expressions refer to.
func (d *decoder) name(n *yaml.Node, what string) String {
	s := String{Value: n.Value, Pos: d.pos(n)}
	if !nameRE.MatchString(s.Value) {
		d.errorf(n, "%s %q is not a valid name: use letters, digits and _, starting with a letter%s", what, s.Value, renameAs(s.Value))
	}
	return s
}

// ValidName reports whether a field, list or define may take name.
func ValidName(name string) bool { return pathRE.MatchString(name) }

// ValidNameFor returns the valid name nearest to an invalid one: lower
// case, with _ for spaces, dashes and other marks (job_title for
// "Job Title"); "" when there is none.
func ValidNameFor(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		switch {
		case r == '.' || r == '_' || r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	s := strings.Trim(b.String(), "_.")
	if !pathRE.MatchString(s) {
		return ""
	}
	return s
}

// renameAs says "; rename it job_title" for a name written as words
// ("Job Title", job-title), or "".
func renameAs(name string) string {
	if !strings.ContainsAny(name, " -") && strings.ToLower(name) == name {
		return ""
	}
	if s := ValidNameFor(name); s != "" {
		return "; rename it " + s
	}
	return ""
}

func (d *decoder) id(n *yaml.Node, what string) String {
	s := d.text(n, what)
	if s.Value != "" && !idRE.MatchString(s.Value) {
		d.errorf(n, "%s %q is not a valid id: use letters, digits, '.', '-' and '_'", what, s.Value)
	}
	return s
}

func (d *decoder) number(n *yaml.Node, what string) *Number {
	if !d.isScalar(n, what) {
		return nil
	}
	if _, err := strconv.ParseFloat(n.Value, 64); n.Tag == "!!str" && n.Style == 0 && decimalRE.MatchString(n.Value) && errors.Is(err, strconv.ErrRange) {
		// Plain decimal that YAML took for text: past float64's range.
		size := "large"
		if strings.HasPrefix(n.Value, "-") {
			size = "small"
		}
		d.errorf(n, "%s %s is too %s: numbers go from about -1.8e308 to 1.8e308%s", what, n.Value, size, numberUse[what])
		return nil
	}
	if n.Tag != "!!int" && n.Tag != "!!float" {
		d.errorf(n, "%s must be a number, not %s", what, kindName(n))
		return nil
	}
	if !decimalRE.MatchString(n.Value) {
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) || strings.Contains(strings.ToLower(n.Value), ".inf") || strings.Contains(strings.ToLower(n.Value), ".nan") {
			d.errorf(n, "%s must be a finite number, not %q", what, n.Value)
			return nil
		}
		d.errorf(n, "%s %s is not written in plain decimal; write it as 10, -3 or 2.5: YAML readers disagree on numbers written otherwise (010 is 8 to some and 10 to others, 0x10 is 16)", what, n.Value)
		return nil
	}
	f, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		d.errorf(n, "%s must be a finite number, not %q", what, n.Value)
		return nil
	}
	return &Number{Value: f, Pos: d.pos(n)}
}

// numberUse says, for a number past float64's range, what the number
// usually is.
var numberUse = map[string]string{"points": " (points are usually a few dozen)"}

// decimalRE is a number in plain decimal: a sign, digits without a
// leading 0 (but 0 itself), a fraction, an exponent. YAML readers agree on
// it; 010, 0x10, 0o10, 1_000 and 1:30 each read differently in one or another.
var decimalRE = regexp.MustCompile(`^[-+]?(0|[1-9][0-9]*)?(\.[0-9]*)?([eE][-+]?[0-9]+)?$`)

// integer reads a whole number from lo to hi; why says what it counts,
// for the messages, such as " (it counts events)".
func (d *decoder) integer(n *yaml.Node, what string, lo, hi int, why string) (int, bool) {
	if !d.isScalar(n, what) {
		return 0, false
	}
	v := strings.TrimPrefix(n.Value, "+")
	whole := wholeRE.MatchString(v)
	if n.Tag != "!!int" && !(n.Tag == "!!float" && whole) { // a whole number past int64 is a float to YAML
		d.errorf(n, "%s must be a whole number, not %s", what, kindName(n))
		return 0, false
	}
	if !whole {
		d.errorf(n, "%s %s is not written in plain decimal; write it as a whole number such as 10: YAML readers disagree on numbers written otherwise (010 is 8 to some and 10 to others, 0x10 is 16)", what, n.Value)
		return 0, false
	}
	i, err := strconv.ParseInt(v, 10, 64)
	switch {
	case (err != nil && strings.HasPrefix(v, "-")) || (err == nil && i < int64(lo)):
		if err != nil || i < math.MinInt32 {
			d.errorf(n, "%s %s is too small: write a whole number from %d to %d%s", what, n.Value, lo, hi, why)
		} else {
			d.errorf(n, "%s must be at least %d%s", what, lo, why)
		}
		return 0, false
	case err != nil || i > int64(hi):
		d.errorf(n, "%s %s is too large: write a whole number from %d to %d%s", what, n.Value, lo, hi, why)
		return 0, false
	}
	return int(i), true
}

// wholeRE is a whole number in plain decimal.
var wholeRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

func (d *decoder) boolean(n *yaml.Node, what string) bool {
	if !d.isScalar(n, what) {
		return false
	}
	if n.Tag != "!!bool" {
		d.errorf(n, "%s must be true or false, not %s", what, kindName(n))
		return false
	}
	return n.Value == "true" || n.Value == "True" || n.Value == "TRUE"
}

func (d *decoder) duration(n *yaml.Node, what string) *Duration {
	if !d.isScalar(n, what) {
		return nil
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		d.errorf(n, "%s: %v", what, err)
		return nil
	}
	return &Duration{Value: v, Pos: d.pos(n), Source: strings.TrimSpace(n.Value)}
}

func (d *decoder) expr(n *yaml.Node, what string) *Expr {
	if !d.isScalar(n, what) {
		return nil
	}
	if strings.TrimSpace(n.Value) == "" {
		d.errorf(n, "%s is empty; write a condition such as: employees >= 50", what)
		return nil
	}
	e := newExpr(n, d.file, d.lines)
	if pos, msg := commentCut(n, e, d.lines, strings.TrimPrefix(what, "define ")); msg != "" {
		d.errorAt(pos, "%s", msg)
		return nil
	}
	if i := openText(e.Text); i >= 0 {
		q := string([]rune(e.Text)[i])
		d.errorAt(e.PosAt(i), "the text that starts with this %s is not closed; end it with %s (a text in an expression starts and ends with the same quote)", q, q)
		return nil
	}
	return e
}

// Top-level keys of a root file, and the subset an included file may hold.
var (
	rootKeys = []string{"leadscore", "model", "description", "owners", "include", "fields", "events",
		"event_types", "lists", "define", "scores", "total", "rules", "grades", "stages", "handoff", "accounts", "holdout"}
	includeKeys = []string{"include", "fields", "events", "event_types", "lists", "define", "scores", "rules"}
)

// noteKeys records the top-level keys of a file: those it writes, and for
// each it writes that is not one of keys, the section it most likely
// meant (the did-you-mean), or any section when none is near.
func (d *Document) noteKeys(root *yaml.Node, keys []string) {
	if root == nil || root.Kind != yaml.MappingNode {
		return
	}
	if d.present == nil {
		d.present, d.unread = map[string]bool{}, map[string]bool{}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key := root.Content[i].Value
		switch {
		case contains(keys, key):
			d.present[key] = true
		case Suggest(key, keys) != "":
			d.unread[Suggest(key, keys)] = true
		default:
			d.unread["*"] = true
		}
	}
}

// top decodes the top-level mapping of one file. Includes are returned, not
// followed, so the loader can resolve them.
func (d *decoder) top(root *yaml.Node, isRoot bool) (includes []*yaml.Node) {
	keys := rootKeys
	what := "the rule file"
	if !isRoot {
		keys, what = includeKeys, "an included file"
	}
	doc := d.doc
	doc.noteKeys(root, keys)
	d.mapping(root, what, keys, func(key string, k, v *yaml.Node) {
		switch key {
		case "leadscore":
			// A whole number other than Version, however large, is a
			// version this leadscore does not read.
			if w := strings.TrimPrefix(v.Value, "+"); v.Kind == yaml.ScalarNode && (v.Tag == "!!int" || v.Tag == "!!float") && wholeRE.MatchString(w) && w != strconv.Itoa(Version) {
				d.errorf(v, "format version %s is not supported; this leadscore reads version %d", v.Value, Version)
				if ver, err := strconv.Atoi(w); err == nil {
					doc.Version = ver
				}
			} else if ver, ok := d.integer(v, "leadscore (the format version)", Version, Version, ""); ok {
				doc.Version = ver
			}
		case "model":
			doc.Model = d.id(v, "model")
		case "description":
			doc.Description = d.text(v, "description")
		case "owners":
			d.mapping(v, "owners", nil, func(team string, k, v *yaml.Node) {
				doc.Owners = append(doc.Owners, Owner{Team: String{team, d.pos(k)}, Contact: d.text(v, "owner "+team)})
			})
		case "include":
			if v.Kind == yaml.ScalarNode {
				includes = append(includes, v)
			} else {
				d.seq(v, "include", func(item *yaml.Node) { includes = append(includes, item) })
			}
		case "fields":
			doc.Fields = append(doc.Fields, d.fields(v, "fields", "lead field")...)
		case "events":
			doc.EventFields = append(doc.EventFields, d.fields(v, "events", "event field")...)
		case "event_types":
			d.seq(v, "event_types", func(item *yaml.Node) {
				doc.EventTypes = append(doc.EventTypes, d.id(item, "event type"))
			})
		case "lists":
			d.lists(v)
		case "define":
			d.mapping(v, "define", nil, func(name string, k, v *yaml.Node) {
				if e := d.expr(v, "define "+name); e != nil {
					doc.Defines = append(doc.Defines, &Define{Name: d.name(k, "define"), Expr: e})
				}
			})
		case "scores":
			doc.Categories = append(doc.Categories, d.categories(v)...)
		case "total":
			doc.Total = d.expr(v, "total")
		case "rules":
			d.seq(v, "rules", func(item *yaml.Node) {
				if r := d.rule(item); r != nil {
					doc.Rules = append(doc.Rules, r)
				}
			})
		case "grades":
			doc.Grades = append(doc.Grades, d.grades(v)...)
		case "stages":
			doc.Stages = append(doc.Stages, d.stages(v)...)
		case "handoff":
			doc.Handoff = d.handoff(k, v)
		case "accounts":
			doc.Accounts = d.accounts(k, v)
		case "holdout":
			doc.Holdout = d.holdout(k, v)
		}
	})
	return includes
}

// categories decodes a scores: section.
func (d *decoder) categories(v *yaml.Node) []*Category {
	var out []*Category
	d.mapping(v, "scores", nil, func(name string, k, v *yaml.Node) {
		c := &Category{Name: d.name(k, "score category")}
		if v.Tag != "!!null" {
			d.mapping(v, "score category "+name, []string{"min", "max"}, func(key string, k, v *yaml.Node) {
				if key == "min" {
					c.Min = d.number(v, "min")
				} else {
					c.Max = d.number(v, "max")
				}
			})
		}
		d.minAboveMax("score category "+name, c.Min, c.Max)
		out = append(out, c)
	})
	return out
}

// grades decodes a grades: list.
func (d *decoder) grades(v *yaml.Node) []*Grade {
	var out []*Grade
	d.seq(v, "grades", func(item *yaml.Node) {
		g := &Grade{}
		d.mapping(item, "a grade", []string{"grade", "when"}, func(key string, k, v *yaml.Node) {
			if key == "grade" {
				g.Grade = d.id(v, "grade")
			} else {
				g.When = d.expr(v, "when")
			}
		})
		if g.Grade.Value == "" && item.Kind == yaml.MappingNode {
			d.errorf(item, "this grade has no name; add grade: A (or B, C...)")
		}
		g.Grade.Pos = orPos(g.Grade.Pos, d.pos(item))
		out = append(out, g)
	})
	return out
}

// stages decodes a stages: ladder.
func (d *decoder) stages(v *yaml.Node) []*Stage {
	var out []*Stage
	d.seq(v, "stages", func(item *yaml.Node) {
		s := &Stage{}
		d.mapping(item, "a stage", []string{"id", "description", "when", "sales_ready"}, func(key string, k, v *yaml.Node) {
			switch key {
			case "id":
				s.ID = d.id(v, "stage id")
			case "description":
				s.Description = d.text(v, "description")
			case "when":
				s.When = d.expr(v, "when")
			case "sales_ready":
				s.SalesReady, s.salesReadyKey = d.boolean(v, "sales_ready"), true
			}
		})
		if item.Kind == yaml.MappingNode {
			if s.ID.Value == "" {
				d.errorf(item, "this stage has no id; add id: mql (or sql...)")
			}
			if s.When == nil {
				d.errorf(item, "stage %s has no when; say when a lead reaches it, such as: when: fit >= 30", s.ID.Value)
			}
		}
		s.ID.Pos = orPos(s.ID.Pos, d.pos(item))
		out = append(out, s)
	})
	return out
}

func orPos(p, fallback Pos) Pos {
	if p.IsValid() {
		return p
	}
	return fallback
}

// fieldName reads a field's name: a name, or names joined by dots for a
// field nested in an object (company.size).
func (d *decoder) fieldName(n *yaml.Node, what string) String {
	s := String{Value: n.Value, Pos: d.pos(n)}
	if !pathRE.MatchString(s.Value) {
		d.errorf(n, "%s %q is not a valid name: use letters, digits and _, starting with a letter, and dots for a nested field such as company.size%s", what, s.Value, renameAs(s.Value))
	}
	return s
}

func (d *decoder) fields(n *yaml.Node, section, what string) []*Field {
	var out []*Field
	d.mapping(n, section, nil, func(name string, k, v *yaml.Node) {
		f := &Field{Name: d.fieldName(k, what)}
		typeNode := v
		if v.Kind == yaml.MappingNode {
			typeNode = nil
			var defNode *yaml.Node
			d.mapping(v, what+" "+name, []string{"type", "default", "required", "description"}, func(key string, k, v *yaml.Node) {
				switch key {
				case "type":
					typeNode = v
				case "default":
					defNode = v
				case "required":
					f.Required = d.boolean(v, "required")
				case "description":
					f.Description = d.text(v, "description")
				}
			})
			if typeNode == nil {
				d.errorf(k, "%s %s has no type; add type: %s", what, name, joinTypes(" or "))
				return
			}
			defer func() {
				if defNode != nil && f.Type != "" {
					f.Default, f.DefaultPos = d.defaultValue(defNode, f), d.pos(defNode)
				}
			}()
		}
		if !d.isScalar(typeNode, what+" "+name) {
			return
		}
		f.Type, f.TypePos = FieldType(typeNode.Value), d.pos(typeNode)
		if !contains(typeNames(), typeNode.Value) {
			d.errorf(typeNode, "%s %s has unknown type %q%s", what, name, typeNode.Value, didYouMeanOr(typeNode.Value, typeNames()))
			f.Type = ""
		}
		out = append(out, f)
	})
	return out
}

func typeNames() []string {
	out := make([]string, len(FieldTypes))
	for i, t := range FieldTypes {
		out[i] = string(t)
	}
	return out
}

func joinTypes(sep string) string { return strings.Join(typeNames(), sep) }

// defaultValue converts a field's default to the field's Go type.
func (d *decoder) defaultValue(n *yaml.Node, f *Field) any {
	what := "default of " + f.Name.Value
	if f.Type == TypeList {
		var items []string
		d.seq(n, what, func(item *yaml.Node) { items = append(items, d.text(item, "list item").Value) })
		return items
	}
	if !d.isScalar(n, what) {
		return nil
	}
	v, err := ParseValue(f.Type, n.Value)
	if err == nil && f.Type == TypeString && n.Tag != "!!str" {
		err = fmt.Errorf("want text; quote it: %q", n.Value)
	}
	if err != nil {
		d.errorf(n, "%s: %v", what, err)
		return nil
	}
	return v
}

// ParseValue converts the text of a value (from a default, a CSV cell or a
// test file) to the Go type of a field: string, int, float64, bool or time.Time.
func ParseValue(t FieldType, s string) (any, error) {
	switch t {
	case TypeString:
		return s, nil
	case TypeInt:
		i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			// 150.0 and 1e2 are whole, as a JSON lead may write them
			// (rules.Coerce), up to 2^53, where a float64 still holds
			// every whole number.
			f, ferr := numfmt.ParseDecimal(strings.TrimSpace(s))
			if ferr != nil || f != math.Trunc(f) || math.Abs(f) >= 1<<53 {
				return nil, fmt.Errorf("want a whole number, got %q", s)
			}
			return int(f), nil
		}
		return int(i), nil
	case TypeFloat:
		f, err := numfmt.ParseDecimal(strings.TrimSpace(s))
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("want a number, got %q", s)
		}
		return f, nil
	case TypeBool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("want true or false, got %q", s)
		}
		return b, nil
	case TypeTime:
		return ParseTime(s)
	case TypeList:
		if strings.TrimSpace(s) == "" {
			return []string{}, nil
		}
		parts := strings.Split(s, "|")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		return parts, nil
	}
	return nil, fmt.Errorf("unknown type %q", t)
}

// ParseTime reads a time as RFC 3339 ("2026-03-01T09:30:00Z", with any
// offset), as a date and time without offset (taken as UTC), or as a date
// ("2026-03-01", midnight UTC).
//
// The common shape 2026-03-01T09:30:00Z is read without the time
// package's parser (the hot path of every lead file); any other shape, or
// a date out of range, goes through the layouts.
func ParseTime(s string) (time.Time, error) {
	if t, ok := parseUTCSeconds(s); ok {
		return t, nil
	}
	return parseTimeLayouts(s)
}

// parseUTCSeconds reads exactly 2026-03-01T09:30:00Z, a valid date and
// time; ok is false for anything else.
func parseUTCSeconds(s string) (time.Time, bool) {
	if len(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' {
		return time.Time{}, false
	}
	num := func(from, to int) int {
		n := 0
		for _, c := range []byte(s[from:to]) {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, mo, d, h, mi, sec := num(0, 4), num(5, 7), num(8, 10), num(11, 13), num(14, 16), num(17, 19)
	if y < 1 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 ||
		d > daysIn(mo, y) {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC), true
}

// daysIn is the number of days of month mo of year y.
func daysIn(mo, y int) int {
	switch mo {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseTimeLayouts is ParseTime through the time package's layouts.
func parseTimeLayouts(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	// 2006-01-02T15:04:05Z0700 reads an offset without its colon, as
	// Salesforce and others export it: 2026-09-29T10:00:00.000+0000.
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if err := calendar.NoSuchDay(s); err != nil {
		return time.Time{}, err
	}
	if hint := calendar.Epoch(s); hint != "" {
		return time.Time{}, fmt.Errorf("want a time like 2026-03-01 or 2026-03-01T09:30:00Z, got %q; %s", s, hint)
	}
	return time.Time{}, fmt.Errorf("want a time like 2026-03-01 or 2026-03-01T09:30:00Z, got %q", s)
}

// NotATime is the error for a value of JSON that is no text where a time
// belongs (a number, true, a list), described by what: the number as
// written, with what to export instead of an epoch time.
func NotATime(v any, what string) error {
	text := ""
	switch x := v.(type) {
	case float64:
		text = strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		text = x.String()
	}
	if hint := calendar.Epoch(text); hint != "" {
		return fmt.Errorf("want a time like 2026-03-01T09:30:00Z, got the number %s; %s", text, hint)
	}
	if text != "" {
		return fmt.Errorf("want a time like 2026-03-01T09:30:00Z, got the number %s", text)
	}
	return fmt.Errorf("want a time like 2026-03-01T09:30:00Z, got %s", what)
}

func (d *decoder) lists(n *yaml.Node) {
	d.mapping(n, "lists", nil, func(name string, k, v *yaml.Node) {
		l := &List{Name: d.name(k, "list")}
		d.seq(v, "list "+name, func(item *yaml.Node) {
			if d.isScalar(item, "an item of list "+name) {
				l.Items = append(l.Items, String{Value: item.Value, Pos: d.pos(item)})
			}
		})
		d.doc.Lists = append(d.doc.Lists, l)
	})
}

var ruleKeys = []string{"id", "score", "owner", "reason", "reviewed", "when", "points", "event",
	"limit", "within", "decay", "disqualify"}

func (d *decoder) rule(n *yaml.Node) *Rule { return d.ruleWith(n, ruleKeys) }

// ruleWith decodes a rule whose mapping may hold keys: a lead rule's, or
// an account rule's, which may be a roll-up of the account's people.
func (d *decoder) ruleWith(n *yaml.Node, keys []string) *Rule {
	r := &Rule{Pos: d.pos(n)}
	var rollupKeys []*yaml.Node // of, top, max: meaningful only for roll-ups
	rollup := func() *Rollup {
		if r.Rollup == nil {
			r.Rollup = &Rollup{}
		}
		return r.Rollup
	}
	var eventKeys []*yaml.Node // limit, within, decay: meaningful only for event rules
	var scoreKeys []*yaml.Node // score, points: meaningless for gates
	hasPoints := false
	var withinKey *yaml.Node
	ok := d.mapping(n, "a rule", keys, func(key string, k, v *yaml.Node) {
		switch key {
		case "people":
			x := rollup()
			x.Strategy = d.text(v, "people")
			if x.Strategy.Value != "" && !contains(RollupStrategies, x.Strategy.Value) {
				d.errorf(v, "people: unknown roll-up %q%s", x.Strategy.Value, didYouMeanOr(x.Strategy.Value, RollupStrategies))
			}
		case "of":
			rollupKeys = append(rollupKeys, k)
			rollup().Of = d.expr(v, "of")
		case "top":
			rollupKeys = append(rollupKeys, k)
			if t, ok := d.integer(v, "top", 1, math.MaxInt32, " (it counts people)"); ok {
				rollup().Top, rollup().TopPos = t, d.pos(v)
			}
		case "max":
			rollupKeys = append(rollupKeys, k)
			rollup().Max = d.number(v, "max")
		case "weights":
			rollupKeys = append(rollupKeys, k)
			x := rollup()
			d.mapping(v, "weights", nil, func(role string, k, v *yaml.Node) {
				w := d.number(v, "the weight of "+role)
				if w == nil {
					return
				}
				if w.Value < 0 {
					d.errorf(v, "the weight of %s is below 0; a weight multiplies what a person gives, so give 0 (counts for nothing) or more", role)
				}
				x.Weights = append(x.Weights, RoleWeight{Role: String{Value: role, Pos: d.pos(k)}, Weight: w})
			})
		case "id":
			r.ID = d.id(v, "rule id")
		case "score":
			r.Category = d.text(v, "score")
			scoreKeys = append(scoreKeys, k)
		case "owner":
			r.Owner = d.text(v, "owner")
		case "reason":
			r.Reason = d.text(v, "reason")
		case "reviewed":
			r.Reviewed = d.text(v, "reviewed")
		case "when":
			r.When = d.expr(v, "when")
		case "points":
			r.Points, hasPoints = d.number(v, "points"), true
			scoreKeys = append(scoreKeys, k)
		case "event":
			if v.Kind == yaml.SequenceNode {
				d.seq(v, "event", func(item *yaml.Node) { r.Events = append(r.Events, d.id(item, "event type")) })
			} else {
				r.Events = append(r.Events, d.id(v, "event type"))
			}
		case "limit":
			eventKeys = append(eventKeys, k)
			if l, ok := d.integer(v, "limit", 1, math.MaxInt32, " (it counts events)"); ok {
				r.Limit, r.LimitPos = l, d.pos(v)
			}
		case "within":
			withinKey = k
			r.Within = d.duration(v, "within")
		case "decay":
			eventKeys = append(eventKeys, k)
			if v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
				d.errorf(v, "decay takes a half-life: write decay: {half_life: %s}", v.Value)
				return
			}
			d.mapping(v, "decay", []string{"half_life"}, func(key string, k, v *yaml.Node) {
				r.HalfLife = d.duration(v, "half_life")
			})
			if v.Kind == yaml.MappingNode && len(v.Content) == 0 {
				d.errorf(v, "decay needs a half_life, such as {half_life: 30d}")
			}
		case "disqualify":
			r.Disqualify = d.text(v, "disqualify")
		}
	})
	if !ok {
		return nil
	}
	x := r.Rollup
	if x != nil && x.Strategy.Value != "" {
		x.Within, r.Within, withinKey = r.Within, nil, nil
	} else if withinKey != nil {
		eventKeys = append(eventKeys, withinKey)
	}
	name := "this rule"
	if r.ID.Value == "" {
		d.errorf(n, "this rule has no id; add id: followed by a short stable name such as fit.industry")
	} else {
		name = "rule " + r.ID.Value
	}
	if x != nil {
		x.Points = r.Points
		if x.Strategy.Value == "" {
			for _, k := range rollupKeys {
				d.errorf(k, "%s has %s but no people; %s applies only to roll-ups (people: sum, max, top or count)", name, k.Value, k.Value)
			}
			r.Rollup = nil
		}
	}
	switch {
	case r.Rollup != nil:
		d.checkRollup(n, name, r, hasPoints)
	case r.IsGate():
		for _, k := range scoreKeys {
			d.errorf(k, "%s disqualifies, so it takes no %s; make it a separate rule", name, k.Value)
		}
		if r.When == nil && !r.IsEvent() {
			d.errorf(n, "%s has no when; say which leads it disqualifies", name)
		}
	default:
		if !hasPoints {
			d.errorf(n, "%s gives no points; add points: (a number), or disqualify: (a reason) for a gate", name)
		}
		if r.Category.Value == "" {
			d.errorf(n, "%s names no score category; add score: followed by one of the categories under scores", name)
		}
	}
	if !r.IsEvent() {
		for _, k := range eventKeys {
			d.errorf(k, "%s has %s but no event; %s applies only to event rules", name, k.Value, k.Value)
		}
	}
	return r
}

// RollupStrategies are the ways a roll-up adds up an account's people.
var RollupStrategies = []string{"sum", "max", "top", "count"}

// checkRollup says what a roll-up lacks or holds in vain.
func (d *decoder) checkRollup(n *yaml.Node, name string, r *Rule, hasPoints bool) {
	x := r.Rollup
	if r.IsGate() {
		d.errorf(n, "%s disqualifies, so it cannot roll people up; make it a separate rule", name)
	}
	if r.Category.Value == "" {
		d.errorf(n, "%s names no score category; add score: followed by one of the account's categories", name)
	}
	switch x.Strategy.Value {
	case "count":
		if !hasPoints {
			d.errorf(n, "%s counts people but gives no points; add points: (for each person counted)", name)
		}
		if x.Of != nil {
			d.errorAt(x.Of.Pos, "%s counts people, so it takes no of; use people: sum (or max, top) to add up a number of each person", name)
		}
	default:
		if hasPoints && r.Points != nil {
			d.errorAt(r.Points.Pos, "%s gives what its people add up to (people: %s), so it takes no points; use people: count for points per person", name, x.Strategy.Value)
		}
		if x.Of == nil {
			d.errorf(n, "%s adds up no number; add of: followed by what each person gives, such as of: engagement", name)
		}
	}
	if x.Strategy.Value == "top" && x.Top == 0 {
		d.errorf(n, "%s takes the top people but does not say how many; add top: 3 (or another number)", name)
	}
	if x.Strategy.Value != "top" && x.TopPos.IsValid() {
		d.errorAt(x.TopPos, "%s has top but is people: %s; top applies only to people: top", name, x.Strategy.Value)
	}
	if x.Max != nil && x.Max.Value < 0 {
		d.errorAt(x.Max.Pos, "max is the most points the roll-up gives, so it cannot be below 0")
	}
}

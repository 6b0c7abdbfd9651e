package source

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/rules"
)

type drafter struct {
	opts             DraftOptions
	contacts, events *sample
	out              strings.Builder
	zoneless         []string // time columns written without a zone
	newFields        []string // without a model: the fields proposed, as "name: type"
	newEventFields   []string
	newEventTypes    []string
}

func (d *drafter) line(indent int, format string, args ...any) {
	d.out.WriteString(strings.Repeat("  ", indent))
	fmt.Fprintf(&d.out, format, args...)
	d.out.WriteByte('\n')
}

// values describes a column's cells for a comment: how many, and a few.
func values(c *column) string {
	return fmt.Sprintf("%s values", numfmt.Thousands(len(c.cells)))
}

func examples(c *column, n int) string {
	var ex []string
	for i, v := range c.distinct {
		if i == n {
			break
		}
		ex = append(ex, strconv.Quote(clip(v)))
	}
	s := strings.Join(ex, ", ")
	if len(c.distinct) > n {
		s += ", ..."
	}
	return s
}

func clip(s string) string {
	if r := []rune(s); len(r) > 30 {
		return string(r[:27]) + "..."
	}
	return s
}

func (d *drafter) write() []byte {
	o := d.opts
	c := d.contacts
	d.line(0, "# A source mapping drafted by leadscore init --sample from %s", c.name)
	if d.events != nil {
		d.line(0, "# and %s", d.events.name)
	}
	d.line(0, "# %s.", d.sampled())
	if o.Model != nil {
		d.line(0, "# Columns are mapped to the fields of model %s (%s) by their names.", o.Model.Name, o.ModelFile)
	} else {
		d.line(0, "# No --model was given: the fields are named after the columns, and a model's")
		d.line(0, "# fields: block for them is proposed at the end of the file.")
	}
	d.line(0, "# Every guess has a comment: review each, then check the mapping with")
	if o.Model != nil {
		d.line(0, "#   leadscore check --model %s THIS-FILE", o.ModelFile)
	} else {
		d.line(0, "#   leadscore check THIS-FILE")
	}
	d.line(0, "leadscore: 1")
	d.line(0, "source: %s # guessed from the file name; name the CRM the exports come from", scalar(sourceName(c.name)))
	if c.comma != ',' {
		d.line(0, "delimiter: %s # the character between the export's cells, read from its header", scalar(string(c.comma)))
	}
	idCol, idWhy := pickID(c.columns)
	d.line(0, "id: %s # %s", scalar(idCol.name), idWhy)
	zoneAt := d.out.Len()
	d.line(0, "")
	d.line(0, "fields:")
	fieldsAt := d.out.Len()
	var rest []*column
	for _, col := range c.columns {
		if col != idCol {
			rest = append(rest, col)
		}
	}
	var ignore []string
	if o.Model != nil {
		pairs, unmatched := pair(rest, o.Model.Fields)
		for _, p := range pairs {
			d.field(1, p.name, p.col, p.field.Type, matchNote(p))
		}
		mapped := map[string]bool{}
		for _, p := range pairs {
			mapped[p.name] = true
		}
		var missing []string
		for _, f := range o.Model.Fields {
			if !mapped[f.Name] {
				missing = append(missing, f.Name)
			}
		}
		if len(missing) > 0 {
			d.line(1, "# no column was found for %s of model %s: map the columns that hold them, if the export has them", strings.Join(missing, ", "), o.Model.Name)
		}
		for _, col := range unmatched {
			if contains(personal, col.norm) {
				ignore = append(ignore, fmt.Sprintf("%s # looks personal, and model %s has no field for it", scalar(col.name), o.Model.Name))
			} else {
				ignore = append(ignore, fmt.Sprintf("%s # not a field of model %s%s; map it under fields: if a rule should read it", scalar(col.name), o.Model.Name, nearField(col, o.Model.Fields)))
			}
		}
	} else {
		names := newFieldNames()
		for _, col := range rest {
			if contains(personal, col.norm) {
				ignore = append(ignore, fmt.Sprintf("%s # looks personal, and no rule needs it", scalar(col.name)))
				continue
			}
			name := names.name(col.norm)
			d.field(1, name, col, col.guess.typ, "")
			d.newFields = append(d.newFields, fmt.Sprintf("%s: %s", name, col.guess.typ))
		}
	}
	if onlyComments(d.out.String()[fieldsAt:]) {
		d.line(1, "{} # no column to map")
	}
	if len(ignore) > 0 {
		d.line(0, "")
		d.line(0, "ignore: # columns read as nothing, on purpose")
		for _, s := range ignore {
			d.line(1, "- %s", s)
		}
	}
	if d.events != nil {
		d.eventsSection(idCol)
	}
	if o.Model == nil {
		d.proposeModel()
	}
	text := d.out.String()
	if len(d.zoneless) > 0 {
		zone := fmt.Sprintf("timezone: UTC # guessed: %s %s times without a zone, read in this one; write the CRM's zone, such as America/New_York\n",
			strings.Join(d.zoneless, " and "), writeWrite(len(d.zoneless)))
		text = text[:zoneAt] + zone + text[zoneAt:]
	}
	return []byte(text)
}

func writeWrite(n int) string {
	if n == 1 {
		return "writes"
	}
	return "write"
}

func (d *drafter) sampled() string {
	s := func(x *sample) string {
		if x.more {
			return fmt.Sprintf("the first %s rows of %s (not the rest)", numfmt.Thousands(x.rows), x.name)
		}
		return fmt.Sprintf("all %s rows of %s", numfmt.Thousands(x.rows), x.name)
	}
	out := "Guessed from " + s(d.contacts)
	if d.events != nil {
		out += "\n# and " + s(d.events)
	}
	return out + fmt.Sprintf(";\n# init reads at most %s rows of each (--rows), so check the mapping on the whole export", numfmt.Thousands(d.opts.Rows))
}

// sourceName guesses the CRM's name from the export's file name.
func sourceName(file string) string {
	base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	n := normalize(base)
	if first, _, _ := strings.Cut(n, "_"); first != "" {
		return first
	}
	return "crm"
}

// pickID finds the column holding the lead id.
func pickID(cols []*column) (*column, string) {
	unique := func(c *column) bool { return len(c.cells) > 0 && len(c.distinct) == len(c.cells) }
	for _, want := range idNames {
		for _, c := range cols {
			if c.norm == want {
				if unique(c) {
					return c, "guessed from its name; " + allDifferent(len(c.cells))
				}
				return c, fmt.Sprintf("guessed from its name, but its values repeat (%s distinct of %s): check that it is the lead id", numfmt.Thousands(len(c.distinct)), numfmt.Thousands(len(c.cells)))
			}
		}
	}
	for _, c := range cols {
		if strings.HasSuffix(c.norm, "_id") && unique(c) {
			return c, "guessed: its name ends in ID and " + allDifferent(len(c.cells))
		}
	}
	for _, c := range cols {
		if unique(c) {
			return c, "guessed: the first column whose values are all different; check that it is the lead id"
		}
	}
	return cols[0], "NOT FOUND: no column has a different value in every row; name the column holding the lead id"
}

// fieldNames are the field names given so far and, for each name given
// twice, the number to try next after it, so that n columns of one name
// take n steps, not n².
type fieldNames struct {
	taken map[string]bool
	next  map[string]int
}

func newFieldNames() *fieldNames {
	return &fieldNames{taken: map[string]bool{}, next: map[string]int{}}
}

// name makes a column's normalised name a field name no other field has and
// check accepts.
func (n *fieldNames) name(norm string) string {
	name := norm
	if name == "" || !(name[0] >= 'a' && name[0] <= 'z' || name[0] == '_') {
		name = "f_" + name
	}
	if rules.NameTaken(name) {
		name += "_field"
	}
	base := name
	for i := max(n.next[base], 2); n.taken[name]; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
		n.next[base] = i + 1
	}
	n.taken[name] = true
	return name
}

// nearField says which field a column's name is near, for a comment.
func nearField(c *column, fields []*rules.Field) string {
	var names []string
	for _, f := range fields {
		names = append(names, f.Name)
	}
	if s := dsl.DidYouMeanOr(c.norm, names, ""); s != "" {
		return s
	}
	return ""
}

// field writes one field's mapping: the column, the options its type
// needs, and a comment saying what was guessed and from what.
func (d *drafter) field(indent int, name string, c *column, typ dsl.FieldType, matched string) {
	var opts []string
	var notes []string
	if matched != "" {
		notes = append(notes, matched)
	}
	g := c.guess
	n := values(c)
	if len(c.cells) == 0 {
		notes = append(notes, "empty in every row read: nothing to guess from")
	}
	switch typ {
	case dsl.TypeBool:
		if g.typ == dsl.TypeBool {
			// A list of no words would read nothing as it: leave it out
			// (the usual words) when the values show only one side.
			if len(g.yes) > 0 {
				opts = append(opts, fmt.Sprintf("%s: %s", scalar("true"), flowList(g.yes)))
			}
			if len(g.no) > 0 {
				opts = append(opts, fmt.Sprintf("%s: %s", scalar("false"), flowList(g.no)))
			}
			notes = append(notes, fmt.Sprintf("guessed from %s: %s", n, strings.Join(append(append([]string{}, g.yes...), g.no...), "/")))
		} else if len(c.cells) > 0 {
			notes = append(notes, fmt.Sprintf("REVIEW: %s values such as %s are not the usual words for true and false; list them with \"true\": [...] and \"false\": [...]", numfmt.Thousands(len(c.cells)), examples(c, 3)))
		}
	case dsl.TypeInt, dsl.TypeFloat:
		switch {
		case g.typ == dsl.TypeInt || g.typ == dsl.TypeFloat:
			if g.format != "" {
				opts = append(opts, "format: "+scalar(g.format))
				notes = append(notes, fmt.Sprintf("format guessed from %s such as %s", n, examples(c, 2)))
			} else {
				notes = append(notes, fmt.Sprintf("%s, %s such as %s", typ, n, examples(c, 2)))
			}
			if typ == dsl.TypeInt && g.typ == dsl.TypeFloat {
				notes = append(notes, "REVIEW: some have decimals, and the model's field is a whole number")
			}
		case g.typ == dsl.TypeBool && allDigitsList(g.yes, g.no):
			notes = append(notes, fmt.Sprintf("%s, from %s: %s", typ, n, strings.Join(c.distinct, "/")))
		case len(c.cells) > 0:
			notes = append(notes, fmt.Sprintf("REVIEW: %s values such as %s do not read as numbers; give a format:, such as \"$1,234.56\"", numfmt.Thousands(len(c.cells)), examples(c, 3)))
		}
	case dsl.TypeTime:
		if g.typ == dsl.TypeTime {
			opts = append(opts, "layout: "+scalar(g.layout))
			note := fmt.Sprintf("layout guessed from %s such as %s", n, examples(c, 2))
			if g.ambiguous {
				note += fmt.Sprintf("; AMBIGUOUS: no value has a day above 12, so they read month first (%s) and day first (%s) alike: say which", g.layout, dayFirst(g.layout))
			}
			notes = append(notes, note)
			if !hasZone(g.layout) {
				d.zoneless = append(d.zoneless, c.name)
			}
		} else if len(c.cells) > 0 {
			notes = append(notes, fmt.Sprintf("REVIEW: %s values such as %s are in no layout tried; give a layout:, such as \"01/02/2006 15:04\"", numfmt.Thousands(len(c.cells)), examples(c, 2)))
		}
	case dsl.TypeList:
		sep := g.sep
		if sep == "" {
			best := 0
			for _, s := range []string{";", "|", ","} {
				if k := holding(c, s); k > best {
					sep, best = s, k
				}
			}
		}
		if sep != "" {
			opts = append(opts, "separator: "+scalar(sep))
			notes = append(notes, fmt.Sprintf("separator guessed from %s values such as %s", numfmt.Thousands(holding(c, sep)), examples(withSep(c, sep), 1)))
		} else if len(c.cells) > 0 {
			notes = append(notes, fmt.Sprintf("list: no value of %s holds more than one item, so the separator is a guess (\"|\"); give separator: if it is another", numfmt.Thousands(len(c.cells))))
		}
	default:
		switch {
		case len(c.cells) > 0 && len(c.distinct) <= 50:
			notes = append(notes, fmt.Sprintf("text, %s such as %s (values: maps them to other words)", count(len(c.distinct), "distinct value"), examples(c, 2)))
		case len(c.cells) > 0:
			notes = append(notes, fmt.Sprintf("text, from %s such as %s", n, examples(c, 2)))
		}
	}
	comment := ""
	if len(notes) > 0 {
		comment = " # " + strings.Join(notes, "; ")
	}
	if len(opts) == 0 {
		d.line(indent, "%s: %s%s", scalar(name), scalar(c.name), comment)
		return
	}
	d.line(indent, "%s: {column: %s, %s}%s", scalar(name), scalar(c.name), strings.Join(opts, ", "), comment)
}

// matchNote says why a column was mapped to a field; nothing for the same name.
func matchNote(p pairing) string {
	if p.why == "same name" {
		return ""
	}
	return fmt.Sprintf("mapped by %s", p.why)
}

// withSep is the column's cells holding sep, for examples.
func withSep(c *column, sep string) *column {
	out := &column{}
	for _, v := range c.distinct {
		if strings.Contains(v, sep) {
			out.distinct = append(out.distinct, v)
		}
	}
	return out
}

// eventsSection writes events: from the activities export.
func (d *drafter) eventsSection(contactsID *column) {
	e := d.events
	cols := e.columns
	used := map[*column]bool{}
	// The lead: the column named as the contacts' id, else one holding
	// their ids.
	var lead *column
	leadWhy := ""
	for _, c := range cols {
		if c.norm == contactsID.norm {
			lead, leadWhy = c, fmt.Sprintf("the same name as the contacts' id column (id: %s)", contactsID.name)
			break
		}
	}
	if lead == nil {
		best := 0
		for _, c := range cols {
			k := 0
			for _, v := range c.distinct {
				if contactsID.count[v] > 0 {
					k++
				}
			}
			if k > best {
				lead, best = c, k
				leadWhy = fmt.Sprintf("guessed: %s of its values are ids in %s", numfmt.Thousands(k), contactsID.name)
			}
		}
	}
	if lead == nil {
		lead, leadWhy = cols[0], "NOT FOUND: no column holds the contacts' ids; name the column holding the lead id"
	}
	used[lead] = true
	var id *column
	for _, c := range cols {
		if !used[c] && (c.norm == "id" || strings.HasSuffix(c.norm, "_id")) && len(c.cells) > 0 && c.guess.typ != dsl.TypeTime {
			id = c
			used[c] = true
			break
		}
	}
	var typ *column
	for _, c := range cols {
		if !used[c] && (c.norm == "type" || strings.HasSuffix(c.norm, "_type") || strings.HasPrefix(c.norm, "type_")) {
			typ = c
			break
		}
	}
	if typ == nil { // the text column with the fewest distinct values
		for _, c := range cols {
			if !used[c] && c.guess.typ == dsl.TypeString && len(c.distinct) > 0 && (typ == nil || len(c.distinct) < len(typ.distinct)) {
				typ = c
			}
		}
	}
	var at *column
	for _, c := range cols {
		if !used[c] && c != typ && c.guess.typ == dsl.TypeTime {
			at = c
			break
		}
	}
	d.line(0, "")
	d.line(0, "events: # from %s", e.name)
	if id != nil {
		why := fmt.Sprintf("its %s values are all different", numfmt.Thousands(len(id.cells)))
		if dup := len(id.cells) - len(id.distinct); dup > 0 {
			why = fmt.Sprintf("%s of its %s values repeat one before", numfmt.Thousands(dup), numfmt.Thousands(len(id.cells)))
		}
		d.line(1, "id: %s # guessed from its name (%s): an activity exported twice counts once", scalar(id.name), why)
	}
	d.line(1, "lead: %s # %s", scalar(lead.name), leadWhy)
	switch {
	case typ == nil:
		d.line(1, "type: %s # NOT FOUND: name the column holding the event type", scalar(unusedName(cols, used, "EVENT TYPE COLUMN")))
	case len(typ.distinct) == 0:
		used[typ] = true
		d.line(1, "type: %s # guessed from its name, but it is empty in every row read: add values: mapping its cells to event types", scalar(typ.name))
	default:
		used[typ] = true
		d.line(1, "type:")
		d.line(2, "column: %s # guessed from its name; %s distinct values in %s rows", scalar(typ.name), numfmt.Thousands(len(typ.distinct)), numfmt.Thousands(len(typ.cells)))
		d.line(2, "values: # each value seen, to an event type%s; a value not listed fails its row: add it", d.typesFrom())
		for _, v := range typ.distinct {
			t, why := d.eventType(v)
			d.line(3, "%s: %s # %s", scalar(v), scalar(t), why)
		}
	}
	if at == nil {
		d.line(1, "at: %s # NOT FOUND: no column reads as times; name the column holding when it happened, with a layout:", scalar(unusedName(cols, used, "EVENT TIME COLUMN")))
	} else {
		used[at] = true
		note := fmt.Sprintf("layout guessed from %s such as %s", values(at), examples(at, 2))
		if at.guess.ambiguous {
			note += fmt.Sprintf("; AMBIGUOUS: no value has a day above 12, so they read month first (%s) and day first (%s) alike: say which", at.guess.layout, dayFirst(at.guess.layout))
		}
		if !hasZone(at.guess.layout) {
			d.zoneless = append(d.zoneless, at.name)
		}
		d.line(1, "at: {column: %s, layout: %s} # %s", scalar(at.name), scalar(at.guess.layout), note)
	}
	var rest []*column
	for _, c := range cols {
		if !used[c] {
			rest = append(rest, c)
		}
	}
	var ignore []string
	if len(rest) > 0 {
		d.line(1, "fields:")
		if m := d.opts.Model; m != nil {
			pairs, unmatched := pair(rest, m.EventFields)
			for _, p := range pairs {
				d.field(2, p.name, p.col, p.field.Type, matchNote(p))
			}
			for _, c := range unmatched {
				ignore = append(ignore, fmt.Sprintf("%s # not an event field of model %s; map it under fields: if a rule should read it", scalar(c.name), m.Name))
			}
			if len(pairs) == 0 {
				d.line(2, "{} # no column matched an event field of model %s", m.Name)
			}
		} else {
			names := newFieldNames()
			for _, c := range rest {
				name := names.name(c.norm)
				d.field(2, name, c, c.guess.typ, "")
				d.newEventFields = append(d.newEventFields, fmt.Sprintf("%s: %s", name, c.guess.typ))
			}
		}
	}
	if len(ignore) > 0 {
		d.line(1, "ignore:")
		for _, s := range ignore {
			d.line(2, "- %s", s)
		}
	}
}

func (d *drafter) typesFrom() string {
	if d.opts.Model != nil && len(d.opts.Model.EventTypes) > 0 {
		return " of model " + d.opts.Model.Name
	}
	return ""
}

// eventType guesses the event type a cell of the type column means.
func (d *drafter) eventType(v string) (string, string) {
	snake := normalize(v)
	if snake == "" {
		snake = "event"
	}
	m := d.opts.Model
	if m == nil || len(m.EventTypes) == 0 {
		if !contains(d.newEventTypes, snake) {
			d.newEventTypes = append(d.newEventTypes, snake)
		}
		return snake, "guessed: the value in snake_case"
	}
	if contains(m.EventTypes, snake) {
		return snake, "same name"
	}
	best, bestScore, bestWhy := "", 0, ""
	for _, t := range m.EventTypes {
		s, why := matchScore(snake, t)
		if s > bestScore {
			best, bestScore, bestWhy = t, s, why
		}
	}
	if best != "" {
		return best, fmt.Sprintf("guessed, %s", bestWhy)
	}
	return snake, fmt.Sprintf("REVIEW: model %s declares no such event type; map it to one of %s, or add it to event_types:", m.Name, strings.Join(m.EventTypes, ", "))
}

// proposeModel writes, as comments, a model's fields for the draft.
func (d *drafter) proposeModel() {
	d.line(0, "")
	d.line(0, "# A model for these exports could declare (types guessed from the values; review them):")
	d.line(0, "# fields:")
	for _, f := range d.newFields {
		d.line(0, "#   %s", f)
	}
	if len(d.newEventFields) > 0 {
		d.line(0, "# events:")
		for _, f := range d.newEventFields {
			d.line(0, "#   %s", f)
		}
	}
	if len(d.newEventTypes) > 0 {
		d.line(0, "# event_types: [%s]", strings.Join(d.newEventTypes, ", "))
	}
}

// flowList writes words as a YAML flow list: [Yes, Y].
func flowList(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = scalar(w)
	}
	return "[" + strings.Join(out, ", ") + "]"
}

// scalar writes s as a YAML scalar that reads back as the text s, in block
// and flow context alike: plain when it can be, else double-quoted.
func scalar(s string) string {
	plain := s != "" && strings.TrimSpace(s) == s
	for i, r := range s {
		ok := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '.' || r == '/' || r == '(' || r == ')' ||
			(i > 0 && (r == ' ' || r == '-' || r == '+' || r == '$' || r == '\''))
		if !ok || r > unicode.MaxASCII && !unicode.IsLetter(r) {
			plain = false
			break
		}
	}
	if plain {
		var v any
		if err := yaml.Unmarshal([]byte("k: "+s), &v); err != nil {
			plain = false
		} else if m, ok := v.(map[string]any); !ok || m["k"] != s {
			plain = false
		}
	}
	if plain {
		return s
	}
	b, _ := yaml.Marshal(s)
	q := strings.TrimSuffix(string(b), "\n")
	if strings.HasPrefix(q, `"`) {
		return q
	}
	return strconv.Quote(s)
}

// count writes n and a noun, plural when n is not 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return numfmt.Thousands(n) + " " + noun + "s"
}

// onlyComments reports whether YAML lines hold nothing but comments.
func onlyComments(text string) bool {
	for _, line := range strings.Split(text, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}

// unusedName is a column no other role of the events section took (the
// last such), or a placeholder to replace: a draft never maps one column
// to two of an activity's id, lead, type and time, which check refuses.
func unusedName(cols []*column, used map[*column]bool, placeholder string) string {
	for i := len(cols) - 1; i >= 0; i-- {
		if !used[cols[i]] {
			used[cols[i]] = true
			return cols[i].name
		}
	}
	return placeholder
}

// allDifferent says a column's n values are all different ("its one value
// is its own" for one).
func allDifferent(n int) string {
	if n == 1 {
		return "its one value is its own"
	}
	return fmt.Sprintf("its %s values are all different", numfmt.Thousands(n))
}

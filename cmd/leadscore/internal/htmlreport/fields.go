package htmlreport

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"
)

// fieldsTable lays a slice of structs out as a table from their JSON
// fields, in field order: words as words, true and false as yes and no,
// counts as counts, shares and rates as percentages, an interval ({low,
// high}) as its two ends, a nested object as one column for each of its
// fields; every number with its path (path.i.field) in the report's JSON.
// It follows the fields a type has, so that a report whose rows gain or
// lose a field (such as feedback.Evidence) shows what its JSON has.
func fieldsTable(items any, path string) *Table {
	v := reflect.ValueOf(items)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	t := &Table{Sortable: true}
	if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
		return t
	}
	col := map[string]int{}
	var rows [][]namedCell
	for i := 0; i < v.Len(); i++ {
		var cells []namedCell
		fieldCells(v.Index(i), p(path+".", i), "", &cells)
		for _, c := range cells {
			if _, ok := col[c.name]; !ok {
				col[c.name] = len(t.Head)
				t.Head = append(t.Head, c.name)
			}
		}
		rows = append(rows, cells)
	}
	for _, cells := range rows {
		row := make([]Cell, len(t.Head))
		for i := range row {
			row[i] = Text("")
		}
		for _, c := range cells {
			row[col[c.name]] = c.cell
		}
		t.Rows = append(t.Rows, Row{Cells: row})
	}
	return t
}

type namedCell struct {
	name string
	cell Cell
}

var timeType = reflect.TypeOf(time.Time{})

// fieldCells appends the cells of one value at path, named name (the JSON
// names of the fields above it, joined by spaces).
func fieldCells(v reflect.Value, path, name string, out *[]namedCell) {
	add := func(c Cell) { *out = append(*out, namedCell{name, c}) }
	if v.Kind() == reflect.Interface {
		if v.IsNil() {
			add(Maybe(path, nil, cellFormat(name)))
			return
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			add(Maybe(path, nil, cellFormat(name)))
			return
		}
		v = v.Elem()
	}
	if m, ok := v.Interface().(json.Marshaler); ok && v.Type() != timeType {
		b, err := m.MarshalJSON()
		if err == nil {
			add(Text(string(b)))
		}
		return
	}
	switch v.Kind() {
	case reflect.String:
		add(Text(v.String()))
	case reflect.Bool:
		add(Text(yesNo(v.Bool())))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f := v.Convert(reflect.TypeOf(float64(0))).Float()
		add(Number(path, f, "int"))
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if format := numberFormat(name); format == "p" {
			add(pValueCell(path, &f))
		} else {
			add(Number(path, f, format))
		}
	case reflect.Struct:
		if v.Type() == timeType {
			add(Text(v.Interface().(time.Time).Format(time.RFC3339)))
			return
		}
		if lo, hi, ok := lowHigh(v); ok {
			format := cellFormat(name)
			add(Parts(Number(path+".low", lo, format), Text(" to "), Number(path+".high", hi, format)))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			key, omitEmpty := jsonKey(f)
			if key == "-" {
				continue
			}
			if f.Anonymous && f.Tag.Get("json") == "" && indirect(f.Type).Kind() == reflect.Struct {
				fieldCells(v.Field(i), path, name, out) // promoted, as encoding/json does
				continue
			}
			sub := strings.TrimSpace(name + " " + strings.ReplaceAll(key, "_", " "))
			if omitEmpty && v.Field(i).IsZero() {
				*out = append(*out, namedCell{sub, Text("")}) // not in the JSON: no path
				continue
			}
			fieldCells(v.Field(i), path+"."+key, sub, out)
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			add(Text(""))
			return
		}
		var words []string
		for i := 0; i < v.Len(); i++ {
			e := v.Index(i)
			if e.Kind() == reflect.String {
				words = append(words, e.String())
				continue
			}
			b, _ := json.Marshal(e.Interface())
			words = append(words, string(b))
		}
		add(Text(strings.Join(words, ", ")))
	default:
		b, _ := json.Marshal(v.Interface())
		add(Text(string(b)))
	}
}

// cellFormat is numberFormat for a cell that holds a number as such (a
// p-value too, with three decimals).
func cellFormat(name string) string {
	if f := numberFormat(name); f != "p" {
		return f
	}
	return "dec3"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func indirect(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// jsonKey is a field's name in JSON, and whether it is left out when empty.
func jsonKey(f reflect.StructField) (string, bool) {
	tag := f.Tag.Get("json")
	name, opts, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	return name, strings.Contains(","+opts+",", ",omitempty,")
}

// lowHigh reads an interval: a struct whose JSON fields are low and high
// and nothing else, both numbers.
func lowHigh(v reflect.Value) (lo, hi float64, ok bool) {
	var seen int
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		key, _ := jsonKey(f)
		fv := v.Field(i)
		if fv.Kind() != reflect.Float64 && fv.Kind() != reflect.Float32 {
			return 0, 0, false
		}
		switch key {
		case "low":
			lo = fv.Float()
		case "high":
			hi = fv.Float()
		default:
			return 0, 0, false
		}
		seen++
	}
	return lo, hi, seen == 2
}

// numberFormat guesses how a number is read from its field's name: p and
// q values as p-values ("p"), shares, rates, precision and recall as
// percentages, lifts and ratios with two decimals, revenue and cost as
// money, anything else with three decimals.
func numberFormat(name string) string {
	words := strings.Fields(name)
	last := ""
	if len(words) > 0 {
		last = words[len(words)-1]
	}
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(name, s) {
				return true
			}
		}
		return false
	}
	switch {
	case last == "p" || last == "q" || has("p value", "pvalue"):
		return "p"
	case has("share", "rate", "precision", "recall", "probability", "fraction"):
		return "pct"
	case has("lift", "ratio", "odds"):
		return "dec2"
	case has("revenue", "cost"):
		return "money"
	}
	return "dec3"
}

package rules

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"

	"github.com/leadscore/leadscore/dsl"
)

// Coerce converts a value from lead data to the Go type expressions see for
// a field of type t: string, int, float64, bool, time.Time or []string.
//
// The conversion is strict: a whole-number field takes any integer, or a
// float with no fraction (JSON numbers decode as float64); a float field
// takes any number; a time field takes a time.Time or RFC 3339 text (or a
// date, 2026-03-01); a list takes []string or a list of texts. Text is never
// read as a number: "42" for an int field is an error, so a CRM export that
// quotes numbers is caught rather than silently scored as zero.
func Coerce(t dsl.FieldType, v any) (any, error) {
	switch t {
	case dsl.TypeString:
		if _, ok := v.(string); ok {
			return v, nil // already boxed: returning v itself allocates nothing
		}
		return nil, fmt.Errorf("want text, got %s", describe(v))
	case dsl.TypeInt:
		var i int
		ok := false
		switch n := v.(type) {
		case int:
			return v, nil
		case float64:
			i, ok = intOf(n)
		case float32:
			i, ok = intOf(float64(n))
		case json.Number:
			if x, err := n.Int64(); err == nil {
				if i, ok = int64Of(x); !ok {
					return nil, tooLarge(v)
				}
			}
		case int64:
			if i, ok = int64Of(n); !ok {
				return nil, tooLarge(v)
			}
		case int32:
			i, ok = int(n), true
		case int16:
			i, ok = int(n), true
		case int8:
			i, ok = int(n), true
		case uint:
			if i, ok = uint64Of(uint64(n)); !ok {
				return nil, tooLarge(v)
			}
		case uint64:
			if i, ok = uint64Of(n); !ok {
				return nil, tooLarge(v)
			}
		case uint32:
			if i, ok = uint64Of(uint64(n)); !ok {
				return nil, tooLarge(v)
			}
		case uint16:
			i, ok = int(n), true
		case uint8:
			i, ok = int(n), true
		}
		if ok {
			return i, nil
		}
		return nil, fmt.Errorf("want a whole number, got %s", describe(v))
	case dsl.TypeFloat:
		var f float64
		switch n := v.(type) {
		case float64:
			if finite(n) {
				return v, nil
			}
			f = n
		case float32:
			f = float64(n)
		case int:
			return float64(n), nil
		case json.Number:
			x, err := n.Float64()
			if err != nil {
				return nil, fmt.Errorf("want a number, got %s", describe(v))
			}
			f = x
		case int64:
			return float64(n), nil
		case int32:
			return float64(n), nil
		case int16:
			return float64(n), nil
		case int8:
			return float64(n), nil
		case uint:
			return float64(n), nil
		case uint64:
			return float64(n), nil
		case uint32:
			return float64(n), nil
		case uint16:
			return float64(n), nil
		case uint8:
			return float64(n), nil
		default:
			return nil, fmt.Errorf("want a number, got %s", describe(v))
		}
		if !finite(f) {
			return nil, fmt.Errorf("want a finite number, got %s", describeFloat(f))
		}
		return f, nil
	case dsl.TypeBool:
		if _, ok := v.(bool); ok {
			return v, nil
		}
		return nil, fmt.Errorf("want true or false, got %s", describe(v))
	case dsl.TypeTime:
		switch x := v.(type) {
		case time.Time:
			return v, nil
		case *time.Time:
			if x != nil {
				return *x, nil
			}
		case string:
			return dsl.ParseTime(x)
		}
		return nil, dsl.NotATime(v, describe(v))
	case dsl.TypeList:
		switch x := v.(type) {
		case []string:
			return v, nil
		case []any:
			out := make([]string, len(x))
			for i, item := range x {
				s, ok := item.(string)
				if !ok {
					return nil, fmt.Errorf("want a list of texts, but item %d is %s", i+1, describe(item))
				}
				out[i] = s
			}
			return out, nil
		}
		return nil, fmt.Errorf("want a list of texts, got %s", describe(v))
	}
	return nil, fmt.Errorf("unknown field type %q", t)
}

// describe names a value in an error message: its kind and, when short, itself.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		if len(x) > 40 {
			x = x[:37] + "..."
		}
		return fmt.Sprintf("the text %q", x)
	case bool:
		return fmt.Sprintf("%v", x)
	case float64:
		return describeFloat(x)
	case float32:
		return describeFloat(float64(x))
	case int, int64, int32, int16, int8, uint, uint64, uint32, uint16, uint8, json.Number:
		return fmt.Sprintf("the number %v", x)
	case []any, []string:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
}

// BindStruct sets the lead's fields from a struct or a pointer to one. A
// struct field feeds the schema field named by its `lead:"name"` tag, or,
// without a tag, the schema field whose name is the Go name in snake_case
// (AnnualRevenue feeds annual_revenue). A tag of "-" skips the field. A
// nested field (company.size) is fed by a struct field tagged "company"
// holding a struct (or a pointer to one, or a map) whose field is tagged
// "size". A nil pointer, slice, map or interface, and the zero time.Time,
// count as missing. Types are converted as in Coerce. Model.CheckType says
// once, at start-up, how a Go type fits the schema.
func (e *evaluator) BindStruct(lead any) error {
	v := reflect.ValueOf(lead)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			e.resetFields()
			return &LeadError{Problems: []FieldProblem{{Field: "lead", Message: "nil pointer"}}}
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		e.resetFields()
		return &LeadError{Problems: []FieldProblem{{Field: "lead", Message: fmt.Sprintf("want a struct or a map, got %T", lead)}}}
	}
	plan := e.model.plan(v.Type())
	e.resetFields()
	var problems LeadError
	for _, sf := range plan.fields {
		val, ok, err := sf.value(v)
		if err != nil {
			problems.add(e.model.Fields[sf.schema].Name, "%v", err)
		}
		if !ok || isMissing(val) || e.frame.present[sf.schema] {
			continue
		}
		e.setField(sf.schema, val, &problems)
	}
	for i, f := range e.model.Fields {
		if f.Required && !e.frame.present[i] {
			problems.add(f.Name, requiredMissing)
		}
	}
	e.bindMismatch = e.mismatch
	return problems.err()
}

// plainValue turns a reflected value into the plain Go value Coerce takes,
// undoing named types (type Industry string).
func plainValue(v reflect.Value) any {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint()
	case reflect.Float32, reflect.Float64:
		return v.Float()
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.String {
			out := make([]string, v.Len())
			for i := range out {
				out[i] = v.Index(i).String()
			}
			return out
		}
	}
	return v.Interface()
}

// snakeCase turns a Go name into snake_case: AnnualRevenue -> annual_revenue,
// CreatedAt -> created_at, HTTPSource -> https_source.
func snakeCase(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1]))) {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

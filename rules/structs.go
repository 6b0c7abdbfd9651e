package rules

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/leadscore/leadscore/dsl"
)

// A structPlan says which struct fields feed which schema fields, worked
// out once per Go type.
type structPlan struct {
	fields []structField
	// unused are the data names of struct fields that feed nothing
	// (job_title for JobTitle), with the Go names they come from.
	unused   []string
	unusedGo []string
	// groups are struct fields that stand where a group of nested fields
	// is declared but hold neither a struct nor a map.
	badGroups []string
}

// structField is the way from the lead struct to one schema field.
type structField struct {
	// steps are field indexes, one per struct crossed (company, then size).
	steps [][]int
	// mapPath is the rest of the way inside a map the last step reaches
	// (Company map[string]any feeding company.size: ["size"]).
	mapPath []string
	schema  int    // index in Model.Fields
	goName  string // Company.Size, for CheckType
	goType  reflect.Type
}

type structPlanCache struct{ m sync.Map } // reflect.Type -> *structPlan

var timeType = reflect.TypeOf(time.Time{})

func (m *Model) plan(t reflect.Type) *structPlan {
	if p, ok := m.structPlans.m.Load(t); ok {
		return p.(*structPlan)
	}
	p := &structPlan{}
	m.planStruct(p, t, "", "", nil)
	actual, _ := m.structPlans.m.LoadOrStore(t, p)
	return actual.(*structPlan)
}

// planStruct adds the fields of struct type t, whose data names start with
// prefix (company.) and Go names with goPrefix (Company.).
func (m *Model) planStruct(p *structPlan, t reflect.Type, prefix, goPrefix string, steps [][]int) {
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		name := f.Tag.Get("lead")
		if name == "-" {
			continue
		}
		if name == "" {
			name = snakeCase(f.Name)
		}
		full, goName := prefix+name, goPrefix+f.Name
		way := append(append([][]int{}, steps...), f.Index)
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch m.fieldNames[full] {
		case fieldName:
			p.fields = append(p.fields, structField{steps: way, schema: m.fieldIndex[full], goName: goName, goType: ft})
		case groupName:
			switch {
			case ft.Kind() == reflect.Struct && ft != timeType:
				m.planStruct(p, ft, full+".", goName+".", way)
			case ft.Kind() == reflect.Map && ft.Key().Kind() == reflect.String, ft.Kind() == reflect.Interface:
				for _, sf := range m.Fields {
					if rest, ok := strings.CutPrefix(sf.Name, full+"."); ok {
						p.fields = append(p.fields, structField{steps: way, mapPath: strings.Split(rest, "."), schema: sf.Index, goName: goName})
					}
				}
			default:
				p.badGroups = append(p.badGroups, fmt.Sprintf("%s (%s) stands for %s, a group of fields (%s): make it a struct or a map",
					goName, f.Type, full, strings.Join(nestedIn(full, fieldNameList(m.Fields)), ", ")))
			}
		default:
			p.unused = append(p.unused, full)
			p.unusedGo = append(p.unusedGo, goName)
		}
	}
}

// value follows the way from the lead struct to the field's value. found is
// false when a nil pointer, map or interface lies on the way, or a map
// lacks a key.
func (sf *structField) value(v reflect.Value) (val any, found bool, err error) {
	for _, step := range sf.steps {
		if v, found = deref(v); !found {
			return nil, false, nil
		}
		if v, err = v.FieldByIndexErr(step); err != nil {
			return nil, false, nil // through a nil embedded pointer
		}
	}
	for i, key := range sf.mapPath {
		if v, found = deref(v); !found {
			return nil, false, nil
		}
		if v.Kind() != reflect.Map || v.Type().Key().Kind() != reflect.String {
			where := sf.goName
			if i > 0 {
				where += "[" + strings.Join(sf.mapPath[:i], ".") + "]"
			}
			return nil, false, fmt.Errorf("want an object with %s in %s, got %s",
				strings.Join(sf.mapPath[i:], "."), where, describe(v.Interface()))
		}
		if v = v.MapIndex(reflect.ValueOf(key).Convert(v.Type().Key())); !v.IsValid() {
			return nil, false, nil
		}
	}
	if v, found = deref(v); !found {
		return nil, false, nil
	}
	if (v.Kind() == reflect.Slice || v.Kind() == reflect.Map) && v.IsNil() {
		return nil, false, nil
	}
	return plainValue(v), true, nil
}

// deref follows pointers and interfaces; false at a nil one.
func deref(v reflect.Value) (reflect.Value, bool) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return v, false
		}
		v = v.Elem()
	}
	return v, v.IsValid()
}

// StructMismatch says how a Go type fits a model's lead schema; see
// Model.CheckType.
type StructMismatch struct {
	Type  string // the Go type, such as main.Lead
	Model string
	// Unfed are schema fields no struct field feeds: rules always see
	// their default.
	Unfed []string
	// Unused are struct fields that feed no schema field, each with the
	// name it would feed and a did-you-mean.
	Unused []string
	// Mismatches are struct fields whose Go type cannot hold the schema
	// field's type.
	Mismatches []string
}

// Error lists the findings, one kind per line.
func (e *StructMismatch) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "lead type %s does not fit model %s:", e.Type, e.Model)
	if len(e.Unfed) > 0 {
		fmt.Fprintf(&b, "\n  no struct field feeds %s; add fields tagged lead:\"name\", or remove them from the schema", strings.Join(e.Unfed, ", "))
	}
	for _, u := range e.Unused {
		fmt.Fprintf(&b, "\n  %s", u)
	}
	for _, x := range e.Mismatches {
		fmt.Fprintf(&b, "\n  %s", x)
	}
	return b.String()
}

// CheckType says, once at start-up, how a Go struct type (a value, a
// pointer, or a reflect.Type) fits the lead schema: schema fields no struct
// field feeds, struct fields that feed nothing, and struct fields whose
// type cannot hold their schema field's type. It returns nil when the type
// fits exactly, or a *StructMismatch. Scoring with a type that does not fit
// still works (unfed fields read their default), so this is for tests and
// start-up checks in a backend.
func (m *Model) CheckType(lead any) error {
	t, ok := lead.(reflect.Type)
	if !ok {
		t = reflect.TypeOf(lead)
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return fmt.Errorf("CheckType takes a struct type, not %v", t)
	}
	p := m.plan(t)
	e := &StructMismatch{Type: t.String(), Model: m.Name}
	fed := make([]bool, len(m.Fields))
	for _, sf := range p.fields {
		fed[sf.schema] = true
		if sf.mapPath == nil {
			if why := typeFits(sf.goType, m.Fields[sf.schema].Type); why != "" {
				e.Mismatches = append(e.Mismatches, fmt.Sprintf("struct field %s is %s, but %s is %s", sf.goName, sf.goType, m.Fields[sf.schema].Name, why))
			}
		}
	}
	for i, f := range m.Fields {
		if !fed[i] {
			e.Unfed = append(e.Unfed, f.Name)
		}
	}
	for i, name := range p.unused {
		msg := fmt.Sprintf("struct field %s feeds nothing: the schema has no field %s", p.unusedGo[i], name)
		if s := m.suggest(UnknownKey, name); s != "" {
			msg += fmt.Sprintf("; did you mean %s (tag it lead:%q)?", s, lastName(s))
		} else {
			msg += "; tag it lead:\"-\" if it is not lead data"
		}
		e.Unused = append(e.Unused, msg)
	}
	e.Mismatches = append(e.Mismatches, p.badGroups...)
	if len(e.Unfed)+len(e.Unused)+len(e.Mismatches) == 0 {
		return nil
	}
	return e
}

func lastName(s string) string { return s[strings.LastIndexByte(s, '.')+1:] }

// typeFits says why a Go type cannot hold a schema type ("" when it can).
func typeFits(t reflect.Type, ft dsl.FieldType) string {
	k := t.Kind()
	ok := false
	switch ft {
	case dsl.TypeString:
		ok = k == reflect.String
	case dsl.TypeInt:
		ok = k >= reflect.Int && k <= reflect.Uint64
	case dsl.TypeFloat:
		ok = k >= reflect.Int && k <= reflect.Float64
	case dsl.TypeBool:
		ok = k == reflect.Bool
	case dsl.TypeTime:
		ok = t == timeType || k == reflect.String
	case dsl.TypeList:
		ok = k == reflect.Slice && (t.Elem().Kind() == reflect.String || t.Elem().Kind() == reflect.Interface)
	}
	if ok || k == reflect.Interface {
		return ""
	}
	return typeName(fieldGoTypes[ft].String())
}

// StructUnknowns lists, as unknown keys, the fields of a struct lead that
// feed no schema field (see CheckType). They are the same for every value
// of a type, worked out once.
func (m *Model) StructUnknowns(lead any) []Unknown {
	t := reflect.TypeOf(lead)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	p := m.plan(t)
	if len(p.unused) == 0 {
		return nil
	}
	out := make([]Unknown, len(p.unused))
	for i, name := range p.unused {
		out[i] = Unknown{Kind: UnknownKey, Name: name, DidYouMean: m.suggest(UnknownKey, name)}
	}
	return out
}

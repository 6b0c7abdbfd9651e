package rules

import (
	"errors"
	"reflect"
	"slices"
)

// Fields is a lead's fields as an evaluator read them straight into its
// slots (BindJSON, BindCells): what a map would hold, without the map.
// It stands in Lead.Fields for a lead read once and scored many times
// (a backtest scores it as of T0 and replays its timeline): binding it
// again (BindFields) copies the values, and reads nothing.
//
// A Fields is immutable once taken and safe to bind from many goroutines.
type Fields struct {
	model    *Model
	vals     []value // by field index; lists copied out of the slot's buffer
	present  []bool
	mismatch bool
}

// TakeFields copies the fields the evaluator bound last (by BindJSON or
// BindCells), and leaves to the caller the events BindJSON returned: the
// evaluator reads the next line's events into buffers of its own.
func (e *evaluator) TakeFields() *Fields {
	e.events, e.maps, e.used = nil, nil, 0
	n := len(e.model.Fields)
	f := &Fields{model: e.model, vals: make([]value, n), present: slices.Clone(e.frame.present[:n]), mismatch: e.mismatch}
	for i := range f.vals {
		v := e.vals[i]
		v.own = nil
		if v.l != nil {
			v.l = slices.Clone(v.l) // the slot reuses its buffer for the next lead
		}
		if v.boxed != nil {
			if _, list := v.boxed.([]string); list {
				v.boxed = nil // boxed again from the copy
			}
		}
		f.vals[i] = v
	}
	return f
}

// BindFields sets every field of the schema from f, as the bind that
// took it did. Fields taken for another model whose schema is the same
// (a proposal that changes points) are bound as they are; for a model
// with another schema they are bound as BindMap binds f.Map().
func (e *evaluator) BindFields(f *Fields) error {
	if f == nil {
		return errors.New("the lead has no fields (a nil *rules.Fields)")
	}
	if !f.Fits(e.model) {
		return e.BindMap(f.Map())
	}
	for i := range f.vals {
		own := e.vals[i].own
		e.vals[i] = f.vals[i]
		e.vals[i].own = own
		e.stale[i] = true
	}
	copy(e.frame.present, f.present)
	e.mismatch = e.mismatch || f.mismatch
	e.bindMismatch = e.mismatch
	e.keysKnown = !e.model.nested // every key the row had was a field
	return nil
}

// Get returns field name's value as expressions read it (its default when
// the lead left it out), and whether the lead carried it.
func (f *Fields) Get(name string) (v any, present bool) {
	i, ok := f.model.fieldIndex[name]
	if !ok {
		return nil, false
	}
	x := f.vals[i] // a copy: box caches into it
	return x.box(f.model.slots.kinds[i]), f.present[i]
}

// Map returns the fields the lead carried, as a decoded map would hold
// them (times as time.Time, lists as []string).
func (f *Fields) Map() map[string]any {
	out := make(map[string]any, len(f.vals))
	for i, fd := range f.model.Fields {
		if f.present[i] {
			out[fd.Name], _ = f.Get(fd.Name)
		}
	}
	return out
}

// Fits reports whether m reads a lead's fields exactly as the model these
// were taken for did (the same schema): then every key of the lead was a
// field of m. Otherwise bind them as a map (Map).
func (f *Fields) Fits(m *Model) bool { return f.model == m || sameSchema(f.model, m) }

// sameSchema reports whether two models read a lead's fields into the
// same slots alike: the same fields, in the same order, of the same types,
// defaults and requirements.
func sameSchema(a, b *Model) bool {
	if a.nested || b.nested || len(a.Fields) != len(b.Fields) {
		return false
	}
	for i, fa := range a.Fields {
		fb := b.Fields[i]
		if fa.Name != fb.Name || fa.Type != fb.Type || fa.Required != fb.Required || !reflect.DeepEqual(fa.Default, fb.Default) ||
			a.slots.kinds[i] != b.slots.kinds[i] {
			return false
		}
	}
	return true
}

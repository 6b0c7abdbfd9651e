package rules

import (
	"github.com/leadscore/leadscore/internal/numfmt"
	"strconv"
	"strings"

	"github.com/leadscore/leadscore/dsl"
)

// BindCells reads a lead from the cells of one CSV row straight into the
// evaluator's slots, without building a map or boxing a value: cells[i] is
// the text of Fields[i], "" when the row leaves it empty or the file has
// no column for it. Each cell is read as dsl.ParseValue reads it and set
// as BindMap sets that value, so the slots hold what decoding the row into
// a map and binding that would give. It covers the plain case only: it reports
// false, leaving the fields in no particular state, for a cell that does
// not read as its field's type, a missing required field, or a model with
// nested fields; the caller then takes the general path, which words the
// problems.
func (e *evaluator) BindCells(cells []string) bool {
	m := e.model
	if m.nested || !e.fast() || len(cells) != len(m.Fields) {
		return false
	}
	var problems LeadError
	for i, f := range m.Fields {
		cell := cells[i]
		if cell == "" || f.Type != dsl.TypeString && strings.TrimSpace(cell) == "" { // as the CSV decode reads it: no value
			if f.Required {
				return false
			}
			e.setSlot(i, f.Default)
			e.frame.present[i] = false
			continue
		}
		// The scalar types are read as dsl.ParseValue reads them, straight
		// into the slot; what BindMap would do with that value. A list goes
		// through ParseValue and setField.
		v := &e.vals[i]
		switch f.Type {
		case dsl.TypeString:
			v.s = cell
		case dsl.TypeInt:
			n, err := strconv.ParseInt(strings.TrimSpace(cell), 10, 64)
			if err != nil {
				// 150.0 and 1e2 are whole, as a JSON lead may write them.
				x, ferr := numfmt.ParseDecimal(strings.TrimSpace(cell))
				i, ok := intOf(x)
				if ferr != nil || !ok {
					return false
				}
				n = int64(i)
			}
			v.i = int(n)
		case dsl.TypeFloat:
			x, err := numfmt.ParseDecimal(strings.TrimSpace(cell))
			if err != nil || !finite(x) {
				return false
			}
			v.f = x
		case dsl.TypeBool:
			b, err := strconv.ParseBool(strings.TrimSpace(cell))
			if err != nil {
				return false
			}
			v.b = b
		case dsl.TypeTime:
			t, err := dsl.ParseTime(cell)
			if err != nil {
				return false
			}
			if t.IsZero() { // the zero time is missing, as BindMap has it
				if f.Required {
					return false
				}
				e.setSlot(i, f.Default)
				e.frame.present[i] = false
				continue
			}
			v.t = t
		default:
			x, err := dsl.ParseValue(f.Type, cell)
			if err != nil {
				return false
			}
			if e.setField(i, x, &problems); len(problems.Problems) > 0 {
				return false
			}
			continue
		}
		v.boxed = nil
		e.stale[i] = true
		e.frame.present[i] = true
	}
	return true
}

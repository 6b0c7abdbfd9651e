package rules

import "github.com/leadscore/leadscore/dsl"

// BindCells reads a lead from the cells of one CSV row straight into the
// evaluator's slots, without building a map: cells[i] is the text of
// Fields[i], "" when the row leaves it empty or the file has no column for
// it. Each cell is read as dsl.ParseValue reads it and set as BindMap sets
// that value, so the slots hold what decoding the row into a map and
// binding that would give. It covers the plain case only: it reports
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
		var v any
		if cells[i] != "" {
			var err error
			if v, err = dsl.ParseValue(f.Type, cells[i]); err != nil {
				return false
			}
		}
		if isMissing(v) {
			if f.Required {
				return false
			}
			e.setSlot(i, f.Default)
			e.frame.present[i] = false
			continue
		}
		e.setField(i, v, &problems)
		if len(problems.Problems) > 0 {
			return false
		}
	}
	return true
}

package main

import (
	"strconv"

	"github.com/leadscore/leadscore/internal/jsonw"
	"github.com/leadscore/leadscore/scoring"
)

// The rows of score --accounts, written by hand: encoding/json's
// reflection took a third of the run. They are byte for byte what an
// Encoder with SetEscapeHTML(false) writes of accountRow and of the
// people's rows (TestAccountRowsAreEncodingJSONs); explain --account --json
// encodes accountRow with encoding/json.

// appendScores writes the categories' scores as scoring.Scores'
// MarshalJSON does (json.Marshal of each name: HTML escaped).
func appendScores(buf []byte, r *scoring.Result) []byte {
	buf = append(buf, '{')
	for i, c := range r.Categories {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = jsonw.AppendString(buf, c.Name, true)
		buf = append(buf, ':')
		buf = jsonw.AppendFloat(buf, c.Score)
	}
	return append(buf, '}')
}

// appendResult writes what a lead's and an account's rows share, from
// total to fired (gates, with withGates).
func appendResult(buf []byte, r *scoring.Result, withGates bool) []byte {
	buf = append(buf, `"total":`...)
	buf = jsonw.AppendFloat(buf, r.Total)
	buf = append(buf, `,"scores":`...)
	buf = appendScores(buf, r)
	buf = append(buf, `,"grade":`...)
	buf = jsonw.AppendString(buf, r.Grade, false)
	buf = append(buf, `,"stage":`...)
	buf = jsonw.AppendString(buf, r.Stage, false)
	buf = append(buf, `,"sales_ready":`...)
	buf = strconv.AppendBool(buf, r.SalesReady)
	buf = append(buf, `,"disqualified":`...)
	buf = strconv.AppendBool(buf, r.Disqualified)
	if withGates {
		buf = append(buf, `,"gates":[`...)
		for i, g := range r.Gates {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = jsonw.AppendString(buf, g.Rule, false)
		}
		buf = append(buf, ']')
	}
	buf = append(buf, `,"fired":[`...)
	for i, f := range r.Fired {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = jsonw.AppendString(buf, f.Rule, false)
	}
	return append(buf, ']')
}

// appendMember writes a person's memberRow.
func appendMember(buf []byte, p *scoring.Person) []byte {
	buf = append(buf, `{"id":`...)
	buf = jsonw.AppendString(buf, p.LeadID, false)
	buf = append(buf, `,"matched":`...)
	buf = jsonw.AppendString(buf, p.Matched, false)
	buf = append(buf, `,"roles":`...)
	if p.Roles == nil {
		buf = append(buf, "[]"...)
	} else {
		buf = jsonw.AppendStrings(buf, p.Roles, false)
	}
	buf = append(buf, `,"engaged":`...)
	buf = strconv.AppendBool(buf, p.Engaged)
	buf = append(buf, ',')
	buf = appendResult(buf, p.Result, false)
	return append(buf, '}')
}

// appendAccountRow writes an account's accountRow and a newline; members
// are its people's rows, in the order of r.Members.
func appendAccountRow(buf []byte, r *scoring.AccountResult, members [][]byte) []byte {
	buf = appendAccountHead(buf, r)
	for i, m := range members {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, m...)
	}
	return appendAccountTail(buf, r)
}

// appendAccountHead writes an account's accountRow up to its members:
// from its opening brace to "members":[ .
func appendAccountHead(buf []byte, r *scoring.AccountResult) []byte {
	buf = append(buf, `{"id":`...)
	buf = jsonw.AppendString(buf, r.LeadID, false)
	buf = append(buf, ',')
	buf = appendResult(buf, &r.Result, true)
	buf = append(buf, `,"people":`...)
	buf = strconv.AppendInt(buf, int64(r.People), 10)
	buf = append(buf, `,"engaged":`...)
	buf = strconv.AppendInt(buf, int64(r.Engaged), 10)
	buf = append(buf, `,"roles":[`...)
	for i, rc := range r.Roles {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"role":`...)
		buf = jsonw.AppendString(buf, rc.Role, false)
		buf = append(buf, `,"people":`...)
		buf = strconv.AppendInt(buf, int64(rc.People), 10)
		buf = append(buf, `,"engaged":`...)
		buf = strconv.AppendInt(buf, int64(rc.Engaged), 10)
		buf = append(buf, '}')
	}
	buf = append(buf, `],"present_roles":[`...)
	n := 0
	for _, rc := range r.Roles {
		if rc.People > 0 {
			if n > 0 {
				buf = append(buf, ',')
			}
			buf = jsonw.AppendString(buf, rc.Role, false)
			n++
		}
	}
	buf = append(buf, `],"missing_roles":`...)
	buf = jsonw.AppendStrings(buf, r.Missing, false)
	return append(buf, `,"members":[`...)
}

// appendAccountTail writes the rest of an account's accountRow after its
// members, and a newline.
func appendAccountTail(buf []byte, r *scoring.AccountResult) []byte {
	buf = append(buf, ']')
	if len(r.Unknown) > 0 {
		buf = append(buf, `,"unknown":[`...)
		for i, u := range r.Unknown {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, `{"kind":`...)
			buf = jsonw.AppendString(buf, string(u.Kind), false)
			buf = append(buf, `,"name":`...)
			buf = jsonw.AppendString(buf, u.Name, false)
			if u.DidYouMean != "" {
				buf = append(buf, `,"did_you_mean":`...)
				buf = jsonw.AppendString(buf, u.DidYouMean, false)
			}
			buf = append(buf, '}')
		}
		buf = append(buf, ']')
	}
	return append(buf, "}\n"...)
}

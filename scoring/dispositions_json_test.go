package scoring_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/scoring"
)

// A lead's JSON carries its verdicts beside its events; they read back as
// they were written, and a bad one is refused with what to write instead.
func TestDispositionsInTheLeadsJSON(t *testing.T) {
	var l scoring.Lead
	require.NoError(t, json.Unmarshal([]byte(`{"id":"L1","email":"a@b.io","events":[],
		"dispositions":[{"at":"2026-09-14T10:00:00Z","status":"Rejected","reason":"no_budget","owner":"ana"},{"at":"2026-09-20","status":"accepted"}]}`), &l))
	assert.Equal(t, []scoring.Disposition{
		{At: time.Date(2026, 9, 14, 10, 0, 0, 0, time.UTC), Status: scoring.Rejected, Reason: "no_budget", Owner: "ana"},
		{At: time.Date(2026, 9, 20, 0, 0, 0, 0, time.UTC), Status: scoring.Accepted},
	}, l.Dispositions)
	assert.NotContains(t, l.Fields, "dispositions", "not a field")
	b, err := json.Marshal(l)
	require.NoError(t, err)
	var again scoring.Lead
	require.NoError(t, json.Unmarshal(b, &again))
	assert.Equal(t, l.Dispositions, again.Dispositions)

	for _, c := range []struct{ in, want string }{
		{`"x"`, `dispositions: want a list of verdicts, such as [{"at":"2026-09-14T10:00:00Z","status":"rejected","reason":"no_budget"}]`},
		{`[1]`, "disposition 1: want an object with at, status and reason"},
		{`[{"status":"accepted"}]`, "disposition 1: at is missing; say when sales gave the verdict, such as 2026-09-14T10:00:00Z"},
		{`[{"at":"2026-09-14","status":"acepted"}]`, `disposition 1: status "acepted"; write accepted, rejected or recycled`},
		{`[{"at":"2026-09-14","status":"accepted","reason":"no_budget"}]`, `disposition 1: an accepted lead takes no reason (this one gives "no_budget"); leave reason out, or make the status rejected or recycled`},
		{`[{"at":"2026-09-14","status":"rejected"}]`, "disposition 1: a rejected lead needs a reason from the model's catalogue (handoff: reasons)"},
		{`[{"at":"soon","status":"rejected","reason":"x"}]`, `disposition 1: at: want a time like 2026-03-01 or 2026-03-01T09:30:00Z, got "soon"`},
		{`[{"at":"2026-09-14","status":"accepted","by":"jay"}]`, `disposition 1: unknown key "by"; a verdict has at, status, reason and owner`},
		{`[{"at":"2026-09-14","status":5}]`, "disposition 1: status: want text, got a number"},
	} {
		var l scoring.Lead
		assert.EqualError(t, json.Unmarshal([]byte(`{"id":"L1","dispositions":`+c.in+`}`), &l), c.want, c.in)
	}
}

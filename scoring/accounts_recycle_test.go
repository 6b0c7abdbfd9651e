package scoring_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/friend"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// A person given back with Recycle and filled again is the person a fresh
// scorer makes of the same lead: nothing of the one before stays (its
// roles, its match keys, why it matched nothing, its times), and a person
// with no role has nil roles, as always.
func TestRecycledPersonIsAFreshOne(t *testing.T) {
	src, err := os.ReadFile("../testdata/accounts/model.yaml")
	require.NoError(t, err)
	m, err := rules.CompileBytes("model.yaml", src)
	require.NoError(t, err)
	s, err := scoring.NewAccountScorer(m)
	require.NoError(t, err)
	fresh, err := scoring.NewAccountScorer(m)
	require.NoError(t, err)
	leads := []scoring.Lead{
		{ID: "vp", Fields: map[string]any{"email": "Ana <ana@acme.com>", "title": "VP Sales", "account_id": "A-ACME", "created_at": "2026-09-01T00:00:00Z"},
			Events: []scoring.Event{{Type: "demo_request", At: asOf.AddDate(0, 0, -2)}, {Type: "email_click", At: asOf.AddDate(0, 0, -40)}}},
		{ID: "nobody", Fields: map[string]any{"email": "ana"}},
		{ID: "eng", Fields: map[string]any{"email": "@acme.com", "title": "Engineer"}},
		{ID: "two", Fields: map[string]any{"email": "a@x.com, b@y.com", "title": "Analyst"}},
		{ID: "plain", Fields: map[string]any{"email": "bo@globex.io", "title": "Student"}},
	}
	reused := 0
	var last *scoring.Person
	for round := 0; round < 4; round++ {
		for i := range leads {
			lead := leads[(i+round)%len(leads)]
			p, err := s.Person(lead, asOf)
			require.NoError(t, err)
			if p == last {
				reused++
			}
			want, err := fresh.Person(lead, asOf)
			require.NoError(t, err)
			assert.Equal(t, want, p, "lead %s, round %d", lead.ID, round)
			if len(want.Roles) == 0 {
				assert.Nil(t, p.Roles, "lead %s: no role is nil roles", lead.ID)
			}
			require.NoError(t, s.Recycle(friend.K(), []*scoring.Person{p}))
			last = p
		}
	}
	t.Logf("%d of %d people were recycled ones", reused, 4*len(leads)-1)

	// Read straight from their lines, recycled people's results are made
	// anew in place: the same results as a fresh scorer's.
	lines := []string{
		`{"id":"vp","email":"Ana <ana@acme.com>","title":"VP Sales","account_id":"A-ACME","events":[{"type":"demo_request","at":"2026-09-29T00:00:00Z"},{"type":"email_click","at":"2026-08-20T00:00:00Z"},{"type":"page_view","at":"2026-09-28T00:00:00Z","url":"/pricing"}]}`,
		`{"id":"nobody","email":"ana","country":"US"}`,
		`{"id":"eng","email":"@acme.com","title":"Engineer","events":[{"type":"webinar_attended","at":"2026-09-01T00:00:00Z","minutes":45}]}`,
		`{"id":"bad","email":"x@acme.com","title":7}`,
		`{"id":"plain","email":"bo@globex.io","title":"Student"}`,
	}
	reusedResults := 0
	var lastResult *scoring.Result
	for round := 0; round < 4; round++ {
		for i := range lines {
			line := []byte(lines[(i+round)%len(lines)])
			p, id, ok, err := s.PersonJSON(friend.K(), line, asOf)
			want, wantID, wantOK, wantErr := fresh.PersonJSON(friend.K(), line, asOf)
			require.Equal(t, wantOK, ok)
			assert.Equal(t, wantID, id)
			assert.Equal(t, wantErr, err, "%s", line)
			assert.Equal(t, want, p, "%s, round %d", line, round)
			if p == nil {
				continue
			}
			if p.Result == lastResult {
				reusedResults++
			}
			lastResult = p.Result
			require.NoError(t, s.Recycle(friend.K(), []*scoring.Person{p}))
		}
	}
	t.Logf("%d results were recycled ones", reusedResults)
}

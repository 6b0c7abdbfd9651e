package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// explain's lines show numbers with at most two decimals (a decayed
// engagement of 25.5357... as 25.54, in the stage lines too), a window as
// the rule file writes it, and an event dated after the as-of time as one
// in the future, not as one outside the window.
func TestExplainNumbersPeopleRead(t *testing.T) {
	lead := writeTemp(t, "lead.json", `{"id":"X1","email":"maria@acme.io","title":"VP Engineering","industry":"software","employees":250,"country":"US","created_at":"2026-09-01","events":[{"type":"webinar_attended","at":"2026-09-20T00:00:00Z","minutes":45},{"type":"page_view","at":"2026-09-25T07:00:00Z","url":"/pricing"},{"type":"demo_request","at":"2026-10-05T00:00:00Z"},{"type":"email_click","at":"2026-09-28T00:00:00Z"}]}`)
	code, out, errOut := leadscore(t, "", "explain", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--brief", lead)
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, `lead X1, as of 2026-10-01T00:00:00Z: stage mql, grade A, total 95.54
  fit 70 of 0..100 · engagement 25.54 of 0..100

fired:
  +20    fit.industry  Target industry (sales)
         yes  lower(industry) in target_industries           industry = "software"
  +15    fit.mid-market  Mid-market company (50 to 999 employees) (sales)
         yes  and:
           yes  employees >= 50                              employees = 250
           yes  employees < 1000                             employees = 250
  +25    fit.decision-maker  Title of a decision maker (sales)
         yes  decision_maker                                 decision_maker = true
  +10    fit.target-country  Country we sell in (sales)
         yes  country in target_countries                    country = "US"
  +3     engagement.email-click  Clicked a campaign email (marketing)
         1 event of its type: 1 within 30d, 1 matched, 1 counted
           email_click 2026-09-28 (3 days ago)  +3
  +7.54  engagement.pricing-page  Viewed the pricing page (marketing)
         1 event of its type: 1 by the as-of time, 1 matched, 1 counted
           page_view 2026-09-25 (5.7 days ago)  +7.54
  +15    engagement.webinar  Attended a webinar for at least 20 minutes (marketing)
         1 event of its type: 1 within 90d, 1 matched, 1 counted
           webinar_attended 2026-09-20 (11 days ago)  +15

gates:
  (none fired)

stages:
  yes  engaged
         yes  engagement >= 10                               engagement = 25.54
  yes  mql
         yes  and:
           yes  fit >= 30                                    fit = 70
           yes  engagement >= 25                             engagement = 25.54
  no   sql (sales-ready)
         no   and:
           yes  grade in ["A", "B"]                          grade = "A"
           no   or:
             no   engagement >= 50                           engagement = 25.54
             no   recent_demo                                recent_demo = false

to reach sql:
  needs  engagement >= 50
  needs  recent_demo
  lacks  24.46 engagement points
  could  +40 engagement.demo-request  Asked for a demo
  could  +30 engagement.trial  Started a product trial
  could  +8 engagement.content  Downloaded gated content
  (a rule's own points: a change of the lead that fires it may stop another rule, and gain less)
`, out)

	code, out, errOut = leadscore(t, "", "explain", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", lead)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "\n  -      engagement.demo-request  Asked for a demo (sales)\n"+
		"         1 event of its type: 1 after the as-of time (in the future, so not counted), 0 within 30d, 0 matched, 0 counted\n")
}

// "1 more rule", not "1 more rules".
func TestExplainOneMoreRule(t *testing.T) {
	lead := writeTemp(t, "lead.json", `{"id":"N","email":"maria@acme.io","title":"VP Engineering","industry":"software","employees":250,"country":"US","created_at":"2026-09-01"}`)
	code, out, errOut := leadscore(t, "", "explain", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--brief", lead)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "\n  could  +8 engagement.content  Downloaded gated content\n  (and 1 more rule)\n  (a rule's own points: a change of the lead that fires it may stop another rule, and gain less)\n")
}

// Two decimals never round a number onto a whole threshold it misses:
// 9.996 points read 9.996, not 10, beside "fit >= 10: no"; a field of
// 29.996 read against 30 likewise; what the lead lacks reads 0.004, not 0.
func TestExplainNeverRoundsOntoTheThreshold(t *testing.T) {
	model := writeTemp(t, "m.yaml", `leadscore: 1
model: t
fields:
  employees: int
  revenue: float
scores:
  fit: {min: 0, max: 100}
rules:
  - id: r1
    score: fit
    when: employees >= 0
    points: 9.996
  - id: r2
    score: fit
    when: revenue >= 30
    points: 5
stages:
  - id: sql
    sales_ready: true
    when: fit >= 10
`)
	lead := writeTemp(t, "l.json", `{"id":"L","employees":5,"revenue":29.996}`)
	code, out, errOut := leadscore(t, "", "explain", "--model", model, "--at", "2026-10-01", lead)
	require.Equal(t, exitOK, code, errOut)
	for _, want := range []string{"fit 9.996 of 0..100", "revenue = 29.996", "fit = 9.996", "lacks  0.004 fit points"} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "fit = 10\n")
}

package scoring_test

import (
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// asOf is the time every hand-computed case is scored at.
var asOf = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

// ago returns the time n days before asOf (negative n: after it).
func ago(n float64) time.Time { return asOf.Add(-time.Duration(n * float64(24*time.Hour))) }

func ev(typ string, daysAgo float64, fields ...any) scoring.Event {
	e := scoring.Event{Type: typ, At: ago(daysAgo)}
	if len(fields) > 0 {
		e.Fields = map[string]any{}
		for i := 0; i+1 < len(fields); i += 2 {
			e.Fields[fields[i].(string)] = fields[i+1]
		}
	}
	return e
}

func bundledScorer(t testing.TB) *scoring.Scorer {
	t.Helper()
	m, err := rules.CompileFile(filepath.Join("..", "testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	return scoring.New(m)
}

// handCases are leads scored against testdata/b2b-saas.yaml, each expected
// value worked out by hand from the rule file (the arithmetic is in the
// comments).
var handCases = []struct {
	name string
	lead scoring.Lead
	// expectations
	fit, engagement, total float64
	grade, stage           string
	salesReady             bool
	gates                  []string
	blocked                string
	fired                  []string
}{
	{
		name: "VP at a software company who asked for a demo",
		lead: scoring.Lead{ID: "L1", Fields: map[string]any{
			"email": "maria@acme.io", "title": "VP Engineering", "industry": "Software", "employees": 250.0,
			"country": "US", "tech_stack": []any{"Salesforce", "Slack"}, "created_at": "2026-08-01T00:00:00Z",
		}, Events: []scoring.Event{
			ev("page_view", 14, "url", "/pricing"),         // 10 × 0.5^(14/14) = 5
			ev("demo_request", 2),                          // 40
			ev("webinar_attended", 20, "minutes", 45.0),    // 15
			ev("page_view", 3, "url", "/blog/why-scoring"), // not pricing: 0
		}},
		// fit: industry 20 + mid-market 15 + decision maker 25 + country 10 + CRM 10 = 80
		// engagement: 5 + 15 + 40 = 60 (page views in 60 days, so not gone quiet)
		fit: 80, engagement: 60, total: 140, grade: "A", stage: "sql", salesReady: true,
		fired: []string{"fit.industry", "fit.mid-market", "fit.decision-maker", "fit.target-country", "fit.uses-crm",
			"engagement.pricing-page", "engagement.webinar", "engagement.demo-request"},
	},
	{
		name: "student with a free email address is never sales-ready",
		lead: scoring.Lead{ID: "L2", Fields: map[string]any{
			"email": "sam@gmail.com", "title": "Student", "industry": "software", "country": "US",
		}, Events: []scoring.Event{
			ev("content_download", 5), ev("content_download", 10), ev("content_download", 20),
			ev("content_download", 70), // outside 60 days
			ev("demo_request", 1),
		}},
		// fit: industry 20 + country 10 - free email 20 = 10 (no employees: reads 0, no size points)
		// engagement: content 3 × 8 = 24 + demo 40 = 64; not gone quiet: created_at is
		// missing, and the rule asks has(created_at)
		fit: 10, engagement: 64, total: 74, grade: "D", stage: "engaged",
		gates: []string{"gate.student"},
		fired: []string{"fit.industry", "fit.target-country", "fit.free-email",
			"engagement.content", "engagement.demo-request"},
	},
	{
		name: "competitor director: sales-ready on points, stopped by the gate",
		lead: scoring.Lead{ID: "L3", Fields: map[string]any{
			"email": "bob@RivalCRM.com", "title": "Director of Sales", "industry": "fintech", "employees": 5000,
			"country": "GB",
		}, Events: []scoring.Event{
			ev("demo_request", 3),
			ev("email_click", 1), ev("email_click", 2), ev("email_click", 3), ev("email_click", 4),
			ev("email_click", 5), ev("email_click", 6), ev("email_click", 7),
		}},
		// fit: industry 20 + enterprise 25 + decision maker 25 + country 10 = 80
		// engagement: 7 clicks, limit 5: 15 + demo 40 = 55
		// sql holds (A, 55 >= 50) but the competitor gate blocks it: stands on mql
		fit: 80, engagement: 55, total: 135, grade: "A", stage: "mql",
		gates: []string{"gate.competitor"}, blocked: "sql",
		fired: []string{"fit.industry", "fit.enterprise", "fit.decision-maker", "fit.target-country",
			"engagement.email-click", "engagement.demo-request"},
	},
	{
		name: "engagement above the cap is clamped to 100",
		lead: scoring.Lead{ID: "L4", Fields: map[string]any{
			"email": "kim@corp.de", "title": "Head of Data", "industry": "SaaS", "employees": 40,
			"country": "DE", "tech_stack": []string{"HubSpot"},
		}, Events: []scoring.Event{
			ev("demo_request", 1), ev("trial_signup", 1),
			ev("webinar_attended", 10, "minutes", 30), ev("webinar_attended", 20, "minutes", 30),
			ev("webinar_attended", 30, "minutes", 30),
			ev("content_download", 5), ev("content_download", 5),
			ev("page_view", 42, "url", "/pricing"), ev("page_view", 0, "url", "/pricing"),
			ev("page_view", 28, "url", "/pricing"), ev("page_view", 14, "url", "/pricing"),
		}},
		// fit: industry 20 + decision maker 25 + country 10 + CRM 10 = 65 (40 employees: no size points)
		// engagement: demo 40 + trial 30 + webinars 2 × 15 (limit 2) = 30 + content 16
		// + pricing, most recent 3 of 4: 10 + 5 + 2.5 = 17.5  => raw 133.5, clamped to 100
		fit: 65, engagement: 100, total: 165, grade: "A", stage: "sql", salesReady: true,
		fired: []string{"fit.industry", "fit.decision-maker", "fit.target-country", "fit.uses-crm",
			"engagement.pricing-page", "engagement.webinar", "engagement.content", "engagement.demo-request", "engagement.trial"},
	},
	{
		name: "quiet practitioner outside target industries",
		lead: scoring.Lead{ID: "L5", Fields: map[string]any{
			"email": "al@shop.com", "title": "Marketing Manager", "industry": "retail", "employees": 120,
			"country": "US", "created_at": "2026-05-01",
		}, Events: []scoring.Event{ev("email_open", 3)}},
		// fit: mid-market 15 + practitioner 10 + country 10 = 35
		// engagement: gone quiet (no clicks or views, created 153 days ago): -10, clamped to 0
		fit: 35, engagement: 0, total: 35, grade: "C", stage: "",
		fired: []string{"fit.mid-market", "fit.practitioner", "fit.target-country", "engagement.gone-quiet"},
	},
	{
		name: "window edges, events after the as-of time, event filters",
		lead: scoring.Lead{ID: "L6", Fields: map[string]any{
			"email": "cto@bank.com", "title": "CTO", "industry": "fintech", "employees": 1000, "country": "CA",
		}, Events: []scoring.Event{
			ev("demo_request", 30),                     // exactly 30 days old: outside "within: 30d"
			ev("demo_request", -1),                     // after the as-of time: ignored
			ev("webinar_attended", 5, "minutes", 10.0), // under 20 minutes: filtered out
			ev("webinar_attended", 6),                  // minutes missing, reads 0: filtered out
			ev("email_click", 29),                      // 3
			ev("page_view", -2, "url", "/pricing"),     // future: ignored
		}},
		// fit: industry 20 + enterprise 25 (1000 is not mid-market) + decision maker 25 + country 10 = 80
		// engagement: 3; recent_demo is false (the 30-day-old one is outside, the future one ignored)
		fit: 80, engagement: 3, total: 83, grade: "A", stage: "",
		fired: []string{"fit.industry", "fit.enterprise", "fit.decision-maker", "fit.target-country", "engagement.email-click"},
	},
	{
		name: "unsubscribed founder: decay, and the demo alone would make it sales-ready",
		lead: scoring.Lead{ID: "L7", Fields: map[string]any{
			"email": "lee@startup.io", "title": "Founder", "industry": "saas", "employees": 12,
			"country": "NL", "unsubscribed": true,
		}, Events: []scoring.Event{
			ev("page_view", 7, "url", "https://example.com/pricing?plan=pro"), // 10 × 0.5^(7/14) = 7.0710678...
			ev("demo_request", 10), // 40
		}},
		// fit: industry 20 + decision maker 25 + country 10 = 55 => grade B
		// engagement: 47.0710678...; sql holds through recent_demo, blocked by the gate
		fit: 55, engagement: 40 + 10*math.Sqrt2/2, total: 95 + 10*math.Sqrt2/2, grade: "B", stage: "mql",
		gates: []string{"gate.unsubscribed"}, blocked: "sql",
		fired: []string{"fit.industry", "fit.decision-maker", "fit.target-country", "engagement.pricing-page", "engagement.demo-request"},
	},
}

func TestHandComputedScores(t *testing.T) {
	s := bundledScorer(t)
	for _, tc := range handCases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.Score(tc.lead, asOf)
			require.NoError(t, err)
			assert.Equal(t, tc.lead.ID, res.LeadID)
			assert.InDelta(t, tc.fit, res.Score("fit"), 1e-9, "fit")
			assert.InDelta(t, tc.engagement, res.Score("engagement"), 1e-9, "engagement")
			assert.InDelta(t, tc.total, res.Total, 1e-9, "total")
			assert.Equal(t, tc.grade, res.Grade, "grade")
			assert.Equal(t, tc.stage, res.Stage, "stage")
			assert.Equal(t, tc.salesReady, res.SalesReady, "sales-ready")
			assert.Equal(t, len(tc.gates) > 0, res.Disqualified, "disqualified")
			var gates []string
			for _, g := range res.Gates {
				gates = append(gates, g.Rule)
			}
			assert.Equal(t, tc.gates, gates, "gates")
			assert.Equal(t, tc.blocked, res.Blocked, "blocked stage")
			var fired []string
			for _, f := range res.Fired {
				fired = append(fired, f.Rule)
			}
			assert.Equal(t, tc.fired, fired, "fired rules")
		})
	}
}

func TestFiredRuleDetails(t *testing.T) {
	res, err := bundledScorer(t).Score(handCases[3].lead, asOf)
	require.NoError(t, err)
	byID := map[string]scoring.Fired{}
	for _, f := range res.Fired {
		byID[f.Rule] = f
	}
	assert.Equal(t, scoring.Fired{Rule: "engagement.pricing-page", Category: "engagement", Points: 17.5,
		Reason: "Viewed the pricing page", Events: 3}, byID["engagement.pricing-page"])
	assert.Equal(t, scoring.Fired{Rule: "engagement.webinar", Category: "engagement", Points: 30,
		Reason: "Attended a webinar for at least 20 minutes", Events: 2}, byID["engagement.webinar"])
	assert.Equal(t, scoring.Fired{Rule: "fit.industry", Category: "fit", Points: 20, Reason: "Target industry"}, byID["fit.industry"])
	assert.Equal(t, []scoring.CategoryScore{{Name: "fit", Raw: 65, Score: 65}, {Name: "engagement", Raw: 133.5, Score: 100}}, res.Categories)
}

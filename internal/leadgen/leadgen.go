// Package leadgen generates realistic leads with events for the bundled
// b2b-saas model: titles, industries, company sizes and countries in the
// proportions a B2B SaaS funnel sees, and campaign touches over the months
// before a fixed base time. The same seed always gives the same leads, on
// every platform, so generated files can be bundled and regenerated.
package leadgen

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Base is the time generated activity leads up to; score as of it.
var Base = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

// Lead is a generated lead. Nil pointers are fields the CRM does not have.
type Lead struct {
	ID            string   `json:"id"`
	Email         string   `json:"email"`
	Title         *string  `json:"title,omitempty"`
	Industry      *string  `json:"industry,omitempty"`
	Employees     *int     `json:"employees,omitempty"`
	AnnualRevenue *float64 `json:"annual_revenue,omitempty"`
	Country       *string  `json:"country,omitempty"`
	Source        string   `json:"source"`
	TechStack     []string `json:"tech_stack,omitempty"`
	CreatedAt     string   `json:"created_at"`
	Unsubscribed  bool     `json:"unsubscribed,omitempty"`
	Events        []Event  `json:"events"`
}

// Event is a generated touch or action.
type Event struct {
	Type     string   `json:"type"`
	At       string   `json:"at"`
	Campaign string   `json:"campaign,omitempty"`
	Channel  string   `json:"channel,omitempty"`
	URL      string   `json:"url,omitempty"`
	Minutes  *float64 `json:"minutes,omitempty"`
}

// LeadColumns and EventColumns are the CSV headers Write uses.
var (
	LeadColumns  = []string{"id", "email", "title", "industry", "employees", "annual_revenue", "country", "source", "tech_stack", "created_at", "unsubscribed"}
	EventColumns = []string{"lead_id", "type", "at", "campaign", "channel", "url", "minutes"}
)

type weighted[T any] struct {
	v T
	w int
}

func pick[T any](r *rand.Rand, choices []weighted[T]) T {
	total := 0
	for _, c := range choices {
		total += c.w
	}
	n := r.IntN(total)
	for _, c := range choices {
		if n < c.w {
			return c.v
		}
		n -= c.w
	}
	return choices[len(choices)-1].v
}

var (
	titles = []weighted[string]{
		{"VP Engineering", 4}, {"VP of Sales", 3}, {"Director of Marketing", 5}, {"Head of Data", 3},
		{"Chief Technology Officer", 1}, {"CEO & Founder", 2}, {"Marketing Manager", 10}, {"Sales Manager", 6},
		{"Software Engineer", 12}, {"Data Analyst", 8}, {"Solutions Architect", 4}, {"Operations Lead", 4},
		{"Account Executive", 6}, {"Consultant", 6}, {"Student", 4}, {"Marketing Intern", 2}, {"Office Administrator", 4},
	}
	industries = []weighted[string]{
		{"Software", 20}, {"SaaS", 10}, {"fintech", 8}, {"Financial Services", 6}, {"retail", 10},
		{"healthcare", 8}, {"manufacturing", 8}, {"education", 8}, {"media", 6}, {"government", 4},
	}
	countries = []weighted[string]{
		{"US", 40}, {"GB", 10}, {"DE", 9}, {"CA", 6}, {"FR", 6}, {"NL", 4}, {"AU", 4}, {"IN", 8}, {"BR", 6}, {"ES", 4}, {"JP", 3},
	}
	sources   = []weighted[string]{{"paid_search", 25}, {"organic", 25}, {"webinar", 15}, {"social", 15}, {"referral", 10}, {"event", 10}}
	tools     = []string{"salesforce", "hubspot", "pipedrive", "slack", "jira", "snowflake", "zendesk", "marketo"}
	companies = []string{"acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "tyrell", "cyberdyne", "soylent", "aperture", "vandelay"}
	tlds      = []string{"com", "io", "co", "de", "net"}
	freeMail  = []string{"gmail.com", "yahoo.com", "outlook.com", "hotmail.com"}
	rivals    = []string{"rivalcrm.com", "pipelinepro.io"}

	// touch is an event type with the campaigns and channels that produce it.
	touches = []weighted[touch]{
		{touch{"email_open", [][2]string{{"nurture-q3", "email"}, {"newsletter", "email"}}}, 30},
		{touch{"email_click", [][2]string{{"nurture-q3", "email"}, {"newsletter", "email"}, {"product-launch", "email"}}}, 18},
		{touch{"page_view", [][2]string{{"brand-search", "paid_search"}, {"", "organic"}, {"linkedin-abm", "social"}, {"", "direct"}}}, 30},
		{touch{"content_download", [][2]string{{"state-of-revops-ebook", "content"}, {"roi-calculator", "paid_search"}}}, 8},
		{touch{"webinar_registered", [][2]string{{"scoring-101-webinar", "webinar"}, {"attribution-live", "webinar"}}}, 5},
		{touch{"webinar_attended", [][2]string{{"scoring-101-webinar", "webinar"}, {"attribution-live", "webinar"}}}, 4},
		{touch{"demo_request", [][2]string{{"brand-search", "paid_search"}, {"", "direct"}, {"linkedin-abm", "social"}}}, 2},
		{touch{"trial_signup", [][2]string{{"", "direct"}, {"product-launch", "email"}}}, 1},
	}
	pages = []weighted[string]{{"/", 20}, {"/pricing", 12}, {"/blog/lead-scoring", 15}, {"/product", 15}, {"/customers", 8}, {"/docs", 10}}
)

type touch struct {
	typ     string
	origins [][2]string // campaign, channel
}

// Generator produces leads one at a time, deterministically from its seed.
type Generator struct {
	r *rand.Rand
	n int
}

// New returns a generator; the same seed gives the same sequence of leads.
func New(seed uint64) *Generator {
	return &Generator{r: rand.New(rand.NewPCG(seed, 0x1ead5c0e))}
}

func ptr[T any](v T) *T { return &v }

// Next returns the next lead.
func (g *Generator) Next() Lead {
	r := g.r
	g.n++
	company := companies[r.IntN(len(companies))]
	domain := fmt.Sprintf("%s%d.%s", company, r.IntN(500), tlds[r.IntN(len(tlds))])
	switch x := r.IntN(100); {
	case x < 18:
		domain = freeMail[r.IntN(len(freeMail))]
	case x < 20:
		domain = rivals[r.IntN(len(rivals))]
	}
	created := Base.Add(-time.Duration(r.Float64() * float64(240*24*time.Hour))).Truncate(time.Second)
	l := Lead{
		ID:        fmt.Sprintf("L%07d", g.n),
		Email:     fmt.Sprintf("person%d@%s", g.n, domain),
		Source:    pick(r, sources),
		CreatedAt: created.Format(time.RFC3339),
	}
	if r.IntN(100) < 92 {
		l.Title = ptr(pick(r, titles))
	}
	if r.IntN(100) < 88 {
		l.Industry = ptr(pick(r, industries))
	}
	if r.IntN(100) < 80 {
		// Company sizes are long-tailed: most small, a few very large.
		size := int(5 * (1 + r.ExpFloat64()*60))
		if r.IntN(10) == 0 {
			size *= 20
		}
		l.Employees = ptr(size)
		l.AnnualRevenue = ptr(float64(size) * (80_000 + float64(r.IntN(120_000))))
	}
	if r.IntN(100) < 95 {
		l.Country = ptr(pick(r, countries))
	}
	if r.IntN(100) < 60 {
		for _, t := range tools {
			if r.IntN(4) == 0 {
				l.TechStack = append(l.TechStack, t)
			}
		}
	}
	l.Unsubscribed = r.IntN(100) < 3

	// Activity: most leads do a little, some a lot.
	n := int(r.ExpFloat64() * 6)
	if n > 60 {
		n = 60
	}
	span := Base.Sub(created)
	for i := 0; i < n; i++ {
		t := pick(r, touches)
		origin := t.origins[r.IntN(len(t.origins))]
		at := created.Add(time.Duration(r.Float64() * float64(span))).Truncate(time.Second)
		e := Event{Type: t.typ, At: at.Format(time.RFC3339), Campaign: origin[0], Channel: origin[1]}
		switch t.typ {
		case "page_view":
			e.URL = pick(r, pages)
			e.Minutes = ptr(float64(r.IntN(600)) / 60)
		case "webinar_attended":
			e.Minutes = ptr(float64(5 + r.IntN(55)))
		}
		l.Events = append(l.Events, e)
	}
	if l.Events == nil {
		l.Events = []Event{}
	}
	return l
}

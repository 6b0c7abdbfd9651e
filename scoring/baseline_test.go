package scoring_test

// Two baselines for the engine, both computing the bundled model
// (testdata/b2b-saas.yaml) on the same input, a lead decoded from JSON:
//
//   - handScore: the rules written by hand in Go, as a developer would
//     hard-code them: the fastest this can be, and an independent check of
//     the engine's results (TestBaselinesAgreeWithTheEngine).
//   - naiveScorer: what a user of expr would write first: one program per
//     rule, run with expr.Run against a map built for each lead and each event.

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/leadscore/leadscore/scoring"
)

// baselineResult is what both baselines and the engine are compared on.
type baselineResult struct {
	fit, engagement, total float64
	grade, stage           string
	salesReady, disq       bool
	fired, gates           []string
}

func fromResult(r *scoring.Result) baselineResult {
	var gates []string
	for _, g := range r.Gates {
		gates = append(gates, g.Rule)
	}
	var fired []string
	for _, f := range r.Fired {
		fired = append(fired, f.Rule)
	}
	return baselineResult{r.Score("fit"), r.Score("engagement"), r.Total, r.Grade, r.Stage, r.SalesReady, r.Disqualified, fired, gates}
}

var (
	reDecisionMaker = regexp.MustCompile(`(?i)\b(vp|vice president|director|head|chief|cto|cio|ceo|founder)\b`)
	rePractitioner  = regexp.MustCompile(`(?i)\b(manager|lead|architect|engineer|analyst)\b`)
	reStudent       = regexp.MustCompile(`(?i)\b(student|intern)\b`)

	targetIndustries = set("software", "saas", "fintech", "financial services")
	targetCountries  = set("US", "CA", "GB", "DE", "FR", "NL", "AU")
	freeEmail        = set("gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "aol.com", "icloud.com")
	competitors      = set("rivalcrm.com", "pipelinepro.io")
	integratedCRMs   = set("salesforce", "hubspot", "pipedrive")
)

func set(items ...string) map[string]bool {
	m := map[string]bool{}
	for _, s := range items {
		m[s] = true
	}
	return m
}

func emailDomain(email string) string {
	i := strings.LastIndexByte(email, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(email[i+1:]))
}

const day = 24 * time.Hour

// handScore is the bundled model written by hand.
func handScore(lead scoring.Lead, asOf time.Time) baselineResult {
	f := lead.Fields.(map[string]any)
	email, _ := f["email"].(string)
	title, _ := f["title"].(string)
	industry, _ := f["industry"].(string)
	country, _ := f["country"].(string)
	employees := 0
	if v, ok := f["employees"].(float64); ok {
		employees = int(v)
	}
	unsubscribed, _ := f["unsubscribed"].(bool)
	var createdAt time.Time
	hasCreated := false
	if s, ok := f["created_at"].(string); ok {
		createdAt, _ = time.Parse(time.RFC3339, s)
		hasCreated = true
	}
	usesCRM := false
	if stack, ok := f["tech_stack"].([]any); ok {
		for _, t := range stack {
			if s, _ := t.(string); integratedCRMs[strings.ToLower(s)] {
				usesCRM = true
			}
		}
	}

	decisionMaker := reDecisionMaker.MatchString(title)
	practitioner := rePractitioner.MatchString(title)
	student := reStudent.MatchString(title)
	domain := emailDomain(email)

	// One pass over the events.
	var clicks, pricing, webinars, content, demos, trials []time.Duration
	clicks60, views60, demos30 := 0, 0, 0
	for _, e := range lead.Events {
		if e.At.After(asOf) {
			continue
		}
		age := asOf.Sub(e.At)
		switch e.Type {
		case "email_click":
			if age < 30*day {
				clicks = append(clicks, age)
			}
			if age < 60*day {
				clicks60++
			}
		case "page_view":
			if url, _ := e.Fields["url"].(string); strings.Contains(url, "/pricing") {
				pricing = append(pricing, age)
			}
			if age < 60*day {
				views60++
			}
		case "webinar_attended":
			if minutes, _ := e.Fields["minutes"].(float64); age < 90*day && minutes >= 20 {
				webinars = append(webinars, age)
			}
		case "content_download":
			if age < 60*day {
				content = append(content, age)
			}
		case "demo_request":
			if age < 30*day {
				demos = append(demos, age)
				demos30++
			}
		case "trial_signup":
			if age < 30*day {
				trials = append(trials, age)
			}
		}
	}

	var r baselineResult
	if domain != "" && competitors[domain] {
		r.gates = append(r.gates, "gate.competitor")
	}
	if student {
		r.gates = append(r.gates, "gate.student")
	}
	if unsubscribed {
		r.gates = append(r.gates, "gate.unsubscribed")
	}
	r.disq = len(r.gates) > 0

	fit, eng := 0.0, 0.0
	give := func(id string, cond bool, points float64, category *float64) {
		if cond {
			*category += points
			r.fired = append(r.fired, id)
		}
	}
	give("fit.industry", targetIndustries[strings.ToLower(industry)], 20, &fit)
	give("fit.mid-market", employees >= 50 && employees < 1000, 15, &fit)
	give("fit.enterprise", employees >= 1000, 25, &fit)
	give("fit.decision-maker", decisionMaker, 25, &fit)
	give("fit.practitioner", practitioner && !decisionMaker, 10, &fit)
	give("fit.target-country", targetCountries[country], 10, &fit)
	give("fit.uses-crm", usesCRM, 10, &fit)
	give("fit.free-email", freeEmail[domain], -20, &fit)
	counted := func(ages []time.Duration, limit int, points float64, halfLife time.Duration) float64 {
		slices.Sort(ages)
		if limit > 0 && len(ages) > limit {
			ages = ages[:limit]
		}
		sum := 0.0
		for _, a := range ages {
			if halfLife > 0 {
				sum += points * math.Exp2(-float64(a)/float64(halfLife))
			} else {
				sum += points
			}
		}
		return sum
	}
	give("engagement.email-click", len(clicks) > 0, counted(clicks, 5, 3, 0), &eng)
	give("engagement.pricing-page", len(pricing) > 0, counted(pricing, 3, 10, 14*day), &eng)
	give("engagement.webinar", len(webinars) > 0, counted(webinars, 2, 15, 0), &eng)
	give("engagement.content", len(content) > 0, counted(content, 3, 8, 0), &eng)
	give("engagement.demo-request", len(demos) > 0, counted(demos, 1, 40, 0), &eng)
	give("engagement.trial", len(trials) > 0, counted(trials, 1, 30, 0), &eng)
	give("engagement.gone-quiet", clicks60+views60 == 0 && hasCreated && float64(asOf.Sub(createdAt))/float64(day) > 60, -10, &eng)

	r.fit = math.Min(math.Max(fit, 0), 100)
	r.engagement = math.Min(math.Max(eng, 0), 100)
	r.total = r.fit + r.engagement
	switch {
	case r.fit >= 60:
		r.grade = "A"
	case r.fit >= 40:
		r.grade = "B"
	case r.fit >= 20:
		r.grade = "C"
	default:
		r.grade = "D"
	}
	sql := (r.grade == "A" || r.grade == "B") && (r.engagement >= 50 || demos30 > 0)
	switch {
	case sql && !r.disq:
		r.stage, r.salesReady = "sql", true
	case r.fit >= 30 && r.engagement >= 25:
		r.stage = "mql"
	case r.engagement >= 10:
		r.stage = "engaged"
	}
	return r
}

// naiveRule is one rule as a first-time expr user would hold it.
type naiveRule struct {
	id       string
	fit      bool // category: fit, else engagement
	points   float64
	event    string // "" for lead rules
	program  *vm.Program
	limit    int
	within   time.Duration
	halfLife time.Duration
}

type naiveScorer struct {
	defines []struct {
		name    string
		program *vm.Program
	}
	gates                      []naiveRule
	rules                      []naiveRule
	grades                     []*vm.Program
	engaged, mql, sql          *vm.Program
	lists                      map[string]any
	emailDomain, lower, events any
}

// newNaiveScorer compiles each condition of the bundled model into its own
// program, checked against a sample environment.
func newNaiveScorer() *naiveScorer {
	n := &naiveScorer{lists: map[string]any{
		"target_industries":  []string{"software", "saas", "fintech", "financial services"},
		"target_countries":   []string{"US", "CA", "GB", "DE", "FR", "NL", "AU"},
		"free_email_domains": []string{"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "aol.com", "icloud.com"},
		"competitor_domains": []string{"rivalcrm.com", "pipelinepro.io"},
		"integrated_crms":    []string{"salesforce", "hubspot", "pipedrive"},
	}}
	sample := n.env(scoring.Lead{Fields: map[string]any{}}, time.Time{})
	sample["decision_maker"], sample["practitioner"], sample["student"], sample["free_email"], sample["recent_demo"] = false, false, false, false, false
	sample["event"] = map[string]any{"url": "", "minutes": 0.0}
	sample["fit"], sample["engagement"], sample["grade"] = 0.0, 0.0, ""
	compile := func(src string) *vm.Program {
		p, err := expr.Compile(src, expr.Env(sample))
		if err != nil {
			panic(err)
		}
		return p
	}
	for _, d := range [][2]string{
		{"decision_maker", `title matches "(?i)\\b(vp|vice president|director|head|chief|cto|cio|ceo|founder)\\b"`},
		{"practitioner", `title matches "(?i)\\b(manager|lead|architect|engineer|analyst)\\b"`},
		{"student", `title matches "(?i)\\b(student|intern)\\b"`},
		{"free_email", `emailDomain(email) in free_email_domains`},
		{"recent_demo", `events("demo_request", 30) > 0`},
	} {
		n.defines = append(n.defines, struct {
			name    string
			program *vm.Program
		}{d[0], compile(d[1])})
	}
	n.gates = []naiveRule{
		{id: "gate.competitor", program: compile(`emailDomain(email) in competitor_domains`)},
		{id: "gate.student", program: compile(`student`)},
		{id: "gate.unsubscribed", program: compile(`unsubscribed`)},
	}
	n.rules = []naiveRule{
		{id: "fit.industry", fit: true, points: 20, program: compile(`lower(industry) in target_industries`)},
		{id: "fit.mid-market", fit: true, points: 15, program: compile(`employees >= 50 && employees < 1000`)},
		{id: "fit.enterprise", fit: true, points: 25, program: compile(`employees >= 1000`)},
		{id: "fit.decision-maker", fit: true, points: 25, program: compile(`decision_maker`)},
		{id: "fit.practitioner", fit: true, points: 10, program: compile(`practitioner && !decision_maker`)},
		{id: "fit.target-country", fit: true, points: 10, program: compile(`country in target_countries`)},
		{id: "fit.uses-crm", fit: true, points: 10, program: compile(`any(tech_stack, lower(#) in integrated_crms)`)},
		{id: "fit.free-email", fit: true, points: -20, program: compile(`free_email`)},
		{id: "engagement.email-click", points: 3, event: "email_click", limit: 5, within: 30 * day},
		{id: "engagement.pricing-page", points: 10, event: "page_view", program: compile(`event.url contains "/pricing"`), limit: 3, halfLife: 14 * day},
		{id: "engagement.webinar", points: 15, event: "webinar_attended", program: compile(`event.minutes >= 20`), limit: 2, within: 90 * day},
		{id: "engagement.content", points: 8, event: "content_download", limit: 3, within: 60 * day},
		{id: "engagement.demo-request", points: 40, event: "demo_request", limit: 1, within: 30 * day},
		{id: "engagement.trial", points: 30, event: "trial_signup", limit: 1, within: 30 * day},
		{id: "engagement.gone-quiet", points: -10, program: compile(`events("email_click", 60) + events("page_view", 60) == 0 && created_at != nil && daysSince(created_at) > 60`)},
	}
	n.grades = []*vm.Program{compile(`fit >= 60`), compile(`fit >= 40`), compile(`fit >= 20`)}
	n.engaged, n.mql = compile(`engagement >= 10`), compile(`fit >= 30 && engagement >= 25`)
	n.sql = compile(`grade in ["A", "B"] && (engagement >= 50 || recent_demo)`)
	return n
}

// env builds the map a naive program runs against, for one lead.
func (n *naiveScorer) env(lead scoring.Lead, asOf time.Time) map[string]any {
	f, _ := lead.Fields.(map[string]any)
	env := map[string]any{
		"email": "", "title": "", "industry": "", "country": "", "employees": 0.0,
		"tech_stack": []any{}, "unsubscribed": false, "created_at": nil,
		"emailDomain": emailDomain,
		"events": func(typ string, days int) int {
			c := 0
			for _, e := range lead.Events {
				if e.Type == typ && !e.At.After(asOf) && asOf.Sub(e.At) < time.Duration(days)*day {
					c++
				}
			}
			return c
		},
		"daysSince": func(v any) float64 {
			s, _ := v.(string)
			t, _ := time.Parse(time.RFC3339, s)
			return float64(asOf.Sub(t)) / float64(day)
		},
	}
	for k, v := range n.lists {
		env[k] = v
	}
	for k, v := range f {
		if k != "events" { // the lead's event list, not the function
			env[k] = v
		}
	}
	return env
}

func (n *naiveScorer) run(p *vm.Program, env map[string]any) bool {
	out, err := expr.Run(p, env)
	if err != nil {
		panic(err)
	}
	return out.(bool)
}

func (n *naiveScorer) score(lead scoring.Lead, asOf time.Time) baselineResult {
	env := n.env(lead, asOf)
	for _, d := range n.defines {
		env[d.name] = n.run(d.program, env)
	}
	var r baselineResult
	for _, g := range n.gates {
		if n.run(g.program, env) {
			r.gates = append(r.gates, g.id)
		}
	}
	r.disq = len(r.gates) > 0
	fit, eng := 0.0, 0.0
	for _, rule := range n.rules {
		points, ok := 0.0, false
		if rule.event == "" {
			ok = n.run(rule.program, env)
			points = rule.points
		} else {
			var ages []time.Duration
			for _, e := range lead.Events {
				age := asOf.Sub(e.At)
				if e.Type != rule.event || e.At.After(asOf) || (rule.within > 0 && age >= rule.within) {
					continue
				}
				if rule.program != nil {
					eventEnv := map[string]any{}
					for k, v := range env {
						eventEnv[k] = v
					}
					fields := map[string]any{"url": "", "minutes": 0.0}
					for k, v := range e.Fields {
						fields[k] = v
					}
					eventEnv["event"] = fields
					if !n.run(rule.program, eventEnv) {
						continue
					}
				}
				ages = append(ages, age)
			}
			slices.Sort(ages)
			if len(ages) > rule.limit {
				ages = ages[:rule.limit]
			}
			for _, a := range ages {
				if rule.halfLife > 0 {
					points += rule.points * math.Exp2(-float64(a)/float64(rule.halfLife))
				} else {
					points += rule.points
				}
			}
			ok = len(ages) > 0
		}
		if !ok {
			continue
		}
		r.fired = append(r.fired, rule.id)
		if rule.fit {
			fit += points
		} else {
			eng += points
		}
	}
	r.fit, r.engagement = math.Min(math.Max(fit, 0), 100), math.Min(math.Max(eng, 0), 100)
	r.total = r.fit + r.engagement
	env["fit"], env["engagement"] = r.fit, r.engagement
	r.grade = "D"
	for i, g := range n.grades {
		if n.run(g, env) {
			r.grade = []string{"A", "B", "C"}[i]
			break
		}
	}
	env["grade"] = r.grade
	switch {
	case n.run(n.sql, env) && !r.disq:
		r.stage, r.salesReady = "sql", true
	case n.run(n.mql, env):
		r.stage = "mql"
	case n.run(n.engaged, env):
		r.stage = "engaged"
	}
	return r
}

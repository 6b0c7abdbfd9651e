package leadgen

import (
	"io"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"time"
)

// The lead traits the propensities read, decided from the generated lead
// itself (not by scoring it), so that a backtest of the bundled model is
// checked against a truth it did not compute.
var (
	decisionTitle  = regexp.MustCompile(`(?i)\b(vp|vice president|director|head|chief|cto|cio|ceo|founder)\b`)
	studentTitle   = regexp.MustCompile(`(?i)\b(student|intern)\b`)
	targetIndustry = map[string]bool{"software": true, "saas": true, "fintech": true, "financial services": true}
)

// Traits are what a propensity reads of a lead as of a time.
type Traits struct {
	DecisionMaker, TargetIndustry, Student, FreeEmail bool
	Employees                                         int
	// DemoRecent is a demo request in the 30 days up to the time; Demo,
	// Trial, Webinar and PricingViews count any time up to it.
	DemoRecent, Demo, Trial, Webinar bool
	PricingViews                     int
}

// TraitsAt reads a lead's traits as of at: events after it are not seen.
func TraitsAt(l Lead, at time.Time) Traits {
	var t Traits
	if l.Title != nil {
		t.DecisionMaker = decisionTitle.MatchString(*l.Title)
		t.Student = studentTitle.MatchString(*l.Title)
	}
	if l.Industry != nil {
		t.TargetIndustry = targetIndustry[strings.ToLower(*l.Industry)]
	}
	if l.Employees != nil {
		t.Employees = *l.Employees
	}
	for _, d := range freeMail {
		t.FreeEmail = t.FreeEmail || strings.HasSuffix(l.Email, "@"+d)
	}
	for _, e := range l.Events {
		when, err := time.Parse(time.RFC3339, e.At)
		if err != nil || when.After(at) {
			continue
		}
		switch e.Type {
		case "demo_request":
			t.Demo = true
			t.DemoRecent = t.DemoRecent || at.Sub(when) < 30*24*time.Hour
		case "trial_signup":
			t.Trial = true
		case "webinar_attended":
			t.Webinar = true
		case "page_view":
			if strings.Contains(e.URL, "/pricing") {
				t.PricingViews++
			}
		}
	}
	return t
}

// KnownPropensity is the chance, by construction, that a lead with these
// traits is won: a logistic function of three traits that the bundled
// model's rules fit.decision-maker, fit.industry and
// engagement.demo-request read, and of nothing else. Country, CRM, email
// clicks, content, webinars and pricing views carry no signal.
func KnownPropensity(t Traits) float64 {
	z := -3.2
	if t.DecisionMaker {
		z += 1.5
	}
	if t.TargetIndustry {
		z += 1.2
	}
	if t.DemoRecent {
		z += 2.2
	}
	return 1 / (1 + math.Exp(-z))
}

// KnownOutcome draws a lead's outcome after at with KnownPropensity of its
// traits at at: won 10 to 90 days after at, or, when not won, an
// opportunity lost or still open for some, nothing for most.
func KnownOutcome(seed uint64, l Lead, at time.Time) Outcome {
	r := rand.New(rand.NewPCG(seed, hash(l.ID)^0x9e3779b97f4a7c15))
	o := Outcome{LeadID: l.ID}
	p := KnownPropensity(TraitsAt(l, at))
	won := r.Float64() < p
	opp := won || r.Float64() < 0.05
	if !opp {
		return o
	}
	o.Opportunity = at.Add(time.Duration(1+r.IntN(30)) * 24 * time.Hour)
	switch {
	case won:
		o.Won = o.Opportunity.Add(time.Duration(10+r.IntN(60)) * 24 * time.Hour)
		o.Revenue = float64(5000 + 100*r.IntN(200))
	case r.IntN(2) == 0:
		o.Lost = o.Opportunity.Add(time.Duration(10+r.IntN(60)) * 24 * time.Hour)
	}
	return o
}

// RealisticPropensity is the chance that a lead with these traits is won,
// for the bundled backtest example: fit and intent matter, in the
// proportions a B2B SaaS pipeline sees; country, CRM, email clicks and
// content do not; students and free email addresses rarely buy.
func RealisticPropensity(t Traits) float64 {
	z := -4.4
	if t.DecisionMaker {
		z += 1.3
	}
	if t.TargetIndustry {
		z += 0.9
	}
	switch {
	case t.Employees >= 1000:
		z += 1.3
	case t.Employees >= 50:
		z += 0.7
	}
	if t.Demo {
		z += 1.9
	}
	if t.Trial {
		z += 1.1
	}
	if t.Webinar {
		z += 0.3
	}
	z += 0.3 * float64(min(t.PricingViews, 3))
	if t.FreeEmail {
		z -= 1.2
	}
	if t.Student {
		z -= 3
	}
	return 1 / (1 + math.Exp(-z))
}

// RealisticOutcome draws what the CRM, exported at export, says of a lead:
// the lead's moment of truth is its first demo request or trial, or else 0
// to 30 days after its last activity; it becomes an opportunity 2 to 20
// days later, with a chance that grows with RealisticPropensity of its
// traits then, and is won (with that propensity overall) or lost 10 to 60
// days after that. What falls after the export is not known yet: an
// opportunity opened later has no row, and a deal decided later is open.
func RealisticOutcome(seed uint64, l Lead, export time.Time) Outcome {
	r := rand.New(rand.NewPCG(seed, hash(l.ID)^0x5deece66d))
	o := Outcome{LeadID: l.ID}
	created, err := time.Parse(time.RFC3339, l.CreatedAt)
	if err != nil {
		return o
	}
	last := created
	var truth time.Time
	for _, e := range l.Events {
		at, err := time.Parse(time.RFC3339, e.At)
		if err != nil {
			continue
		}
		if at.After(last) {
			last = at
		}
		if (e.Type == "demo_request" || e.Type == "trial_signup") && (truth.IsZero() || at.Before(truth)) {
			truth = at
		}
	}
	if truth.IsZero() {
		truth = last.Add(time.Duration(r.IntN(31)) * 24 * time.Hour)
	}
	p := RealisticPropensity(TraitsAt(l, truth))
	oppChance := math.Min(0.9, 2.5*p)
	if r.Float64() >= oppChance {
		return o
	}
	o.Opportunity = truth.Add(time.Duration(2+r.IntN(19))*24*time.Hour + time.Duration(r.IntN(24))*time.Hour)
	if o.Opportunity.After(export) {
		return Outcome{LeadID: l.ID}
	}
	closed := o.Opportunity.Add(time.Duration(10+r.IntN(51)) * 24 * time.Hour)
	won := r.Float64() < p/oppChance
	if closed.After(export) {
		return o
	}
	if won {
		o.Won = closed
		size := float64(max(t0(l.Employees), 10))
		o.Revenue = float64(int(4000+size*30*(0.5+r.Float64()))/100) * 100
	} else {
		o.Lost = closed
	}
	return o
}

func t0(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// WriteOutcomesLost writes outcomes as CSV with a lost column: lead_id,
// opportunity, won, revenue, lost; one row per lead with an opportunity.
func WriteOutcomesLost(w io.Writer, outcomes []Outcome) error {
	return writeOutcomes(w, outcomes, true)
}

package leadgen

import (
	"encoding/csv"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// Outcome is what the CRM says became of a lead: an opportunity, a won
// deal and its revenue.
type Outcome struct {
	LeadID      string
	Opportunity time.Time // zero: none
	Won         time.Time // zero: not won
	Revenue     float64
	Lost        time.Time // zero: not lost (WriteOutcomesLost writes it)
}

// Outcomes draws CRM outcomes deterministically: a lead sales-ready at
// salesReady becomes an opportunity 2 to 20 days later with chance 0.45;
// another lead with chance 0.03, 2 to 80 days after its last activity; an
// opportunity is won 10 to 60 days later with chance 0.4, for revenue that
// grows with the company's size.
func Outcomes(seed uint64, leadID string, lastActivity, salesReady time.Time, employees int) Outcome {
	r := rand.New(rand.NewPCG(seed, hash(leadID)))
	o := Outcome{LeadID: leadID}
	chance, from := 0.03, lastActivity.Add(time.Duration(r.IntN(61))*24*time.Hour)
	if !salesReady.IsZero() {
		chance, from = 0.45, salesReady
	}
	if r.Float64() >= chance {
		return o
	}
	o.Opportunity = from.Add(time.Duration(2+r.IntN(19)) * 24 * time.Hour).Truncate(time.Hour)
	if r.Float64() < 0.4 {
		o.Won = o.Opportunity.Add(time.Duration(10+r.IntN(51)) * 24 * time.Hour)
		size := float64(max(employees, 10))
		o.Revenue = float64(int(4000+size*30*(0.5+r.Float64()))/100) * 100
	}
	return o
}

func hash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}

// WriteOutcomes writes outcomes as CSV: lead_id, opportunity, won, revenue.
func WriteOutcomes(w io.Writer, outcomes []Outcome) error { return writeOutcomes(w, outcomes, false) }

// writeOutcomes writes one row per lead with an opportunity, with a lost
// column when lost is set.
func writeOutcomes(w io.Writer, outcomes []Outcome, lost bool) error {
	cw := csv.NewWriter(w)
	header := []string{"lead_id", "opportunity", "won", "revenue"}
	if lost {
		header = append(header, "lost")
	}
	cw.Write(header)
	t := func(v time.Time) string {
		if v.IsZero() {
			return ""
		}
		return v.Format(time.RFC3339)
	}
	for _, o := range outcomes {
		if o.Opportunity.IsZero() {
			continue
		}
		rev := ""
		if o.Revenue > 0 {
			rev = strconv.FormatFloat(o.Revenue, 'f', -1, 64)
		}
		rec := []string{o.LeadID, t(o.Opportunity), t(o.Won), rev}
		if lost {
			rec = append(rec, t(o.Lost))
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// Costs is what the generator's campaigns cost over the period.
var Costs = [][2]string{
	{"brand-search", "24000"}, {"linkedin-abm", "30000"}, {"nurture-q3", "4000"}, {"newsletter", "1500"},
	{"product-launch", "6500"}, {"state-of-revops-ebook", "8000"}, {"roi-calculator", "5000"},
	{"scoring-101-webinar", "7000"}, {"attribution-live", "9000"},
}

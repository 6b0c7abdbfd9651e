package leadgen

import (
	"encoding/csv"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// Disposition is a generated verdict of sales on a lead.
type Disposition struct {
	LeadID string
	At     time.Time
	Status string // accepted, rejected or recycled
	Reason string
	Owner  string
}

// Reps are the sales reps who give the generated verdicts; the last one is slow.
var Reps = []string{"ana.r", "ben.k", "chloe.m", "dev.p"}

// Dispositions draws sales' verdicts on a lead that became sales-ready at
// salesReady (none for a lead that never did), deterministically from the
// seed and the lead's id. One lead in eight is never touched; the others
// get a verdict from one of the Reps, most within a day (dev.p takes
// about three), unless that falls after Base. The verdicts depend on the
// lead, as real ones do:
//
//   - a "Head of ..." or "Director of Marketing" is rejected as
//     not_decision_maker four times in five (the decision-maker rule
//     fires on them: the rule is too generous);
//   - a company of 50 to 149 employees is rejected as too_small one time
//     in two (the mid-market rule starts too low);
//   - a lead first touched by the linkedin-abm campaign is rejected as
//     not_icp one time in two;
//   - a lead that downloaded content is recycled as just_researching about
//     one time in five;
//   - otherwise 2 in 25 are recycled as bad_timing, 1 in 20 rejected as
//     no_budget, 1 in 50 rejected as duplicate, and the rest accepted.
func Dispositions(seed uint64, leadID string, salesReady time.Time, l Lead, firstCampaign string) []Disposition {
	if salesReady.IsZero() {
		return nil
	}
	r := rand.New(rand.NewPCG(seed, hash("disposition:"+leadID)))
	if r.IntN(8) == 0 {
		return nil
	}
	rep := r.IntN(len(Reps))
	scale := 16.0
	if rep == len(Reps)-1 {
		scale = 60
	}
	at := salesReady.Add(time.Duration((1 + r.ExpFloat64()*scale) * float64(time.Hour))).Truncate(time.Minute)
	if at.After(Base) {
		return nil
	}
	d := Disposition{LeadID: leadID, At: at, Owner: Reps[rep], Status: "accepted"}
	title := ""
	if l.Title != nil {
		title = *l.Title
	}
	content := false
	for _, e := range l.Events {
		content = content || e.Type == "content_download"
	}
	switch x := [4]float64{r.Float64(), r.Float64(), r.Float64(), r.Float64()}; {
	case (strings.HasPrefix(title, "Head of") || title == "Director of Marketing") && x[0] < 0.8:
		d.Status, d.Reason = "rejected", "not_decision_maker"
	case l.Employees != nil && *l.Employees >= 50 && *l.Employees < 150 && x[1] < 0.5:
		d.Status, d.Reason = "rejected", "too_small"
	case firstCampaign == "linkedin-abm" && x[2] < 0.5:
		d.Status, d.Reason = "rejected", "not_icp"
	case content && x[3] < 0.2:
		d.Status, d.Reason = "recycled", "just_researching"
	default:
		switch y := r.IntN(100); {
		case y < 8:
			d.Status, d.Reason = "recycled", "bad_timing"
		case y < 13:
			d.Status, d.Reason = "rejected", "no_budget"
		case y < 15:
			d.Status, d.Reason = "rejected", "duplicate"
		}
	}
	return []Disposition{d}
}

// WriteDispositions writes verdicts as CSV: lead_id, at, status, reason, owner.
func WriteDispositions(w io.Writer, ds []Disposition) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"lead_id", "at", "status", "reason", "owner"})
	for _, d := range ds {
		cw.Write([]string{d.LeadID, d.At.Format(time.RFC3339), d.Status, d.Reason, d.Owner})
	}
	cw.Flush()
	return cw.Error()
}

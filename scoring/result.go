package scoring

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/leadscore/leadscore/rules"
)

// Result is what a score says about one lead at one as-of time.
type Result struct {
	LeadID string    `json:"id,omitempty"`
	AsOf   time.Time `json:"as_of"`
	// Total is the sum of the clamped category scores, or the model's
	// total expression when it has one.
	Total      float64         `json:"total"`
	Categories []CategoryScore `json:"categories"`
	Grade      string          `json:"grade,omitempty"`
	// Stage is the highest stage whose condition holds ("" for none). A
	// disqualified lead stands at most on the stage below the sales-ready one.
	Stage      string `json:"stage,omitempty"`
	SalesReady bool   `json:"sales_ready"`
	// Disqualified is set when a gate fired; Gates says which and why.
	Disqualified bool   `json:"disqualified"`
	Gates        []Gate `json:"gates,omitempty"`
	// Blocked is the stage a disqualified lead would otherwise stand on,
	// when that stage is the sales-ready one or above.
	Blocked string `json:"blocked,omitempty"`
	// Fired lists the scoring rules that gave points, in file order.
	Fired []Fired `json:"fired,omitempty"`
	// Unknown lists the data the lead carried that the model does not
	// declare, sorted by kind and name (see UnknownData): no rule read it.
	Unknown []rules.Unknown `json:"unknown,omitempty"`
	// Verdict says what sales' dispositions (Lead.Dispositions) did to the
	// score; nil when the lead had none by the as-of time.
	Verdict *Verdict `json:"verdict,omitempty"`
}

// CategoryScore is one category's score: Raw is the sum of its rules'
// points, Score the same clamped to the category's bounds.
type CategoryScore struct {
	Name  string  `json:"name"`
	Raw   float64 `json:"raw"`
	Score float64 `json:"score"`
}

// Fired is a rule that gave points to the lead.
type Fired struct {
	Rule     string `json:"rule"`
	Category string `json:"category"`
	// Points after limit, window and decay. Clamping applies to the
	// category, not the rule: see CategoryScore.Raw and Score.
	Points float64 `json:"points"`
	Reason string  `json:"reason,omitempty"`
	// Events is how many events counted, for an event rule.
	Events int `json:"events,omitempty"`
}

// Gate is a disqualifying rule that fired.
type Gate struct {
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
}

// Score returns the clamped score of the named category, or 0 when the
// result has no such category: names are case-sensitive, so Score("Fit")
// is 0 for a category fit. ScoreOf tells a missing category from a zero.
func (r *Result) Score(category string) float64 {
	v, _ := r.ScoreOf(category)
	return v
}

// ScoreOf returns the clamped score of the named category (case-sensitive,
// as the rule file spells it), and whether the result has that category.
func (r *Result) ScoreOf(category string) (float64, bool) {
	for _, c := range r.Categories {
		if c.Name == category {
			return c.Score, true
		}
	}
	return 0, false
}

// Fires reports whether the rule with the given id gave points or, for a
// gate, disqualified the lead.
func (r *Result) Fires(id string) bool {
	for _, f := range r.Fired {
		if f.Rule == id {
			return true
		}
	}
	for _, g := range r.Gates {
		if g.Rule == id {
			return true
		}
	}
	return false
}

// RuleIDs lists the ids of the rules that fired, gates included, in file order.
func (r *Result) RuleIDs() []string {
	ids := make([]string, 0, len(r.Fired)+len(r.Gates))
	for _, f := range r.Fired {
		ids = append(ids, f.Rule)
	}
	for _, g := range r.Gates {
		ids = append(ids, g.Rule)
	}
	return ids
}

// Row is the compact form of a Result that `leadscore score` writes, one
// NDJSON line per lead: rule ids without their reasons and points, scores
// by category name. Each line the CLI writes is json.Marshal(res.Row()),
// or of res.RowIn(model.Holdout) for a model with a holdout experiment, and
// decodes back to it; CSV output flattens the same fields.
type Row struct {
	ID           string          `json:"id"`
	Total        float64         `json:"total"`
	Scores       Scores          `json:"scores"`
	Grade        string          `json:"grade"`
	Stage        string          `json:"stage"`
	SalesReady   bool            `json:"sales_ready"`
	Disqualified bool            `json:"disqualified"`
	Gates        []string        `json:"gates"`
	Fired        []string        `json:"fired"`
	Unknown      []rules.Unknown `json:"unknown,omitempty"`
	// Disposition is sales' latest verdict ("accepted", "recycled:bad_timing"),
	// Held whether a recycle's hold-down kept the lead from being sales-ready.
	Disposition string `json:"disposition,omitempty"`
	Held        bool   `json:"held,omitempty"`
	// Holdout is set when the model has a holdout experiment
	// (rules.Model.Holdout): whether the lead is in its control group.
	// HandedOff is set when that group goes without the hand-off: whether
	// sales get the lead (sales-ready and not held out). RowIn fills them.
	Holdout   *bool `json:"holdout,omitempty"`
	HandedOff *bool `json:"handed_off,omitempty"`
}

// RowIn is Row with the lead's place in the holdout experiment h (the
// model's Holdout; nil for none, and then it is Row), for a lead in the
// experiment: RowAt with no time.
func (r *Result) RowIn(h *rules.Holdout) Row { return r.RowAt(h, time.Time{}) }

// RowAt is Row with the lead's place in the holdout experiment h, for a
// lead that came at came (Lead.Came; zero for no time): a lead that came
// before the experiment's start (rules.Holdout.In) is in neither group,
// holdout false and handed off when sales-ready, as without a holdout.
func (r *Result) RowAt(h *rules.Holdout, came time.Time) Row {
	row := r.Row()
	if h != nil {
		control := h.ControlAt(r.LeadID, came)
		row.Holdout = &control
		if h.WithholdsHandoff() {
			handed := r.SalesReady && !control
			row.HandedOff = &handed
		}
	}
	return row
}

// Row returns the compact form of the result.
func (r *Result) Row() Row {
	row := Row{ID: r.LeadID, Total: r.Total, Grade: r.Grade, Stage: r.Stage, SalesReady: r.SalesReady,
		Disqualified: r.Disqualified, Gates: make([]string, len(r.Gates)), Fired: make([]string, len(r.Fired)),
		Unknown: r.Unknown, Scores: make(Scores, len(r.Categories))}
	for i, c := range r.Categories {
		row.Scores[i] = NamedScore{c.Name, c.Score}
	}
	for i, g := range r.Gates {
		row.Gates[i] = g.Rule
	}
	for i, f := range r.Fired {
		row.Fired[i] = f.Rule
	}
	if v := r.Verdict; v != nil && v.Latest != nil {
		row.Disposition, row.Held = v.Latest.String(), v.Held != ""
	}
	return row
}

// NamedScore is one category's clamped score.
type NamedScore struct {
	Name  string
	Score float64
}

// Scores are category scores in the model's order, written as a JSON
// object ({"fit":80,"engagement":60}) that keeps that order.
type Scores []NamedScore

// MarshalJSON writes the scores as an object, in order.
func (s Scores) MarshalJSON() ([]byte, error) {
	buf := []byte{'{'}
	for i, c := range s {
		if i > 0 {
			buf = append(buf, ',')
		}
		k, err := json.Marshal(c.Name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(c.Score)
		if err != nil {
			return nil, err
		}
		buf = append(append(append(buf, k...), ':'), v...)
	}
	return append(buf, '}'), nil
}

// UnmarshalJSON reads the object MarshalJSON writes, keeping its order.
func (s *Scores) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("scores: want an object of category scores")
	}
	*s = (*s)[:0]
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		var v float64
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("scores: %v", err)
		}
		*s = append(*s, NamedScore{Name: t.(string), Score: v})
	}
	return nil
}

package review

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/scoring"
)

// Impact is what a change of model does to a set of leads.
type Impact struct {
	Leads int `json:"leads"`
	// Failed counts leads one of the models could not score; they are left
	// out of everything else.
	Failed int `json:"failed"`
	// SalesReadyOld and SalesReadyNew count sales-ready leads under each model.
	SalesReadyOld int `json:"sales_ready_old"`
	SalesReadyNew int `json:"sales_ready_new"`
	// Moves counts leads by old and new stage ("" is no stage), all pairs.
	Moves []Move `json:"moves"`
	// Started and Stopped are the leads that become, or stop being,
	// sales-ready, highest new (or old) total first.
	Started []LeadChange `json:"started"`
	Stopped []LeadChange `json:"stopped"`
	// Distribution compares the total and each category, old and new.
	Distribution []Distribution `json:"distribution"`

	// Show names the lead fields kept beside each lead that starts or
	// stops being sales-ready (company, title, owner): what sales knows a
	// lead by. NewStages is how many of the ladder's stages are the new
	// model's, lowest first (the rest are the old one's alone).
	Show      []string `json:"show,omitempty"`
	NewStages int      `json:"-"`

	stages  []string
	changed map[string]bool // stages whose condition changed
	moves   map[[2]string]int
	totals  map[string]*[2][]float64
	names   []string
}

// Move is how many leads went from one stage to another.
type Move struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Leads int    `json:"leads"`
	// Direction is "up" or "down" the new model's ladder, "" for leads
	// that stay (or a stage only the old model has).
	Direction string `json:"direction"`
}

// LeadChange is a lead whose sales-readiness changed, and the rules that changed it.
type LeadChange struct {
	ID       string  `json:"id"`
	Line     int     `json:"line"`
	OldTotal float64 `json:"old_total"`
	NewTotal float64 `json:"new_total"`
	OldStage string  `json:"old_stage"`
	NewStage string  `json:"new_stage"`
	// Direction is "up" when the lead moves to a higher stage of the
	// ladder, "down" to a lower one (no stage is the lowest), "" when it
	// stays or a stage is only the old model's.
	Direction string   `json:"direction"`
	Moved     []string `json:"moved_by"`
	// Fields are the lead's fields sales recognises it by (Impact.Show),
	// as the lead has them; Outcome is what became of it in the CRM,
	// when outcomes were given (SetOutcome).
	Fields  map[string]any `json:"fields,omitempty"`
	Outcome string         `json:"outcome,omitempty"`
}

// Distribution compares the spread of one score under both models.
type Distribution struct {
	Score string    `json:"score"`
	Old   Quantiles `json:"old"`
	New   Quantiles `json:"new"`
}

// Quantiles summarise a spread of scores.
type Quantiles struct {
	P10    float64 `json:"p10"`
	P25    float64 `json:"p25"`
	Median float64 `json:"median"`
	P75    float64 `json:"p75"`
	P90    float64 `json:"p90"`
	Mean   float64 `json:"mean"`
}

// NewImpact starts an impact report for models whose stage ladder (the new
// model's, then any stages only the old one has) is stages, comparing the
// named scores ("total" and categories); changedStages are the stages
// whose condition the change rewrote (see ChangedStages).
func NewImpact(stages []string, scores []string, changedStages map[string]bool) *Impact {
	im := &Impact{stages: stages, NewStages: len(stages), changed: changedStages, moves: map[[2]string]int{}, totals: map[string]*[2][]float64{}, names: scores}
	for _, s := range scores {
		im.totals[s] = &[2][]float64{}
	}
	return im
}

// Add records one lead scored by the old and the new model.
func (im *Impact) Add(line int, old, new *scoring.Result) { im.AddWith(line, old, new, nil) }

// AddWith is Add for a lead whose fields named in Show (nested ones by
// their dotted path) are kept beside it when it starts or stops being
// sales-ready.
func (im *Impact) AddWith(line int, old, new *scoring.Result, fields any) {
	im.Leads++
	im.moves[[2]string{old.Stage, new.Stage}]++
	if old.SalesReady {
		im.SalesReadyOld++
	}
	if new.SalesReady {
		im.SalesReadyNew++
	}
	for _, name := range im.names {
		t := im.totals[name]
		t[0] = append(t[0], score(old, name))
		t[1] = append(t[1], score(new, name))
	}
	if old.SalesReady != new.SalesReady {
		lc := LeadChange{ID: new.LeadID, Line: line, OldTotal: old.Total, NewTotal: new.Total,
			OldStage: old.Stage, NewStage: new.Stage, Direction: im.direction(old.Stage, new.Stage), Moved: causes(old, new), Fields: pick(fields, im.Show)}
		for _, st := range []string{old.Stage, new.Stage} {
			if im.changed[st] {
				lc.Moved = append(lc.Moved, "the condition of stage "+st+" changed")
				break
			}
		}
		lc.Moved = append(lc.Moved, moved(old, new)...)
		if new.SalesReady {
			im.Started = append(im.Started, lc)
		} else {
			im.Stopped = append(im.Stopped, lc)
		}
	}
}

// direction says whether a move goes up or down the new model's ladder.
func (im *Impact) direction(from, to string) string {
	rank := func(s string) (int, bool) {
		if s == "" {
			return -1, true
		}
		i := slices.Index(im.stages[:im.NewStages], s)
		return i, i >= 0
	}
	a, okA := rank(from)
	b, okB := rank(to)
	switch {
	case !okA || !okB || a == b:
		return ""
	case b > a:
		return "up"
	}
	return "down"
}

// pick is the fields of a lead's data named in names, by dotted path;
// nil when it has none of them.
func pick(fields any, names []string) map[string]any {
	var out map[string]any
	for _, name := range names {
		v, ok := fields, true
		for _, step := range strings.Split(name, ".") {
			m, isMap := v.(map[string]any)
			if !isMap {
				ok = false
				break
			}
			if v, ok = m[step]; !ok {
				break
			}
		}
		if ok && v != nil {
			if out == nil {
				out = map[string]any{}
			}
			out[name] = v
		}
	}
	return out
}

// SetOutcome says what became of a listed lead in the CRM: outcome(id)
// gives the words ("won 12,000 on 2026-08-02", "lost", "open
// opportunity"), "" for none.
func (im *Impact) SetOutcome(outcome func(id string) string) {
	for _, list := range [][]LeadChange{im.Started, im.Stopped} {
		for i := range list {
			list[i].Outcome = outcome(list[i].ID)
		}
	}
}

func score(r *scoring.Result, name string) float64 {
	if name == "total" {
		return r.Total
	}
	return r.Score(name)
}

// causes lists what moved a lead's stage besides its rules' points, first:
// its grade, a recycle's hold-down (Verdict.Held) and the gates. A lead
// whose total rose while it fell off the sales-ready stage names its
// fallen grade here.
func causes(old, new *scoring.Result) []string {
	var out []string
	if old.Grade != new.Grade {
		out = append(out, "grade "+orNone(old.Grade)+" → "+orNone(new.Grade))
	}
	held := func(r *scoring.Result) bool { return r.Verdict != nil && r.Verdict.Held != "" }
	switch {
	case !held(old) && held(new):
		out = append(out, "the recycle hold-down now keeps it from "+new.Verdict.Held)
	case held(old) && !held(new):
		out = append(out, "the recycle hold-down no longer keeps it from "+old.Verdict.Held)
	}
	gated := map[string]bool{}
	for _, g := range old.Gates {
		gated[g.Rule] = true
	}
	for _, g := range new.Gates {
		if !gated[g.Rule] {
			out = append(out, g.Rule+" now disqualifies")
		}
		delete(gated, g.Rule)
	}
	var gone []string
	for g := range gated {
		gone = append(gone, g+" no longer disqualifies")
	}
	sort.Strings(gone)
	return append(out, gone...)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// moved lists the rule differences between two results of one lead.
func moved(old, new *scoring.Result) []string {
	var out []string
	was := map[string]scoring.Fired{}
	for _, f := range old.Fired {
		was[f.Rule] = f
	}
	is := map[string]bool{}
	for _, f := range new.Fired {
		is[f.Rule] = true
		o, ok := was[f.Rule]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s %s now fires", f.Rule, pts(f.Points)))
		case o.Points != f.Points:
			out = append(out, fmt.Sprintf("%s %s → %s", f.Rule, pts(o.Points), pts(f.Points)))
		}
	}
	for _, f := range old.Fired {
		if !is[f.Rule] {
			out = append(out, fmt.Sprintf("%s %s no longer fires", f.Rule, pts(f.Points)))
		}
	}
	return out
}

func pts(v float64) string {
	s := numfmt.Float(math.Round(v*100)/100, 'f', -1)
	if v >= 0 {
		s = "+" + s
	}
	return "(" + s + ")"
}

// AddCause adds a reason to what moved the lead (or account) with id that
// the last Add counted, when it started or stopped being sales-ready.
func (im *Impact) AddCause(id, cause string) {
	for _, list := range []*[]LeadChange{&im.Started, &im.Stopped} {
		if n := len(*list); n > 0 && (*list)[n-1].ID == id {
			(*list)[n-1].Moved = append((*list)[n-1].Moved, cause)
			return
		}
	}
}

// Finish sorts the lists and computes the distributions (none when no
// lead was compared: a spread of nothing has no median).
func (im *Impact) Finish() {
	if im.Started == nil {
		im.Started = []LeadChange{}
	}
	if im.Stopped == nil {
		im.Stopped = []LeadChange{}
	}
	sort.SliceStable(im.Started, func(i, j int) bool { return im.Started[i].NewTotal > im.Started[j].NewTotal })
	sort.SliceStable(im.Stopped, func(i, j int) bool { return im.Stopped[i].OldTotal > im.Stopped[j].OldTotal })
	im.Moves = []Move{}
	order := append(append([]string{}, im.stages...), "")
	for _, from := range order {
		for _, to := range order {
			if n := im.moves[[2]string{from, to}]; n > 0 {
				im.Moves = append(im.Moves, Move{From: from, To: to, Leads: n, Direction: im.direction(from, to)})
			}
		}
	}
	im.Distribution = []Distribution{}
	if im.Leads == 0 {
		return
	}
	for _, name := range im.names {
		t := im.totals[name]
		im.Distribution = append(im.Distribution, Distribution{Score: name, Old: QuantilesOf(t[0]), New: QuantilesOf(t[1])})
	}
}

// MoveCount returns how many leads went from one stage to another.
func (im *Impact) MoveCount(from, to string) int { return im.moves[[2]string{from, to}] }

// QuantilesOf is the quantiles and mean of vs by the nearest rank (the
// p-th quantile is the smallest value with at least p of them at or below
// it), worked out on a sorted copy; zero for none.
func QuantilesOf(vs []float64) Quantiles {
	if len(vs) == 0 {
		return Quantiles{}
	}
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	at := func(p float64) float64 {
		i := int(p*float64(len(s))+0.999999) - 1
		return s[max(0, min(i, len(s)-1))]
	}
	sum := 0.0
	for _, v := range s {
		sum += v
	}
	return Quantiles{P10: at(0.10), P25: at(0.25), Median: at(0.5), P75: at(0.75), P90: at(0.9), Mean: sum / float64(len(s))}
}

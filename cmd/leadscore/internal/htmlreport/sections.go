package htmlreport

import (
	"fmt"
	"html/template"
	"math"

	"strings"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring/feedback"
	"github.com/leadscore/leadscore/scoring/review"
)

// p joins a JSON path: p("diff.", "impact", 3, "leads") is diff.impact.3.leads.
func p(prefix string, parts ...any) string {
	var b strings.Builder
	b.WriteString(prefix)
	for i, part := range parts {
		if i > 0 {
			b.WriteByte('.')
		}
		fmt.Fprint(&b, part)
	}
	return b.String()
}

// Definition is the definition at a glance: who signed it, its rules with
// their points and owners, its stages. It is the JSON of the review page's
// first section.
type Definition struct {
	Model       string            `json:"model"`
	Description string            `json:"description,omitempty"`
	Owners      []DefinitionOwner `json:"owners"`
	Rules       []DefinitionRule  `json:"rules"`
	Stages      []DefinitionStage `json:"stages"`
}

// DefinitionOwner is a team that signed the definition, and its contact.
type DefinitionOwner struct {
	Team    string `json:"team"`
	Contact string `json:"contact"`
}

// DefinitionRule is a rule or a gate, in file order (rules, then gates).
type DefinitionRule struct {
	ID       string   `json:"id"`
	Category string   `json:"category,omitempty"`
	Points   float64  `json:"points"`
	Gate     bool     `json:"gate,omitempty"`
	Events   []string `json:"events,omitempty"`
	Owner    string   `json:"owner,omitempty"`
	Reason   string   `json:"reason,omitempty"`
	When     string   `json:"when,omitempty"`
}

// DefinitionStage is a rung of the stage ladder.
type DefinitionStage struct {
	ID         string `json:"id"`
	SalesReady bool   `json:"sales_ready,omitempty"`
	When       string `json:"when"`
}

// DefinitionOf summarises a compiled model.
func DefinitionOf(m *rules.Model) *Definition {
	d := &Definition{Model: m.Name, Description: m.Description, Owners: []DefinitionOwner{}, Rules: []DefinitionRule{}, Stages: []DefinitionStage{}}
	for _, o := range m.Owners {
		d.Owners = append(d.Owners, DefinitionOwner{Team: o.Team.Value, Contact: o.Contact.Value})
	}
	src := func(e *rules.Expr) string {
		if e == nil {
			return ""
		}
		return strings.Join(strings.Fields(e.Source), " ")
	}
	for _, r := range append(append([]*rules.Rule{}, m.Rules...), m.Gates...) {
		dr := DefinitionRule{ID: r.ID, Points: r.Points, Gate: r.IsGate(), Events: r.Events, Owner: r.Owner, Reason: r.Reason, When: src(r.When)}
		if r.Category != nil {
			dr.Category = r.Category.Name
		}
		if r.IsGate() {
			dr.Reason = r.Disqualify
		}
		d.Rules = append(d.Rules, dr)
	}
	for _, s := range m.Stages {
		d.Stages = append(d.Stages, DefinitionStage{ID: s.ID, SalesReady: s.SalesReady, When: src(s.When)})
	}
	return d
}

// DefinitionSection shows the rules' points by owner, and the stages.
func DefinitionSection(d *Definition, prefix string) Section {
	sec := Section{ID: "definition", Title: "The definition at a glance"}
	var owners []string
	for _, o := range d.Owners {
		owners = append(owners, o.Team+" ("+o.Contact+")")
	}
	intro := "Model " + d.Model
	if d.Description != "" {
		intro += ": " + d.Description
	}
	if len(owners) > 0 {
		intro += ". Signed by " + strings.Join(owners, ", ")
	}
	sec.Intro = []string{intro + "."}
	// Points by rule, one colour per owner.
	var teams []string
	teamIndex := map[string]int{}
	for _, r := range d.Rules {
		if _, ok := teamIndex[r.Owner]; !ok && !r.Gate {
			teamIndex[r.Owner] = len(teams)
			teams = append(teams, orNone(r.Owner))
		}
	}
	var groups []string
	var values []float64
	var colors []int
	t := &Table{Sortable: true, Head: []string{"rule", "category", "points", "owner", "reason"}}
	for i, r := range d.Rules {
		cat := r.Category
		if r.Gate {
			cat = "gate"
		}
		points := Number(p(prefix, "rules", i, "points"), r.Points, wholeOr(r.Points, "dec1"))
		if r.Gate {
			points = Text("disqualifies")
		}
		t.Rows = append(t.Rows, Row{Cells: []Cell{Text(r.ID), Text(cat), points, Text(orNone(r.Owner)), Text(r.Reason)}})
		if r.Gate {
			continue
		}
		groups, values, colors = append(groups, r.ID), append(values, r.Points), append(colors, teamIndex[r.Owner])
	}
	sec.Blocks = append(sec.Blocks, Block{Title: "Rules: points by owner", Chart: ColoredBars("Points each rule gives, coloured by the team that owns it", groups, values, colors, teams, wholeAll([][]float64{values}, "dec1")), Table: t,
		Note: "An event rule's points are per event, before its limit, window and decay. Gates give no points: they keep a lead from being sales-ready. Each rule's condition is in the rule file."})
	st := &Table{Head: []string{"stage", "sales-ready", "when"}}
	for _, s := range d.Stages {
		sr := ""
		if s.SalesReady {
			sr = "yes: the hand-off"
		}
		st.Rows = append(st.Rows, Row{Cells: []Cell{Text(s.ID), Text(sr), Text(s.When)}})
	}
	sec.Blocks = append(sec.Blocks, Block{Title: "Stages, lowest first", Table: st})
	return sec
}

// moveBadge is a stage a lead moves to, marked up or down the ladder in
// words and colour.
func moveBadge(stage, direction string) Cell {
	switch direction {
	case "up":
		return Cell{Text: stage + " ↑ up", Badge: "up"}
	case "down":
		return Cell{Text: stage + " ↓ down", Badge: "down"}
	}
	return Text(stage)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "(no owner)"
	}
	return s
}

func stageName(s string) string {
	if s == "" {
		return "no stage"
	}
	return s
}

// ReviewSection shows what a proposed change does: the rule changes, the
// stage moves as a matrix, who starts and stops being sales-ready, and the
// score distributions before and after. top bounds the leads listed.
func ReviewSection(r *review.Report, prefix string, top int) Section {
	sec := Section{ID: "change", Title: "What the proposed change does"}
	intro := fmt.Sprintf("%s → %s: %d rule changes.", r.Old, r.New, len(r.Changes))
	if len(r.SignOff) > 0 {
		var teams []string
		for _, team := range sortedKeysInt(r.SignOff) {
			teams = append(teams, fmt.Sprintf("%s (%d)", team, r.SignOff[team]))
		}
		intro += " Sign-off needed from " + strings.Join(teams, ", ") + "."
	}
	sec.Intro = []string{intro}
	ct := &Table{Head: []string{"change", "what", "name", "owners", "details"}}
	for _, c := range r.Changes {
		ct.Rows = append(ct.Rows, Row{Cells: []Cell{Text(c.Kind), Text(c.What), Text(c.Name), Text(strings.Join(c.Owners, ", ")), Text(strings.Join(c.Details, "; "))}})
	}
	sec.Blocks = append(sec.Blocks, Block{Title: "Rule changes", Table: ct})
	if r.Impact != nil {
		sec.Intro = append(sec.Intro, fmt.Sprintf("On %s from %s as of %s: sales-ready goes from %s to %s; %d start and %d stop being sales-ready.",
			numfmt.Count(r.Impact.Leads, "lead"), r.LeadsFile, r.AsOf.Format("2006-01-02"), numfmt.Thousands(r.Impact.SalesReadyOld), numfmt.Thousands(r.Impact.SalesReadyNew), len(r.Impact.Started), len(r.Impact.Stopped))+leftOut(r.Impact, "lead"))
		sec.Blocks = append(sec.Blocks, impactBlocks(r.Impact, prefix, "impact", "lead", top)...)
	}
	return sec
}

// AccountReviewSection shows what the change does to accounts (diff
// --accounts), as ReviewSection does to leads; nil without them.
func AccountReviewSection(r *review.Report, prefix string, top int) *Section {
	if r.AccountImpact == nil {
		return nil
	}
	im := r.AccountImpact.Impact
	sec := &Section{ID: "change-accounts", Title: "What the proposed change does to accounts"}
	sec.Intro = []string{fmt.Sprintf("On %s from %s, their people from %s, as of %s: sales-ready goes from %s to %s; %d start and %d stop being sales-ready.",
		numfmt.Count(im.Leads, "account"), r.AccountsFile, r.LeadsFile, r.AsOf.Format("2006-01-02"), numfmt.Thousands(im.SalesReadyOld), numfmt.Thousands(im.SalesReadyNew), len(im.Started), len(im.Stopped)) + leftOut(im, "account")}
	sec.Blocks = impactBlocks(im, prefix, "account_impact", "account", top)
	return sec
}

// leftOut says how many leads or accounts (noun) one version could not
// score, left out of the impact; "" for none.
func leftOut(im *review.Impact, noun string) string {
	switch im.Failed {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf(" 1 %s could not be scored and is left out.", noun)
	}
	return fmt.Sprintf(" %d %ss could not be scored and are left out.", im.Failed, noun)
}

// impactBlocks are the blocks of an impact of leads or accounts (noun),
// whose JSON is at key: the sales-ready volume, the stage moves, who
// starts and stops being sales-ready, the score distributions.
func impactBlocks(im *review.Impact, prefix, key, noun string, top int) []Block {
	var blocks []Block
	nouns := noun + "s"
	Nouns := strings.ToUpper(nouns[:1]) + nouns[1:]
	vol := &Table{Head: []string{"", nouns, "sales-ready"}, Rows: []Row{
		{Cells: []Cell{Text("current"), Int(p(prefix, key, nouns), im.Leads), Int(p(prefix, key, "sales_ready_old"), im.SalesReadyOld)}},
		{Cells: []Cell{Text("proposed"), Int(p(prefix, key, nouns), im.Leads), Int(p(prefix, key, "sales_ready_new"), im.SalesReadyNew)}},
	}}
	blocks = append(blocks, Block{Title: "Sales-ready volume", Chart: Bars("Sales-ready "+nouns+", current and proposed", []string{"current", "proposed"}, []string{"sales-ready"},
		[][]float64{{float64(im.SalesReadyOld)}, {float64(im.SalesReadyNew)}}, "int"), Table: vol})

	var stages []string
	seen := map[string]bool{}
	for _, m := range im.Moves {
		for _, s := range []string{m.From, m.To} {
			if !seen[s] && s != "" {
				seen[s] = true
				stages = append(stages, s)
			}
		}
	}
	stages = append(stages, "")
	idx := map[string]int{}
	var names []string
	for i, s := range stages {
		idx[s] = i
		names = append(names, stageName(s))
	}
	matrix := make([][]float64, len(stages))
	for i := range matrix {
		matrix[i] = make([]float64, len(stages))
	}
	mt := &Table{Sortable: true, Head: []string{"from (current)", "to (proposed)", nouns}}
	var arrows []string
	var arrowVals []float64
	var arrowColours []int
	for i, m := range im.Moves {
		matrix[idx[m.From]][idx[m.To]] = float64(m.Leads)
		mt.Rows = append(mt.Rows, Row{Cells: []Cell{Text(stageName(m.From)), moveBadge(stageName(m.To), m.Direction), Int(p(prefix, key, "moves", i, nouns), m.Leads)}})
		if m.From != m.To && m.Leads > 0 {
			arrows = append(arrows, stageName(m.From)+" → "+stageName(m.To))
			arrowVals = append(arrowVals, float64(m.Leads))
			arrowColours = append(arrowColours, map[string]int{"up": 0, "down": 1}[m.Direction]+map[bool]int{true: 2, false: 0}[m.Direction == ""])
		}
	}
	blocks = append(blocks, Block{Title: "Stage moves", Chart: Matrix(Nouns+" by current stage (rows) and proposed stage (columns)", "current", "proposed", names, names, matrix), Table: mt,
		Note: "The diagonal is the " + nouns + " that stay; every other cell is " + nouns + " that move, up or down the ladder."})
	if len(arrows) > 0 {
		blocks = append(blocks, Block{Title: "The moves, up and down", Chart: ColoredBars(Nouns+" that change stage, by move, coloured up or down the ladder", arrows, arrowVals, arrowColours, []string{"up", "down", "sideways"}, "int"),
			Note: "Each bar is the " + nouns + " that make one move; the table above has the counts."})
	}

	for _, list := range []struct {
		title, key string
		leads      []review.LeadChange
	}{{Nouns + " that start being sales-ready", "started", im.Started}, {Nouns + " that stop being sales-ready", "stopped", im.Stopped}} {
		shown := list.leads[:min(top, len(list.leads))]
		cols, outcome := review.Columns(shown, im.Show)
		head := append([]string{noun}, cols...)
		if outcome {
			head = append(head, "outcome")
		}
		lt := &Table{Sortable: true, Head: append(head, "current total", "proposed total", "current stage", "proposed stage", "moved by")}
		for i, l := range shown {
			row := []Cell{Text(l.ID)}
			for _, c := range cols {
				row = append(row, Text(review.FieldText(l.Fields[c])))
			}
			if outcome {
				row = append(row, Text(orDash(l.Outcome)))
			}
			lt.Rows = append(lt.Rows, Row{Cells: append(row, Number(p(prefix, key, list.key, i, "old_total"), l.OldTotal, wholeOr(l.OldTotal, "dec1")), Number(p(prefix, key, list.key, i, "new_total"), l.NewTotal, wholeOr(l.NewTotal, "dec1")),
				Text(stageName(l.OldStage)), moveBadge(stageName(l.NewStage), l.Direction), Text(strings.Join(l.Moved, ", ")))})
		}
		note := ""
		if len(list.leads) > top {
			note = fmt.Sprintf("The first %d of %d, highest total first.", top, len(list.leads))
		}
		if len(list.leads) == 0 {
			note = "None."
		}
		blocks = append(blocks, Block{Title: fmt.Sprintf("%s (%d)", list.title, len(list.leads)), Table: lt, Note: note})
	}

	var boxes []Box
	dt := &Table{Head: []string{"score", "version", "p10", "p25", "median", "p75", "p90", "mean"}}
	for i, d := range im.Distribution {
		for v, q := range []struct {
			name string
			key  string
			q    review.Quantiles
		}{{"current", "old", d.Old}, {"proposed", "new", d.New}} {
			boxes = append(boxes, Box{Label: d.Score + ", " + q.name, Series: v, P: [5]float64{q.q.P10, q.q.P25, q.q.Median, q.q.P75, q.q.P90}})
			path := func(k string) string { return p(prefix, key, "distribution", i, q.key, k) }
			dt.Rows = append(dt.Rows, Row{Cells: []Cell{Text(d.Score), Text(q.name), Number(path("p10"), q.q.P10, "dec1"), Number(path("p25"), q.q.P25, "dec1"),
				Number(path("median"), q.q.Median, "dec1"), Number(path("p75"), q.q.P75, "dec1"), Number(path("p90"), q.q.P90, "dec1"), Number(path("mean"), q.q.Mean, "dec1")}})
		}
	}
	if len(im.Distribution) == 0 {
		return blocks
	}
	blocks = append(blocks, Block{Title: "Score distribution, current and proposed", Chart: Boxes("Scores: whiskers p10 to p90, box p25 to p75, bar at the median", boxes, []string{"current", "proposed"}), Table: dt})
	return blocks
}

func sortedKeysInt(m map[string]int) []string {
	s := map[string]string{}
	for k := range m {
		s[k] = ""
	}
	return sortedKeys(s)
}

// driftSection compares the backtest's leads with the reference set (see
// backtest.Drift): the total's distribution, then each rule's firing
// rate with its counts, the ratio with its interval, q and whether it
// shifted, the shifted first.
func driftSection(d *backtest.Drift, prefix string) Section {
	sec := Section{ID: "drift", Title: "Have the leads changed since the reference?"}
	ts := d.TotalShift
	sec.Intro = []string{fmt.Sprintf("The %s leads at the snapshot against %s reference leads scored at %s. The total: %s.",
		numfmt.Thousands(d.Leads), numfmt.Thousands(d.Reference), d.ReferenceAt.Format("2006-01-02"), ts.Verdict)}
	tp := func(k string) string { return p(prefix, "drift", "total_shift", k) }
	tt := &Table{Head: []string{"the total", "value"}, Rows: []Row{
		{Cells: []Cell{Text("leads now"), Int(p(prefix, "drift", "leads"), d.Leads)}},
		{Cells: []Cell{Text("reference leads"), Int(p(prefix, "drift", "reference_leads"), d.Reference)}},
		{Cells: []Cell{Text("mean total now"), Maybe(tp("mean"), ts.Mean, "dec1")}},
		{Cells: []Cell{Text("mean total in the reference"), Maybe(tp("reference_mean"), ts.ReferenceMean, "dec1")}},
		{Cells: []Cell{Text("largest gap at a total of, or less"), Maybe(tp("ks_at"), ts.At, "dec1")}},
		{Cells: []Cell{Text("leads at or below it now"), Maybe(tp("share_at_or_below"), ts.Share, "pct")}},
		{Cells: []Cell{Text("in the reference"), Maybe(tp("reference_share_at_or_below"), ts.ReferenceShare, "pct")}},
		{Cells: []Cell{Text("gap (Kolmogorov–Smirnov)"), Maybe(tp("ks"), ts.KS, "dec3")}},
		{Cells: []Cell{Text("p"), pValueCell(tp("p"), ts.P)}},
		{Cells: []Cell{Text("says"), Text(ts.Verdict)}},
		{Cells: []Cell{Text("PSI (" + d.TotalBand + ")"), Maybe(p(prefix, "drift", "total_psi"), d.Total, "dec3")}},
	}}
	sec.Blocks = append(sec.Blocks, Block{Title: "The total", Table: tt,
		Note: "The test compares the share of leads at or below every total, now and in the reference, and finds the largest gap; shifted when p is under 0.05 and the gap is a tenth of the leads or more."})
	rt := &Table{Sortable: true, Head: []string{"rule", "fired now", "of leads", "rate", "fired in the reference", "of leads", "rate", "ratio", "95% interval from", "to", "q", "shifted", "says", "PSI"}}
	for i, r := range d.Rules {
		path := func(k string) string { return p(prefix, "drift", "rules", i, k) }
		lo, hi := Text("—"), Text("—")
		if r.RatioInterval != nil {
			lo, hi = Number(path("ratio_interval.low"), r.RatioInterval.Low, "dec2"), Number(path("ratio_interval.high"), r.RatioInterval.High, "dec2")
		}
		shifted := "no"
		if r.Shifted {
			shifted = "yes"
		}
		rt.Rows = append(rt.Rows, Row{Cells: []Cell{Text(r.ID), Int(path("fired"), r.Fired), Int(path("leads"), r.Leads), Maybe(path("rate"), r.Rate, "pct"),
			Int(path("reference_fired"), r.ReferenceFired), Int(path("reference_leads"), r.ReferenceLeads), Maybe(path("reference_rate"), r.Reference, "pct"),
			Maybe(path("ratio"), r.Ratio, "dec2"), lo, hi, pValueCell(path("q"), r.Q), Text(shifted), Text(r.Verdict), Maybe(path("psi"), r.PSI, "dec3")}})
	}
	sec.Blocks = append(sec.Blocks, Block{Title: "Each rule's firing rate", Table: rt,
		Note: "Ratio: the rate now over the rate in the reference (1: no change; 0.50: half as often), with its 95% interval. " +
			"q: how likely a change this large would be by chance alone (Fisher's exact test when counts are small), adjusted for testing every rule at once. " +
			"Shifted: q under 0.05 and a ratio under 0.8 or over 1.25. Too few to tell: the interval reaches a halving or a doubling. " +
			"PSI, for comparison, barely moves when a rare rule's rate collapses."})
	return sec
}

// pValueCell shows a p- or q-value with three decimals, or "< 0.001".
func pValueCell(path string, v *float64) Cell {
	if v != nil && *v < 0.001 {
		return Text("< 0.001")
	}
	return Maybe(path, v, "dec3")
}

func frac(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// FeedbackSection shows what sales said: verdicts, rejection reasons, and
// acceptance by campaign.
func FeedbackSection(r *feedback.Report, prefix string) Section {
	u := r.Noun() // lead or account
	us := u + "s"
	sec := Section{ID: "feedback", Title: "What sales said"}
	if r.Unit == "accounts" {
		sec.Title = "What sales said about the sales-ready accounts"
	}
	sec.Intro = []string{fmt.Sprintf("%s %s; %s became sales-ready and went to sales; %s got a verdict.",
		numfmt.Thousands(r.Leads), us, numfmt.Thousands(r.SalesReady), numfmt.Thousands(r.Dispositioned))}
	vt := &Table{Head: []string{"verdict", us}, Rows: []Row{
		{Cells: []Cell{Text("accepted"), Int(p(prefix, "accepted"), r.Accepted)}},
		{Cells: []Cell{Text("rejected"), Int(p(prefix, "rejected"), r.Rejected)}},
		{Cells: []Cell{Text("recycled"), Int(p(prefix, "recycled"), r.Recycled)}},
		{Cells: []Cell{Text("no verdict yet"), Int(p(prefix, "never_dispositioned"), r.NeverDispositioned)}},
		{Cells: []Cell{Text("acceptance rate"), rateIv(prefix, "acceptance_rate", r.AcceptanceRate, r.AcceptanceRateLow, r.AcceptanceRateHigh)}},
		{Cells: []Cell{Text("rejection rate"), rateIv(prefix, "rejection_rate", r.RejectionRate, r.RejectionRateLow, r.RejectionRateHigh)}},
		{Cells: []Cell{Text("recycle rate"), rateIv(prefix, "recycle_rate", r.RecycleRate, r.RecycleRateLow, r.RecycleRateHigh)}},
	}}
	if r.TooFew && r.Dispositioned > 0 {
		sec.Summary = append(sec.Summary, ln(fmt.Sprintf("These rates rest on fewer than %d verdicts: too few to read as findings; read their intervals.", feedback.MinVerdicts)))
	}
	if r.NotHandedOff > 0 {
		// Verdicts on leads the definition never handed over are read but
		// stand outside every rate: the page says how many.
		vt.Rows = append(vt.Rows, Row{Cells: []Cell{Text("verdicts on " + us + " never sales-ready (not in the rates)"), Int(p(prefix, "dispositioned_not_sales_ready"), r.NotHandedOff)}})
		sec.Summary = append(sec.Summary, Sentence{Int(p(prefix, "dispositioned_not_sales_ready"), r.NotHandedOff),
			Text(map[bool]string{true: " more " + u + " has", false: " more " + us + " have"}[r.NotHandedOff == 1] + " verdicts but never became sales-ready: not in the rates.")})
	}
	sec.Blocks = append(sec.Blocks, Block{Title: "Verdicts on sales-ready " + us, Chart: Bars("Sales' verdicts", []string{"accepted", "rejected", "recycled", "no verdict yet"}, []string{us},
		[][]float64{{float64(r.Accepted)}, {float64(r.Rejected)}, {float64(r.Recycled)}, {float64(r.NeverDispositioned)}}, "int"), Table: vt})
	var groups []string
	var vals [][]float64
	rt := &Table{Head: []string{"rejection reason", us}}
	for i, rc := range r.Reasons {
		groups = append(groups, rc.Reason)
		vals = append(vals, []float64{float64(rc.Leads)})
		rt.Rows = append(rt.Rows, Row{Cells: []Cell{Text(rc.Reason), Int(p(prefix, "reasons", i, "leads"), rc.Leads)}})
	}
	if len(groups) > 0 {
		sec.Blocks = append(sec.Blocks, Block{Title: "Rejection reasons", Chart: Bars(strings.ToUpper(us[:1])+us[1:]+" rejected or recycled, by reason", groups, []string{us}, vals, "int"), Table: rt})
	}
	type grouping struct {
		title, key, first string
		groups            []feedback.Group
		chart             bool
	}
	groupings := []grouping{
		{"By campaign: which tactics produce " + us + " sales wants", "campaigns", "campaign", r.Campaigns, true},
		{"By channel", "channels", "channel", r.Channels, false},
		{fmt.Sprintf("By score band at the hand-off (width %s)", Format(wholeOr(r.BandWidth, "dec1"), r.BandWidth)), "bands", "band", r.Bands, false},
		{"By grade at the hand-off", "grades", "grade", r.Grades, false},
	}
	if r.Unit == "accounts" {
		groupings[0].title = "By campaign (the first touch of any of its people): which tactics produce accounts sales wants"
		groupings = append(groupings, grouping{"By stage at the hand-off", "stages", "stage", r.Stages, false},
			grouping{"By rule or roll-up fired at the hand-off", "rules", "rule", r.Rules, false},
			grouping{"By buying-group role present at the hand-off", "roles", "role", r.Roles, false})
	} else {
		groupings = append(groupings, grouping{"By rule fired at the hand-off", "rules", "rule", r.Rules, false})
	}
	groupings = append(groupings, grouping{"By week of the hand-off", "weeks", "week", r.Weeks, false})
	for _, g := range groupings {
		blk, ok := feedbackGroups(g.title, g.first, g.groups, p(prefix, g.key)+".", g.chart)
		if !ok {
			continue
		}
		if g.key == "weeks" {
			// The weekly series: hand-offs as bars, those sales accepted as a line.
			var labels []string
			var handoffs, accepted []float64
			for _, w := range r.Weeks {
				labels = append(labels, strings.TrimPrefix(w.Name, "week to "))
				handoffs, accepted = append(handoffs, float64(w.SalesReady)), append(accepted, float64(w.Accepted))
			}
			blk.Chart = Columns{Title: "Hand-offs each week, and those sales accepted", Labels: labels, Bars: handoffs, BarName: "hand-offs", Line: accepted, LineName: "accepted",
				YLabel: us, Format: "int"}.SVG()
			blk.Note = "Each week is the seven days up to the date named (the last one ends at the as-of time); what sales said of its hand-offs, whenever it said it. " + blk.Note
			blk.Table.Scroll = true
		}
		sec.Blocks = append(sec.Blocks, blk)
	}
	et := &Table{Sortable: true, Head: []string{"reason", "rule", us + " given the reason", "rule fired on them", "95% interval", "other " + us + " with a verdict", "rule fired on them", "95% interval",
		"times as often", "95% interval: low", "high", "p", "q", "verdict", "why"}}
	for i, e := range r.Evidence {
		path := func(k string) string { return p(prefix, "evidence", i, k) }
		et.Rows = append(et.Rows, Row{Cells: []Cell{Text(e.Reason), Text(e.Rule), Int(path("leads"), e.Leads), Number(path("share"), e.Share, "pct"),
			ivPair(path("share_low"), e.ShareLow, path("share_high"), e.ShareHigh, "pct"),
			Int(path("others"), e.Others), Maybe(path("others_share"), e.OthersShare, "pct"),
			ivPair(path("others_share_low"), e.OthersShareLow, path("others_share_high"), e.OthersShareHigh, "pct"),
			Maybe(path("rate_ratio"), e.RateRatio, "dec2"), Maybe(path("rate_ratio_low"), e.RateRatioLow, "dec2"), Maybe(path("rate_ratio_high"), e.RateRatioHigh, "dec2"),
			Maybe(path("p"), e.P, "dec3"), Maybe(path("q"), e.Q, "dec3"), Text(e.Verdict), Text(e.Why)}})
	}
	sec.Summary = append(sec.Summary, feedbackFindings(r)...)
	sec.Warnings = append(sec.Warnings, r.Warnings...)
	for _, e := range r.EarlyRecycles {
		sec.Warnings = append(sec.Warnings, e.Say(u))
	}
	sec.Blocks = append(sec.Blocks, slaBlocks(r, prefix, us)...)
	rc := r.Recycle
	sec.Blocks = append(sec.Blocks, Block{Title: "Recycled " + us, Table: &Table{Head: []string{"recycled " + us, "sales-ready again", "won later"}, Rows: []Row{{Cells: []Cell{
		Int(p(prefix, "recycle", "leads"), rc.Leads), Int(p(prefix, "recycle", "sales_ready_again"), rc.SalesReadyAgain), Int(p(prefix, "recycle", "won_later"), rc.WonLater)}}}}})
	if len(r.Evidence) > 0 {
		sec.Blocks = append(sec.Blocks, Block{Title: "Rejection reasons against rules", Table: et,
			Note: fmt.Sprintf("Each rule a reason contradicts, by how often it fired on the %[3]s given the reason against the other %[3]s with a verdict. %[4]s"+
				"contradicted: significantly more often, so sales' reason says the rule is wrong on such %[3]s; supported: significantly less often, so sales agrees with the rule; "+
				"inconclusive: see why. Significant: q (Fisher's exact test, adjusted for the number of pairs tested) of %[1]s or less, and still so with each rule that goes with it held fixed in turn. "+
				"A reason given to fewer than %[2]d %[3]s judges no rule. Rules a reason does not name are listed only when over-represented.", feedback.PValue(feedback.Alpha), feedback.MinLeads, us, roleNote(r))})
	}
	return sec
}

// rateIv is a rate of the feedback report with its 95% interval:
// "60.0% (95%: 44.6% to 73.7%)", each number at its path.
func rateIv(prefix, key string, v, lo, hi *float64) Cell {
	if v == nil || lo == nil || hi == nil {
		return Maybe(p(prefix, key), v, "pct")
	}
	return Parts(Maybe(p(prefix, key), v, "pct"), Text(" (95%: "), Maybe(p(prefix, key+"_low"), lo, "pct"), Text(" to "), Maybe(p(prefix, key+"_high"), hi, "pct"), Text(")"))
}

// feedbackGroups is one grouping of the hand-offs (campaign, channel,
// band, grade, rule) as a table at path, each rate with its 95% interval,
// with a chart of the acceptance and rejection rates when asked; false
// when there is no group. A group with fewer than feedback.MinVerdicts
// verdicts is too few to read: its row is greyed and marked, and it has
// no bar, so that no one sets it against another.
func feedbackGroups(title, first string, groups []feedback.Group, path string, chart bool) (Block, bool) {
	if len(groups) == 0 {
		return Block{}, false
	}
	var names []string
	var vals [][]float64
	t := &Table{Sortable: true, Head: []string{first, "sales-ready", "verdicts", "accepted", "rejected", "recycled", "acceptance rate", "95% interval", "rejection rate", "95% interval", "read", "reasons"}}
	for i, g := range groups {
		gp := func(k string) string { return p(path, i, k) }
		names = append(names, g.Name)
		if g.TooFew {
			vals = append(vals, []float64{math.NaN(), math.NaN()})
		} else {
			vals = append(vals, []float64{orNaN(g.AcceptanceRate), orNaN(g.RejectionRate)})
		}
		var reasons []string
		for _, rc := range g.Reasons {
			reasons = append(reasons, fmt.Sprintf("%s %d", rc.Reason, rc.Leads))
		}
		read := ""
		switch {
		case g.Dispositioned == 0:
			read = "no verdict"
		case g.TooFew:
			read = "too few"
		}
		t.Rows = append(t.Rows, Row{Small: g.TooFew, Cells: []Cell{Text(g.Name), Int(gp("sales_ready"), g.SalesReady), Int(gp("dispositioned"), g.Dispositioned), Int(gp("accepted"), g.Accepted),
			Int(gp("rejected"), g.Rejected), Int(gp("recycled"), g.Recycled),
			Maybe(gp("acceptance_rate"), g.AcceptanceRate, "pct"), ivPair(gp("acceptance_rate_low"), g.AcceptanceRateLow, gp("acceptance_rate_high"), g.AcceptanceRateHigh, "pct"),
			Maybe(gp("rejection_rate"), g.RejectionRate, "pct"), ivPair(gp("rejection_rate_low"), g.RejectionRateLow, gp("rejection_rate_high"), g.RejectionRateHigh, "pct"),
			Text(read), Text(strings.Join(reasons, ", "))}})
	}
	b := Block{Title: title, Table: t, Note: "Rates are over the verdicts of the group, with their 95% interval (Wilson's); a group with no verdicts shows —" +
		fmt.Sprintf(". Grey rows, marked too few, rest on fewer than %d verdicts: their rates are too uncertain to read, or to set against another group's%s.", feedback.MinVerdicts,
			map[bool]string{true: ", and have no bar", false: ""}[chart])}
	if chart {
		b.Chart = Bars("Acceptance and rejection rate by "+first+fmt.Sprintf(" (groups with %d verdicts or more)", feedback.MinVerdicts), names, []string{"acceptance rate", "rejection rate"}, vals, "pct")
	}
	return b, true
}

// feedbackFindings are what the verdicts conclude, as the text report
// says them: how the rules stand against the reasons that contradict
// them, then each finding.
func feedbackFindings(r *feedback.Report) []Sentence {
	var out []Sentence
	if s := r.Judged(); s != "" {
		out = append(out, ln(s))
	}
	for _, f := range r.Findings() {
		out = append(out, ln(f+"."))
	}
	return out
}

// slaBlocks are how fast sales answered the hand-offs: against the SLA,
// and by owner.
func slaBlocks(r *feedback.Report, prefix, us string) []Block {
	sla := r.SLA
	sp := func(k string) string { return p(prefix, "sla", k) }
	t := &Table{Head: []string{"SLA (hours)", "verdicts timed", "median wait (hours)", "90th percentile (hours)", "within the SLA", "later", "no verdict, overdue", "no verdict, still within"},
		Rows: []Row{{Cells: []Cell{Maybe(sp("hours"), sla.Hours, wholeOrPtr(sla.Hours, "dec1")), Int(sp("measured"), sla.Measured), Maybe(sp("median_hours"), sla.MedianHours, "dec1"), Maybe(sp("p90_hours"), sla.P90Hours, "dec1"),
			Int(sp("within"), sla.Within), Int(sp("breached"), sla.Breached), Int(sp("overdue"), sla.Overdue), Int(sp("waiting"), sla.Waiting)}}}}
	out := []Block{{Title: "SLA: from sales-ready to the first verdict", Table: t, Note: "A model without an SLA shows — for it, and every " + strings.TrimSuffix(us, "s") + " without a verdict counts as still within."}}
	if len(sla.ByOwner) > 0 {
		ot := &Table{Sortable: true, Head: []string{"owner", "verdicts", "later than the SLA", "median wait (hours)"}}
		for i, o := range sla.ByOwner {
			op := func(k string) string { return p(prefix, "sla", "by_owner", i, k) }
			ot.Rows = append(ot.Rows, Row{Cells: []Cell{Text(o.Owner), Int(op("verdicts"), o.Verdicts), Int(op("breached"), o.Breached), Maybe(op("median_hours"), o.MedianHours, "dec1")}})
		}
		out = append(out, Block{Title: "SLA by owner", Table: ot, Note: feedback.NobodyYet + " holds the overdue " + us + " no one has answered."})
	}
	return out
}

// roleNote says how a role is judged as a rule, on a report on accounts.
func roleNote(r *feedback.Report) string {
	if r.Unit != "accounts" {
		return ""
	}
	return "A role (" + feedback.RolePrefix + "name) fires on an account when one of its people at the hand-off holds it. "
}

// AttributionSections shows the funnel, and the credit and ROI of each
// campaign under each model, side by side.
func AttributionSections(r *attribution.Report, prefix string) []Section {
	f := r.Total.Funnel
	fs := Section{ID: "funnel", Title: "The funnel", Warnings: r.Warnings}
	tp := func(k string) string { return p(prefix, "total", "funnel", k) }
	// Each step's rate is over the base JSON's "of" counts, named in the
	// "over" column: then an opportunity is over the sales-ready, accepted
	// by sales or not.
	type step struct {
		name, key string
		v         int
		rateKey   string
		rate      *attribution.StepRate
		over      string
	}
	rs := r.Total.Rates
	steps := []step{{"touched", "touched", f.Touched, "", nil, ""}, {"sales-ready", "sales_ready", f.SalesReady, "sales_ready", &rs.SalesReady, "the journeys touched"}}
	if rs.SalesAccepted != nil {
		steps = append(steps, step{"accepted by sales", "sales_accepted", f.SalesAccepted, "sales_accepted", rs.SalesAccepted, "the sales-ready"})
	}
	steps = append(steps, step{"then an opportunity", "sales_ready_opportunities", f.SalesReadyOpportunities, "opportunity", &rs.Opportunity, "the sales-ready"},
		step{"then won", "sales_ready_won", f.SalesReadyWon, "won", &rs.Won, "those opportunities"})
	ft := &Table{Head: []string{"step", "journeys", "rate", "over"}}
	var groups []string
	var vals [][]float64
	for _, s := range steps {
		groups = append(groups, s.name)
		vals = append(vals, []float64{float64(s.v)})
		rate := Text("")
		if s.rate != nil {
			rp := func(k string) string { return p(prefix, "total", "funnel_rates", s.rateKey, k) }
			rate = Maybe(rp("rate"), s.rate.Rate, "pct")
			if s.rate.Rate != nil {
				rate = Parts(rate, Text(" (95%: "), ivPair(rp("rate_low"), s.rate.Low, rp("rate_high"), s.rate.High, "pct"), Text(")"+map[bool]string{true: " †", false: ""}[s.rate.TooFew]))
			}
		}
		over := Text("")
		if s.rate != nil {
			over = Parts(Int(p(prefix, "total", "funnel_rates", s.rateKey, "of"), s.rate.Of), Text(", "+s.over))
		}
		ft.Rows = append(ft.Rows, Row{Cells: []Cell{Text(s.name), Int(tp(s.key), s.v), rate, over}})
	}
	ft.Rows = append(ft.Rows,
		Row{Cells: []Cell{Text("all opportunities"), Int(tp("opportunities"), f.Opportunities), Text(""), Text("")}},
		Row{Cells: []Cell{Text("all won"), Int(tp("won"), f.Won), Text(""), Text("")}},
		Row{Cells: []Cell{Text("won, never sales-ready"), Int(tp("won_not_sales_ready"), f.WonNotSalesReady), Text(""), Text("")}},
		Row{Cells: []Cell{Text("their revenue"), Number(tp("revenue_not_sales_ready"), f.RevenueNotSalesReady, "money"), Text(""), Text("")}})
	fs.Blocks = append(fs.Blocks, Block{Title: "Journeys at each step", Chart: Bars("The funnel: journeys at each step", groups, []string{"journeys"}, vals, "int"), Table: ft,
		Note: fmt.Sprintf("%s, with its 95%% interval (Wilson's); † marks a rate over fewer than %d journeys, too few to read. All won = won after sales-ready + won, never sales-ready.", attribution.RateBases(rs.SalesAccepted != nil), attribution.MinRateBase)})
	fs.Blocks = append(fs.Blocks,
		Block{Title: "By campaign", Table: funnelTable("campaign", r.Campaigns, r.Total, prefix, "campaigns"),
			Note: "Cost per sales-ready is the cost over the sales-ready column, cost per won over the won column (sales-ready first or not); a campaign the cost table does not name has no cost: —. The total counts each journey once."},
		Block{Title: "By channel", Table: funnelTable("channel", r.Channels, r.Total, prefix, "channels"), ScreenOnly: true,
			Note: "A campaign belongs to the channel most of its touches came through; a channel has a cost only when each of its campaigns has one."})
	vt := &Table{Head: []string{"from", "to", "journeys", "median days"}}
	for i, v := range r.Velocity {
		vp := func(k string) string { return p(prefix, "velocity", i, k) }
		vt.Rows = append(vt.Rows, Row{Cells: []Cell{Text(v.From), Text(v.To), Int(vp("journeys"), v.Journeys), Maybe(vp("median_days"), v.MedianDays, "dec1")}})
	}
	if len(vt.Rows) > 0 {
		fs.Blocks = append(fs.Blocks, Block{Title: "Velocity: days from one step to the next", Table: vt, ScreenOnly: true,
			Note: "The median over the journeys that reached both steps, in order; — when none did."})
	}

	as := Section{ID: "attribution", Title: "Attribution by model, side by side"}
	as.Intro = []string{"Each model splits the same conversions and revenue among the campaigns that touched the journeys; where they disagree, the credit is a matter of model, not of fact."}
	groups = nil
	var revenue, roi [][]float64
	for _, c := range r.Campaigns {
		groups = append(groups, c.Name)
		var rv, ov []float64
		for _, a := range c.Credit {
			rv, ov = append(rv, a.Revenue), append(ov, orNaN(a.ROI))
		}
		revenue, roi = append(revenue, rv), append(roi, ov)
	}
	as.Blocks = append(as.Blocks,
		Block{Title: "Revenue credited to each campaign", Chart: Bars("Revenue credit by campaign, one bar per model", groups, r.Models, revenue, "money"), Table: creditTable("campaign", r.Models, r.Campaigns, r.Total, prefix, "campaigns", false)},
		Block{Title: "Return on investment", Chart: BarsFrom("ROI by campaign, one bar per model", groups, r.Models, roi, "pct", -1), Table: creditTable("campaign", r.Models, r.Campaigns, r.Total, prefix, "campaigns", true),
			Note: "ROI is (credited revenue − cost) / cost, so it starts at −100%; ROAS is credited revenue / cost; a campaign without a cost shows —, and no bar. The total's return is blended: all credited revenue over all spend; it shows — when a campaign with credit has no cost (the warning names it)."},
		Block{Title: "Credit by channel", Table: creditTable("channel", r.Models, r.Channels, r.Total, prefix, "channels", false), ScreenOnly: true},
		Block{Title: "Return by channel", Table: creditTable("channel", r.Models, r.Channels, r.Total, prefix, "channels", true), ScreenOnly: true})
	return []Section{fs, as}
}

// funnelTable is attribution's funnel by campaign or channel: each row's
// journeys at each step, its cost and costs per lead, then the total.
func funnelTable(first string, rows []attribution.Row, total attribution.Row, prefix, key string) *Table {
	t := &Table{Sortable: true, Head: []string{first, "touched", "sales-ready", "opportunities", "won", "won, never sales-ready", "their revenue", "cost", "cost per sales-ready", "cost per won"}}
	row := func(r attribution.Row, at func(k string) string) Row {
		f := func(k string) string { return at("funnel." + k) }
		return Row{Cells: []Cell{Text(r.Name), Int(f("touched"), r.Funnel.Touched), Int(f("sales_ready"), r.Funnel.SalesReady), Int(f("opportunities"), r.Funnel.Opportunities),
			Int(f("won"), r.Funnel.Won), Int(f("won_not_sales_ready"), r.Funnel.WonNotSalesReady), Number(f("revenue_not_sales_ready"), r.Funnel.RevenueNotSalesReady, "money"),
			Maybe(at("cost"), r.Cost, "money"), Maybe(at("cost_per_sales_ready"), r.CostPerSalesReady, "money2"), Maybe(at("cost_per_won"), r.CostPerWon, "money2")}}
	}
	for i, r := range rows {
		t.Rows = append(t.Rows, row(r, func(k string) string { return p(prefix, key, i, k) }))
	}
	tr := row(total, func(k string) string { return p(prefix, "total", k) })
	tr.Attrs, tr.Keep = map[string]string{"total": ""}, true
	t.Rows = append(t.Rows, tr)
	return t
}

// creditTable is each model's credit by campaign or channel, then the
// total: conversions and revenue, or (returns) the cost, ROAS and ROI.
func creditTable(first string, models []string, rows []attribution.Row, total attribution.Row, prefix, key string, returns bool) *Table {
	head := []string{first}
	if returns {
		head = append(head, "cost")
	}
	for _, m := range models {
		if returns {
			head = append(head, m+" ROAS", m+" ROI")
		} else {
			head = append(head, m+" conversions", m+" revenue")
		}
	}
	t := &Table{Sortable: true, Head: head}
	row := func(r attribution.Row, at func(parts ...any) string) Row {
		cells := []Cell{Text(r.Name)}
		if returns {
			cells = append(cells, Maybe(at("cost"), r.Cost, "money"))
		}
		for m, a := range r.Credit {
			if returns {
				cells = append(cells, Maybe(at("credit", m, "roas"), a.ROAS, "dec2"), Maybe(at("credit", m, "roi"), a.ROI, "pct"))
			} else {
				cells = append(cells, Number(at("credit", m, "conversions"), a.Conversions, "dec2"), Number(at("credit", m, "revenue"), a.Revenue, "money"))
			}
		}
		return Row{Cells: cells}
	}
	for i, r := range rows {
		t.Rows = append(t.Rows, row(r, func(parts ...any) string { return p(prefix, append([]any{key, i}, parts...)...) }))
	}
	tr := row(total, func(parts ...any) string { return p(prefix, append([]any{"total"}, parts...)...) })
	tr.Attrs, tr.Keep = map[string]string{"total": ""}, true
	t.Rows = append(t.Rows, tr)
	return t
}

func templateHTML(s string) template.HTML { return template.HTML(s) }

// ChannelsSection shows the data-driven models' credit (Markov removal
// effects, Shapley) by channel, side by side with the rule-based models run
// on the same paths.
func ChannelsSection(r *attribution.ChannelReport, prefix string) Section {
	sec := Section{ID: "channels", Title: "Credit by channel, data-driven models beside the rules"}
	sec.Intro = append([]string{fmt.Sprintf("%s conversions worth %s over %s distinct paths.",
		Format(wholeOr(r.Conversions, "dec1"), r.Conversions), Format("money", r.Value), numfmt.Thousands(r.Paths))}, r.Notes...)
	var groups []string
	var vals [][]float64
	head := []string{"channel"}
	for _, m := range r.Models {
		head = append(head, m+" conversions", m+" value")
	}
	t := &Table{Sortable: true, Head: head}
	for i, c := range r.Channels {
		groups = append(groups, c.Channel)
		row := []Cell{Text(c.Channel)}
		var vs []float64
		for m, cr := range c.Credit {
			path := func(k string) string { return p(prefix, "channels", i, "credit", m, k) }
			row = append(row, Number(path("conversions"), cr.Conversions, wholeOr(cr.Conversions, "dec2")), Number(path("value"), cr.Value, "money"))
			vs = append(vs, cr.Value)
		}
		vals = append(vals, vs)
		t.Rows = append(t.Rows, Row{Cells: row})
	}
	sec.Blocks = []Block{{Chart: Bars("Value credited to each channel, one bar per model", groups, r.Models, vals, "money"), Table: t}}
	if len(r.Models) > 1 && r.Value > 0 {
		// How much the models disagree: each channel's share of the value
		// under each model, and the gap between the highest and the lowest.
		var gaps [][]float64
		dt := &Table{Sortable: true, Head: append(append([]string{"channel"}, r.Models...), "highest − lowest")}
		for _, c := range r.Channels {
			lo, hi := math.Inf(1), math.Inf(-1)
			row := []Cell{Text(c.Channel)}
			for _, cr := range c.Credit {
				share := cr.Value / r.Value
				lo, hi = math.Min(lo, share), math.Max(hi, share)
				row = append(row, Derived(share, "pct"))
			}
			gaps = append(gaps, []float64{hi - lo})
			dt.Rows = append(dt.Rows, Row{Cells: append(row, Derived(hi-lo, "pct"))})
		}
		sec.Blocks = append(sec.Blocks, Block{Title: "How much the models disagree", Chart: Bars("Gap between the highest and the lowest share of value any model gives each channel", groups, []string{"gap"}, gaps, "pct"), Table: dt,
			Note: "Each channel's share of the total value under each model (computed here from the table above, in italics), and the gap between the models that give it most and least: where the gap is wide, the credit is a matter of model, not of fact."})
	}
	return sec
}

// PathsSummary is the headline of attribution over paths: conversions,
// their value, and the distinct paths they rest on.
func PathsSummary(r *attribution.ChannelReport, prefix string) []Tile {
	return []Tile{
		{KPI: "conversions", Label: "Conversions", Value: Number(p(prefix, "conversions"), r.Conversions, wholeOr(r.Conversions, "dec1")),
			Detail: ln("over ", Int(p(prefix, "distinct_paths"), r.Paths), " distinct paths; ", Number(p(prefix, "nulls"), r.Nulls, wholeOr(r.Nulls, "dec1")), " paths without one")},
		{KPI: "value", Label: "Their value", Value: Number(p(prefix, "value"), r.Value, "money"), Detail: ln("credited by ", Derived(float64(len(r.Models)), "int"), " "+numfmt.Noun(len(r.Models), "model"))},
	}
}

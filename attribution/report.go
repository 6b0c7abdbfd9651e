package attribution

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/leadscore/leadscore/internal/stats"
	"github.com/leadscore/leadscore/internal/suggest"
)

// Costs are what each campaign cost, by campaign name.
type Costs map[string]float64

// Report accumulates journeys into credit per campaign and per channel
// under several models side by side, with costs, the funnel and velocity.
// Build one with NewReport, Add every journey, then Finish. Credit is
// summed exactly (Attribute's decimals) and rounded once, so it does not
// depend on the order of the journeys, and equals the sum of what
// CreditWriter writes.
type Report struct {
	Models    []string `json:"models"`
	Campaigns []Row    `json:"campaigns"`
	Channels  []Row    `json:"channels"`
	Total     Row      `json:"total"`
	// Velocity is the median days from one milestone to the next.
	Velocity []Velocity `json:"velocity"`
	// Warnings are what the caller found doubtful about the journeys, such
	// as events that carry no campaign; the report shows them first.
	Warnings []string `json:"warnings,omitempty"`
	// Uncosted names the campaigns that touched journeys but have no cost
	// in a cost table given: the total's ROAS, ROI and costs per lead are
	// then withheld (null), since its credited revenue counts theirs and
	// its spend does not. Touches that name no campaign (the "(channel)"
	// rows, such as (direct)) are not in it: they cost nothing.
	Uncosted []string `json:"campaigns_without_cost,omitempty"`
	// Unanchored are, for each milestone model (w_shaped, full_path,
	// custom), the converting journeys of two touches or more that missed
	// one of its milestones: never reached it (a w_shaped journey never
	// sales-ready), or reached it with no touch at or before it in the
	// window. The model gives that milestone's share to its other
	// anchors, so the touches it would have marked get none. A warning
	// says so.
	Unanchored []Unanchored `json:"milestones_missing,omitempty"`

	models     []Model
	unanchored []anchorTally // by model
	opts       Options
	costs      Costs
	campaigns  map[string]*Row
	channels   map[string]*Row
	gaps       map[[2]string][]float64
	// milestones are the names of the milestones of the journeys added,
	// journeys how many were added.
	milestones map[string]bool
	journeys   int
}

// Row is one campaign's, one channel's or the total's line of a report.
type Row struct {
	Name    string `json:"name"`
	Channel string `json:"channel,omitempty"` // a campaign's channel (its touches' most common)
	// Credit is, for each model (in Report.Models order), the attributed
	// conversions and revenue: exact sums, each rounded once, set by Finish.
	Credit []Amount `json:"credit"`
	// Cost is the campaign's cost from the cost table; nil (JSON null)
	// when the table has none for it. A channel's is the sum of its
	// campaigns' costs, nil when any of them has none (a warning says
	// which). The total's is the table's sum, so its ROAS and ROI are
	// blended: all credited revenue, free channels' too, over all spend.
	Cost   *float64 `json:"cost"`
	Funnel Funnel   `json:"funnel"`
	// sums are the exact sums behind Credit, by model.
	sums []amountSum
	// CostPerSalesReady and CostPerWon divide the cost by the journeys the
	// row touched that became sales-ready (Funnel.SalesReady), or won
	// (Funnel.Won, sales-ready first or not); nil when the cost is unknown
	// or there are none.
	CostPerSalesReady *float64 `json:"cost_per_sales_ready"`
	CostPerWon        *float64 `json:"cost_per_won"`
	// Rates are the funnel's step rates, each over its base (RateBases
	// words them; StepRate.Of counts it), with its 95% interval; set by
	// Finish.
	Rates FunnelRates `json:"funnel_rates"`

	channelTouches map[string]int
	notSalesReady  decimal // exact sum behind Funnel.RevenueNotSalesReady
}

// Unanchored is how many converting journeys a milestone model credited
// without one of its milestones, and their revenue, of all it credited.
type Unanchored struct {
	Model string `json:"model"`
	// Milestones are the model's milestones that a journey counted missed,
	// in the model's order: each journey counted missed one at least.
	Milestones []string `json:"milestones"`
	Journeys   int      `json:"journeys"`
	Revenue    float64  `json:"revenue"`
	// Of and OfRevenue are all the converting journeys and their revenue.
	Of        int     `json:"of"`
	OfRevenue float64 `json:"of_revenue"`
}

// anchorTally counts the journeys a milestone model credited without one
// of its milestones.
type anchorTally struct {
	journeys int
	rev      decimal
	missed   []string // the milestones missed, as first met
}

// anchorsOf are a milestone model's milestones that a journey may lack
// (first and last touch it always has); none for another model.
func anchorsOf(m Model) []string {
	mm, ok := m.(MilestoneModel)
	if !ok {
		return nil
	}
	var out []string
	for _, a := range mm.Anchors {
		if a.Milestone != FirstTouch && a.Milestone != LastTouch && !slices.Contains(out, a.Milestone) {
			out = append(out, a.Milestone)
		}
	}
	return out
}

// amountSum is the exact conversions and revenue credited to a row.
type amountSum struct{ conv, rev decimal }

// Amount is attributed credit, and its return on the row's cost.
type Amount struct {
	Conversions float64 `json:"conversions"`
	Revenue     float64 `json:"revenue"`
	// ROAS is revenue per unit of cost; ROI is (revenue - cost) / cost.
	// Both are nil when the row has no cost, since nothing divides by
	// zero: null in JSON, an empty cell in CSV, "—" in tables.
	ROAS *float64 `json:"roas"`
	ROI  *float64 `json:"roi"`
}

// Funnel counts the leads (journeys) a campaign touched, and how far they
// went after its first touch: a step counts only when the campaign had
// touched the lead at or before it. Opportunities and Won count every
// such lead (a won lead counts as an opportunity, with or without the
// opportunity milestone); the funnel's steps count only the leads that
// passed the step before and reached this one: SalesReady, then
// SalesAccepted and SalesReadyOpportunities (of them, those accepted, and
// those that became an opportunity; a won lead counts as one), then
// SalesReadyWon (of those opportunities, the won), so that no step
// exceeds the one before. The won deals of leads never called
// sales-ready, and their revenue, are counted apart (WonNotSalesReady).
// Won = SalesReadyWon + WonNotSalesReady but for the leads the campaign
// touched before their win but not before their hand-off or their
// opportunity; in the report's total, which counts every step, always.
// With a lookback, a step counts only the touches within it before the
// step, as credit does. The total's Touched is every lead, touched or not;
// the (no touch) row's is the leads with no touch in the window of their
// conversion (those whose credit goes to it), and it counts their every
// step.
type Funnel struct {
	Touched                 int     `json:"touched"`
	SalesReady              int     `json:"sales_ready"`
	Opportunities           int     `json:"opportunities"`
	Won                     int     `json:"won"`
	SalesReadyOpportunities int     `json:"sales_ready_opportunities"`
	SalesReadyWon           int     `json:"sales_ready_won"`
	WonNotSalesReady        int     `json:"won_not_sales_ready"`
	RevenueNotSalesReady    float64 `json:"revenue_not_sales_ready"`
	// SalesAccepted counts the sales-ready leads with a sales_accepted
	// milestone (journeys built with sales' dispositions).
	SalesAccepted int `json:"sales_accepted,omitempty"`
}

// MinRateBase is the fewest leads a funnel rate rests on (its base,
// StepRate.Of) to be read: below it the rate is shown with its
// interval and marked too few (StepRate.TooFew), as feedback marks a
// group with fewer verdicts than its MinVerdicts (the same 10).
const MinRateBase = 10

// StepRate is one step of a funnel as a rate: Of leads passed the step
// before, and Rate of them passed this one, with its 95% Wilson interval
// (Low, High). All three are nil when Of is 0; TooFew is set when Of is
// under MinRateBase.
type StepRate struct {
	Of     int      `json:"of"`
	Rate   *float64 `json:"rate"`
	Low    *float64 `json:"rate_low"`
	High   *float64 `json:"rate_high"`
	TooFew bool     `json:"too_few"`
}

// FunnelRates are a row's funnel steps as rates: sales-ready of the leads
// touched, accepted by sales of the sales-ready (only for journeys built
// with sales' dispositions), then an opportunity of the sales-ready, then
// won of those opportunities.
type FunnelRates struct {
	SalesReady    StepRate  `json:"sales_ready"`
	SalesAccepted *StepRate `json:"sales_accepted,omitempty"`
	Opportunity   StepRate  `json:"opportunity"`
	Won           StepRate  `json:"won"`
}

// stepRate is k of n as a StepRate.
func stepRate(k, n int) StepRate {
	s := StepRate{Of: n, TooFew: n < MinRateBase}
	if lo, hi, ok := stats.Wilson(float64(k), float64(n)); ok {
		s.Rate, s.Low, s.High = ptr(Rate(k, n)), &lo, &hi
	}
	return s
}

// rates are a funnel's step rates; with accepted, sales' acceptance too.
func (f Funnel) rates(accepted bool) FunnelRates {
	r := FunnelRates{SalesReady: stepRate(f.SalesReady, f.Touched), Opportunity: stepRate(f.SalesReadyOpportunities, f.SalesReady),
		Won: stepRate(f.SalesReadyWon, f.SalesReadyOpportunities)}
	if accepted {
		a := stepRate(f.SalesAccepted, f.SalesReady)
		r.SalesAccepted = &a
	}
	return r
}

// RateBases says which leads each funnel rate is over, as StepRate.Of
// counts them; accepted when the report has sales' acceptance. Every
// format's note says it in these words.
func RateBases(accepted bool) string {
	s := "Each funnel rate is over its base: sales-ready over the leads touched (the total's over all leads, (no touch)'s over those with no touch before their conversion), "
	if accepted {
		s += "accepted by sales over the sales-ready, then opportunity over the sales-ready too (accepted or not), "
	} else {
		s += "then opportunity over the sales-ready, "
	}
	return s + "then won over those opportunities (a won lead counts as an opportunity)"
}

// Rate divides safely: a/b, or 0.
func Rate(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Velocity is the median days between two milestones, over the journeys
// that have both in order.
type Velocity struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Journeys int    `json:"journeys"`
	// MedianDays is nil (null in JSON, "—" in tables) when no journey has both.
	MedianDays *float64 `json:"median_days"`
}

// velocitySteps are the milestone pairs a report measures.
var velocitySteps = [][2]string{
	{FirstTouch, LeadCreated}, {LeadCreated, SalesReady}, {SalesReady, Opportunity}, {Opportunity, Won}, {FirstTouch, Won},
}

// NewReport starts a report under the given models.
func NewReport(models []Model, opts Options, costs Costs) *Report {
	r := &Report{models: models, opts: opts, costs: costs, campaigns: map[string]*Row{}, channels: map[string]*Row{}, gaps: map[[2]string][]float64{}, milestones: map[string]bool{}}
	for _, m := range models {
		r.Models = append(r.Models, m.Name())
	}
	r.Total = Row{Name: "total", Credit: make([]Amount, len(models)), sums: make([]amountSum, len(models))}
	r.unanchored = make([]anchorTally, len(models))
	return r
}

func (r *Report) row(rows map[string]*Row, name string) *Row {
	row, ok := rows[name]
	if !ok {
		row = &Row{Name: name, Credit: make([]Amount, len(r.models)), sums: make([]amountSum, len(r.models)), channelTouches: map[string]int{}}
		rows[name] = row
	}
	return row
}

// Add counts one journey: its credit under each model, its place in the
// funnel of every campaign and channel that touched it, its velocity.
func (r *Report) Add(j *Journey) {
	r.journeys++
	for m := range j.Milestones {
		r.milestones[m] = true
	}
	if touches, _ := r.opts.path(j); r.opts.Converts(j) && len(touches) > 1 {
		for i, m := range r.models {
			mm, ok := m.(MilestoneModel)
			if !ok {
				continue
			}
			if missed := mm.missed(touches, j); len(missed) > 0 {
				t := &r.unanchored[i]
				t.journeys++
				_, rev, _ := r.opts.converts(j)
				t.rev.add(decimalOf(rev))
				for _, a := range missed {
					if !slices.Contains(t.missed, a) {
						t.missed = append(t.missed, a)
					}
				}
			}
		}
	}
	for i, m := range r.models {
		for _, c := range Attribute(m, j, r.opts) {
			for _, row := range []*Row{r.row(r.campaigns, c.Touch.Campaign), r.row(r.channels, c.Touch.Channel), &r.Total} {
				row.sums[i].conv.add(c.conv)
				row.sums[i].rev.add(c.rev)
			}
		}
	}
	srAt, sr := j.Milestones[SalesReady]
	oppAt, opp := j.Milestones[Opportunity]
	salAt, sal := j.Milestones[SalesAccepted]
	won := j.Converted
	everSalesReady := sr
	// The win is the won milestone, whatever the conversion credited;
	// without it, the conversion's, and a converting journey with neither
	// converts at its last touch.
	wonAt, ok := j.Milestones[Won]
	if !ok {
		wonAt, ok = j.Milestones[r.opts.conversion()]
	}
	if !ok {
		for _, t := range j.Touches {
			if t.At.After(wonAt) {
				wonAt = t.At
			}
		}
	}
	// A won deal was an opportunity, as the backtest counts it: without
	// the opportunity milestone, it was one by its win at the latest.
	if !opp && won {
		oppAt, opp = wonAt, true
	}
	// count places the journey in a row's funnel. A campaign or channel
	// counts a step only when it had touched the journey at or before the
	// step, within the lookback before it, as credit counts touches (times
	// are its touches'; nil for the total and for (no touch), which count
	// every step): a campaign that touched a lead after its win did not
	// lead to the win.
	count := func(row *Row, times []time.Time) {
		reached := func(ok bool, at time.Time) bool {
			if !ok || times == nil {
				return ok
			}
			for _, t := range times {
				if !t.After(at) && (r.opts.Lookback <= 0 || at.Sub(t) <= r.opts.Lookback) {
					return true
				}
			}
			return false
		}
		sr, opp, sal, won := reached(sr, srAt), reached(opp, oppAt), reached(sal, salAt), reached(won, wonAt)
		row.Funnel.Touched++
		if sr {
			row.Funnel.SalesReady++
		}
		if opp {
			row.Funnel.Opportunities++
		}
		if won {
			row.Funnel.Won++
		}
		// The funnel's steps each count only the leads that passed the
		// step before and were reached at this one: sales-accepted and
		// then opportunity of the sales-ready, then won of those
		// opportunities, so that no rate exceeds its base.
		if sr && sal {
			row.Funnel.SalesAccepted++
		}
		if sr && opp {
			row.Funnel.SalesReadyOpportunities++
			if won {
				row.Funnel.SalesReadyWon++
			}
		}
		if won && !everSalesReady {
			row.Funnel.WonNotSalesReady++
			row.notSalesReady.add(decimalOf(j.Revenue))
		}
	}
	byCampaign, byChannel := map[string][]time.Time{}, map[string][]time.Time{}
	for _, t := range j.Touches {
		r.row(r.campaigns, t.Campaign).channelTouches[t.Channel]++
		byCampaign[t.Campaign] = append(byCampaign[t.Campaign], t.At)
		byChannel[t.Channel] = append(byChannel[t.Channel], t.At)
	}
	for name, times := range byCampaign {
		count(r.row(r.campaigns, name), times)
	}
	for name, times := range byChannel {
		count(r.row(r.channels, name), times)
	}
	if touches, _ := r.opts.path(j); len(touches) == 0 {
		// A journey with no touch in the window (none at all, or none
		// before its conversion within the lookback) is (no touch)'s, as
		// its credit is.
		count(r.row(r.campaigns, NoTouch), nil)
		count(r.row(r.channels, NoTouch), nil)
	}
	count(&r.Total, nil)

	at := map[string]time.Time{}
	for k, v := range j.Milestones {
		at[k] = v
	}
	if len(j.Touches) > 0 {
		first := j.Touches[0].At
		for _, t := range j.Touches {
			if t.At.Before(first) {
				first = t.At
			}
		}
		at[FirstTouch] = first
	}
	for _, step := range velocitySteps {
		a, ok1 := at[step[0]]
		b, ok2 := at[step[1]]
		if ok1 && ok2 && !b.Before(a) {
			r.gaps[step] = append(r.gaps[step], b.Sub(a).Hours()/24)
		}
	}
}

// nearCampaign is the campaign a cost table's name most likely means, of
// the campaigns touched without a cost, or "": first the one that differs
// from it only in case or spacing ("Brand Search " for "brand search",
// "BRAND-SEARCH" for "brand-search"), then the nearest misspelling
// (suggest.Name).
func nearCampaign(name string, touched []string) string {
	key := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), "")) }
	k := key(name)
	for _, c := range touched {
		if key(c) == k {
			return c
		}
	}
	return suggest.Name(name, touched)
}

// warnOnce adds a warning unless the report has it already.
func (r *Report) warnOnce(w string) {
	if !slices.Contains(r.Warnings, w) {
		r.Warnings = append(r.Warnings, w)
	}
}

// listOf writes names as "a", "a and b" or "a, b and c", then the verb for
// one or for several ("has", "have"; none when both are empty).
func listOf(names []string, one, several string) string {
	out := names[0]
	if len(names) > 1 {
		out = strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
	verb := several
	if len(names) == 1 {
		verb = one
	}
	if verb != "" {
		out += " " + verb
	}
	return out
}

// Finish computes costs, returns and velocity, and orders the rows: by the
// first model's revenue credit, then by name.
func (r *Report) Finish() {
	r.Campaigns, r.Channels = nil, nil
	channelCost := map[string]float64{}
	uncosted := map[string][]string{} // by channel: its campaigns without a cost
	for _, row := range r.campaigns {
		row.Channel = mostCommon(row.channelTouches)
		row.Cost = nil
		if c, ok := r.costs[row.Name]; ok {
			row.Cost = ptr(c)
			channelCost[row.Channel] += c
		} else if row.Name != NoTouch {
			uncosted[row.Channel] = append(uncosted[row.Channel], row.Name)
		}
	}
	// Campaigns that cost something but touched no journey still appear;
	// their cost is in the total's, in no channel's: the report says so.
	var untouched []string
	for name, c := range r.costs {
		if _, ok := r.campaigns[name]; !ok {
			row := r.row(r.campaigns, name)
			row.Cost = ptr(c)
			untouched = append(untouched, name)
		}
	}
	if len(untouched) > 0 {
		slices.Sort(untouched)
		var touched []string // the candidates of a did-you-mean
		for name := range r.campaigns {
			if _, cost := r.costs[name]; !cost && name != NoTouch {
				touched = append(touched, name)
			}
		}
		slices.Sort(touched)
		named := make([]string, len(untouched))
		for i, name := range untouched {
			named[i] = name
			if near := nearCampaign(name, touched); near != "" {
				named[i] += fmt.Sprintf(" (did you mean %q?)", near)
			}
		}
		r.warnOnce(fmt.Sprintf("the cost table names %s that no journey touched: %s in the total's cost and in no channel's; check the names against the campaigns the events carry (case counts)",
			listOf(named, "", ""), map[bool]string{true: "its cost is", false: "their costs are"}[len(untouched) == 1]))
	}
	// A costed campaign whose touches came through several channels has
	// its cost in one channel (most of its touches) and its revenue in
	// each: those channels' returns mix them.
	var split []string
	for _, row := range r.campaigns {
		if row.Cost != nil && len(row.channelTouches) > 1 {
			split = append(split, row.Name)
		}
	}
	if len(split) > 0 {
		slices.Sort(split)
		r.warnOnce(fmt.Sprintf("%s came through more than one channel: each campaign's cost counts in the channel most of its touches came through, its credited revenue in every channel it came through, so those channels' ROAS and ROI divide one by the other",
			listOf(split, "", "")))
	}
	// A channel's cost is its campaigns' costs only when each of them has
	// one: a sum of some would understate it, and overstate its returns.
	for name, row := range r.channels {
		row.Cost = nil
		c, ok := channelCost[name]
		if !ok {
			continue
		}
		if missing := uncosted[name]; len(missing) > 0 {
			slices.Sort(missing)
			r.warnOnce(fmt.Sprintf("channel %s: %s no cost in the cost table, so the channel's cost, costs per lead, ROAS and ROI are left out (—), not computed on part of its spend; give %s a cost (0 if it was free)",
				name, listOf(missing, "has", "have"), map[bool]string{true: "it", false: "each"}[len(missing) == 1]))
			continue
		}
		row.Cost = ptr(c)
	}
	// The total's returns divide all credited revenue by all spend: a
	// campaign with credit but no cost would count in the one and not the
	// other, and overstate them.
	r.Uncosted = nil
	if len(r.costs) > 0 {
		for _, row := range r.campaigns {
			if row.Cost == nil && row.Name != NoTouch && !standIn(row.Name) {
				r.Uncosted = append(r.Uncosted, row.Name)
			}
		}
		slices.Sort(r.Uncosted)
	}
	r.Total.Cost = nil
	if len(r.costs) > 0 {
		total := 0.0
		for _, c := range r.costs {
			total += c
		}
		r.Total.Cost = &total
	}
	finish := func(row *Row) {
		for i, s := range row.sums { // exact sums, rounded once
			row.Credit[i].Conversions, row.Credit[i].Revenue = s.conv.float(), s.rev.float()
		}
		row.Funnel.RevenueNotSalesReady = row.notSalesReady.float()
		for i := range row.Credit {
			row.Credit[i].ROAS, row.Credit[i].ROI = nil, nil
			if row.Cost != nil && *row.Cost > 0 {
				c := *row.Cost
				roas, roi := row.Credit[i].Revenue/c, (row.Credit[i].Revenue-c)/c
				row.Credit[i].ROAS, row.Credit[i].ROI = &roas, &roi
			}
		}
		row.Rates = row.Funnel.rates(r.Total.Funnel.SalesAccepted > 0)
		row.CostPerSalesReady, row.CostPerWon = nil, nil
		if row.Cost != nil && row.Funnel.SalesReady > 0 {
			row.CostPerSalesReady = ptr(*row.Cost / float64(row.Funnel.SalesReady))
		}
		if row.Cost != nil && row.Funnel.Won > 0 {
			row.CostPerWon = ptr(*row.Cost / float64(row.Funnel.Won))
		}
	}
	for _, row := range r.campaigns {
		finish(row)
		r.Campaigns = append(r.Campaigns, *row)
	}
	for _, row := range r.channels {
		finish(row)
		r.Channels = append(r.Channels, *row)
	}
	finish(&r.Total)
	if len(r.Uncosted) > 0 {
		for i := range r.Total.Credit {
			r.Total.Credit[i].ROAS, r.Total.Credit[i].ROI = nil, nil
		}
		r.Total.CostPerSalesReady, r.Total.CostPerWon = nil, nil
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := range r.models {
			v := 0.0
			for _, row := range r.Campaigns {
				if slices.Contains(r.Uncosted, row.Name) {
					v += row.Credit[i].Revenue
				}
			}
			lo, hi = min(lo, v), max(hi, v)
		}
		credited := ""
		if len(r.models) > 0 {
			credited = " (" + spread(lo, hi) + map[bool]string{true: "", false: ", by model"}[round2(lo) == round2(hi)] + ")"
		}
		r.warnOnce(fmt.Sprintf("%s no cost in the cost table, so the total's ROAS, ROI and costs per lead are left out (—): the total's credited revenue counts %s%s and its cost does not; give %s a cost (0 if it was free)",
			listOf(r.Uncosted, "has", "have"), map[bool]string{true: r.Uncosted[0] + "'s", false: "theirs"}[len(r.Uncosted) == 1], credited, map[bool]string{true: "it", false: "each"}[len(r.Uncosted) == 1]))
	}
	order := func(rows []Row) {
		sort.SliceStable(rows, func(a, b int) bool {
			if len(r.models) > 0 && rows[a].Credit[0].Revenue != rows[b].Credit[0].Revenue {
				return rows[a].Credit[0].Revenue > rows[b].Credit[0].Revenue
			}
			return rows[a].Name < rows[b].Name
		})
	}
	order(r.Campaigns)
	order(r.Channels)
	r.Unanchored = nil
	for i, m := range r.models {
		if t := r.unanchored[i]; t.journeys > 0 {
			var missed []string
			for _, a := range anchorsOf(m) {
				if slices.Contains(t.missed, a) {
					missed = append(missed, a)
				}
			}
			of := r.Total.Funnel.Won
			if r.opts.conversion() != Won { // each converting journey counts for one conversion
				of = int(math.Round(r.Total.Credit[i].Conversions))
			}
			u := Unanchored{Model: m.Name(), Milestones: missed, Journeys: t.journeys, Revenue: t.rev.float(), Of: of, OfRevenue: r.Total.Credit[i].Revenue}
			r.Unanchored = append(r.Unanchored, u)
			r.warnOnce(fmt.Sprintf("%s: %d of the %d converting journeys (revenue %s of %s) never reached its %s milestone, or had no touch at or before it; with two touches or more, the model gives that milestone's share to its other milestones' touches, so the touches it would have marked get none (see docs/guide/attribution.md)",
				u.Model, u.Journeys, u.Of, money(u.Revenue), money(u.OfRevenue), strings.Join(u.Milestones, " or ")))
		}
	}
	r.Velocity = nil
	for _, step := range velocitySteps {
		gaps := r.gaps[step]
		r.Velocity = append(r.Velocity, Velocity{From: step[0], To: step[1], Journeys: len(gaps), MedianDays: medianOrNil(gaps)})
	}
}

// standIn says whether a campaign name is the stand-in for touches that
// name no campaign: "(direct)" for a channel's, "(no touch)".
func standIn(name string) bool {
	return strings.HasPrefix(name, "(") && strings.HasSuffix(name, ")")
}

// spread writes one amount, or the least and the most: "57,380.83", or
// "34,612.14 to 57,380.83".
func spread(lo, hi float64) string {
	if round2(lo) == round2(hi) {
		return money(lo)
	}
	return money(lo) + " to " + money(hi)
}

func mostCommon(counts map[string]int) string {
	best, n := "", -1
	for k, c := range counts {
		if c > n || (c == n && k < best) {
			best, n = k, c
		}
	}
	return best
}

func medianOrNil(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	m := median(xs)
	return &m
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// round2 rounds money and credit for display.
func round2(v float64) float64 { return math.Round(v*100) / 100 }

// ptr is a pointer to a copy of v.
func ptr(v float64) *float64 { return &v }

// Package feedback closes the hand-off loop: what sales did with the leads
// the definition called sales-ready. It reads sales' dispositions
// (accepted, rejected or recycled, with a reason from the model's
// catalogue; ReadDispositions), and reports acceptance and rejection rates
// by sourcing campaign and channel, score band, grade and rule fired, the
// rejection reasons as evidence against the rules they contradict, the SLA
// of the hand-off, and what became of recycled leads (Builder, Report).
//
// # What counts
//
//   - A lead is handed to sales at the first moment its timeline (with its
//     dispositions, see scoring.Timeline) stands on the sales-ready stage,
//     at or before the as-of time.
//   - Its verdict is its first disposition at or after that moment. Rates
//     are over the handed-off leads with a verdict, each with its 95%
//     Wilson interval; a rate over fewer than MinVerdicts verdicts is
//     marked too few to read, and no comparison is drawn from it. A lead
//     with dispositions that never became sales-ready is counted apart.
//   - Its sourcing campaign and channel are those of its first touch (the
//     first event carrying the campaign or channel field); its score band,
//     grade and rules fired are its score at the hand-off. Score bands
//     include their lower bound: band 100 holds totals from 100 up to, not
//     including, 100 plus the band width.
//   - The SLA is the time from the hand-off to the verdict; a lead without
//     one is overdue once the SLA has passed by the as-of time. The median
//     is the middle value (the mean of the two middle ones for an even
//     count); p90 is the nearest-rank 90th percentile.
//   - A recycled lead is one with a recycle at or before the as-of time;
//     after its first recycle, it may become sales-ready again, and win.
//
// # Evidence against rules
//
// For each rejection reason given and each rule the catalogue says it
// contradicts, the report compares how often the rule fired (at the
// hand-off) on the leads given the reason with how often it fired on the
// other handed-off leads with a verdict (accepted, or given another
// reason); leads without a verdict are left out of the comparison.
//
//   - Both shares come with their counts ("31 of 50"), and their ratio
//     ("times as often") with its 95% interval (Katz's, on the log scale).
//   - Fisher's exact test of the two shares gives p; q is p adjusted by
//     Benjamini–Hochberg across all the catalogue's pairs tested, so that
//     of the verdicts the report gives, about 1 in 20 at most (Alpha) is
//     expected to be wrong by chance.
//   - A rule that fires together with the real culprit looks guilty too.
//     So a pair with q at most Alpha is checked against each other rule
//     that goes with it (whose firing is tied to its own among the leads
//     with a verdict, more than by chance: a continuity-corrected test of
//     the two rules' 2×2 table, p below Alpha): the comparison is made
//     separately within the leads where that rule fired and those where it
//     did not, and combined (the Mantel–Haenszel test). If for some such
//     rule the difference is then gone (p above Alpha, or it turns the
//     other way), that rule explains it, and the verdict is inconclusive,
//     explained by it.
//
// The verdicts: contradicted, the rule fired significantly more often on
// the leads given the reason, after both checks (sales' reason says the
// rule is wrong on such leads: review its condition or points);
// supported, significantly less often (sales agrees with the rule: say,
// it fired on 0 of 66 leads rejected as not a decision maker, against half
// of the others); inconclusive, and Why says why: fewer than MinLeads
// leads given the reason, or to compare with (no rule is judged on a
// handful of leads); the rule fired on none or on all of the leads with a
// verdict; the difference could be chance; or another rule explains it.
//
// Rules the reason does not name are tested the same way, with q adjusted
// across those pairs apart from the catalogue's, and listed only when
// over-represented (significantly more often, after both checks): the
// reason may contradict them too. The lift (the share over the share among
// all sales-ready leads, with a verdict or not) is kept as a description;
// no verdict uses it.
//
// # Accounts
//
// NewAccountBuilder and PrepareAccount make the same report for the
// accounts an accounts section calls sales-ready, from sales' verdicts on
// accounts (ReadAccountDispositions); see NewAccountBuilder for what
// differs.
//
// # For a backtest
//
// LabelIn and EvidenceTally are the same measures for a backtest that
// scores leads as they stood at a snapshot time T0 and labels them with
// what happened in (T0, T1]: LabelIn gives a lead's verdict in the window
// ("accepted" beside won, "rejected:reason"), and an EvidenceTally fed with
// the rules that fired at T0 and the labels gives each reason's evidence
// against the rules it contradicts (see ExampleLabelIn).
package feedback

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/leadscore/leadscore/internal/stats"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// Options say how a report reads the leads.
type Options struct {
	AsOf time.Time
	// CampaignField and ChannelField are the event fields that name a
	// touch's campaign and channel ("campaign" and "channel" when empty).
	CampaignField, ChannelField string
	// BandWidth is the width of the score bands; 0 means a round width (1,
	// 2 or 5 times a power of ten) near a tenth of the total's range when
	// every category is bounded and the total is their sum, and 10
	// otherwise. Bands start at multiples of the width.
	BandWidth float64
}

// Report is the feedback report: what sales said about the leads handed to it.
type Report struct {
	Model string `json:"model"`
	// Unit is "accounts" for a report on accounts (NewAccountBuilder),
	// whose Leads, SalesReady and the rest count accounts; empty for leads.
	Unit      string    `json:"unit,omitempty"`
	AsOf      time.Time `json:"as_of"`
	BandWidth float64   `json:"band_width"`
	// Leads were read; SalesReady of them were handed to sales by the as-of
	// time, and Dispositioned of those got a verdict: Accepted, Rejected or
	// Recycled. NeverDispositioned handed-off leads got none.
	Leads              int `json:"leads"`
	SalesReady         int `json:"sales_ready"`
	Dispositioned      int `json:"dispositioned"`
	Accepted           int `json:"accepted"`
	Rejected           int `json:"rejected"`
	Recycled           int `json:"recycled"`
	NeverDispositioned int `json:"never_dispositioned"`
	// NotHandedOff counts leads with dispositions that never became
	// sales-ready; they are not in the rates.
	NotHandedOff int `json:"dispositioned_not_sales_ready"`
	// MomentUnknown counts accounts sales-ready by the as-of time whose
	// sales-ready moment is not known (people with no creation time and no
	// event make them so on their own): they are in no figure, their
	// verdicts in no rate, and a warning says so.
	MomentUnknown int `json:"sales_ready_moment_unknown,omitempty"`
	// NotJudged are, for accounts, the reasons whose contradicts names
	// only lead rules: no account rule, roll-up or role, so they judge
	// nothing at account level (a warning says so).
	NotJudged []string `json:"reasons_not_judged,omitempty"`
	// AcceptanceRate and RejectionRate are over Dispositioned (null when 0).
	AcceptanceRate *float64 `json:"acceptance_rate"`
	// AcceptanceRateLow and AcceptanceRateHigh are its 95% Wilson
	// interval (null when no verdict).
	AcceptanceRateLow  *float64 `json:"acceptance_rate_low"`
	AcceptanceRateHigh *float64 `json:"acceptance_rate_high"`
	RejectionRate      *float64 `json:"rejection_rate"`
	// RejectionRateLow and RejectionRateHigh are its 95% Wilson interval,
	// and RecycleRate is Recycled over Dispositioned with its own (null
	// when no verdict).
	RejectionRateLow  *float64 `json:"rejection_rate_low"`
	RejectionRateHigh *float64 `json:"rejection_rate_high"`
	RecycleRate       *float64 `json:"recycle_rate"`
	RecycleRateLow    *float64 `json:"recycle_rate_low"`
	RecycleRateHigh   *float64 `json:"recycle_rate_high"`
	// TooFew is set when Dispositioned is under MinVerdicts: the rates are
	// too uncertain to read as findings.
	TooFew    bool          `json:"too_few_verdicts"`
	Reasons   []ReasonCount `json:"reasons"`
	Campaigns []Group       `json:"campaigns"`
	Channels  []Group       `json:"channels"`
	Bands     []Group       `json:"bands"`
	Grades    []Group       `json:"grades"`
	Rules     []Group       `json:"rules"`
	// Weeks are the hand-offs by the week they were made, oldest first:
	// the seven days ending at the as-of time, the seven before, and so on
	// back to the first hand-off, a week without hand-offs too; each is
	// named by when it ends ("week to 2026-09-02": after 26 August 00:00,
	// up to 2 September 00:00). What sales said of each week's hand-offs,
	// whenever it said it.
	Weeks []Group `json:"weeks"`
	// Stages and Roles are for accounts only: the hand-offs by the
	// account's stage then, and by each buying-group role present then
	// (a role absent from every hand-off has no line).
	Stages   []Group        `json:"stages,omitempty"`
	Roles    []Group        `json:"roles,omitempty"`
	Evidence []Evidence     `json:"evidence"`
	SLA      SLA            `json:"sla"`
	Recycle  RecycleOutcome `json:"recycle"`
	// Warnings say what the figures leave out, such as rows of the
	// verdicts file that failed (set by whoever read the files).
	Warnings []string `json:"warnings,omitempty"`
	// EarlyRecycles are the leads recycled before they were ever
	// sales-ready, by lead: warnings.
	EarlyRecycles []EarlyRecycle `json:"early_recycles,omitempty"`
	// EarlyVerdicts are the accepts and rejects dated before their lead's
	// hand-off, by lead: they judge no hand-off, so they are left out of
	// every figure, and a warning names each.
	EarlyVerdicts []EarlyVerdict `json:"verdicts_before_handoff,omitempty"`
	// LaterVerdicts counts the accepts and rejects of handed-off leads
	// after the verdict that counts (the first at or after the hand-off):
	// they are in no figure.
	LaterVerdicts int `json:"later_verdicts,omitempty"`
}

// Group is one campaign's, channel's, band's, grade's or rule's line.
type Group struct {
	Name          string `json:"name"`
	SalesReady    int    `json:"sales_ready"`
	Dispositioned int    `json:"dispositioned"`
	Accepted      int    `json:"accepted"`
	Rejected      int    `json:"rejected"`
	Recycled      int    `json:"recycled"`
	// AcceptanceRate, RejectionRate and RecycleRate are over
	// Dispositioned (null when 0), each with its 95% Wilson interval
	// (_low, _high).
	AcceptanceRate     *float64 `json:"acceptance_rate"`
	AcceptanceRateLow  *float64 `json:"acceptance_rate_low"`
	AcceptanceRateHigh *float64 `json:"acceptance_rate_high"`
	RejectionRate      *float64 `json:"rejection_rate"`
	RejectionRateLow   *float64 `json:"rejection_rate_low"`
	RejectionRateHigh  *float64 `json:"rejection_rate_high"`
	RecycleRate        *float64 `json:"recycle_rate"`
	RecycleRateLow     *float64 `json:"recycle_rate_low"`
	RecycleRateHigh    *float64 `json:"recycle_rate_high"`
	// TooFew is set when Dispositioned is under MinVerdicts: the group's
	// rates are too uncertain to read or to compare with another's, and
	// the report draws no conclusion from them.
	TooFew bool `json:"too_few_verdicts"`
	// Reasons count the rejections and recycles by reason, most first.
	Reasons []ReasonCount `json:"reasons"`

	reasons map[string]int
	order   float64 // bands sort by their lower bound, grades and rules by file order
}

// ReasonCount is how many leads were given a reason.
type ReasonCount struct {
	Reason string `json:"reason"`
	Leads  int    `json:"leads"`
}

// SLA is how fast sales gave handed-off leads their first verdict.
type SLA struct {
	// Hours is the model's SLA (null when it sets none).
	Hours *float64 `json:"hours"`
	// Measured leads got a verdict; MedianHours and P90Hours are of their
	// waits (null when none). Within and Breached split them by the SLA.
	Measured    int      `json:"measured"`
	MedianHours *float64 `json:"median_hours"`
	P90Hours    *float64 `json:"p90_hours"`
	Within      int      `json:"within"`
	Breached    int      `json:"breached"`
	// Overdue leads have no verdict and the SLA has passed; Waiting have
	// none and are still within it (or the model sets no SLA).
	Overdue int        `json:"overdue"`
	Waiting int        `json:"waiting"`
	ByOwner []OwnerSLA `json:"by_owner"`
}

// OwnerSLA is one sales rep's hand-off record; the overdue leads, which
// no one has answered, are under "(nobody yet)".
type OwnerSLA struct {
	Owner       string   `json:"owner"`
	Verdicts    int      `json:"verdicts"`
	Breached    int      `json:"breached"`
	MedianHours *float64 `json:"median_hours"`

	waits []float64
}

// NobodyYet is the owner of the overdue leads in OwnerSLA.
const NobodyYet = "(nobody yet)"

// EarlyRecycle is a lead recycled before it was ever sales-ready: sales
// recycles a lead it received, so this is most likely a date error or a
// recycle from an earlier cycle. Scoring keeps to it (see
// scoring.Recycled), and the report says it as a warning.
type EarlyRecycle struct {
	Lead     string    `json:"lead"`
	Recycled time.Time `json:"recycled"`
	// SalesReady is when the lead first stood on the sales-ready stage,
	// the recycle's hold-down applied; nil when not by the as-of time.
	SalesReady *time.Time `json:"sales_ready"`
}

func (e EarlyRecycle) String() string { return e.Say("lead") }

// Say is the warning for a lead or an account (unit, as Report.Noun says).
func (e EarlyRecycle) Say(unit string) string {
	first := "it is not sales-ready by the as-of time"
	if e.SalesReady != nil {
		first = "it first became sales-ready on " + e.SalesReady.Format(time.RFC3339)
	}
	still := "the recycle still resets its events and holds it out for the hold-down"
	if unit == "account" {
		still = "it counts as a recycled account all the same"
	}
	return fmt.Sprintf("%s %s was recycled on %s, before it was ever sales-ready (%s); %s: check the recycle's date, or remove it if it belongs to an earlier cycle",
		unit, e.Lead, e.Recycled.Format(time.RFC3339), first, still)
}

// EarlyVerdict is an accept or reject dated before its lead's hand-off:
// sales judges a lead it received, so the verdict's time is most likely
// wrong (exported without a zone and read as UTC) or it was typed before
// the hand-off. The report leaves it out and says it as a warning.
type EarlyVerdict struct {
	Lead    string         `json:"lead"`
	Status  scoring.Status `json:"status"`
	At      time.Time      `json:"at"`
	Handoff time.Time      `json:"sales_ready"`
}

func (e EarlyVerdict) String() string { return e.Say("lead") }

// Say is the warning for a lead or an account (unit, as Report.Noun says).
func (e EarlyVerdict) Say(unit string) string {
	cause := "the verdict was typed before the hand-off, or belongs to an earlier cycle; check its date"
	if e.Handoff.Sub(e.At) <= maxZoneOffset {
		cause = "if the file's times were written without a zone they were read as UTC (write the zone, as in 2026-09-29T08:00:00-04:00), otherwise the verdict was typed before the hand-off; check its time"
	}
	gap := e.Handoff.Sub(e.At)
	if gap < time.Second {
		cause = "the hand-off came within the second the verdict's time names (the file's times keep no fraction of a second); check its time"
	}
	return fmt.Sprintf("%s %s was %s on %s, %s before its hand-off on %s, so the verdict is left out of every figure: %s",
		unit, e.Lead, e.Status, e.At.Format(time.RFC3339Nano), roughly(gap), e.Handoff.Format(time.RFC3339Nano), cause)
}

// maxZoneOffset is the widest offset of a time zone from UTC: a verdict
// no further before the hand-off may be one whose zone was dropped.
const maxZoneOffset = 14 * time.Hour

// roughly says a positive duration in minutes, hours or days.
func roughly(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.FormatFloat(math.Round(d.Seconds()*10)/10, 'f', -1, 64) + " s"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(math.Ceil(d.Minutes())))
	case d < 48*time.Hour:
		return strconv.FormatFloat(math.Round(d.Hours()*10)/10, 'f', -1, 64) + " h"
	}
	return strconv.FormatFloat(math.Round(d.Hours()/24*10)/10, 'f', -1, 64) + " days"
}

// RecycleOutcome is what became of recycled leads.
type RecycleOutcome struct {
	Leads           int `json:"leads"`
	SalesReadyAgain int `json:"sales_ready_again"`
	WonLater        int `json:"won_later"`
}

// Builder builds a Report lead by lead. It is not safe for concurrent use.
type Builder struct {
	s     *scoring.Scorer
	as    *scoring.AccountScorer // for accounts (NewAccountBuilder)
	m     *rules.Model           // the model whose hand-off is judged
	h     *rules.Handoff         // m's; for accounts, its reasons read against the account's rules and roles
	order map[string]int         // rule (and role) ids, in file order
	grade []string               // grade names, in file order
	stage []string               // account stage ids, in file order
	opts  Options
	rep   *Report
	tally *EvidenceTally
	// groups by kind: campaigns, channels, bands, grades, rules, weeks,
	// and for accounts stages and roles
	groups  [8]map[string]*Group
	overall map[string]int
	waits   []float64
	owners  map[string]*OwnerSLA
	// the warning on accounts whose moment is unknown is in rep
	warnedUnknown, warnedUnjudged, warnedVerdicts bool
}

// NewBuilder starts a report for the leads a scorer scores.
func NewBuilder(s *scoring.Scorer, opts Options) *Builder {
	m := s.Model()
	if opts.CampaignField == "" {
		opts.CampaignField = "campaign"
	}
	if opts.ChannelField == "" {
		opts.ChannelField = "channel"
	}
	if opts.BandWidth <= 0 || !finite(opts.BandWidth) {
		opts.BandWidth = defaultBandWidth(m)
	}
	b := &Builder{s: s, m: m, h: m.Handoff, opts: opts, tally: NewEvidenceTally(m), overall: map[string]int{}, owners: map[string]*OwnerSLA{},
		rep: &Report{Model: m.Name, AsOf: opts.AsOf, BandWidth: opts.BandWidth}, order: map[string]int{}}
	for _, r := range m.Rules {
		b.order[r.ID] = r.Index
	}
	for _, g := range m.Grades {
		b.grade = append(b.grade, g.Name)
	}
	for i := range b.groups {
		b.groups[i] = map[string]*Group{}
	}
	return b
}

// defaultBandWidth is a round width near a tenth of the total's range (1,
// 2 or 5 times a power of ten, the nearest on a log scale: 22 gives 20,
// 15 gives 20, 14 gives 10), so that bands start at round scores; 10 when
// the range is unbounded or the model has its own total.
func defaultBandWidth(m *rules.Model) float64 {
	if m.Total != nil {
		return 10
	}
	lo, hi := 0.0, 0.0
	for _, c := range m.Categories {
		lo, hi = lo+c.Min, hi+c.Max
	}
	if !finite(lo) || !finite(hi) || hi <= lo {
		return 10
	}
	return roundWidth((hi - lo) / 10)
}

// roundWidth is the width of 1, 2 or 5 times a power of ten nearest w on
// a log scale.
func roundWidth(w float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(w)))
	best := p
	for _, k := range []float64{2, 5, 10} {
		if math.Abs(math.Log(k*p/w)) < math.Abs(math.Log(best/w)) {
			best = k * p
		}
	}
	return best
}

// Add counts one lead: its dispositions are lead.Dispositions, and won is
// when the CRM says it was won (zero for not won). The error is the
// lead's scoring error; the report is unchanged by a lead that fails.
// Add is File(Prepare(lead, won)).
func (b *Builder) Add(lead scoring.Lead, won time.Time) error {
	e, err := b.Prepare(lead, won)
	if err != nil {
		return err
	}
	b.File(e)
	return nil
}

// Entry is what a report keeps of one lead: its hand-off, its score
// then, its verdict and its first recycle. Prepare makes it; File counts
// it. It holds none of the lead's fields or events.
type Entry struct {
	id string
	// the lead had dispositions at or before the as-of time
	dispositioned bool
	// the first recycle at or before the as-of time, if any, whether the
	// lead stood on the sales-ready stage after it, and whether it was
	// won after it
	recycled, readyAgain, wonLater bool
	recycleAt                      time.Time
	// the hand-off: when, and the score then
	sr                bool
	srAt              time.Time
	srUnknown         bool     // accounts: sales-ready, the moment not known
	ruleIDs           []string // the rules fired, then the gates that held
	fired             int      // how many of ruleIDs are rules fired
	total             float64
	grade             string
	campaign, channel string
	stage             string               // accounts: the stage at the hand-off
	roles             []string             // accounts: the roles present at the hand-off
	verdict           *scoring.Disposition // the first disposition at or after the hand-off
	// accepts and rejects before the hand-off (left out), and after the
	// verdict (superseded by it)
	early []scoring.Disposition
	later int
}

// quiet is the Entry of every lead never sales-ready and without a
// verdict, which the report only counts: one for all, as File reads an
// entry and never changes it.
var quiet Entry

// Prepare works out what the report needs of one lead (see Add): the
// lead's timeline and its score at the hand-off. It reads the Builder
// but does not change it, so many goroutines may call it at once (while
// no one calls Add, File or Report); File then counts the entries, in
// the order the report should see them. The error is the lead's scoring
// error.
func (b *Builder) Prepare(lead scoring.Lead, won time.Time) (*Entry, error) {
	asOf := b.opts.AsOf
	ho, err := b.s.ReadySpan(lead, asOf)
	if err != nil {
		return nil, err
	}
	if !ho.SalesReady && len(lead.Dispositions) == 0 {
		return &quiet, nil
	}
	e := &Entry{id: lead.ID, sr: ho.SalesReady, srAt: ho.At}
	var ds []scoring.Disposition
	for _, d := range lead.Dispositions {
		if !d.At.After(asOf) {
			ds = append(ds, d)
		}
	}
	slices.SortFunc(ds, scoring.CompareDispositions)
	e.dispositioned = len(ds) > 0
	for _, d := range ds {
		if d.Status == scoring.Recycled {
			e.recycled, e.recycleAt = true, d.At
			e.readyAgain = ho.SalesReadyAfter(d.At)
			e.wonLater = !won.IsZero() && won.After(d.At) && !won.After(asOf)
			break
		}
	}
	if !e.sr {
		return e, nil
	}
	res, err := b.s.Score(lead, e.srAt)
	if err != nil {
		return nil, err
	}
	e.verdict, e.early, e.later = verdictOf(ds, e.srAt)
	e.ruleIDs, e.fired = res.RuleIDs(), len(res.Fired)
	e.total, e.grade = res.Total, res.Grade
	e.campaign, e.channel = b.source(lead, e.srAt)
	return e, nil
}

// verdictOf is the verdict that counts of a hand-off at srAt, the first
// disposition at or after it (ds sorted by time), with the accepts and
// rejects before it, which judge no hand-off, and the number after the
// verdict. Recycles are none of those: a recycle resets the lead however
// it stands.
func verdictOf(ds []scoring.Disposition, srAt time.Time) (verdict *scoring.Disposition, early []scoring.Disposition, later int) {
	for i := range ds {
		switch {
		case ds[i].At.Before(srAt):
			if ds[i].Status != scoring.Recycled {
				early = append(early, ds[i])
			}
		case verdict == nil:
			v := ds[i]
			verdict = &v
		case ds[i].Status != scoring.Recycled:
			later++
		}
	}
	return verdict, early, later
}

// File counts a lead Prepare worked out. It is Add's second half: leads
// filed in the same order as they would be added give the same report.
func (b *Builder) File(e *Entry) {
	asOf := b.opts.AsOf
	r := b.rep
	r.Leads++
	if e.recycled {
		if !e.sr || e.recycleAt.Before(e.srAt) {
			er := EarlyRecycle{Lead: e.id, Recycled: e.recycleAt}
			if e.sr {
				srAt := e.srAt
				er.SalesReady = &srAt
			}
			r.EarlyRecycles = append(r.EarlyRecycles, er)
		}
		r.Recycle.Leads++
		if e.readyAgain {
			r.Recycle.SalesReadyAgain++
		}
		if e.wonLater {
			r.Recycle.WonLater++
		}
	}
	if e.srUnknown {
		r.MomentUnknown++
		return
	}
	if !e.sr {
		if e.dispositioned {
			r.NotHandedOff++
		}
		return
	}
	srAt := e.srAt
	r.SalesReady++
	for _, d := range e.early {
		r.EarlyVerdicts = append(r.EarlyVerdicts, EarlyVerdict{Lead: e.id, Status: d.Status, At: d.At, Handoff: srAt})
	}
	r.LaterVerdicts += e.later
	verdict := e.verdict
	label := Label{}
	if verdict != nil {
		label = Label{Status: verdict.Status, Reason: verdict.Reason, At: verdict.At}
	}
	b.tally.Add(e.ruleIDs, label)

	band := stats.Band(e.total, b.opts.BandWidth) * b.opts.BandWidth
	b.count(0, e.campaign, 0, label)
	b.count(1, e.channel, 0, label)
	b.count(2, bandName(band, b.opts.BandWidth), band, label)
	b.count(3, orNone(e.grade), float64(index(b.grade, e.grade)), label)
	for _, rule := range e.ruleIDs[:e.fired] {
		b.count(4, rule, float64(b.order[rule]), label)
	}
	if b.as != nil {
		b.count(6, orNone(e.stage), float64(index(b.stage, e.stage)), label)
		for _, role := range e.roles {
			b.count(7, role, float64(b.order[RolePrefix+role]), label)
		}
	}
	week := math.Floor(asOf.Sub(srAt).Hours() / (7 * 24))
	b.count(5, weekName(asOf, week), -week, label)
	switch label.Status {
	case scoring.Accepted:
		r.Accepted++
	case scoring.Rejected:
		r.Rejected++
	case scoring.Recycled:
		r.Recycled++
	default:
		r.NeverDispositioned++
	}
	if label.Reason != "" {
		b.overall[label.Reason]++
	}

	sla := b.h.SLAOf()
	if verdict == nil {
		if sla > 0 && asOf.Sub(srAt) > sla {
			r.SLA.Overdue++
			b.owner(NobodyYet).Breached++
		} else {
			r.SLA.Waiting++
		}
		return
	}
	r.Dispositioned++
	wait := verdict.At.Sub(srAt).Hours()
	b.waits = append(b.waits, wait)
	r.SLA.Measured++
	o := b.owner(orUnknown(verdict.Owner))
	o.Verdicts++
	o.waits = append(o.waits, wait)
	if sla > 0 && verdict.At.Sub(srAt) > sla {
		r.SLA.Breached++
		o.Breached++
	} else {
		r.SLA.Within++
	}
}

func (b *Builder) owner(name string) *OwnerSLA {
	o := b.owners[name]
	if o == nil {
		o = &OwnerSLA{Owner: name}
		b.owners[name] = o
	}
	return o
}

// source names the lead's sourcing campaign and channel: those of its
// first touch at or before the hand-off.
func (b *Builder) source(lead scoring.Lead, srAt time.Time) (campaign, channel string) {
	return b.sourceOf([]scoring.Lead{lead}, srAt)
}

// sourceOf names the sourcing campaign and channel of the first touch of
// any of the leads at or before srAt (the first lead's, at one moment).
func (b *Builder) sourceOf(leads []scoring.Lead, srAt time.Time) (campaign, channel string) {
	var first *scoring.Event
	for _, lead := range leads {
		for i := range lead.Events {
			e := &lead.Events[i]
			c, _ := e.Fields[b.opts.CampaignField].(string)
			ch, _ := e.Fields[b.opts.ChannelField].(string)
			if (c == "" && ch == "") || e.At.After(srAt) {
				continue
			}
			if first == nil || e.At.Before(first.At) {
				first = e
			}
		}
	}
	if first == nil {
		return "(no touch)", "(no touch)"
	}
	campaign, _ = first.Fields[b.opts.CampaignField].(string)
	channel, _ = first.Fields[b.opts.ChannelField].(string)
	if channel == "" {
		channel = "(none)"
	}
	if campaign == "" {
		campaign = "(" + channel + ")"
	}
	return campaign, channel
}

func (b *Builder) count(kind int, name string, order float64, l Label) {
	g := b.groups[kind][name]
	if g == nil {
		g = &Group{Name: name, order: order, reasons: map[string]int{}}
		b.groups[kind][name] = g
	}
	g.SalesReady++
	switch l.Status {
	case scoring.Accepted:
		g.Accepted++
	case scoring.Rejected:
		g.Rejected++
	case scoring.Recycled:
		g.Recycled++
	default:
		return
	}
	g.Dispositioned++
	if l.Reason != "" {
		g.reasons[l.Reason]++
	}
}

// Report finishes the report: rates, percentiles, orders.
func (b *Builder) Report() *Report {
	r := b.rep
	if n := r.MomentUnknown; n > 0 && !b.warnedUnknown {
		b.warnedUnknown = true
		r.Warnings = append(r.Warnings, fmt.Sprintf("%s sales-ready by the as-of time, but when is not known: people with no creation time and no event make %s so on their own, so %s no hand-off to join verdicts to and %s left out of every figure here (not counted as never sales-ready); give those people a creation time",
			count(n, "account was", "accounts were"), map[bool]string{true: "it", false: "them"}[n == 1], map[bool]string{true: "it has", false: "they have"}[n == 1], map[bool]string{true: "is", false: "are"}[n == 1]))
	}
	if b.as != nil && !b.warnedUnjudged {
		b.warnedUnjudged = true
		for _, rs := range unjudgedReasons(b.h) {
			r.NotJudged = append(r.NotJudged, rs.Code)
			r.Warnings = append(r.Warnings, fmt.Sprintf("Reason %s contradicts %s, which names no account rule, roll-up or role, so it is not judged at account level (%s given it); name account rules, their categories or roles in its contradicts",
				rs.Code, strings.Join(rs.Contradicts, ", "), count(b.overall[rs.Code], "account was", "accounts were")))
		}
	}
	r.AcceptanceRate, r.AcceptanceRateLow, r.AcceptanceRateHigh = rateOf(r.Accepted, r.Dispositioned)
	r.RejectionRate, r.RejectionRateLow, r.RejectionRateHigh = rateOf(r.Rejected, r.Dispositioned)
	r.RecycleRate, r.RecycleRateLow, r.RecycleRateHigh = rateOf(r.Recycled, r.Dispositioned)
	r.TooFew = r.Dispositioned < MinVerdicts
	r.Reasons = reasonCounts(b.overall, b.h.Codes())
	r.Campaigns, r.Channels = b.finish(0, false), b.finish(1, false)
	r.Bands, r.Grades, r.Rules = b.finish(2, true), b.finish(3, true), b.finish(4, true)
	// Every week from the first hand-off's to the as-of time's is in the
	// series, a week without hand-offs too.
	first := 0.0
	for _, g := range b.groups[5] {
		first = max(first, -g.order)
	}
	if len(b.groups[5]) > 0 {
		for k := 0.0; k <= first; k++ {
			if name := weekName(b.opts.AsOf, k); b.groups[5][name] == nil {
				b.groups[5][name] = &Group{Name: name, order: -k, reasons: map[string]int{}}
			}
		}
	}
	r.Weeks = b.finish(5, true)
	if b.as != nil {
		r.Stages, r.Roles = b.finish(6, true), b.finish(7, true)
	}
	r.Evidence = b.tally.Evidence()
	sort.SliceStable(r.EarlyRecycles, func(i, j int) bool { return r.EarlyRecycles[i].Lead < r.EarlyRecycles[j].Lead })
	sort.SliceStable(r.EarlyVerdicts, func(i, j int) bool { return r.EarlyVerdicts[i].Lead < r.EarlyVerdicts[j].Lead })
	if !b.warnedVerdicts {
		b.warnedVerdicts = true
		r.Warnings = append(r.Warnings, verdictWarnings(r.EarlyVerdicts, r.LaterVerdicts, r.Noun())...)
	}
	if sla := b.h.SLAOf(); sla > 0 {
		h := sla.Hours()
		r.SLA.Hours = &h
	}
	r.SLA.MedianHours, r.SLA.P90Hours = median(b.waits), p90(b.waits)
	r.SLA.ByOwner = nil
	for _, o := range b.owners {
		o.MedianHours = median(o.waits)
		r.SLA.ByOwner = append(r.SLA.ByOwner, *o)
	}
	sort.Slice(r.SLA.ByOwner, func(i, j int) bool {
		a, c := r.SLA.ByOwner[i], r.SLA.ByOwner[j]
		if a.Breached != c.Breached {
			return a.Breached > c.Breached
		}
		return a.Owner < c.Owner
	})
	return r
}

// maxEarlyNamed is how many verdicts before the hand-off the warnings
// name one by one; the JSON lists them all.
const maxEarlyNamed = 10

// verdictWarnings say the verdicts the report leaves out: those dated
// before the hand-off, each (up to maxEarlyNamed), and how many came after
// the verdict that counts.
func verdictWarnings(early []EarlyVerdict, later int, unit string) []string {
	var out []string
	for i, e := range early {
		if i == maxEarlyNamed {
			out = append(out, fmt.Sprintf("%d more verdicts are dated before their %s's hand-off and left out (the JSON report's verdicts_before_handoff lists them all)", len(early)-maxEarlyNamed, unit))
			break
		}
		out = append(out, e.Say(unit))
	}
	if later > 0 {
		out = append(out, fmt.Sprintf("%s of %ss that already had one: the first counts, and %s in no figure",
			count(later, "later verdict", "later verdicts"), unit, map[bool]string{true: "it is", false: "they are"}[later == 1]))
	}
	return out
}

// finish computes a kind of group's rates and orders it: by their order
// (bands by bound, grades and rules by file order), or by sales-ready
// leads, most first; then by name.
func (b *Builder) finish(kind int, byOrder bool) []Group {
	gs := make([]*Group, 0, len(b.groups[kind]))
	for _, g := range b.groups[kind] {
		gs = append(gs, g)
	}
	sort.Slice(gs, func(i, j int) bool {
		a, c := gs[i], gs[j]
		switch {
		case byOrder && a.order != c.order:
			return a.order < c.order
		case !byOrder && a.SalesReady != c.SalesReady:
			return a.SalesReady > c.SalesReady
		}
		return a.Name < c.Name
	})
	out := make([]Group, len(gs))
	for i, g := range gs {
		out[i] = Group{Name: g.Name, SalesReady: g.SalesReady, Dispositioned: g.Dispositioned, Accepted: g.Accepted, Rejected: g.Rejected, Recycled: g.Recycled,
			TooFew: g.Dispositioned < MinVerdicts, Reasons: reasonCounts(g.reasons, b.h.Codes())}
		out[i].AcceptanceRate, out[i].AcceptanceRateLow, out[i].AcceptanceRateHigh = rateOf(g.Accepted, g.Dispositioned)
		out[i].RejectionRate, out[i].RejectionRateLow, out[i].RejectionRateHigh = rateOf(g.Rejected, g.Dispositioned)
		out[i].RecycleRate, out[i].RecycleRateLow, out[i].RecycleRateHigh = rateOf(g.Recycled, g.Dispositioned)
	}
	return out
}

// reasonCounts lists counts most first, ties in catalogue order.
func reasonCounts(counts map[string]int, codes []string) []ReasonCount {
	out := []ReasonCount{}
	for _, code := range codes {
		if n := counts[code]; n > 0 {
			out = append(out, ReasonCount{code, n})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Leads > out[j].Leads })
	return out
}

// index is name's place in names, or len(names) when it is not there.
func index(names []string, name string) int {
	if i := slices.Index(names, name); i >= 0 {
		return i
	}
	return len(names)
}

func bandName(lo, width float64) string {
	return fmt.Sprintf("%s-%s", trim(lo), trim(lo+width))
}

// rateOf is a/b with its 95% Wilson interval (stats.Wilson); all nil
// when b is 0.
func rateOf(a, b int) (v, lo, hi *float64) {
	l, h, ok := stats.Wilson(float64(a), float64(b))
	if !ok {
		return nil, nil, nil
	}
	return rate(a, b), &l, &h
}

func rate(a, b int) *float64 {
	if b == 0 {
		return nil
	}
	v := float64(a) / float64(b)
	return &v
}

func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	v := s[len(s)/2]
	if len(s)%2 == 0 {
		v = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return &v
}

// p90 is the nearest-rank 90th percentile: the ceil(0.9 n)-th smallest.
func p90(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	v := s[int(math.Ceil(0.9*float64(len(s))))-1]
	return &v
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

func trim(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}

// weekName names the k-th week back from asOf by the moment it ends: 0
// is the seven days ending at the as-of time (a hand-off exactly seven
// days before it is in the week before).
func weekName(asOf time.Time, k float64) string {
	end := asOf.Add(-time.Duration(k) * 7 * 24 * time.Hour)
	if end.Hour() == 0 && end.Minute() == 0 && end.Second() == 0 && end.Nanosecond() == 0 {
		return "week to " + end.Format("2006-01-02")
	}
	return "week to " + end.Format(time.RFC3339)
}

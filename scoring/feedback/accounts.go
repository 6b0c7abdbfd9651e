package feedback

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// RolePrefix names a buying-group role among the rules of an account
// report: "role:decision_maker" fires on an account when one of its people
// at the hand-off holds the role.
const RolePrefix = "role:"

// NewAccountBuilder starts a report on accounts: sales' verdicts on the
// accounts the accounts section called sales-ready (Report.Unit is
// "accounts", and every count is of accounts). What counts is as for
// leads (see the package doc), with these differences:
//
//   - An account is handed to sales at its first sales-ready moment
//     (scoring.AccountScorer.FirstSalesReady); its grade, stage, total and
//     rules fired (its own rules and the roll-ups that gave points) are
//     its result then, and the roles present are those some person who
//     had arrived by then held.
//   - Its verdicts are the account's own (PrepareAccount's dispositions);
//     its people's verdicts on them as leads are not its verdicts.
//   - Its sourcing campaign and channel are those of the first touch of
//     any of its people who had arrived by the hand-off.
//   - An account sales-ready by the as-of time whose moment is not known
//     (scoring.AccountScorer.SalesReadyMoment) is counted in
//     Report.MomentUnknown alone, with a warning: it has no hand-off.
//   - A reason's contradicts names, read at account level, are the
//     account's rules and roll-ups (by id or by category) and its roles
//     (by name); each role is judged as a rule named RolePrefix+role.
//   - A recycled account is sales-ready again when the replay finds it on
//     the sales-ready stage at the end of the recycle's hold or at a
//     moment after it (a recycle of an account resets none of its people's
//     events).
func NewAccountBuilder(s *scoring.AccountScorer, opts Options) *Builder {
	m, am := s.Leads().Model(), s.AccountModel()
	if opts.CampaignField == "" {
		opts.CampaignField = "campaign"
	}
	if opts.ChannelField == "" {
		opts.ChannelField = "channel"
	}
	if opts.BandWidth <= 0 || !finite(opts.BandWidth) {
		opts.BandWidth = defaultBandWidth(am.Model)
	}
	ids := accountItems(am)
	h := accountHandoff(m.Handoff, am, ids)
	b := &Builder{as: s, m: m, h: h, opts: opts, tally: newEvidenceTally(ids, h, "account"), overall: map[string]int{}, owners: map[string]*OwnerSLA{},
		rep: &Report{Model: m.Name, Unit: "accounts", AsOf: opts.AsOf, BandWidth: opts.BandWidth}, order: map[string]int{}}
	for i, id := range ids {
		b.order[id] = i
	}
	for _, g := range am.Model.Grades {
		b.grade = append(b.grade, g.Name)
	}
	for _, st := range am.Model.Stages {
		b.stage = append(b.stage, st.ID)
	}
	for i := range b.groups {
		b.groups[i] = map[string]*Group{}
	}
	return b
}

// accountItems are what an account report judges: the account's scoring
// rules and roll-ups in file order, then its roles in file order.
func accountItems(am *rules.AccountModel) []string {
	type item struct {
		id  string
		pos [2]int
	}
	var items []item
	for _, r := range am.Model.Rules {
		items = append(items, item{r.ID, [2]int{r.Pos.Line, r.Pos.Col}})
	}
	for _, r := range am.Rollups {
		items = append(items, item{r.ID, [2]int{r.Pos.Line, r.Pos.Col}})
	}
	slices.SortStableFunc(items, func(a, b item) int {
		return cmp.Or(cmp.Compare(a.pos[0], b.pos[0]), cmp.Compare(a.pos[1], b.pos[1]))
	})
	var ids []string
	for _, it := range items {
		ids = append(ids, it.id)
	}
	for _, r := range am.Roles {
		ids = append(ids, RolePrefix+r.Name)
	}
	return ids
}

// accountHandoff is h with each reason's Rules read at account level:
// the account rules and roll-ups it names or whose category it names,
// and the roles it names.
func accountHandoff(h *rules.Handoff, am *rules.AccountModel, ids []string) *rules.Handoff {
	if h == nil {
		return nil
	}
	category := map[string]string{}
	for _, r := range am.Model.Rules {
		if r.Category != nil {
			category[r.ID] = r.Category.Name
		}
	}
	for _, r := range am.Rollups {
		if r.Category != nil {
			category[r.ID] = r.Category.Name
		}
	}
	out := *h
	out.Reasons = nil
	for _, r := range h.Reasons {
		ar := *r
		ar.Rules = nil
		for _, id := range ids {
			name, isRole := strings.CutPrefix(id, RolePrefix)
			if slices.Contains(r.Contradicts, name) || !isRole && category[id] != "" && slices.Contains(r.Contradicts, category[id]) {
				ar.Rules = append(ar.Rules, id)
			}
		}
		out.Reasons = append(out.Reasons, &ar)
	}
	return &out
}

// unjudgedReasons are the reasons of h (read at account level) whose
// contradicts names something, but no account rule, roll-up or role.
func unjudgedReasons(h *rules.Handoff) []*rules.Reason {
	if h == nil {
		return nil
	}
	var out []*rules.Reason
	for _, r := range h.Reasons {
		if len(r.Contradicts) > 0 && len(r.Rules) == 0 {
			out = append(out, r)
		}
	}
	return out
}

// PrepareAccount is Prepare for an account, on a Builder from
// NewAccountBuilder: people are the leads matched to it, ds its own
// dispositions, won when it was won (zero for not won), and createdField
// the lead field of a person's creation time, as FirstSalesReady reads it.
// The error is the account's scoring error.
func (b *Builder) PrepareAccount(ctx context.Context, acc scoring.Account, people []scoring.Lead, ds []scoring.Disposition, won time.Time, createdField string) (*Entry, error) {
	asOf := b.opts.AsOf
	srAt, sr, unknown, err := b.as.SalesReadyMoment(ctx, acc, people, createdField, asOf)
	if err != nil {
		return nil, err
	}
	e := &Entry{id: acc.ID, sr: sr, srAt: srAt, srUnknown: unknown}
	if unknown {
		return e, nil
	}
	var kept []scoring.Disposition
	for _, d := range ds {
		if !d.At.After(asOf) {
			kept = append(kept, d)
		}
	}
	slices.SortFunc(kept, scoring.CompareDispositions)
	e.dispositioned = len(kept) > 0
	for _, d := range kept {
		if d.Status != scoring.Recycled {
			continue
		}
		e.recycled, e.recycleAt = true, d.At
		hold := time.Duration(0)
		if b.h != nil {
			hold = b.h.Hold
		}
		_, again, err := b.as.SalesReadyAfter(ctx, acc, people, createdField, d.At.Add(hold), asOf)
		if err != nil {
			return nil, err
		}
		e.readyAgain = again
		e.wonLater = !won.IsZero() && won.After(d.At) && !won.After(asOf)
		break
	}
	if !sr {
		return e, nil
	}
	res, err := b.as.AccountAt(ctx, acc, people, createdField, srAt)
	if err != nil {
		return nil, err
	}
	e.verdict, e.early, e.later = verdictOf(kept, srAt)
	ids := res.RuleIDs()
	e.fired = len(res.Fired)
	e.ruleIDs = append([]string(nil), ids[:e.fired]...)
	for _, rc := range res.Roles {
		if rc.People > 0 {
			e.roles = append(e.roles, rc.Role)
			e.ruleIDs = append(e.ruleIDs, RolePrefix+rc.Role)
		}
	}
	e.ruleIDs = append(e.ruleIDs, ids[e.fired:]...)
	e.total, e.grade, e.stage = res.Total, res.Grade, res.Stage
	e.campaign, e.channel = b.sourceOf(scoring.PresentAt(people, createdField, srAt), srAt)
	return e, nil
}

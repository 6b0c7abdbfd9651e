// Package attribution tells marketing which campaigns and channels produced
// the leads that became sales-ready, pipeline and revenue. It takes
// journeys (a lead's campaign touches, its milestones such as lead created,
// sales-ready, opportunity and won, and its revenue) from any source: a
// CRM export, or leadscore's own scoring timelines. It imports nothing
// else of leadscore.
//
// A model gives each touch of a converting journey a share of its
// conversion; the shares of a journey sum to one, so credit is conserved:
// per journey it sums to its conversions and to its revenue, and a report's
// totals equal the journeys' totals. A converting journey with no touch in
// the lookback window credits the campaign "(no touch)", so nothing is lost.
//
// # Rule-based models
//
//	first_touch      all credit to the first touch
//	last_touch       all to the last
//	last_non_direct  all to the last touch not on a direct channel (or the last touch if all are direct)
//	linear           equal shares
//	time_decay       shares halving with each half-life of age before the conversion (default 7 days)
//	position_based   40% first, 40% last, 20% shared by the rest (configurable)
//	w_shaped         30% each to the first touch, the lead-creation touch and a second milestone's
//	                 touch (sales_ready by default), 10% shared by the touches between
//	full_path        22.5% each to the first touch, lead creation, opportunity and won touches,
//	                 10% shared by the touches between
//	custom           weights over named milestones, plus a share for the touches between
//
// A milestone's touch is the last touch at or before the milestone. When
// several milestones fall on the same touch, it gets their shares added up.
// When a journey lacks a milestone (or no touch comes before it), that
// milestone's share goes to the others in proportion to theirs; with no
// touches between the milestone touches, the between share goes to them
// the same way. A journey of one touch gives it everything; of two,
// position-based gives them its first and last shares scaled to sum to one
// (40/40 splits evenly, 30/40 gives 3/7 and 4/7).
//
// Touches at the same time are ordered by campaign, then channel, then
// their attributes (name=value, by name), so that a file's row order never
// moves credit.
package attribution

import (
	"sort"
	"strings"
	"time"
)

// Milestone names the journeys of leadscore use; any other name works too.
const (
	FirstTouch  = "first_touch" // the first touch, a built-in milestone
	LastTouch   = "last_touch"  // the last touch before the conversion
	LeadCreated = "lead_created"
	SalesReady  = "sales_ready"
	// SalesAccepted is when sales accepted the lead (the SAL moment).
	SalesAccepted = "sales_accepted"
	Opportunity   = "opportunity"
	Won           = "won"
)

// Touch is a campaign touching a lead: an email click, an ad, a webinar.
type Touch struct {
	At       time.Time         `json:"at"`
	Campaign string            `json:"campaign"`
	Channel  string            `json:"channel"`
	Attrs    map[string]string `json:"attrs,omitempty"`
}

// Journey is one lead's way from first touch to conversion (or not).
type Journey struct {
	ID      string  `json:"id"`
	Touches []Touch `json:"touches"`
	// Milestones are named moments: lead_created, sales_ready,
	// opportunity, won, or any other.
	Milestones map[string]time.Time `json:"milestones,omitempty"`
	Converted  bool                 `json:"converted"`
	// Conversions is what a converting journey counts for; 0 means 1.
	Conversions float64 `json:"conversions,omitempty"`
	Revenue     float64 `json:"revenue"`
}

// conversions is what the journey counts for.
func (j *Journey) conversions() float64 {
	if !j.Converted {
		return 0
	}
	if j.Conversions == 0 {
		return 1
	}
	return j.Conversions
}

// Options are the settings a run of attribution shares.
type Options struct {
	// Conversion is the milestone that is the conversion ("won" by
	// default). With won, the journeys marked converted convert, for their
	// conversions and revenue; one without the won milestone converts at
	// its last touch. With any other milestone, the journeys that reached
	// it convert, each for one conversion, worth its revenue when it was
	// also won (converted) and nothing otherwise; their touches count up to
	// the milestone.
	Conversion string
	// Lookback ignores touches longer than this before the conversion; 0
	// keeps every touch.
	Lookback time.Duration
}

func (o Options) conversion() string {
	if o.Conversion == "" {
		return Won
	}
	return o.Conversion
}

// converts reports whether a journey converts under the options, and
// what it counts for and is worth (see Options.Conversion).
func (o Options) converts(j *Journey) (conv, rev float64, ok bool) {
	if o.conversion() == Won {
		return j.conversions(), j.Revenue, j.Converted
	}
	if _, ok := j.Milestones[o.conversion()]; !ok {
		return 0, 0, false
	}
	if j.Converted {
		rev = j.Revenue
	}
	return 1, rev, true
}

// Converts reports whether a journey converts under the options: it is
// marked converted, or, with a conversion milestone other than won, it
// reached that milestone.
func (o Options) Converts(j *Journey) bool {
	_, _, ok := o.converts(j)
	return ok
}

// touchBefore orders touches by time, then campaign, channel and
// attributes, so that equal times do not depend on the order of a file.
func touchBefore(a, b *Touch) bool {
	if !a.At.Equal(b.At) {
		return a.At.Before(b.At)
	}
	if a.Campaign != b.Campaign {
		return a.Campaign < b.Campaign
	}
	if a.Channel != b.Channel {
		return a.Channel < b.Channel
	}
	return attrsKey(a.Attrs) < attrsKey(b.Attrs)
}

// attrsKey writes attributes as name=value lines, by name.
func attrsKey(attrs map[string]string) string {
	if len(attrs) == 0 {
		return ""
	}
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(attrs[k])
		b.WriteByte('\n')
	}
	return b.String()
}

// path is a journey's touches that count: in time order (ties broken by
// touchBefore), at or before the conversion and within the lookback.
func (o Options) path(j *Journey) (touches []Touch, at time.Time) {
	touches = append([]Touch(nil), j.Touches...)
	sort.SliceStable(touches, func(a, b int) bool { return touchBefore(&touches[a], &touches[b]) })
	at, ok := j.Milestones[o.conversion()]
	if !ok {
		if len(touches) == 0 {
			return nil, time.Time{}
		}
		at = touches[len(touches)-1].At
	}
	kept := touches[:0]
	for _, t := range touches {
		if t.At.After(at) || (o.Lookback > 0 && at.Sub(t.At) > o.Lookback) {
			continue
		}
		kept = append(kept, t)
	}
	return kept, at
}

// NoTouch is the campaign and channel credited for a converting journey
// that has no touch in the window.
const NoTouch = "(no touch)"

// Credit is a share of one journey's conversion given to one touch.
type Credit struct {
	Journey string
	Touch   Touch
	// Position is the touch's place among the journey's counted touches
	// (in time order, in the window), from 1; 0 for NoTouch.
	Position    int
	Share       float64 // of the journey's conversion, 0 to 1
	Conversions float64
	Revenue     float64

	conv, rev decimal // exact: a journey's credits add up to its conversions and revenue
}

// Attribute gives a converting journey's credit to its touches under a
// model. The shares sum to one; a journey with no touch in the window gives
// everything to NoTouch. A journey that did not convert gives nothing.
// The conversions and revenue credited are exact decimals that add up to
// the journey's (its amounts taken as the shortest decimals of their
// float64s), each rounded once to a float64; WriteCredit writes them
// exactly.
func Attribute(m Model, j *Journey, opts Options) []Credit {
	conv, rev, ok := opts.converts(j)
	if !ok {
		return nil
	}
	touches, at := opts.path(j)
	if len(touches) == 0 {
		return []Credit{{Journey: j.ID, Touch: Touch{At: at, Campaign: NoTouch, Channel: NoTouch}, Share: 1, Conversions: conv, Revenue: rev,
			conv: decimalOf(conv), rev: decimalOf(rev)}}
	}
	w := m.Weights(touches, j, at)
	normalize(w)
	cs, rs := make([]decimal, len(w)), make([]decimal, len(w))
	split(decimalOf(conv), w, cs)
	split(decimalOf(rev), w, rs)
	out := make([]Credit, 0, len(touches))
	for i, t := range touches {
		if w[i] == 0 {
			continue
		}
		out = append(out, Credit{Journey: j.ID, Touch: t, Position: i + 1, Share: w[i], Conversions: cs[i].float(), Revenue: rs[i].float(), conv: cs[i], rev: rs[i]})
	}
	return out
}

// normalize scales weights to sum to one, putting the rounding remainder on
// the largest so that the sum is one as exactly as floating point allows.
func normalize(w []float64) {
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	if sum <= 0 {
		for i := range w {
			w[i] = 1 / float64(len(w))
		}
		sum = 1
	}
	big, total := 0, 0.0
	for i := range w {
		w[i] /= sum
		if w[i] > w[big] {
			big = i
		}
	}
	for i, x := range w {
		if i != big {
			total += x
		}
	}
	w[big] = 1 - total
}

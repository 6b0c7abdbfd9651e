package scoringtest

import (
	"fmt"
	"strings"
	"time"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/scoring"
)

// dispositions checks a case's dispositions against the model's catalogue,
// where they are written, and builds them as of asOf.
func (c *checker) dispositions(ds []*dsl.TestDisposition, asOf time.Time) []scoring.Disposition {
	var out []scoring.Disposition
	statuses := make([]string, len(scoring.Statuses))
	for i, s := range scoring.Statuses {
		statuses[i] = string(s)
	}
	codes := c.m.Handoff.Codes()
	for _, td := range ds {
		d := scoring.Disposition{Status: scoring.Status(td.Status.Value), Reason: td.Reason.Value, Owner: td.Owner.Value, At: asOf}
		switch {
		case td.At != nil:
			d.At = td.At.Value
		case td.Ago != nil:
			d.At = asOf.Add(-td.Ago.Value)
		}
		switch {
		case td.Status.Value == "":
		case !strings.Contains(" "+strings.Join(statuses, " ")+" ", " "+td.Status.Value+" "):
			c.errorf(td.Status.Pos, "unknown status %q%s", td.Status.Value, dsl.DidYouMeanName(td.Status.Value, statuses, "the statuses are accepted, rejected and recycled"))
		case d.Status == scoring.Accepted && d.Reason != "":
			c.errorf(td.Reason.Pos, "an accepted lead takes no reason; remove reason:, or make the status rejected or recycled")
		case d.Status != scoring.Accepted && d.Reason == "":
			c.errorf(td.Pos, "a %s lead needs a reason; add reason: with one of %s", d.Status, orNoReasons(codes))
		case d.Reason != "" && c.m.Handoff.Reason(d.Reason) == nil:
			c.errorf(td.Reason.Pos, "unknown reason %q%s", d.Reason, dsl.DidYouMeanName(d.Reason, codes, "the reasons are "+orNoReasons(codes)))
		}
		out = append(out, d)
	}
	return out
}

func orNoReasons(codes []string) string {
	if len(codes) == 0 {
		return "the model's handoff reasons (it declares none)"
	}
	return strings.Join(codes, ", ")
}

// compareVerdict lists how the result's verdict differs from what the case
// expects. held means what Verdict.Held means: the hold-down kept the lead
// from salesReady (the sales-ready stage), which it would otherwise reach.
func compareVerdict(e dsl.Expect, r *scoring.Result, salesReady string, fail func(string, ...any)) {
	if e.Held != nil {
		v := r.Verdict
		held := v != nil && v.Held != ""
		if held != e.Held.Value {
			var got string
			switch {
			case held:
				got = fmt.Sprintf("the hold-down kept it from %s until %s", v.Held, v.HeldUntil.Format(time.RFC3339))
			case v != nil && v.HeldUntil != nil && r.Blocked != "":
				got = fmt.Sprintf("not held: the hold-down runs until %s, but a gate keeps the lead from %s anyway", v.HeldUntil.Format(time.RFC3339), salesReady)
			case v != nil && v.HeldUntil != nil:
				got = fmt.Sprintf("not held: the hold-down runs until %s, but the lead does not reach %s without it (it stands on %s)", v.HeldUntil.Format(time.RFC3339), salesReady, orNone(r.Stage))
			case v != nil && v.Recycled != nil:
				got = fmt.Sprintf("not held: no hold-down is in force at the as-of time after the recycle on %s (the model's recycle hold may have run out, or there is none)", v.Recycled.Format(time.RFC3339))
			default:
				got = "not held: no recycle by the as-of time, so no hold-down"
			}
			fail("held: want %v; %s", e.Held.Value, got)
		}
	}
	if e.Reset != nil {
		n := 0
		if r.Verdict != nil {
			n = r.Verdict.Reset
		}
		if !e.Reset.Holds(float64(n)) {
			fail("reset: want %s events reset, got %d", e.Reset, n)
		}
	}
}

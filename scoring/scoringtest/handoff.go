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
			c.errorf(td.Status.Pos, "unknown status %q%s", td.Status.Value, dsl.DidYouMeanOr(td.Status.Value, statuses, "the statuses are accepted, rejected and recycled"))
		case d.Status == scoring.Accepted && d.Reason != "":
			c.errorf(td.Reason.Pos, "an accepted lead takes no reason; remove reason:, or make the status rejected or recycled")
		case d.Status != scoring.Accepted && d.Reason == "":
			c.errorf(td.Pos, "a %s lead needs a reason; add reason: with one of %s", d.Status, orNoReasons(codes))
		case d.Reason != "" && c.m.Handoff.Reason(d.Reason) == nil:
			c.errorf(td.Reason.Pos, "unknown reason %q%s", d.Reason, dsl.DidYouMeanOr(d.Reason, codes, "the reasons are "+orNoReasons(codes)))
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

// compareVerdict lists how the result's verdict differs from what the case expects.
func compareVerdict(e dsl.Expect, r *scoring.Result, fail func(string, ...any)) {
	if e.Held != nil {
		held := r.Verdict != nil && r.Verdict.Held != ""
		if held != e.Held.Value {
			got := "nothing held it"
			if held {
				got = fmt.Sprintf("the hold-down kept it from %s until %s", r.Verdict.Held, r.Verdict.HeldUntil.Format(time.RFC3339))
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

package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/leadscore/leadscore/cmd/leadscore/internal/htmlreport"
	"github.com/leadscore/leadscore/mix"
)

// writeHTML writes the mix report as one page: the headline figures, the
// channels with their intervals, the weekly decomposition, the response
// curves, the reallocation, the lift tests and the comparison beside
// attribution; every number carries its path in the JSON report.
func (r mixReport) writeHTML(w io.Writer, currency string) error {
	H := htmlreport.Number
	path := func(parts ...any) string {
		s := make([]string, len(parts))
		for i, p := range parts {
			s[i] = fmt.Sprint(p)
		}
		return strings.Join(s, ".")
	}
	kpiFmt := "dec1"
	if looksLikeMoney(r.KPI) {
		kpiFmt = "money"
	}
	iv := func(p string, i mix.Interval, format string) htmlreport.Cell {
		return htmlreport.Parts(htmlreport.Number(p+".low", i.Low, format), htmlreport.Text(" to "), htmlreport.Number(p+".high", i.High, format))
	}
	T := htmlreport.Text
	// ret and retIv are a return's estimate and interval: null (shown —)
	// when nothing was spent.
	ret := func(p string, i mix.Interval, spend float64) htmlreport.Cell {
		if spend > 0 {
			return H(p+".value", i.Value, "dec2")
		}
		return htmlreport.Maybe(p, nil, "dec2")
	}
	retIv := func(p string, i mix.Interval, spend float64) htmlreport.Cell {
		if spend > 0 {
			return iv(p, i, "dec2")
		}
		return T("—")
	}
	// ivs is an interval's two ends for a line of words, where a cell of
	// parts would not show.
	ivs := func(p string, i mix.Interval, format string) htmlreport.Sentence {
		return htmlreport.Sentence{htmlreport.Number(p+".low", i.Low, format), T(" to "), htmlreport.Number(p+".high", i.High, format)}
	}

	summary := &htmlreport.Summary{Tiles: []htmlreport.Tile{
		{KPI: "baseline_share", Label: "Baseline's share of the " + r.KPI, Value: H("baseline_share", r.BaselineShare, "pct"),
			Detail: htmlreport.Sentence{T(fmt.Sprintf("the rest is the %s's channels, over %d %ss", r.KPI, r.Weeks+r.Days, r.per()))}},
		{KPI: "held_out_mape", Label: "Error on held-out " + r.per() + "s (MAPE)", Value: H("held_out.mape", r.HeldOut.MAPE, "pct"),
			Detail: htmlreport.Sentence{T("NRMSE "), H("held_out.nrmse", r.HeldOut.NRMSE, "dec3"), T(", over "), htmlreport.Int("held_out."+r.per()+"s", r.HeldOut.Weeks+r.HeldOut.Days), T(" " + r.per() + "s")}},
		reallocTile(r.Reallocation, ivs("reallocation.effect", r.Reallocation.Effect, kpiFmt), H("reallocation.effect.value", r.Reallocation.Effect.Value, kpiFmt)),
	}}
	for _, w := range r.Warnings {
		summary.Warnings = append(summary.Warnings, w.Message)
	}
	if r.KPIFrom != nil && r.KPIFrom.Note != "" {
		summary.Warnings = append(summary.Warnings, "The KPI: "+r.KPIFrom.Note+".")
	}
	// What the inputs add up to, as the text report says it: the counts
	// that reconcile the KPI, the costs and the activity with their files.
	for _, src := range r.sources() {
		summary.Sources = append(summary.Sources, htmlreport.Sentence{htmlreport.Text(src)})
	}

	// Channels: ROAS with its interval, drawn and tabled.
	var names []string
	var roas [][]float64
	ct := &htmlreport.Table{ID: "mix-channels", Sortable: true, Head: []string{"channel", "spend", "incremental", "95% interval", "share", "ROAS", "95% interval", "ROI", "95% interval", "marginal ROAS", "verdict"}}
	var reasons []string
	for i, c := range r.Channels {
		p := func(k ...any) string { return path(append([]any{"channels", i}, k...)...) }
		names = append(names, c.Name)
		roas = append(roas, []float64{c.ROAS.Low, c.ROAS.Value, c.ROAS.High})
		ct.Rows = append(ct.Rows, htmlreport.Row{Cells: []htmlreport.Cell{T(c.Name), H(p("spend"), c.Spend, "money"),
			H(p("incremental", "value"), c.Incremental.Value, kpiFmt), iv(p("incremental"), c.Incremental, kpiFmt), H(p("share"), c.Share, "pct"),
			ret(p("roas"), c.ROAS, c.Spend), retIv(p("roas"), c.ROAS, c.Spend), ret(p("roi"), c.ROI, c.Spend), retIv(p("roi"), c.ROI, c.Spend),
			ret(p("marginal_roas"), c.MarginalROAS, c.Spend), T(c.Verdict)}})
		if c.Reason != "" {
			reasons = append(reasons, c.Name+": no verdict: "+c.Reason+".")
		}
		if c.ROAS.Widened || c.Incremental.Widened {
			reasons = append(reasons, c.Name+": the refits' 2.5% to 97.5% range left the estimate out, so the interval is widened to reach it: the estimate is one end of its interval.")
		}
	}
	channels := htmlreport.Section{ID: "channels", Title: "What each channel added",
		Intro:  append([]string{fmt.Sprintf("Each channel's incremental %s is the fitted %s less the %s with its spend at zero; ROAS is that over its spend. Intervals are 95%%, from %d bootstrap refits (seed %d), each choosing the channels' carry-over and saturation again.", r.KPI, r.KPI, r.KPI, r.Bootstrap, r.Seed)}, reasons...),
		Blocks: []htmlreport.Block{{Chart: htmlreport.Bars("ROAS of each channel: the 95% interval's low end, the estimate, its high end", names, []string{"low", "ROAS", "high"}, roas, "dec2"), Table: ct}}}
	if len(r.Calibration) > 0 {
		channels.Summary = append(channels.Summary, htmlreport.Sentence{T(fmt.Sprintf("Calibrated by %d lift tests: every figure here is of the calibrated fit.", len(r.Calibration)))})
	}

	// The weekly decomposition.
	xs := make([]float64, len(r.Decomposition))
	series := [][]*float64{make([]*float64, len(xs)), make([]*float64, len(xs)), make([]*float64, len(xs))}
	dt := &htmlreport.Table{ID: "mix-decomposition", Scroll: true, Head: append([]string{r.per(), r.KPI, "fitted", "baseline"}, names...)}
	for t, wk := range r.Decomposition {
		xs[t] = float64(t + 1)
		kpi, fitted, base := wk.KPI, wk.Fitted, wk.Baseline
		series[0][t], series[1][t], series[2][t] = &kpi, &fitted, &base
		p := func(k ...any) string { return path(append([]any{"decomposition", t}, k...)...) }
		row := []htmlreport.Cell{T(wk.Week + wk.Day), H(p("kpi"), wk.KPI, kpiFmt), H(p("fitted"), wk.Fitted, kpiFmt), H(p("baseline"), wk.Baseline, kpiFmt)}
		for c, v := range wk.Channels {
			row = append(row, H(p("channels", c), v, kpiFmt))
		}
		dt.Rows = append(dt.Rows, htmlreport.Row{Cells: row})
	}
	decoChart, _ := htmlreport.Line{Title: "The " + r.KPI + " " + r.per() + " by " + r.per() + ": actual, fitted, and the baseline under it", X: xs, XLabel: r.per() + " (" + r.From + " is 1)", YLabel: r.KPI,
		Series: []string{r.KPI, "fitted", "baseline"}, Y: series, Format: kpiFmt}.SVG()
	deco := htmlreport.Section{ID: "decomposition", Title: map[string]string{"week": "Week by week", "day": "Day by day"}[r.per()],
		Summary: []htmlreport.Sentence{{T("Fit on held-out " + r.per() + "s: MAPE "), H("held_out.mape", r.HeldOut.MAPE, "pct"), T(", NRMSE "), H("held_out.nrmse", r.HeldOut.NRMSE, "dec3"),
			T("; in-sample R² "), H("in_sample.r2", r.InSample.R2, "dec3"), T(".")}},
		Blocks: []htmlreport.Block{{Chart: decoChart, Table: dt, ScreenOnly: true}}}

	// Response curves.
	var curveX []float64
	var curveY [][]*float64
	rt := &htmlreport.Table{ID: "mix-response", Head: []string{"channel", "adstock", "half-saturation (" + r.perly() + ")", "Hill shape", "incremental at current spend", "incremental at 2x spend"}}
	for i, c := range r.Channels {
		var ys []*float64
		var at1, at2 int
		for j, pt := range c.Curve {
			if i == 0 {
				curveX = append(curveX, pt.Multiplier)
			}
			v := pt.Incremental
			ys = append(ys, &v)
			switch pt.Multiplier {
			case 1:
				at1 = j
			case 2:
				at2 = j
			}
		}
		curveY = append(curveY, ys)
		ad := "geometric, decay " + strconv.FormatFloat(c.Adstock.Decay, 'g', -1, 64)
		if r.per() == "day" {
			ad = r.decay(c.Adstock.Decay)
		}
		if c.Adstock.Kind == mix.Weibull {
			ad = fmt.Sprintf("Weibull, shape %g, scale %g %ss", c.Adstock.Shape, c.Adstock.Scale, r.per())
		}
		p := func(k ...any) string { return path(append([]any{"channels", i}, k...)...) }
		half, shape := H(p("saturation", "half_saturation"), c.Saturation.Half, "money"), H(p("saturation", "shape"), c.Saturation.Shape, "int")
		if c.Saturation.Linear {
			half, shape = T("none (straight)"), T("—")
		}
		rt.Rows = append(rt.Rows, htmlreport.Row{Cells: []htmlreport.Cell{T(c.Name), T(ad), half, shape,
			H(p("response_curve", at1, "incremental"), c.Curve[at1].Incremental, kpiFmt), H(p("response_curve", at2, "incremental"), c.Curve[at2].Incremental, kpiFmt)}})
	}
	curveChart, _ := htmlreport.Line{Title: "Each channel's incremental " + r.KPI + " at multiples of its spend", X: curveX, XLabel: "multiple of the current spend", YLabel: "incremental " + r.KPI,
		Series: names, Y: curveY, Format: kpiFmt}.SVG()
	response := htmlreport.Section{ID: "response", Title: "Carry-over and diminishing returns", Blocks: []htmlreport.Block{{Chart: curveChart, Table: rt}}}

	// Reallocation.
	re := r.Reallocation
	var moves [][]float64
	var moveNames []string
	at := &htmlreport.Table{ID: "mix-reallocation", Head: []string{"channel", "current", "proposed", "change"}}
	for i, m := range re.Channels {
		p := func(k string) string { return path("reallocation", "channels", i, k) }
		moveNames = append(moveNames, m.Name)
		moves = append(moves, []float64{m.Current, m.Proposed})
		at.Rows = append(at.Rows, htmlreport.Row{Cells: []htmlreport.Cell{T(m.Name), H(p("current"), m.Current, "money"), H(p("proposed"), m.Proposed, "money"), H(p("change"), m.Change, "money")}})
	}
	effectEnd := ")."
	if re.Effect.Widened {
		effectEnd = ") †. " + widenedLegend + "."
	}
	realloc := htmlreport.Section{ID: "reallocation", Title: fmt.Sprintf("The same total, each channel within ±%g%%", 100*re.Bounds),
		Summary: []htmlreport.Sentence{append(append(htmlreport.Sentence{T("Expected effect: "), H("reallocation.effect.value", re.Effect.Value, kpiFmt), T(" (95% ")},
			ivs("reallocation.effect", re.Effect, kpiFmt)...), T(effectEnd))},
		Blocks: []htmlreport.Block{{Chart: htmlreport.Bars("Spend per channel, now and proposed", moveNames, []string{"current", "proposed"}, moves, "money"), Table: at}}}
	if re.Withheld != "" {
		realloc.Warnings = append(realloc.Warnings, "Not a recommendation: "+re.Withheld+".")
	}
	sections := []htmlreport.Section{channels, realloc}

	if len(r.Calibration) > 0 {
		lt := &htmlreport.Table{ID: "mix-calibration", Head: []string{"channel", "test dates", "days", "weeks", "weeks read", "test", "95% interval", "model before", "95% interval", "model after", "95% interval", "agree before", "agree after"}}
		var groups []string
		var vals [][]float64
		fw := fitWarned(r.Result)
		agreeCell := func(b bool, c mix.Calibration) htmlreport.Cell {
			switch {
			case fw != nil || c.AgreementWithheld != "":
				return T("withheld")
			case b:
				return T("yes")
			}
			return T("no")
		}
		// ivw is iv with † when the interval was widened to hold its
		// estimate.
		wide := false
		ivw := func(p string, i mix.Interval) htmlreport.Cell {
			if !i.Widened {
				return iv(p, i, kpiFmt)
			}
			wide = true
			return htmlreport.Parts(iv(p, i, kpiFmt), T(" †"))
		}
		st := &htmlreport.Table{ID: "mix-calibration-shift", Head: []string{"channel", "tested", "incremental before", "95% interval", "incremental after", "95% interval"}}
		for i, c := range r.CalibrationShift {
			p := func(k ...any) string { return path(append([]any{"calibration_shift", i}, k...)...) }
			tested := T("no")
			if c.Tested {
				tested = T("yes")
			}
			st.Rows = append(st.Rows, htmlreport.Row{Cells: []htmlreport.Cell{T(c.Channel), tested,
				H(p("before", "value"), c.Before.Value, kpiFmt), ivw(p("before"), c.Before), H(p("after", "value"), c.After.Value, kpiFmt), ivw(p("after"), c.After)}})
		}
		shiftNote := "Calibration moves every channel's figure, not only the tested ones': the channels share one least-squares fit. The curves of channels no test names and the ridge penalty stay as the uncalibrated fit chose them."
		if wide {
			shiftNote += " " + widenedLegend + "."
		}
		shiftBlock := htmlreport.Block{Title: "Calibration's effect on each channel's " + r.KPI, Table: st, Note: shiftNote}
		for i, c := range r.Calibration {
			p := func(k ...any) string { return path(append([]any{"calibration", i}, k...)...) }
			label := c.Channel + " " + c.Start + " to " + c.End
			if c.Line > 0 {
				label += fmt.Sprintf(" (line %d)", c.Line)
			}
			groups = append(groups, label)
			vals = append(vals, []float64{c.Test.Value, c.Before.Value, c.After.Value})
			lt.Rows = append(lt.Rows, htmlreport.Row{Cells: []htmlreport.Cell{T(c.Channel), T(c.Start + " to " + c.End), htmlreport.Int(p("days"), c.Days), htmlreport.Int(p("weeks"), c.Weeks), H(p("weeks_read"), c.WeeksRead, "dec3"),
				H(p("test", "value"), c.Test.Value, kpiFmt), iv(p("test"), c.Test, kpiFmt), H(p("before", "value"), c.Before.Value, kpiFmt), ivw(p("before"), c.Before),
				H(p("after", "value"), c.After.Value, kpiFmt), ivw(p("after"), c.After), agreeCell(c.AgreesBefore, c), agreeCell(c.AgreesAfter, c)}})
		}
		var calWarn []string
		if fw != nil {
			calWarn = append(calWarn, "Agreement withheld: the fit's quality is warned of ("+fw.Kind+"; see the warnings), so the model's figures beside the tests are not supported.")
		} else {
			for _, c := range r.Calibration {
				if c.AgreementWithheld != "" {
					calWarn = append(calWarn, c.Channel+": "+c.AgreementWithheld+".")
				}
			}
		}
		if wide {
			calWarn = append(calWarn, widenedLegend+".")
		}
		sections = append(sections, htmlreport.Section{ID: "calibration", Title: "Calibration with lift tests", Warnings: calWarn,
			Intro:  []string{"Each figure is the " + r.KPI + " the channel's spend in the test's weeks added in those weeks; a week the test covers only part of counts for the share of its days it covers (weeks read). Each test pulls the fit toward its result in proportion to its precision against the model's. Model and test disagree when each estimate lies outside the other's interval."},
			Blocks: []htmlreport.Block{{Chart: htmlreport.Bars("Each test's result beside the model's figure for its weeks, before and after calibration", groups, []string{"test", "before", "after"}, vals, kpiFmt), Table: lt}, shiftBlock}})
	}
	if len(r.Comparison) > 0 {
		head := []string{"channel", "mix model", "95% interval"}
		for _, m := range r.ComparisonModels {
			head = append(head, m, "95% interval")
		}
		periodNote := ""
		if p := r.ComparisonPeriod; p != nil {
			periodNote = fmt.Sprintf("Mix model: %s to %s (%d weeks); attribution: %s. ", p.MixFrom, p.MixTo, p.MixWeeks, p.attribution())
		}
		head = append(head, "disagree")
		ct := &htmlreport.Table{ID: "mix-comparison", Head: head}
		var groups []string
		var vals [][]float64
		for i, c := range r.Comparison {
			p := func(k ...any) string { return path(append([]any{"comparison", i}, k...)...) }
			groups = append(groups, c.Channel)
			mixIv := iv(p("mix_share"), c.MixShare.Interval, "pct")
			if c.MixShare.Widened {
				mixIv = htmlreport.Parts(mixIv, T(" †"))
			}
			row := []htmlreport.Cell{T(c.Channel), H(p("mix_share", "value"), c.MixShare.Value, "pct"), mixIv}
			vs := []float64{c.MixShare.Value}
			// By index, not by the model's name, which may hold a dot.
			for j, ms := range c.ByModel {
				row = append(row, H(p("by_model", j, "share", "value"), ms.Share.Value, "pct"), iv(p("by_model", j, "share"), ms.Share, "pct"))
				vs = append(vs, ms.Share.Value)
			}
			dis := "none"
			if fitWarned(r.Result) != nil || len(rivalledAmong(r.Result, r.Comparison)) > 0 {
				dis = "withheld"
			}
			if len(c.Disagrees) > 0 {
				dis = strings.Join(c.Disagrees, ", ")
			}
			vals = append(vals, vs)
			ct.Rows = append(ct.Rows, htmlreport.Row{Cells: append(row, T(dis))})
		}
		sections = append(sections, htmlreport.Section{ID: "attribution", Title: "Beside attribution: shares of " + r.ComparisonMeasure,
			Intro:  append(slices.Clone(r.ComparisonNotes), periodNote+"Shares are among the channels both name. An attribution share's 95% interval is Wilson's, on the conversions credited (for revenue, the revenue share taken as a share of those conversions: varying deal sizes would widen it). A model disagrees with the mix model when the two intervals do not overlap; with fewer than "+strconv.Itoa(MinComparedConversions)+" conversions credited in all, it is given no verdict. They measure different things: attribution shares the credit for each won journey among the touches on it (a channel that reaches people who would have bought anyway gets credit, one with few tracked touches gets little); the mix model estimates what each channel's spend added to the "+r.KPI+" week by week, carry-over included, and leaves the rest to the baseline."),
			Blocks: []htmlreport.Block{{Chart: htmlreport.Bars("Each channel's share under the mix model and under each attribution model", groups, append([]string{"mix model"}, r.ComparisonModels...), vals, "pct"), Table: ct}}})
	}
	sections = append(sections, response, deco)
	page := &htmlreport.Page{Title: "Marketing-mix model: " + r.KPI, Subtitle: fmt.Sprintf("%d %ss, %s to %s; %d channels", r.Weeks+r.Days, r.per(), r.From, r.To, len(r.Channels)),
		Summary: summary, Sections: sections, Currency: currency}
	return page.Render(w)
}

// reallocTile is the first screen's tile for the reallocation: its
// expected effect with its interval, or, when the split is no
// recommendation, "withheld" with the reason first.
func reallocTile(re mix.Reallocation, iv htmlreport.Sentence, value htmlreport.Cell) htmlreport.Tile {
	t := htmlreport.Tile{KPI: "reallocation_effect", Label: "Reallocation's expected effect", Value: value,
		Detail: append(htmlreport.Sentence{htmlreport.Text("95% ")}, iv...)}
	if re.Effect.Widened {
		t.Detail = append(t.Detail, htmlreport.Text(" † (widened to reach the estimate: one-sided)"))
	}
	if re.Withheld != "" {
		t.Label = "Reallocation: withheld"
		t.Value = htmlreport.Text("withheld")
		t.Detail = append(htmlreport.Sentence{htmlreport.Text("Not a recommendation: " + re.Withheld + ". Its effect would be ")}, append(htmlreport.Sentence{value, htmlreport.Text(" (95% ")}, append(t.Detail[1:], htmlreport.Text(")"))...)...)
	}
	return t
}

package scoring

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/leadscore/leadscore/internal/numfmt"
)

// WriteText writes the explanation for people. With all, rules that did
// not fire are listed too, each with the part of its condition that failed.
//
//	lead L1, as of 2026-10-01T00:00:00Z: stage sql (sales-ready), grade A, total 140
//	  fit 80 of 0..100 · engagement 60 of 0..100
//
//	fired:
//	  +20  fit.industry  Target industry (sales)
//	         yes  lower(industry) in target_industries     industry = "Software"
func (x *Explanation) WriteText(w io.Writer, all bool) error {
	b := &strings.Builder{}
	r := x.Result
	stage := r.Stage
	if stage == "" {
		stage = "none"
	}
	if r.SalesReady {
		stage += " (sales-ready)"
	}
	id := r.LeadID
	if id == "" {
		id = "(no id)"
	}
	fmt.Fprintf(b, "lead %s, as of %s: stage %s, grade %s, total %s\n", id, r.AsOf.Format("2006-01-02T15:04:05Z07:00"), stage, orNone(r.Grade), num(r.Total))
	var cats []string
	for i, c := range r.Categories {
		cat := x.model.Categories[i]
		s := fmt.Sprintf("%s %s of %s..%s", c.Name, num(c.Score), bound(cat.Min), bound(cat.Max))
		if c.Raw != c.Score {
			s += fmt.Sprintf(" (raw %s, clamped)", num(c.Raw))
		}
		cats = append(cats, s)
	}
	fmt.Fprintf(b, "  %s\n", strings.Join(cats, " · "))
	if r.Disqualified {
		for _, g := range r.Gates {
			fmt.Fprintf(b, "  DISQUALIFIED by %s: %s\n", g.Rule, g.Reason)
		}
		if r.Blocked != "" {
			fmt.Fprintf(b, "  would otherwise stand on %s\n", r.Blocked)
		}
	}
	for _, line := range x.verdictLines() {
		fmt.Fprintf(b, "  %s\n", line)
	}
	if len(r.Unknown) > 0 {
		b.WriteString("\nnot in the model, so no rule read it:\n")
		for _, u := range r.Unknown {
			fmt.Fprintf(b, "  %s\n", u)
		}
	}

	b.WriteString("\nfired:\n")
	any := false
	for _, re := range x.Rules {
		if re.Fired {
			any = true
			writeRule(b, re)
		}
	}
	if !any {
		b.WriteString("  (none)\n")
	}
	if all {
		b.WriteString("\nnot fired:\n")
		for _, re := range x.Rules {
			if !re.Fired {
				writeRule(b, re)
			}
		}
	}
	b.WriteString("\ngates:\n")
	for _, g := range x.Gates {
		if g.Fired || all {
			writeRule(b, g)
		}
	}
	if !r.Disqualified && !all {
		b.WriteString("  (none fired)\n")
	}
	x.writeStages(b)
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteStages writes the stages part of WriteText: each stage of the
// ladder with its condition, part by part, and what the lead (or account)
// lacks for the next stage.
func (x *Explanation) WriteStages(w io.Writer) error {
	var b strings.Builder
	x.writeStages(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

func (x *Explanation) writeStages(b *strings.Builder) {
	b.WriteString("\nstages:\n")
	for _, st := range x.Stages {
		mark := "no "
		if st.Holds {
			mark = "yes"
		}
		label := st.Stage
		if st.SalesReady {
			label += " (sales-ready)"
		}
		fmt.Fprintf(b, "  %s  %s\n", mark, label)
		writeClause(b, st.Condition, "         ")
	}
	if n := x.Next; n != nil {
		fmt.Fprintf(b, "\nto reach %s:\n", n.Stage)
		if n.Blocked {
			b.WriteString("  blocked by a gate whatever the lead scores\n")
		}
		if n.HeldUntil != nil {
			fmt.Fprintf(b, "  the recycle hold-down would keep it from %s until %s, whatever it scores\n", n.Stage, n.HeldUntil.Format(time.RFC3339))
		}
		for _, u := range n.Unmet {
			fmt.Fprintf(b, "  needs  %s\n", oneLine(u))
		}
		for _, name := range sortedKeys(n.Missing) {
			fmt.Fprintf(b, "  lacks  %s %s points\n", num(n.Missing[name]), name)
		}
		for i, c := range n.Candidates {
			if i == 5 {
				fmt.Fprintf(b, "  (and %s)\n", plural(len(n.Candidates)-5, "more rule"))
				break
			}
			adds := ""
			if c.Adds != c.Points {
				adds = fmt.Sprintf(" (adds %+g: %s stops at its max)", c.Adds, c.Category)
			}
			fmt.Fprintf(b, "  could  %+g %s%s  %s\n", c.Points, c.Rule, adds, c.Reason)
		}
		if len(n.Candidates) > 0 {
			b.WriteString("  (a rule's own points: a change of the lead that fires it may stop another rule, and gain less)\n")
		}
	}
}

func writeRule(b *strings.Builder, re RuleExplanation) {
	who := ""
	if re.Owner != "" {
		who = " (" + re.Owner
		if re.Reviewed != "" {
			who += ", reviewed " + re.Reviewed
		}
		who += ")"
	}
	if re.Category != "" {
		fmt.Fprintf(b, "  %-6s %s  %s%s\n", signed(re.Points, re.Fired), re.Rule, re.Reason, who)
	} else {
		fmt.Fprintf(b, "  %-6s %s  %s%s\n", map[bool]string{true: "STOP", false: "-"}[re.Fired], re.Rule, re.Reason, who)
	}
	if re.Condition != nil {
		writeClause(b, *re.Condition, "         ")
	}
	if ec := re.Events; ec != nil {
		window := "by the as-of time" // a rule without a window counts them all
		if ec.Window != "" {
			window = "within " + ec.Window
		}
		future := ""
		if ec.Future > 0 {
			future = fmt.Sprintf("%d after the as-of time (in the future, so not counted), ", ec.Future)
		}
		fmt.Fprintf(b, "         %s of its type: %s%d %s, %d matched, %d counted\n", plural(ec.Of, "event"), future, ec.InWindow, window, ec.Matched, ec.Counted)
		for _, e := range ec.Each {
			age := num(math.Round(e.AgeDays*10)/10) + " days"
			if age == "1 days" {
				age = "1 day"
			}
			fmt.Fprintf(b, "           %s %s (%s ago)  %s\n", e.Type, e.At.Format("2006-01-02"), age, signed(e.Points, true))
		}
	}
}

func writeClause(b *strings.Builder, cv ClauseValue, indent string) {
	mark := "--  "
	switch {
	case cv.Error != "":
		mark = "ERR "
	case cv.Value == nil:
	case *cv.Value:
		mark = "yes "
	default:
		mark = "no  "
	}
	text := oneLine(cv.Source)
	if cv.Op != "" && cv.Op != "not" {
		text = cv.Op + ":"
	}
	line := indent + mark + " " + text
	reads := cv.Reads
	if cv.Op == "not" && len(cv.Parts) == 1 {
		reads = cv.Parts[0].Reads // "not x": show what x read
	}
	if len(reads) > 0 {
		var shown []string
		for _, r := range reads {
			shown = append(shown, r.Name+" = "+shownValue(r.Value))
		}
		line = fmt.Sprintf("%-60s %s", line, strings.Join(shown, ", "))
	}
	if cv.Value == nil && cv.Error == "" {
		line += "   (not evaluated)"
	}
	if cv.Error != "" {
		line += "   " + cv.Error
	}
	b.WriteString(strings.TrimRight(line, " ") + "\n")
	if cv.Op == "not" {
		return // "not x": its one part is shown in the source
	}
	for _, p := range cv.Parts {
		writeClause(b, p, indent+"  ")
	}
}

// shownValue writes a value a condition read as JSON does, but a number
// with at most two decimals, as the score lines show it (52.476 as 52.48);
// a number nearer zero than 0.01 keeps two significant digits (0.0042).
func shownValue(v any) string {
	switch x := v.(type) {
	case float64:
		if !math.IsInf(x, 0) && !math.IsNaN(x) {
			if x != 0 && math.Abs(x) < 0.01 {
				return numfmt.Float(x, 'g', 2)
			}
			return num(x)
		}
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = shownValue(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			kj, _ := json.Marshal(k)
			parts[i] = string(kj) + ":" + shownValue(x[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// oneLine shows a multi-line expression on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// plural writes "1 event", "2 events".
func plural(n int, word string) string { return strconv.Itoa(n) + " " + numfmt.Noun(n, word) }

func signed(p float64, fired bool) string {
	if !fired {
		return "-"
	}
	if p >= 0 {
		return "+" + num(p)
	}
	return num(p)
}

// num prints a score with at most two decimals, unless those would round
// it to a whole number it is not (9.996 would read 10, and "fit >= 10:
// no, fit = 10" would contradict itself): then it gets the fewest more
// decimals that keep it off the whole number (9.996, 0.004).
func num(v float64) string {
	trim := func(s string) string { return strings.TrimSuffix(strings.TrimRight(s, "0"), ".") }
	s := trim(numfmt.Float(v, 'f', 2))
	if strings.Contains(s, ".") || v == math.Trunc(v) || math.IsInf(v, 0) || math.IsNaN(v) {
		return s
	}
	for p := 3; p <= 15; p++ {
		if s := trim(numfmt.Float(v, 'f', p)); strings.Contains(s, ".") {
			return s
		}
	}
	return numfmt.Float(v, 'f', -1)
}

func bound(v float64) string {
	if math.IsInf(v, 0) {
		return ""
	}
	return num(v)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

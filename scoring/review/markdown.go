package review

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

// Report is a review of a change to a model: the rule changes and, when
// leads were given, their impact.
type Report struct {
	Model     string         `json:"model"`
	Old       string         `json:"old"`
	New       string         `json:"new"`
	LeadsFile string         `json:"leads_file,omitempty"`
	AsOf      time.Time      `json:"as_of"`
	Changes   []Change       `json:"changes"`
	SignOff   map[string]int `json:"sign_off"`
	Impact    *Impact        `json:"impact,omitempty"`
	// AccountImpact is what the change does to the accounts of
	// AccountsFile, when they were given (diff --accounts).
	AccountImpact *AccountImpact `json:"account_impact,omitempty"`
	AccountsFile  string         `json:"accounts_file,omitempty"`
	// Unknown says what the leads carried that the new model does not
	// declare, with how many rows carried it (see scoring.UnknownTally).
	Unknown []string `json:"unknown,omitempty"`
}

// WriteMarkdown writes the report as Markdown, to paste into a pull
// request; top bounds the leads listed as starting or stopping to be
// sales-ready.
func (r *Report) WriteMarkdown(w io.Writer, top int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Rule review: %s\n\n", r.Model)
	fmt.Fprintf(&b, "`%s` → `%s`", r.Old, r.New)
	if r.Impact != nil {
		fmt.Fprintf(&b, ", impact on %s leads from `%s`", numfmt.Thousands(r.Impact.Leads), r.LeadsFile)
		if r.AccountImpact != nil {
			fmt.Fprintf(&b, " and on %s accounts from `%s`", numfmt.Thousands(r.AccountImpact.Impact.Leads), r.AccountsFile)
		}
		fmt.Fprintf(&b, " as of %s", r.AsOf.Format("2006-01-02"))
	}
	b.WriteString("\n\n")
	if len(r.Unknown) > 0 {
		b.WriteString("> **The leads carry data the model does not declare**, so no rule reads it; the impact below is measured without it:\n")
		for _, u := range r.Unknown {
			fmt.Fprintf(&b, "> - %s\n", u)
		}
		b.WriteString("\n")
	}

	fmt.Fprintf(&b, "## Rule changes (%d)\n\n", len(r.Changes))
	if len(r.Changes) == 0 {
		b.WriteString("None: the two files define the same rules.\n\n")
	} else {
		b.WriteString("| change | what | owner | details |\n|---|---|---|---|\n")
		for _, c := range r.Changes {
			owner := strings.Join(c.Owners, ", ")
			if owner == "" {
				owner = "—"
			}
			name := c.What + " `" + c.Name + "`"
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", c.Kind, name, owner, cell(strings.Join(c.Details, "; ")))
		}
		b.WriteString("\n**Sign-off needed from:** ")
		var teams []string
		for t := range r.SignOff {
			teams = append(teams, t)
		}
		sort.Strings(teams)
		var parts []string
		for _, t := range teams {
			parts = append(parts, fmt.Sprintf("%s (%d %s)", t, r.SignOff[t], plural(r.SignOff[t], "change")))
		}
		b.WriteString(strings.Join(parts, ", ") + "\n\n")
	}

	if r.Impact != nil {
		writeImpact(&b, r.Impact, "lead", top)
	}
	if r.AccountImpact != nil {
		b.WriteString("\n")
		writeImpact(&b, r.AccountImpact.Impact, "account", top)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeImpact writes what the change does to the leads or accounts (noun)
// im counts.
func writeImpact(b *strings.Builder, im *Impact, noun string, top int) {
	fmt.Fprintf(b, "## Impact on %ss\n\n", noun)
	delta := im.SalesReadyNew - im.SalesReadyOld
	fmt.Fprintf(b, "**Sales-ready: %s → %s (%s", numfmt.Thousands(im.SalesReadyOld), numfmt.Thousands(im.SalesReadyNew), signedInt(delta))
	if im.SalesReadyOld > 0 {
		fmt.Fprintf(b, ", %s%%", signedFloat(100*float64(delta)/float64(im.SalesReadyOld), 1))
	}
	fmt.Fprintf(b, ")** of %s: %d start, %d stop being sales-ready.", numfmt.Count(im.Leads, noun), len(im.Started), len(im.Stopped))
	if im.Failed > 0 {
		if im.Failed == 1 {
			fmt.Fprintf(b, " 1 %s could not be scored and is left out.", noun)
		} else {
			fmt.Fprintf(b, " %d %ss could not be scored and are left out.", im.Failed, noun)
		}
	}
	b.WriteString("\n\n### Stage moves\n\n")
	order := append(append([]string{}, im.stages...), "")
	b.WriteString("| old \\ new |")
	for _, s := range order {
		fmt.Fprintf(b, " %s |", stageName(s))
	}
	b.WriteString(" total |\n|---|")
	for range order {
		b.WriteString("---:|")
	}
	b.WriteString("---:|\n")
	for _, from := range order {
		fmt.Fprintf(b, "| **%s** |", stageName(from))
		row := 0
		for _, to := range order {
			n := im.MoveCount(from, to)
			row += n
			switch {
			case n == 0:
				b.WriteString(" · |")
			case from == to:
				fmt.Fprintf(b, " %s |", numfmt.Thousands(n))
			default:
				fmt.Fprintf(b, " **%s** |", numfmt.Thousands(n))
			}
		}
		fmt.Fprintf(b, " %s |\n", numfmt.Thousands(row))
	}
	fmt.Fprintf(b, "\nBold cells are %ss that change stage.\n", noun)
	writeLeads(b, "Newly sales-ready", noun, im.Started, top, im.Show)
	writeLeads(b, "No longer sales-ready", noun, im.Stopped, top, im.Show)
	b.WriteString("\n### Score distribution\n\n")
	if len(im.Distribution) == 0 {
		fmt.Fprintf(b, "None: no %s was scored by both versions.\n", noun)
		return
	}
	b.WriteString("| score | | p10 | p25 | median | p75 | p90 | mean |\n|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, d := range im.Distribution {
		for i, q := range []Quantiles{d.Old, d.New} {
			label := "old"
			name := d.Score
			if i == 1 {
				label, name = "new", ""
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", name, label,
				num(q.P10), num(q.P25), num(q.Median), num(q.P75), num(q.P90), num(q.Mean))
		}
	}
	fmt.Fprintf(b, "\nQuantiles by the nearest rank: each is the score of some %s (of an even count, the median is the lower of the middle two).\n", noun)
}

func writeLeads(b *strings.Builder, title, noun string, leads []LeadChange, top int, show []string) {
	fmt.Fprintf(b, "\n### %s (%d)\n\n", title, len(leads))
	if len(leads) == 0 {
		b.WriteString("None.\n")
		return
	}
	shown := leads
	if top > 0 && len(shown) > top {
		shown = shown[:top]
		fmt.Fprintf(b, "The %d with the highest total:\n\n", top)
	}
	cols, outcome := Columns(shown, show)
	fmt.Fprintf(b, "| %s | line | total | stage |", noun)
	for _, c := range cols {
		b.WriteString(" " + cell(c) + " |")
	}
	if outcome {
		b.WriteString(" outcome |")
	}
	b.WriteString(" moved by |\n|---|---:|---|---|" + strings.Repeat("---|", len(cols)))
	if outcome {
		b.WriteString("---|")
	}
	b.WriteString("---|\n")
	for _, l := range shown {
		fmt.Fprintf(b, "| %s | %d | %s → %s | %s → %s%s |", cell(orDash(l.ID)), l.Line, num(l.OldTotal), num(l.NewTotal),
			stageName(l.OldStage), stageName(l.NewStage), arrow(l.Direction))
		for _, c := range cols {
			b.WriteString(" " + cell(FieldText(l.Fields[c])) + " |")
		}
		if outcome {
			b.WriteString(" " + cell(orDash(l.Outcome)) + " |")
		}
		fmt.Fprintf(b, " %s |\n", cell(strings.Join(l.Moved, "; ")))
	}
}

// arrow marks a move up (↑) or down (↓) the ladder.
func arrow(direction string) string {
	switch direction {
	case "up":
		return " ↑"
	case "down":
		return " ↓"
	}
	return ""
}

// Columns are the fields (of show, in its order) that some listed lead
// has, and whether any has an outcome: the lists' extra columns.
func Columns(leads []LeadChange, show []string) (cols []string, outcome bool) {
	for _, f := range show {
		for _, l := range leads {
			if _, ok := l.Fields[f]; ok {
				cols = append(cols, f)
				break
			}
		}
	}
	for _, l := range leads {
		outcome = outcome || l.Outcome != ""
	}
	return cols, outcome
}

// FieldText writes a lead field's value for a table: text as it is,
// numbers as JSON writes them, lists joined with commas, — for none.
func FieldText(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		return x
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, FieldText(e))
		}
		return strings.Join(parts, ", ")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func stageName(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// cell makes text safe inside a Markdown table cell.
// cell makes text safe in a table's cell: a pipe escaped, line breaks as spaces.
func cell(s string) string {
	return strings.NewReplacer("|", "\\|", "\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

func plural(n int, word string) string { return numfmt.Noun(n, word) }

func num(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(numfmt.Float(math.Round(v*100)/100, 'f', 2), "0"), ".")
}

func signedInt(n int) string {
	if n >= 0 {
		return "+" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func signedFloat(v float64, places int) string {
	s := numfmt.Float(v, 'f', places)
	if v >= 0 {
		s = "+" + s
	}
	return s
}

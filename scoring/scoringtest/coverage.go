package scoringtest

import (
	"fmt"
	"io"
	"strings"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// Coverage says what the cases of a file exercised: which scoring rules
// fired, which gates disqualified, which grades and stages leads reached,
// and, for each part of the conditions of lead rules, gates and stages,
// whether some case saw it true and some case saw it false.
type Coverage struct {
	Rules      []Item      `json:"rules"`
	Gates      []Item      `json:"gates"`
	Grades     []Item      `json:"grades"`
	Stages     []Item      `json:"stages"`
	Conditions []Condition `json:"conditions"`
}

// Item is a rule, gate, grade or stage, and whether a case exercised it.
type Item struct {
	Name    string `json:"name"`
	Covered bool   `json:"covered"`
}

// Condition is one part of a condition, and the values cases saw it take.
type Condition struct {
	Of        string `json:"of"` // the rule, gate or stage it belongs to
	Source    string `json:"source"`
	Pos       string `json:"pos"`
	SeenTrue  bool   `json:"seen_true"`
	SeenFalse bool   `json:"seen_false"`
}

func newCoverage(m *rules.Model) *Coverage {
	c := &Coverage{}
	for _, r := range m.Rules {
		c.Rules = append(c.Rules, Item{Name: r.ID})
		if !r.IsEvent() && r.When != nil {
			c.leaves(r.ID, r.When.Clause)
		}
	}
	for _, g := range m.Gates {
		c.Gates = append(c.Gates, Item{Name: g.ID})
		if !g.IsEvent() && g.When != nil {
			c.leaves(g.ID, g.When.Clause)
		}
	}
	for _, g := range m.Grades {
		c.Grades = append(c.Grades, Item{Name: g.Name})
	}
	for _, s := range m.Stages {
		c.Stages = append(c.Stages, Item{Name: s.ID})
		c.leaves("stage "+s.ID, s.When.Clause)
	}
	return c
}

func (c *Coverage) leaves(of string, cl *rules.Clause) {
	if cl.Op == "" {
		c.Conditions = append(c.Conditions, Condition{Of: of, Source: strings.Join(strings.Fields(cl.Source), " "), Pos: cl.Pos.String()})
		return
	}
	for _, p := range cl.Parts {
		c.leaves(of, p)
	}
}

// add records what one explained case exercised.
func (c *Coverage) add(x *scoring.Explanation) {
	r := x.Result
	mark := func(items []Item, name string) {
		for i := range items {
			if items[i].Name == name {
				items[i].Covered = true
			}
		}
	}
	for _, f := range r.Fired {
		mark(c.Rules, f.Rule)
	}
	for _, g := range r.Gates {
		mark(c.Gates, g.Rule)
	}
	mark(c.Grades, r.Grade)
	mark(c.Stages, r.Stage)
	mark(c.Stages, r.Blocked)
	seen := func(cv scoring.ClauseValue) {}
	seen = func(cv scoring.ClauseValue) {
		if cv.Op != "" {
			for _, p := range cv.Parts {
				seen(p)
			}
			return
		}
		if cv.Value == nil {
			return
		}
		for i := range c.Conditions {
			if c.Conditions[i].Pos == cv.Pos {
				if *cv.Value {
					c.Conditions[i].SeenTrue = true
				} else {
					c.Conditions[i].SeenFalse = true
				}
			}
		}
	}
	for _, re := range append(append([]scoring.RuleExplanation{}, x.Rules...), x.Gates...) {
		if re.Condition != nil {
			seen(*re.Condition)
		}
	}
	for _, st := range x.Stages {
		seen(st.Condition)
	}
}

// Counts returns how many of the coverage's outcomes were exercised, and how
// many there are: each rule, gate, grade and stage is one outcome, each
// part of a condition two (seen true, seen false).
func (c *Coverage) Counts() (covered, total int) {
	for _, items := range [][]Item{c.Rules, c.Gates, c.Grades, c.Stages} {
		for _, it := range items {
			total++
			if it.Covered {
				covered++
			}
		}
	}
	for _, cd := range c.Conditions {
		total += 2
		if cd.SeenTrue {
			covered++
		}
		if cd.SeenFalse {
			covered++
		}
	}
	return covered, total
}

// Percent is the share of outcomes exercised, 0 to 100.
func (c *Coverage) Percent() float64 {
	covered, total := c.Counts()
	if total == 0 {
		return 100
	}
	return 100 * float64(covered) / float64(total)
}

// WriteText prints the coverage for people: the totals, and what no case exercised.
func (c *Coverage) WriteText(w io.Writer, title string) error {
	var b strings.Builder
	covered, total := c.Counts()
	fmt.Fprintf(&b, "coverage of %s: %.1f%% (%d of %d outcomes)\n", title, c.Percent(), covered, total)
	for _, group := range []struct {
		name  string
		items []Item
	}{{"rules", c.Rules}, {"gates", c.Gates}, {"grades", c.Grades}, {"stages", c.Stages}} {
		var missing []string
		for _, it := range group.items {
			if !it.Covered {
				missing = append(missing, it.Name)
			}
		}
		line := fmt.Sprintf("  %-10s %d/%d", group.name, len(group.items)-len(missing), len(group.items))
		if len(missing) > 0 {
			line += "   never: " + strings.Join(missing, ", ")
		}
		b.WriteString(line + "\n")
	}
	seen := 0
	var gaps []string
	for _, cd := range c.Conditions {
		if cd.SeenTrue {
			seen++
		}
		if cd.SeenFalse {
			seen++
		}
		switch {
		case !cd.SeenTrue && !cd.SeenFalse:
			gaps = append(gaps, fmt.Sprintf("    never evaluated  %s  (%s, %s)", cd.Source, cd.Of, cd.Pos))
		case !cd.SeenTrue:
			gaps = append(gaps, fmt.Sprintf("    never true       %s  (%s, %s)", cd.Source, cd.Of, cd.Pos))
		case !cd.SeenFalse:
			gaps = append(gaps, fmt.Sprintf("    never false      %s  (%s, %s)", cd.Source, cd.Of, cd.Pos))
		}
	}
	fmt.Fprintf(&b, "  %-10s %d/%d outcomes (each part of a condition seen true and seen false)\n", "conditions", seen, 2*len(c.Conditions))
	for _, g := range gaps {
		b.WriteString(g + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

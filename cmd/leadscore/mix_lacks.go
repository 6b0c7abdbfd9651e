package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/leadscore/leadscore/mix"
)

// kpiLacks says the periods of spend rows that fall inside the KPI's
// first to last period but that the KPI has no row for (", which lacks
// 2023-02-27"), so that "outside the KPI's weeks (2023-01-02 to
// 2025-12-28)" is not read as before or after them; "" when none.
func kpiLacks(rows []mix.SpendRow, weeks []time.Time) string {
	if len(weeks) == 0 {
		return ""
	}
	in := make(map[time.Time]bool, len(weeks))
	for _, w := range weeks {
		in[w] = true
	}
	first, last := weeks[0], weeks[len(weeks)-1]
	var lack []time.Time
	for _, r := range rows {
		if !in[r.Week] && !r.Week.Before(first) && !r.Week.After(last) && !slices.ContainsFunc(lack, r.Week.Equal) {
			lack = append(lack, r.Week)
		}
	}
	if len(lack) == 0 {
		return ""
	}
	slices.SortFunc(lack, time.Time.Compare)
	const named = 5
	var names []string
	for _, w := range lack[:min(named, len(lack))] {
		names = append(names, w.Format("2006-01-02"))
	}
	if len(lack) > named {
		names = append(names, fmt.Sprintf("and %d more", len(lack)-named))
	}
	return ", which lacks " + strings.Join(names, ", ")
}

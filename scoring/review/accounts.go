package review

import (
	"fmt"
	"slices"
	"strings"

	"github.com/leadscore/leadscore/rules"
)

// compareAccounts lists the changes to the accounts section: its rules
// and gates (owned by their owner:, What "account rule" or "account
// gate"), and, belonging to the whole definition, its roll-ups, roles,
// matching, stages, grades and categories.
func compareAccounts(old, new *rules.AccountModel) (owned, shared []Change) {
	switch {
	case old == nil && new == nil:
		return nil, nil
	case old == nil:
		return nil, []Change{{Kind: "added", What: "accounts", Name: "accounts", Details: []string{"scores accounts: " + matchDesc(new)}}}
	case new == nil:
		return nil, []Change{{Kind: "removed", What: "accounts", Name: "accounts", Details: []string{"scored accounts: " + matchDesc(old)}}}
	}
	for _, c := range compareRules(old.Model, new.Model) {
		c.What = "account " + c.What
		owned = append(owned, c)
	}
	ownerOf := func(a *rules.AccountModel, id string) string {
		for _, r := range a.Rollups {
			if r.ID == id {
				return r.Owner
			}
		}
		return ""
	}
	for _, c := range compareNamed("roll-up", rollupDescs(old), rollupDescs(new)) {
		c.Owners = owners(ownerOf(old, c.Name), ownerOf(new, c.Name))
		owned = append(owned, c)
	}
	shared = append(shared, compareNamed("matching", []named{{"accounts", matchDesc(old)}}, []named{{"accounts", matchDesc(new)}})...)
	shared = append(shared, compareNamed("role", roleDescs(old), roleDescs(new))...)
	shared = append(shared, compareNamed("engaged", []named{{"accounts", engagedDesc(old)}}, []named{{"accounts", engagedDesc(new)}})...)
	shared = append(shared, compareNamed("account stage", stageDescs(old.Model), stageDescs(new.Model))...)
	shared = append(shared, compareNamed("account grade", gradeDescs(old.Model), gradeDescs(new.Model))...)
	shared = append(shared, compareNamed("account category", categoryDescs(old.Model), categoryDescs(new.Model))...)
	return owned, shared
}

func matchDesc(a *rules.AccountModel) string {
	var parts []string
	if a.IDField != "" {
		parts = append(parts, "by "+a.IDField)
	}
	if a.DomainFrom != "" {
		d := fmt.Sprintf("by the domain of %s against %s", a.DomainFrom, a.DomainField)
		if len(a.FreeMail) > 0 {
			d += fmt.Sprintf(", free mail %s", strings.Join(a.FreeMail, ", "))
		}
		if len(a.Aliases) > 0 {
			var al []string
			for from, to := range a.Aliases {
				al = append(al, from+" as "+to)
			}
			slices.Sort(al)
			d += ", aliases " + strings.Join(al, ", ")
		}
		parts = append(parts, d)
	}
	return strings.Join(parts, ", else ")
}

func engagedDesc(a *rules.AccountModel) string {
	d := "always"
	if a.Engaged != nil {
		d = code(a.Engaged)
	}
	if a.EngagedWithin > 0 {
		d += fmt.Sprintf(", active within %v", a.EngagedWithin)
	}
	return d
}

func roleDescs(a *rules.AccountModel) []named {
	var out []named
	for _, r := range a.Roles {
		out = append(out, named{r.Name, code(r.When)})
	}
	return out
}

func rollupDescs(a *rules.AccountModel) []named {
	var out []named
	for _, r := range a.Rollups {
		var b strings.Builder
		fmt.Fprintf(&b, "%s: people %s", r.Category.Name, r.Strategy)
		if r.Strategy == "top" {
			fmt.Fprintf(&b, " %d", r.Top)
		}
		if r.Of != nil {
			fmt.Fprintf(&b, " of %s", code(r.Of))
		}
		if r.Strategy == "count" {
			fmt.Fprintf(&b, ", %s each", signed(r.Points))
		}
		if r.When != nil {
			fmt.Fprintf(&b, " when %s", code(r.When))
		}
		if r.Within > 0 {
			fmt.Fprintf(&b, " within %s", r.WithinText)
		}
		if r.Max < 1e308 {
			fmt.Fprintf(&b, ", at most %s", bound(r.Max))
		}
		if len(r.Weights) > 0 {
			var ws []string
			for role, w := range r.Weights {
				ws = append(ws, fmt.Sprintf("%s × %s", role, bound(w)))
			}
			slices.Sort(ws)
			fmt.Fprintf(&b, ", weights %s", strings.Join(ws, ", "))
		}
		out = append(out, named{r.ID, b.String()})
	}
	return out
}

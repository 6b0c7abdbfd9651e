package dsl

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// Accounts is the accounts section of a rule file: how leads find their
// account, the account's own schema, categories, rules (with roll-ups of
// its people), buying-group roles, grades and stage ladder.
type Accounts struct {
	Pos   Pos // the accounts: key
	Match AccountMatch
	// Fields is the account's schema; Categories its score categories.
	Fields     []*Field
	Categories []*Category
	Total      *Expr
	// Roles are the buying-group roles, each a condition over a person.
	Roles []*Role
	// Engaged says when a person counts as engaged; nil: an event in the
	// last 30 days.
	Engaged *Engaged
	Rules   []*Rule
	Grades  []*Grade
	Stages  []*Stage
}

// AccountMatch says how a lead finds its account.
type AccountMatch struct {
	Pos         Pos
	IDField     String // a lead field holding the account id
	DomainFrom  String // a lead field holding an email address or a domain
	DomainField String // the account field holding its domain; "" means domain
	FreeMail    String // a list of domains never matched
	Aliases     []Alias
}

// Alias reads one domain as another.
type Alias struct {
	From, To String
}

// Role is a buying-group role: the people for whom When holds.
type Role struct {
	Name String
	When *Expr
}

// Engaged says when a person counts as engaged: When holds and they had
// an event within Within of the as-of time.
type Engaged struct {
	Pos    Pos
	When   *Expr
	Within *Duration
}

var (
	accountKeys     = []string{"match", "fields", "scores", "total", "roles", "engaged", "rules", "grades", "stages"}
	matchKeys       = []string{"id_field", "domain_from", "domain_field", "free_mail", "aliases"}
	accountRuleKeys = []string{"id", "score", "owner", "reason", "reviewed", "when", "points", "disqualify",
		"people", "of", "top", "max", "within", "weights"}
)

// accounts decodes the accounts section.
func (d *decoder) accounts(k, n *yaml.Node) *Accounts {
	a := &Accounts{Pos: d.pos(k)}
	seen := map[string]bool{}
	ok := d.mapping(n, "accounts", accountKeys, func(key string, k, v *yaml.Node) {
		seen[key] = true
		switch key {
		case "match":
			a.Match = d.match(k, v)
		case "fields":
			a.Fields = d.fields(v, "accounts fields", "account field")
		case "scores":
			a.Categories = d.categories(v)
		case "total":
			a.Total = d.expr(v, "total")
		case "roles":
			d.mapping(v, "roles", nil, func(name string, k, v *yaml.Node) {
				if e := d.expr(v, "role "+name); e != nil {
					a.Roles = append(a.Roles, &Role{Name: d.name(k, "role"), When: e})
				}
			})
		case "engaged":
			a.Engaged = &Engaged{Pos: d.pos(k)}
			d.mapping(v, "engaged", []string{"when", "within"}, func(key string, k, v *yaml.Node) {
				if key == "when" {
					a.Engaged.When = d.expr(v, "when")
				} else {
					a.Engaged.Within = d.duration(v, "within")
				}
			})
		case "rules":
			d.seq(v, "accounts rules", func(item *yaml.Node) {
				if r := d.ruleWith(item, accountRuleKeys); r != nil {
					a.Rules = append(a.Rules, r)
				}
			})
		case "grades":
			a.Grades = d.grades(v)
		case "stages":
			a.Stages = d.stages(v)
		}
	})
	if !ok {
		return a
	}
	for _, need := range []struct{ key, example string }{
		{"match", "match: {id_field: account_id}"},
		{"scores", "scores: {fit: {max: 50}, engagement: {max: 50}}"},
		{"stages", "stages: with the account's ladder, one marked sales_ready: true"},
	} {
		if !seen[need.key] {
			d.errorf(k, "accounts has no %s; add %s", need.key, need.example)
		}
	}
	return a
}

func (d *decoder) match(k, n *yaml.Node) AccountMatch {
	m := AccountMatch{Pos: d.pos(k)}
	d.mapping(n, "match", matchKeys, func(key string, k, v *yaml.Node) {
		switch key {
		case "id_field":
			m.IDField = d.fieldName(v, "id_field")
		case "domain_from":
			m.DomainFrom = d.fieldName(v, "domain_from")
		case "domain_field":
			m.DomainField = d.fieldName(v, "domain_field")
		case "free_mail":
			m.FreeMail = d.name(v, "free_mail list")
		case "aliases":
			d.mapping(v, "aliases", nil, func(from string, k, v *yaml.Node) {
				to := d.text(v, "alias of "+from)
				if to.Value != "" && strings.EqualFold(from, to.Value) {
					d.errorf(v, "alias %s names itself; remove it", from)
				}
				m.Aliases = append(m.Aliases, Alias{From: String{Value: from, Pos: d.pos(k)}, To: to})
			})
		}
	})
	if n.Kind == yaml.MappingNode && m.IDField.Value == "" && m.DomainFrom.Value == "" {
		d.errorf(k, "match says neither how to read an account id nor a domain; add id_field: (a lead field such as account_id) or domain_from: email")
	}
	if m.DomainFrom.Value == "" {
		for _, s := range []String{m.FreeMail, m.DomainField} {
			if s.Value != "" {
				d.errorAt(s.Pos, "%s applies to matching by domain; add domain_from: (a lead field such as email)", s.Value)
			}
		}
	}
	return m
}

// AccountDocument is the account's own model, as a document of its own:
// its fields, the file's lists, its categories, total, rules (roll-ups
// included), grades and stages, named after the model. It is nil when d
// has no accounts section. Package rules compiles it.
func (d *Document) AccountDocument() *Document {
	a := d.Accounts
	if a == nil {
		return nil
	}
	return &Document{
		Version: d.Version, Model: String{Value: d.Model.Value + ".accounts", Pos: a.Pos},
		Fields: a.Fields, Lists: d.Lists, Categories: a.Categories, Total: a.Total,
		Rules: a.Rules, Grades: a.Grades, Stages: a.Stages, Files: d.Files, sources: d.sources,
	}
}

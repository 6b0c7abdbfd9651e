package rules

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/types"

	"github.com/leadscore/leadscore/dsl"
)

// AccountModel is a compiled accounts section: how leads find their
// account, the account's own model, its buying-group roles and the
// roll-ups of its people. Like a Model it is read-only once compiled.
type AccountModel struct {
	// Model is the account's own model: its fields, categories, total,
	// rules and gates over its fields, grades and stages. Roll-ups are
	// not among its rules (see Rollups). Its fields also hold the counts
	// of people that people() and engaged() read (see CountField).
	Model *Model

	// IDField is the lead field holding the account's id; DomainFrom the
	// lead field holding an email address or a domain; DomainField the
	// account field holding its domain. Empty when not used.
	IDField, DomainFrom, DomainField string
	// FreeMail lists, in lower case, the domains that match no account.
	FreeMail []string
	// Aliases read one domain (lower case) as another.
	Aliases map[string]string

	// Roles are the buying-group roles, in file order.
	Roles []*Role
	// Engaged is the condition on a person for being engaged (nil:
	// always), and EngagedWithin how recent the person's latest event
	// must be (0: no window).
	Engaged       *Expr
	EngagedWithin time.Duration
	// Rollups are the rules that add up the account's people, in file order.
	Rollups []*Rollup
}

// Role is a buying-group role: the people for whom When holds. When is a
// person condition, evaluated with the lead model.
type Role struct {
	Name string
	When *Expr
}

// Rollup is an account rule that adds up its people into a category.
type Rollup struct {
	ID       string
	Pos      dsl.Pos
	Category *Category // of AccountModel.Model
	Reason   string
	Owner    string
	// Strategy is sum, max, top or count.
	Strategy string
	// Of is the number each person gives (a person expression); nil for count.
	Of *Expr
	// When says which people count (a person condition); nil: all.
	When *Expr
	Top  int
	// Max is the most points the roll-up gives; +Inf when unbounded.
	Max float64
	// Points is what count gives for each person.
	Points float64
	// Within keeps the people whose latest event is this recent; 0: all.
	Within     time.Duration
	WithinText string
	// Weights, by role, multiply what a person gives by the highest
	// weight of the roles they hold (1 when they hold none of them); nil:
	// every person weighs 1.
	Weights map[string]float64
}

// DefaultEngagedWithin is how recent a person's latest event must be for
// the person to be engaged when the accounts section does not say.
const DefaultEngagedWithin = 30 * dsl.Day

// CountField is the name of the account field that holds how many people
// (engaged: engaged people) the account has, of the role when role is not
// "": what people() and engaged() read. A rule file cannot name it.
func CountField(engaged bool, role string) string {
	name := "__people"
	if engaged {
		name = "__engaged"
	}
	if role != "" {
		name += "__" + role
	}
	return name
}

// PersonExprs lists the person expressions of the accounts section: the
// roles', the engaged condition, each roll-up's Of and When, in that
// order; nil entries are left out.
func (a *AccountModel) PersonExprs() []*Expr {
	var out []*Expr
	for _, r := range a.Roles {
		out = append(out, r.When)
	}
	if a.Engaged != nil {
		out = append(out, a.Engaged)
	}
	for _, r := range a.Rollups {
		if r.Of != nil {
			out = append(out, r.Of)
		}
		if r.When != nil {
			out = append(out, r.When)
		}
	}
	return out
}

// compileAccounts compiles the accounts section: person expressions in
// the scope of a lead's stage (staged), the account's own model with a
// compiler of its own.
func (c *compiler) compileAccounts(staged types.Map) {
	da := c.doc.Accounts
	if da == nil {
		return
	}
	a := &AccountModel{Aliases: map[string]string{}}
	person := func(e *dsl.Expr, want, name string) *Expr {
		return c.expr(e, &scope{env: staged, want: want, name: name})
	}
	// Matching reads lead fields of text.
	leadText := func(s dsl.String, key string) string {
		if s.Value == "" {
			return ""
		}
		f := c.m.Field(s.Value)
		switch {
		case f == nil:
			c.errorAt(s.Pos, "%s: %q is not a lead field%s", key, s.Value, dsl.DidYouMeanName(s.Value, validOnly(c.fieldNames()), "declare it under fields"))
		case f.Type != dsl.TypeString:
			c.errorAt(s.Pos, "%s: lead field %s is declared %s; matching reads text, so declare it as string", key, s.Value, f.Type)
		}
		return s.Value
	}
	a.IDField = leadText(da.Match.IDField, "id_field")
	a.DomainFrom = leadText(da.Match.DomainFrom, "domain_from")
	if fm := da.Match.FreeMail; fm.Value != "" {
		items, ok := c.lists[fm.Value]
		if !ok {
			c.errorAt(fm.Pos, "free_mail: %q is not a list%s", fm.Value, dsl.DidYouMeanName(fm.Value, c.listNames(), "declare it under lists, such as free_mail: [gmail.com, yahoo.com]"))
		}
		for _, d := range items {
			a.FreeMail = append(a.FreeMail, strings.ToLower(strings.TrimSpace(d)))
		}
	}
	for _, al := range da.Match.Aliases {
		a.Aliases[strings.ToLower(al.From.Value)] = strings.ToLower(strings.TrimSpace(al.To.Value))
	}

	var roles []string
	for _, r := range da.Roles {
		roles = append(roles, r.Name.Value)
		a.Roles = append(a.Roles, &Role{Name: r.Name.Value, When: person(r.When, "bool", "role "+r.Name.Value)})
	}
	a.EngagedWithin = DefaultEngagedWithin
	if e := da.Engaged; e != nil {
		a.Engaged = person(e.When, "bool", "engaged")
		a.EngagedWithin = 0
		if e.Within != nil {
			a.EngagedWithin = e.Within.Value
		}
	}

	// The account's own model: its rules without the roll-ups, its
	// fields with the counts of people.
	sub := c.doc.AccountDocument()
	sub.Rules = nil
	var rollups []*dsl.Rule
	for _, r := range da.Rules {
		if r.Rollup != nil {
			rollups = append(rollups, r)
		} else {
			sub.Rules = append(sub.Rules, r)
		}
	}
	sub.Fields = slices.Clone(sub.Fields)
	for _, engaged := range []bool{false, true} {
		for _, role := range append([]string{""}, roles...) {
			sub.Fields = append(sub.Fields, &dsl.Field{Name: dsl.String{Value: CountField(engaged, role), Pos: da.Pos}, Type: dsl.TypeInt})
		}
	}
	ac := newCompiler(sub, options{limits: c.limits})
	ac.roles, ac.account, ac.leadFields = roles, true, c.fieldNames()
	ac.broken = c.broken
	ac.compile()
	for _, d := range ac.diags { // one problem per cause: the rule file's misspelt keys are reported already
		if !c.unreadCause(d.Message) {
			c.diags = append(c.diags, d)
		}
	}
	a.Model = ac.m

	if a.DomainFrom != "" {
		name := da.Match.DomainField
		if name.Value == "" {
			name = dsl.String{Value: "domain", Pos: da.Match.Pos}
		}
		a.DomainField = name.Value
		switch f := a.Model.Field(name.Value); {
		case f == nil && da.Match.DomainField.Value == "":
			c.errorAt(name.Pos, "matching by domain reads the account's domain from its field domain, which the accounts fields do not declare; add domain: string under them, or name the field with domain_field:")
		case f == nil:
			c.errorAt(name.Pos, "domain_field: %q is not an account field%s", name.Value, dsl.DidYouMeanName(name.Value, validOnly(ac.userFieldNames()), "declare it under the accounts fields"))
		case f.Type != dsl.TypeString:
			c.errorAt(name.Pos, "domain_field: account field %s is declared %s; a domain is text, so declare it as string", name.Value, f.Type)
		}
	}

	for _, dr := range rollups {
		x := dr.Rollup
		r := &Rollup{ID: dr.ID.Value, Pos: dr.Pos, Category: a.Model.Category(dr.Category.Value), Reason: dr.Reason.Value,
			Owner: dr.Owner.Value, Strategy: x.Strategy.Value, Top: x.Top, Max: math.Inf(1)}
		if x.Max != nil {
			r.Max = x.Max.Value
		}
		if x.Points != nil {
			r.Points = x.Points.Value
		}
		if x.Within != nil {
			r.Within, r.WithinText = x.Within.Value, x.Within.Source
		}
		for _, w := range x.Weights {
			if !slices.Contains(roles, w.Role.Value) {
				c.errorAt(w.Role.Pos, "rule %s weighs unknown role %q%s", r.ID, w.Role.Value, dsl.DidYouMeanName(w.Role.Value, roles, "declare it under accounts roles"))
				continue
			}
			if r.Weights == nil {
				r.Weights = map[string]float64{}
			}
			r.Weights[w.Role.Value] = w.Weight.Value
		}
		r.Of = person(x.Of, "number", "rule "+r.ID)
		r.When = person(dr.When, "bool", "rule "+r.ID)
		a.Rollups = append(a.Rollups, r)
	}
	c.m.Accounts = a
}

func (c *compiler) listNames() []string {
	out := make([]string, 0, len(c.lists))
	for name := range c.lists {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// userFieldNames are the fields a rule file declares: the account
// model's, without the counts of people.
func (c *compiler) userFieldNames() []string {
	var out []string
	for _, name := range c.fieldNames() {
		if !strings.HasPrefix(name, "__") {
			out = append(out, name)
		}
	}
	return out
}

// countCall rewrites people("role") and engaged() in an account's
// condition into the account field that holds the count.
func (p *patcher) countCall(node *ast.Node, name string, n *ast.CallNode) {
	role := ""
	switch {
	case len(n.Arguments) > 1:
		p.errorf(n, "%s() takes at most one role, such as %s(\"decision_maker\")", name, name)
		return
	case len(n.Arguments) == 1:
		s, ok := n.Arguments[0].(*ast.StringNode)
		if !ok {
			p.errorf(n.Arguments[0], "%s() needs the role written in quotes, such as %s(\"decision_maker\")", name, name)
			return
		}
		if !slices.Contains(p.c.roles, s.Value) {
			hint := "declare it under accounts roles"
			if len(p.c.roles) == 0 {
				p.errorf(s, "unknown role %q: the accounts section declares no roles; %s", s.Value, hint)
				return
			}
			p.errorf(s, "unknown role %q%s", s.Value, dsl.DidYouMeanName(s.Value, p.c.roles, "the roles are "+strings.Join(p.c.roles, ", ")))
			return
		}
		role = s.Value
	}
	id := &ast.IdentifierNode{Value: CountField(name == "engaged", role)}
	id.SetLocation(n.Location())
	ast.Patch(node, id)
}

package langserver

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/leadscore/leadscore/dsl"
)

// The accounts section, as completion and the outline know it. Its
// expressions read one of two things: a person (the roles, engaged:, a
// roll-up's of: and when:, written over a lead as its stage is: its
// fields, defines, categories, total and grade), or the account (its
// rules, total, grades and stages: its own fields, and the counts of
// people people("role") and engaged("role")).

// inAccounts tells whether the place is under the accounts section of a
// rule file that has one.
func (p *project) inAccounts(pl *place) bool {
	return p.test == nil && p.doc != nil && p.doc.Accounts != nil && len(pl.chain) > 0 && pl.chain[0] == "accounts"
}

// accountExpression tells whether the place is an expression of the
// accounts section that the generic test (a when: or total:) misses: a
// role's condition or a roll-up's of:.
func accountExpression(pl *place) bool {
	if pl.atKey || len(pl.chain) < 2 || pl.chain[0] != "accounts" {
		return false
	}
	return len(pl.chain) == 3 && pl.chain[1] == "roles" || pl.last() == "of" && pl.chain[1] == "rules"
}

// accountRuleAt is the rule of the accounts section whose item holds the
// place.
func (p *project) accountRuleAt(pl *place) *dsl.Rule {
	if !p.inAccounts(pl) || len(pl.chain) < 2 || pl.chain[1] != "rules" {
		return nil
	}
	var found *dsl.Rule
	for _, r := range p.doc.Accounts.Rules {
		if r.Pos.File == p.file && r.Pos.Line <= pl.line+1 && (found == nil || r.Pos.Line > found.Pos.Line) {
			found = r
		}
	}
	return found
}

// personScope tells whether an expression of the accounts section at the
// place reads a person rather than the account.
func (p *project) personScope(pl *place) bool {
	switch pl.chain[1] {
	case "roles", "engaged":
		return true
	case "rules":
		if pl.last() == "of" {
			return true
		}
		r := p.accountRuleAt(pl)
		return r != nil && r.Rollup != nil
	}
	return false
}

// roleArgument is the start of people("role") or engaged("role") up to
// the cursor.
var roleArgument = regexp.MustCompile(`\b(?:people|engaged)\(\s*["']([\w-]*)$`)

// countFunctions are the counts of people an account's expressions read.
var countFunctions = []function{
	{Name: "people", Signature: `people(role string) int`, Doc: "How many of the account's people there are; with a role in quotes, how many hold it."},
	{Name: "engaged", Signature: `engaged(role string) int`, Doc: "How many of the account's people are engaged (see `engaged:`); with a role in quotes, how many of those hold it."},
}

// accountExpressionItems completes an expression of the accounts section.
func (p *project) accountExpressionItems(pl *place) completer {
	d, a := p.doc, p.doc.Accounts
	if p.personScope(pl) {
		// A person is a lead: what a lead's stage reads.
		return p.expressionItems(&place{line: pl.line, col: pl.col, text: pl.text, before: pl.before, chain: []string{"stages", "when"}})
	}
	if m := roleArgument.FindStringSubmatchIndex(pl.before); m != nil {
		// A role in quotes, in an expression that may be quoted itself.
		partial := pl.before[m[2]:]
		rng := Range{Start: Position{pl.line, utf16Len([]rune(pl.before[:m[2]]))}, End: Position{pl.line, utf16Len([]rune(pl.before))}}
		return completer{p.roleItems(), partial, rng}
	}
	if _, in := openQuote(pl.before); in && !strings.Contains(pl.before, ": '") {
		return completer{}
	}
	token, rng := pl.word(isIdentRune)
	fields := a.Fields
	if i := strings.LastIndexByte(token, '.'); i >= 0 {
		base, partial := token[:i], token[i+1:]
		rng.Start.Character = rng.End.Character - utf16Len([]rune(partial))
		var items []completionItem
		for _, f := range fields {
			if rest, ok := strings.CutPrefix(f.Name.Value, base+"."); ok {
				items = append(items, fieldItem(f, rest))
			}
		}
		return completer{items, partial, rng}
	}
	var items []completionItem
	for _, f := range fields {
		items = append(items, fieldItem(f, f.Name.Value))
	}
	for _, l := range d.Lists {
		items = append(items, completionItem{Label: l.Name.Value, Kind: kindConstant, Detail: listDetail(l)})
	}
	if sub := pl.chain[1]; sub == "total" || sub == "grades" || sub == "stages" {
		for _, c := range a.Categories {
			items = append(items, completionItem{Label: c.Name.Value, Kind: kindModule, Detail: "account score category"})
		}
		if sub != "total" {
			items = append(items, completionItem{Label: "total", Kind: kindVariable, Detail: "the account's total score"})
		}
		if sub == "stages" && len(a.Grades) > 0 {
			items = append(items, completionItem{Label: "grade", Kind: kindVariable, Detail: "the account's grade"})
		}
	}
	for _, f := range append(countFunctions, functions...) {
		items = append(items, completionItem{Label: f.Name, Kind: kindFunction, Detail: f.Signature, Documentation: markdown(f.Doc)})
	}
	for _, o := range operators {
		items = append(items, completionItem{Label: o, Kind: kindKeyword})
	}
	return completer{items, token, rng}
}

// roleItems are the buying-group roles.
func (p *project) roleItems() []completionItem {
	var items []completionItem
	for _, r := range p.doc.Accounts.Roles {
		items = append(items, completionItem{Label: r.Name.Value, Kind: kindEnumMember, Detail: "role: " + exprText(r.When)})
	}
	return items
}

// rollupStrategies are the values of a roll-up's people:.
var rollupStrategies = []completionItem{
	{Label: "sum", Kind: kindEnumMember, Detail: "add up what each person gives (cap it with max:)"},
	{Label: "max", Kind: kindEnumMember, Detail: "what the person who gives most gives"},
	{Label: "top", Kind: kindEnumMember, Detail: "add up the top: N people"},
	{Label: "count", Kind: kindEnumMember, Detail: "points: for each person counted"},
}

// accountValueItems completes a value or a key under the accounts
// section; ok is false where it has nothing of its own to offer.
func (p *project) accountValueItems(pl *place, token string, rng Range) (completer, bool) {
	d, a := p.doc, p.doc.Accounts
	done := func(items []completionItem) (completer, bool) { return completer{items, token, rng}, true }
	key := pl.last()
	switch {
	case key == "weights" && pl.atKey:
		return done(p.roleItems())
	case pl.atKey:
		return completer{}, false
	case key == "score" && len(pl.chain) > 1 && pl.chain[1] == "rules":
		var items []completionItem
		for _, c := range a.Categories {
			items = append(items, completionItem{Label: c.Name.Value, Kind: kindModule, Detail: "account score category"})
		}
		return done(items)
	case key == "people" && len(pl.chain) > 1 && pl.chain[1] == "rules":
		return done(rollupStrategies)
	case key == "free_mail":
		var items []completionItem
		for _, l := range d.Lists {
			items = append(items, completionItem{Label: l.Name.Value, Kind: kindConstant, Detail: listDetail(l)})
		}
		return done(items)
	case key == "id_field" || key == "domain_from":
		var items []completionItem
		for _, f := range d.Fields {
			if f.Type == dsl.TypeString {
				items = append(items, fieldItem(f, f.Name.Value))
			}
		}
		return done(items)
	case key == "domain_field":
		var items []completionItem
		for _, f := range a.Fields {
			if f.Type == dsl.TypeString {
				items = append(items, fieldItem(f, f.Name.Value))
			}
		}
		return done(items)
	case key == "type" && contains(pl.chain, "fields"):
		var items []completionItem
		for _, t := range dsl.FieldTypes {
			items = append(items, completionItem{Label: string(t), Kind: kindTypeParam, Detail: "field type"})
		}
		return done(items)
	}
	return completer{}, false
}

// accountSymbols is the accounts section in the outline: its fields,
// roles, rules (roll-ups as events), grades and stages, each group under
// its key.
func (o outliner) accountSymbols(out []documentSymbol, a *dsl.Accounts) []documentSymbol {
	var fields, roles, rs []documentSymbol
	for _, f := range a.Fields {
		fields = o.add(fields, f.Name, f.Name.Pos, string(f.Type), symbolField)
	}
	for _, r := range a.Roles {
		roles = o.add(roles, r.Name, r.Name.Pos, exprText(r.When), symbolConstant)
	}
	for _, r := range a.Rules {
		kind, detail := symbolFunction, ruleDetail(r)
		if x := r.Rollup; x != nil {
			kind, detail = symbolEvent, "roll-up of the people ("+x.Strategy.Value+") to "+r.Category.Value
		}
		rs = o.add(rs, r.ID, r.Pos, detail, kind)
	}
	grades, stages := o.ladder(a.Grades, a.Stages)
	var children []documentSymbol
	for _, sec := range []struct {
		name string
		syms []documentSymbol
	}{{"fields", fields}, {"roles", roles}, {"rules", rs}, {"grades", grades}, {"stages", stages}} {
		children = o.subsection(children, a.Pos, sec.name, sec.syms)
	}
	if len(children) == 0 || a.Pos.File != o.file || a.Pos.Line < 1 || a.Pos.Line > len(o.lines) {
		return out
	}
	return append(out, documentSymbol{Name: "accounts", Kind: symbolNamespace, Range: o.block(a.Pos),
		SelectionRange: o.srv.span(a.Pos, len("accounts")).Range, Children: children})
}

// subsection puts the symbols under the key of the section at parent (the
// first line below it, indented, that starts with the key); without one,
// they go in directly.
func (o outliner) subsection(out []documentSymbol, parent dsl.Pos, key string, syms []documentSymbol) []documentSymbol {
	if len(syms) == 0 {
		return out
	}
	for i := parent.Line; i < len(o.lines); i++ {
		l := strings.TrimSuffix(o.lines[i], "\r")
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if indentOf(l) == 0 {
			break
		}
		if strings.HasPrefix(t, key+":") {
			col := indentOf(l)
			pos := dsl.Pos{File: o.file, Line: i + 1, Col: col + 1}
			return append(out, documentSymbol{Name: key, Kind: symbolNamespace, Range: o.block(pos),
				SelectionRange: o.srv.span(pos, len(key)).Range, Children: syms})
		}
	}
	return append(out, syms...)
}

// accountHover is the hover of a name in the accounts section: in an
// account's expression its fields, categories, counts of people and the
// roles they name; a role where it is declared. ok is false where the
// lead's names apply (a person's expression) and the generic hover
// answers.
func (p *project) accountHover(pl *place) (text string, rng Range, ok bool) {
	a := p.doc.Accounts
	word, start, r := pl.wordAround(isIdentRune)
	if len(pl.chain) == 2 && pl.chain[1] == "roles" && pl.atKey { // a role's own name
		for _, role := range a.Roles {
			if role.Name.Value == word {
				return roleText(role), r, true
			}
		}
		return "", r, true
	}
	if !(pl.inExpression() || accountExpression(pl)) {
		return "", r, false
	}
	if p.personScope(pl) {
		// A person's expression reads the lead's names.
		d := p.doc
		var sym *symbol
		for _, f := range d.Fields {
			if f.Name.Value == word {
				sym = &symbol{kind: symField, name: word, rng: r}
			}
		}
		for _, df := range d.Defines {
			if df.Name.Value == word {
				sym = &symbol{kind: symDefine, name: word, rng: r}
			}
		}
		for _, c := range d.Categories {
			if c.Name.Value == word {
				sym = &symbol{kind: symCategory, name: word, rng: r}
			}
		}
		if sym == nil {
			return "", r, false
		}
		return p.describe(sym), r, true
	}
	if before := string([]rune(pl.text)[:start]); roleArgument.MatchString(before) {
		for _, role := range a.Roles {
			if role.Name.Value == word {
				return roleText(role), r, true
			}
		}
		return "", r, true
	}
	for _, f := range a.Fields {
		if f.Name.Value == word {
			return fieldText(f, "an account field"), r, true
		}
	}
	for _, c := range a.Categories {
		if c.Name.Value == word {
			return fmt.Sprintf("`%s`: an account score category, %s", c.Name.Value, bounds(c)), r, true
		}
	}
	for _, f := range countFunctions {
		if f.Name == word {
			return fmt.Sprintf("`%s`\n\n%s", f.Signature, f.Doc), r, true
		}
	}
	// Lists and functions read the same in an account's expressions.
	return "", r, false
}

// roleText describes a buying-group role.
func roleText(r *dsl.Role) string {
	s := fmt.Sprintf("`%s`: a buying-group role, held by the people for whom", r.Name.Value)
	if r.When != nil {
		s += "\n\n```\n" + strings.TrimSpace(r.When.Text) + "\n```"
	}
	return s
}

package langserver

import (
	"strings"
	"unicode"

	"github.com/leadscore/leadscore/dsl"
)

// symbolKind is what a name in a rule file or a test file stands for.
type symbolKind int

const (
	symField symbolKind = iota + 1
	symEventField
	symList
	symDefine
	symCategory
	symRule
	symStage
	symFunction
)

// symbol is the name under the cursor and what it stands for.
type symbol struct {
	kind symbolKind
	name string
	rng  Range // the name under the cursor
}

// symbolAt finds what the name under the cursor stands for: a name in an
// expression (a field, an event field, a list, a define, a category or a
// function), a rule id, a category or a stage where one is written, or a
// field, list, define or category where it is declared. nil when the
// cursor is on none of these.
func (p *project) symbolAt(pl *place) *symbol {
	if p.doc == nil {
		return nil
	}
	if pl.inExpression() {
		if _, in := openQuote(pl.before); in {
			return nil
		}
		word, off, rng := pl.wordAround(isIdentRune)
		word = strings.Trim(word, ".")
		if word == "" {
			return nil
		}
		runes := []rune(pl.text)
		end := off + len([]rune(word))
		if end < len(runes) && runes[end] == '(' {
			if functionNamed(word) != nil {
				return &symbol{symFunction, word, rng}
			}
			return nil
		}
		if k := p.nameKind(word); k != 0 {
			return &symbol{k, word, rng}
		}
		return nil
	}
	word, _, rng := pl.wordAround(isValueRune)
	if word == "" {
		return nil
	}
	top, key := pl.chain, pl.last()
	if pl.atKey {
		switch {
		case len(top) == 1 && top[0] == "fields" && p.test == nil:
			return p.declared(symField, word, rng)
		case len(top) == 1 && top[0] == "events" && p.test == nil:
			return p.declared(symEventField, word, rng)
		case len(top) == 1 && top[0] == "lists":
			return p.declared(symList, word, rng)
		case len(top) == 1 && top[0] == "define":
			return p.declared(symDefine, word, rng)
		case key == "scores":
			return p.declared(symCategory, word, rng)
		case key == "lead" && p.test != nil:
			return p.declared(symField, word, rng)
		}
		return nil
	}
	if len(top) == 0 {
		return nil
	}
	switch {
	case key == "id" && top[0] == "rules" && p.test == nil:
		return p.declared(symRule, word, rng)
	case key == "id" && top[0] == "stages" && p.test == nil:
		return p.declared(symStage, word, rng)
	case key == "score" && top[0] == "rules" && p.test == nil:
		return p.declared(symCategory, word, rng)
	case key == "contradicts" || key == "resets":
		if s := p.declared(symRule, word, rng); s != nil {
			return s
		}
		return p.declared(symCategory, word, rng)
	case (key == "fired" || key == "not_fired" || key == "gates") && p.test != nil:
		return p.declared(symRule, word, rng)
	case key == "stage" && p.test != nil:
		return p.declared(symStage, word, rng)
	}
	return nil
}

// declared is the symbol when the model declares name as a kind.
func (p *project) declared(k symbolKind, name string, rng Range) *symbol {
	if p.declaration(k, name) == nil {
		return nil
	}
	return &symbol{k, name, rng}
}

// nameKind is what a name read in an expression stands for, 0 for none.
func (p *project) nameKind(name string) symbolKind {
	if rest, ok := strings.CutPrefix(name, "event."); ok {
		if p.eventField(rest) != nil {
			return symEventField
		}
		return 0
	}
	for _, k := range []symbolKind{symField, symList, symDefine, symCategory} {
		if p.declaration(k, name) != nil {
			return k
		}
	}
	if functionNamed(name) != nil {
		return symFunction
	}
	return 0
}

// declaration is where the model declares name as a kind: the position
// of its name, or nil.
func (p *project) declaration(k symbolKind, name string) *dsl.Pos {
	d := p.doc
	switch k {
	case symField:
		for _, f := range d.Fields {
			if f.Name.Value == name {
				return &f.Name.Pos
			}
		}
	case symEventField:
		if f := p.eventField(strings.TrimPrefix(name, "event.")); f != nil {
			return &f.Name.Pos
		}
	case symList:
		for _, l := range d.Lists {
			if l.Name.Value == name {
				return &l.Name.Pos
			}
		}
	case symDefine:
		for _, df := range d.Defines {
			if df.Name.Value == name {
				return &df.Name.Pos
			}
		}
	case symCategory:
		for _, c := range d.Categories {
			if c.Name.Value == name {
				return &c.Name.Pos
			}
		}
	case symRule:
		if r := p.rule(name); r != nil {
			return &r.ID.Pos
		}
	case symStage:
		for _, st := range d.Stages {
			if st.ID.Value == name {
				return &st.ID.Pos
			}
		}
	}
	return nil
}

func (p *project) eventField(name string) *dsl.Field {
	for _, f := range p.doc.EventFields {
		if f.Name.Value == name {
			return f
		}
	}
	return nil
}

func (p *project) rule(id string) *dsl.Rule {
	for _, r := range p.doc.Rules {
		if r.ID.Value == id {
			return r
		}
	}
	return nil
}

// token is a name read in an expression, at its rune offset.
type token struct {
	name string
	at   int
}

// names lists the names an expression reads, outside quoted texts, with
// dotted paths whole ("company.size", "event.url") and calls' names.
func names(text string) []token {
	var out []token
	runes := []rune(text)
	quote := rune(0)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		if quote != 0 {
			if r == '\\' {
				i++
			} else if r == quote {
				quote = 0
			}
			continue
		}
		switch {
		case r == '"' || r == '\'' || r == '`':
			quote = r
		case r == '_' || unicode.IsLetter(r):
			j := i + 1 // a letter outside ASCII is a name of one letter
			for j < len(runes) && isIdentRune(runes[j]) {
				j++
			}
			if i == 0 || runes[i-1] != '.' && runes[i-1] != '#' {
				out = append(out, token{strings.TrimRight(string(runes[i:j]), "."), i})
			}
			i = j - 1
		case r >= '0' && r <= '9':
			for i+1 < len(runes) && isIdentRune(runes[i+1]) {
				i++
			}
		}
	}
	return out
}

package rules

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/suggest"
)

// textOperators take text (a pattern for matches) on their right.
var textOperators = map[string]bool{"contains": true, "startsWith": true, "endsWith": true, "matches": true}

// unquotedHint explains the right side of contains, startsWith, endsWith or
// matches written without quotes. A name the expression cannot read is
// quoted only when it is a bare word near no name it could mean (job_title
// contains contry is a misspelt country, and gets the did-you-mean); a call
// or an expression is never quoted. A pattern that does not parse (matches
// (vp|director), matches \bvp\b) is quoted whole.
func (c *compiler) unquotedHint(msg string, sc *scope, text string, offset int) string {
	if m := unknownNameRE.FindStringSubmatch(msg); m != nil {
		name := m[1]
		n := textOperationAt(text, offset)
		if n == nil || c.known(name) || suggest.Name(name, c.nameCandidates(sc, true)) != "" || c.declaredInvalid(name, sc) != "" {
			return ""
		}
		return quoteAdvice(n.Left.String(), negatedAt(text, wordStart(text, offset)), n.Operator, name)
	}
	if !tokenRE.MatchString(msg) && !strings.HasPrefix(msg, "unrecognized character") {
		return ""
	}
	for _, m := range textOperandRE.FindAllStringSubmatchIndex(text, -1) {
		from, to := len([]rune(text[:m[8]])), len([]rune(text[:m[9]]))
		if offset < from || offset > to {
			continue
		}
		left, not, op, operand := "", m[4] >= 0, text[m[6]:m[7]], strings.TrimSpace(text[m[8]:m[9]])
		if m[2] >= 0 {
			left = strings.TrimLeft(text[m[2]:m[3]], "(!")
		}
		if op != "matches" && !wordsRE.MatchString(operand) {
			return ""
		}
		return quoteAdvice(left, not, op, operand)
	}
	return ""
}

// quoteAdvice says to quote the operand: contains needs its text in quotes:
// job_title contains "VP".
func quoteAdvice(left string, not bool, op, operand string) string {
	what := "text"
	if op == "matches" {
		what = "pattern"
	}
	if left != "" {
		left += " "
	}
	if not {
		left += "not "
	}
	msg := fmt.Sprintf("%s needs its %s in quotes: %s%s %s", op, what, left, op, strconv.Quote(operand))
	if strings.Contains(operand, `\`) {
		msg += ` (in quotes, \ is written \\)`
	}
	return msg
}

// textOperandRE finds the operand of a text operator up to the end of the
// condition: [left] [not] op operand.
var textOperandRE = regexp.MustCompile(`(?:(\S+)\s+)?(?:\b(not)\s+)?\b(matches|contains|startsWith|endsWith)\s+([^"'\s][^"'\n]*?)\s*(?:$|&&|\|\||\band\b|\bor\b)`)

// wordsRE is plain words: text someone forgot to quote, not an expression.
var wordsRE = regexp.MustCompile(`^[\p{L}\p{N}_-]+(?:\s+[\p{L}\p{N}_-]+)*$`)

// textOperationAt finds the text operation whose right side is the bare
// name at offset of text: job_title contains VP.
func textOperationAt(text string, offset int) *ast.BinaryNode {
	tree, err := parser.Parse(text)
	if err != nil {
		return nil
	}
	var found *ast.BinaryNode
	ast.Find(tree.Node, func(n ast.Node) bool {
		if b, ok := n.(*ast.BinaryNode); ok && found == nil && textOperators[b.Operator] {
			if id, ok := b.Right.(*ast.IdentifierNode); ok && id.Location().From == offset {
				found = b
			}
		}
		return false
	})
	return found
}

// wordStart is the offset of the operator word before the name at offset
// (contains in job_title not contains VP), for negatedAt.
func wordStart(text string, offset int) int {
	src := []rune(text)
	i := min(offset, len(src))
	for i > 0 && unicode.IsSpace(src[i-1]) {
		i--
	}
	for i > 0 && (unicode.IsLetter(src[i-1]) || src[i-1] == '_') {
		i--
	}
	return i
}

// operatorWords are the operators written as words.
var operatorWords = []string{"contains", "matches", "startsWith", "endsWith", "in", "not", "and", "or"}

// operatorWordNear is the operator word tok is a misspelling of, or "". A
// word of two letters gets one only for its case (IN, Or); one of three
// only by a letter changed or two swapped (adn), so that nin and xor are
// not read as in and or, which they contradict.
func operatorWordNear(tok string) string {
	s := suggest.Name(tok, operatorWords)
	switch {
	case s == "":
	case strings.EqualFold(s, tok):
	case len(tok) <= 2:
		return ""
	case len(tok) == 3 && len(s) != 3:
		return ""
	}
	return s
}

// operatorSynonyms are words from other languages of conditions, and what
// this one writes for them.
var operatorSynonyms = map[string]string{
	"is": "==", "equals": "==", "equal": "==", "eq": "==", "isnt": "!=", "ne": "!=", "neq": "!=",
	"gt": ">", "lt": "<", "gte": ">=", "ge": ">=", "lte": "<=", "le": "<=",
	"has": "contains", "have": "contains", "includes": "contains", "include": "contains", "contain": "contains",
	"notin": "not in", "not_in": "not in", "nin": "not in",
}

// operatorWordHint explains a word used as an operator that is none (is,
// has, includes, notin, xor) and NOT in capitals, in the words of the
// operator meant; it rewrites the comparison when both sides are simple.
func (c *compiler) operatorWordHint(msg, text string, offset int) string {
	m := tokenRE.FindStringSubmatch(msg)
	if m == nil || m[1] != "Identifier" {
		return ""
	}
	words := wordsAround(text, offset)
	prev, tok, next, after := words[0], words[1], words[2], words[3]
	if prev == "NOT" || prev == "Not" {
		return "write not (or !) in lower case to negate a condition, such as: not " + tok
	}
	key := strings.ToLower(tok)
	if key == "xor" {
		return "\"" + tok + "\" is not an operator: write or for either of two conditions (or both), and a != b for exactly one of two conditions"
	}
	op, ok := operatorSynonyms[key]
	if !ok {
		return ""
	}
	if op == "==" && next == "not" {
		op, next = "!=", after
	}
	what := map[string]string{"==": "is equal to", "!=": "is not equal to", ">": "greater than", "<": "less than",
		">=": "at least", "<=": "at most", "contains": "text within text", "not in": "a value not in a list"}[op]
	msg = fmt.Sprintf("%q is not an operator; write %s for %s", tok, op, what)
	if op == "not in" {
		msg = fmt.Sprintf("%q is not an operator; write not in, two words, for %s", tok, what)
	}
	if bareWordRE.MatchString(next) && !c.known(next) && !c.isDefine(next) {
		next = strconv.Quote(next) // job_title is VP: VP is text
	}
	if prev != "" && next != "" && simpleOperandRE.MatchString(prev) && simpleOperandRE.MatchString(next) {
		msg += fmt.Sprintf(", such as: %s %s %s", prev, op, next)
	}
	if op == "==" {
		msg += " (and != for is not equal to)"
	}
	return msg
}

// bareWordRE is a name, not a keyword.
var bareWordRE = regexp.MustCompile(`^[A-Za-z_]\w*$`)

// isDefine reports whether name is a define's.
func (c *compiler) isDefine(name string) bool {
	for _, d := range c.doc.Defines {
		if d.Name.Value == name {
			return true
		}
	}
	return name == "true" || name == "false" || name == "nil"
}

// simpleOperandRE is a name, a number or a text in quotes.
var simpleOperandRE = regexp.MustCompile(`^(?:[A-Za-z_][\w.]*|-?[0-9][0-9.]*|"[^"]*"|'[^']*')$`)

// wordsAround returns the token before the word at offset, the word, and
// the two tokens after it (names, numbers or texts in quotes).
func wordsAround(text string, offset int) [4]string {
	src := []rune(text)
	var out [4]string
	i := min(offset, len(src))
	j := i
	for j < len(src) && (unicode.IsLetter(src[j]) || unicode.IsDigit(src[j]) || src[j] == '_') {
		j++
	}
	out[1] = string(src[i:j])
	k := i
	for k > 0 && unicode.IsSpace(src[k-1]) {
		k--
	}
	b := k
	for b > 0 && !unicode.IsSpace(src[b-1]) && src[b-1] != '(' {
		b--
	}
	out[0] = string(src[b:k])
	for n := 2; n < 4; n++ {
		for j < len(src) && unicode.IsSpace(src[j]) {
			j++
		}
		e := j
		if e < len(src) && (src[e] == '"' || src[e] == '\'') {
			q := src[e]
			e++
			for e < len(src) && src[e] != q {
				e++
			}
			e = min(e+1, len(src))
		} else {
			for e < len(src) && !unicode.IsSpace(src[e]) && src[e] != ')' {
				e++
			}
		}
		out[n] = string(src[j:e])
		j = e
	}
	return out
}

// dashedNameRE is a name written with dashes: job-title.
var dashedNameRE = regexp.MustCompile(`^[A-Za-z_]\w*(?:-[A-Za-z_]\w*)+`)

// dashedName explains job-title, read as job minus title, when job_title
// (or a name near it) is one the expression can read.
func (c *compiler) dashedName(sc *scope, text string, offset int) string {
	src := []rune(text)
	if offset > len(src) {
		return ""
	}
	dashed := dashedNameRE.FindString(string(src[offset:]))
	if dashed == "" {
		return ""
	}
	name := strings.ReplaceAll(dashed, "-", "_")
	if _, ok := sc.env[name]; !ok && !c.known(name) {
		name = suggest.Name(name, c.nameCandidates(sc, true))
	}
	if name == "" {
		return ""
	}
	return fmt.Sprintf("unknown name %q: a - between words is read as minus (%s); write %s", dashed, strings.ReplaceAll(dashed, "-", " minus "), name)
}

// comparedAsValue reports whether the name at offset is compared with a
// value (target == "US", target > 3, target in a list, target contains
// "x"), where a list's name cannot be meant.
func comparedAsValue(text string, offset int) bool {
	tree, err := parser.Parse(text)
	if err != nil {
		return false
	}
	found := false
	at := func(n ast.Node) bool {
		id, ok := n.(*ast.IdentifierNode)
		return ok && id.Location().From == offset
	}
	ast.Find(tree.Node, func(n ast.Node) bool {
		b, ok := n.(*ast.BinaryNode)
		if !ok {
			return false
		}
		switch b.Operator {
		case "==", "!=", "<", "<=", ">", ">=":
			found = found || at(b.Left) && constKind(b.Right) != "" || at(b.Right) && constKind(b.Left) != ""
		case "in", "contains", "startsWith", "endsWith", "matches":
			found = found || at(b.Left)
		}
		return false
	})
	return found
}

// nameCandidates are the names an expression in the scope may use, for a
// did-you-mean: its fields and defines, and, unless it stands for a value,
// the lists and functions. Names declared invalid are left out: they
// cannot be used as they are (see declaredInvalid).
func (c *compiler) nameCandidates(sc *scope, lists bool) []string {
	var names []string
	for k := range sc.env {
		if !strings.HasPrefix(k, "__") && !strings.HasPrefix(k, "event.") && dsl.ValidName(k) {
			names = append(names, k)
		}
	}
	if lists {
		for k := range c.lists {
			if dsl.ValidName(k) {
				names = append(names, k)
			}
		}
		names = append(names, functionNames...)
	}
	sort.Strings(names)
	return names
}

// declaredInvalid says, when name is (or is near) what a field, list or
// define declared with an invalid name ("Job Title") would be called, that
// it is and how to rename it; "" otherwise.
func (c *compiler) declaredInvalid(name string, sc *scope) string {
	var kinds []invalidKind
	for _, f := range c.doc.Fields {
		kinds = append(kinds, invalidKind{f.Name.Value, "field", "fields"})
	}
	for _, l := range c.doc.Lists {
		kinds = append(kinds, invalidKind{l.Name.Value, "list", "lists"})
	}
	for _, d := range c.doc.Defines {
		kinds = append(kinds, invalidKind{d.Name.Value, "define", "define"})
	}
	return renameInvalid(name, kinds)
}

// declaredInvalidEvent is declaredInvalid for an event field.
func (c *compiler) declaredInvalidEvent(name string) string {
	var kinds []invalidKind
	for _, f := range c.doc.EventFields {
		kinds = append(kinds, invalidKind{f.Name.Value, "event field", "events"})
	}
	return renameInvalid(name, kinds)
}

type invalidKind struct{ declared, kind, under string }

func renameInvalid(name string, decls []invalidKind) string {
	var valid []string
	byValid := map[string]invalidKind{}
	for _, d := range decls {
		if v := dsl.ValidNameFor(d.declared); !dsl.ValidName(d.declared) && v != "" {
			valid = append(valid, v)
			byValid[v] = d
		}
	}
	v := name
	if _, ok := byValid[name]; !ok {
		v = suggest.Name(name, valid)
	}
	d, ok := byValid[v]
	if !ok {
		return ""
	}
	msg := fmt.Sprintf("the %s is declared as %q, which is not a valid name; rename it %s under %s", d.kind, d.declared, v, d.under)
	if v != name {
		msg += ", and write " + v
	}
	return msg
}

// validOnly leaves out the names that are not valid, for a did-you-mean.
func validOnly(names []string) []string {
	var out []string
	for _, n := range names {
		if dsl.ValidName(n) {
			out = append(out, n)
		}
	}
	return out
}

// unknownName says a name is unknown, with the name it likely meant: lists
// and functions are offered only when the name may be one (not where it is
// compared with a value).
func (c *compiler) unknownName(name string, sc *scope, lists bool) string {
	if why := c.declaredInvalid(name, sc); why != "" {
		return fmt.Sprintf("unknown name %q: %s", name, why)
	}
	if c.account && slices.Contains(c.leadFields, name) {
		return fmt.Sprintf("unknown name %q: %s is a field of a lead, and this condition is the account's: it reads the account's fields (declare %s under accounts fields), or counts its people with people(\"role\") and engaged(\"role\") (define the role under accounts roles)", name, name, name)
	}
	return fmt.Sprintf("unknown name %q%s", name, dsl.DidYouMeanName(name, c.nameCandidates(sc, lists), "declare it under fields, lists or define"))
}

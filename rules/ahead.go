package rules

import (
	"math/bits"
	"reflect"
	"regexp"
	"regexp/syntax"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr/ast"
)

// Budgets are checked before the work is done, never after: a builder's
// result is measured from its operands before it is built (ahead), a
// predicate's body pays for the whole texts and lists it reads each time
// it runs (tickCost), and matches pays for its input times its program
// (pattern.cost).

// ahead charges the text or list the builtin name will build from args,
// or refuses it, before it is built. Arguments of the wrong type are left
// to the builtin, which reports them as it always has.
func (f *frame) ahead(name string, args []any) error {
	lim := int64(f.budget.limits.MaxText)
	var n, scan int64 // what will be built; what was read to know it
	partial := false  // n was left when it went past the limit
	switch name {
	case "replace":
		s, okS := args[0].(string)
		old, okO := args[1].(string)
		repl, okR := args[2].(string)
		if !okS || !okO || !okR {
			return nil
		}
		count := int64(strings.Count(s, old))
		if len(args) == 4 {
			if k, ok := asInt(args[3]); ok && k >= 0 {
				count = min(count, int64(k))
			}
		}
		n, scan = int64(len(s))+count*(int64(len(repl))-int64(len(old))), int64(len(s))
	case "split", "splitAfter":
		s, okS := args[0].(string)
		sep, okP := args[1].(string)
		if !okS || !okP {
			return nil
		}
		if sep == "" {
			n = int64(utf8.RuneCountInString(s))
		} else {
			n = int64(strings.Count(s, sep)) + 1
		}
		if len(args) == 3 {
			if k, ok := asInt(args[2]); ok && k >= 0 {
				n = min(n, int64(k))
			}
		}
		// An item is 16 bytes of memory the garbage collector scans: a
		// step each, as a list's item costs a predicate's body.
		scan = int64(len(s)) + 63*n
	case "join":
		sep := ""
		if len(args) == 2 {
			sep, _ = args[1].(string)
		}
		var items int
		n, items, partial = listTextSize(args[0], int64(len(sep)), lim)
		scan = int64(items) * 8
	case "concat":
		for _, a := range args {
			if k := sizeOf(a); k > 0 {
				n += int64(k)
			}
		}
	case "flatten":
		var items int
		n, items = flatLeaves(reflect.ValueOf(args[0]), lim, 0)
		scan, partial = int64(items)*8, n > lim
	case "fromJSON":
		// What it decodes takes up to 30 times the text's bytes ({} is a
		// map of about 70 bytes): it counts as a text 8 times as long, so
		// the most it decodes is an eighth of MaxText.
		if s, ok := args[0].(string); ok {
			n, scan = 8*int64(len(s)), 4*int64(len(s))
		}
	case "upper", "lower":
		if s, ok := args[0].(string); ok {
			n, scan = caseCost(s)
		}
	case "indexOf", "lastIndexOf", "trim", "trimPrefix", "trimSuffix":
		// What these make is part of what they are given; they may read
		// all of it (trim a text made of its cutset).
		if s, ok := args[0].(string); ok {
			scan = int64(len(s))
		}
	case "fromBase64":
		if s, ok := args[0].(string); ok {
			n, scan = int64(len(s))/4*3, int64(len(s))
		}
	case "sort", "uniq", "reverse", "keys", "values", "toPairs":
		// A step an item (sort: a step an item per 16 it is compared
		// with, log2 n times), as a predicate's body pays for a list.
		if k := int64(sizeOf(args[0])); k > 0 {
			n, scan = k, 64*k
			if name == "sort" {
				scan *= max(1, int64(bits.Len64(uint64(k)))/4)
			}
		}
	case "toBase64":
		if s, ok := args[0].(string); ok {
			n = (int64(len(s)) + 2) / 3 * 4
		}
	case "string", "toJSON":
		w := sizer{json: name == "toJSON", limit: lim}
		n = w.size(reflect.ValueOf(args[0]), 0)
		scan, partial = w.scanned, n > lim
	}
	if n > lim {
		if partial {
			n = 0 // only known to be over the limit
		}
		return &LimitError{Limit: "text", Max: lim, Got: n}
	}
	return f.budget.spend((n+scan)/64 + 1)
}

// caseCost is what upper or lower builds of s, and what it reads: a
// letter's other case may take half as many bytes again.
func caseCost(s string) (n, scan int64) {
	wide := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			wide++
		}
	}
	return int64(len(s) + wide/2), int64(len(s))
}

// listTextSize returns the length join gives the texts of a list with a
// separator of sepLen bytes, how many items it read, and whether it
// stopped early, past limit. Items that are not texts count nothing: join
// refuses them.
func listTextSize(list any, sepLen, limit int64) (n int64, items int, partial bool) {
	count := 0
	text := func(int) string { return "" }
	switch l := list.(type) {
	case []string:
		count, text = len(l), func(i int) string { return l[i] }
	case []any:
		count, text = len(l), func(i int) string { s, _ := l[i].(string); return s }
	}
	for items < count {
		if items > 0 {
			n += sepLen
		}
		n += int64(len(text(items)))
		items++
		if n > limit && items < count {
			return n, items, true
		}
	}
	return n, items, false
}

// flatLeaves counts the items flatten makes of v (stopping once past limit),
// and the items it read.
func flatLeaves(v reflect.Value, limit int64, depth int) (n int64, read int) {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return 1, 1
		}
		v = v.Elem()
	}
	if (v.Kind() != reflect.Slice && v.Kind() != reflect.Array) || depth > 64 {
		return 1, 1
	}
	for i := 0; i < v.Len() && n <= limit; i++ {
		k, r := flatLeaves(v.Index(i), limit-n, depth+1)
		n, read = n+k, read+r
	}
	return n, read + 1
}

// sizer bounds from above the length of the text string() (fmt's %v) or
// toJSON (indented JSON) makes of a value, stopping once past limit.
type sizer struct {
	json    bool
	limit   int64
	scanned int64 // bytes and items read
}

// size returns the bound for v at the nesting depth. A list, map or
// struct stops counting once past the limit (the value is refused anyway),
// so what it returns is then only known to be over the limit.
func (w *sizer) size(v reflect.Value, depth int) int64 {
	if depth > 64 {
		return w.limit + 1 // deeper than any lead's data: refused
	}
	w.scanned += 8
	return w.measure(v, depth)
}

func (w *sizer) measure(v reflect.Value, depth int) int64 {
	for v.IsValid() && (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) {
		if v.IsNil() {
			return 5
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		return 5
	}
	if v.Type() == reflect.TypeOf(time.Time{}) {
		return 96
	}
	// Every item of a list or map costs at most its indentation, a comma,
	// a colon and a space and a new line in either format.
	item := int64(2*(depth+1) + 4)
	switch v.Kind() {
	case reflect.String:
		return w.text(v.String())
	case reflect.Bool:
		return 5
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return 24
	case reflect.Slice, reflect.Array:
		n := int64(2*depth + 4)
		for i := 0; i < v.Len(); i++ {
			n += item + w.size(v.Index(i), depth+1)
			if n > w.limit {
				return n
			}
		}
		return n
	case reflect.Map:
		n := int64(2*depth + 8)
		it := v.MapRange()
		for it.Next() {
			n += item + w.size(it.Key(), depth+1) + w.size(it.Value(), depth+1)
			if n > w.limit {
				return n
			}
		}
		return n
	case reflect.Struct:
		n := int64(2*depth + 8 + len(v.Type().Name()))
		for i := 0; i < v.NumField(); i++ {
			n += item + int64(len(v.Type().Field(i).Name)) + 2 + w.size(v.Field(i), depth+1)
			if n > w.limit {
				return n
			}
		}
		return n
	}
	return 32
}

// text bounds the length of a text in either format: as is for string(),
// quoted and escaped for toJSON (at most 6 bytes for each byte JSON
// escapes, 6 for each invalid byte, 6 for U+2028 and U+2029).
func (w *sizer) text(s string) int64 {
	if !w.json {
		return int64(len(s))
	}
	if int64(len(s)) > w.limit {
		return int64(len(s)) + 2
	}
	w.scanned += int64(len(s))
	n := int64(2)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				n += 6
			} else {
				n++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			n += 6
		case r == '\u2028' || r == '\u2029':
			n += 6
		default:
			n += int64(size)
		}
		i += size
	}
	return n
}

// tickCost is what one run of a predicate's body costs on top of its size:
// a step for each item of the whole lists, and for each 64 bytes of the
// whole texts (a list's texts too), that it reads. The body may compare
// each item, search the text or copy it, every time it runs.
func tickCost(values []any) int64 {
	var n int64
	for _, v := range values {
		n += wholeCost(v)
	}
	return n
}

// wholeCost is what reading a whole value once costs: see tickCost. Lists
// and maps cost an item each, and their texts a step per 64 bytes, however
// deep they are nested.
func wholeCost(v any) int64 {
	switch x := v.(type) {
	case nil, bool, int, float64:
		return 0
	case string:
		return int64(len(x)) / 64
	case []string:
		return textsCost(x)
	}
	items, bytes := walkCost(reflect.ValueOf(v), 0)
	return items + bytes/64
}

// walkCost counts the items of the lists and maps in v, and the bytes of
// its texts.
func walkCost(v reflect.Value, depth int) (items, bytes int64) {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return 0, 0
		}
		v = v.Elem()
	}
	if depth > 64 {
		return 1, 0
	}
	switch v.Kind() {
	case reflect.String:
		return 0, int64(v.Len())
	case reflect.Slice, reflect.Array:
		items = int64(v.Len())
		for i := 0; i < v.Len(); i++ {
			n, b := walkCost(v.Index(i), depth+1)
			items, bytes = items+n, bytes+b
		}
	case reflect.Map:
		items = int64(v.Len())
		it := v.MapRange()
		for it.Next() {
			n, b := walkCost(it.Value(), depth+1)
			items, bytes = items+n, bytes+b+int64(len(it.Key().String()))
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				n, b := walkCost(v.Field(i), depth+1)
				items, bytes = items+n, bytes+b
			}
		}
	}
	return items, bytes
}

// textsCost is wholeCost for a list of texts.
func textsCost(l []string) int64 {
	var bytes int64
	for _, s := range l {
		bytes += int64(len(s))
	}
	return int64(len(l)) + bytes/64
}

// runCost is what one run of an event rule's condition costs on top of its
// own work: the whole texts and lists it reads (slots), as tickCost
// charges a predicate's body. An event rule's condition runs once per
// event, as a predicate's body runs once per item.
func (e *evaluator) runCost(slots []int) int64 {
	var n int64
	for _, k := range slots {
		v := &e.vals[k]
		switch e.model.slots.kinds[k] {
		case kindString:
			n += int64(len(v.s)) / 64
		case kindList:
			n += textsCost(v.l)
		default:
			n += wholeCost(v.boxed)
		}
	}
	return n
}

// pattern is a matches pattern of the model, compiled once.
type pattern struct {
	re *regexp.Regexp
	// insts is the size of the pattern's program: matching a text costs
	// at most its length times insts.
	insts int
	word  *wordMatcher
}

// matchEvery is how many (byte, instruction) pairs of matching one step
// of the budget pays for. Go's regexp takes from 0.7 ns a pair (a list of
// words, few of whose instructions are alive at once) to 27 ns (\w{1000}
// or (?:a?){1000}b, all of them alive); at 8 a step is 6 ns to 0.2 µs of
// matching, so a lead's budget bounds the worst pattern to a fifth of a
// second, and the title patterns of a rule file cost a few hundred steps.
const matchEvery = 8

// cost is the steps matching s costs.
func (p *pattern) cost(s string) int64 {
	return int64(len(s))*int64(p.insts)/matchEvery + 1
}

// match reports whether s matches, within the budget.
func (f *frame) match(p *pattern, s string) (bool, error) {
	if err := f.budget.spend(p.cost(s)); err != nil {
		return false, err
	}
	return p.re.MatchString(s), nil
}

// programSize returns the number of instructions of a pattern's program,
// or an error when it does not compile (expr reports that one itself).
func programSize(pat string) (int, error) {
	re, err := syntax.Parse(pat, syntax.Perl)
	if err != nil {
		return 0, err
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return 0, err
	}
	return len(prog.Inst), nil
}

// slotReads returns the slot of each identifier of a tree that reads one,
// as many times as the tree reads it.
func (m *Model) slotReads(node ast.Node) []int {
	var out []int
	ast.Find(node, func(n ast.Node) bool {
		if id, ok := n.(*ast.IdentifierNode); ok {
			if k, ok := m.slots.index[id.Value]; ok {
				out = append(out, k)
			}
		}
		return false
	})
	return out
}

// wholeSlots returns the slots among reads that hold texts, lists or
// values of any type: what runCost charges. Nil when there are none.
func (m *Model) wholeSlots(reads []int) []int {
	var out []int
	for _, k := range reads {
		switch m.slots.kinds[k] {
		case kindBool, kindInt, kindFloat, kindTime:
		default:
			out = append(out, k)
		}
	}
	return out
}

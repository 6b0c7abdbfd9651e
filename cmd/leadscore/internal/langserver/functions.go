package langserver

// function is one function an expression may call, as the editor shows it.
type function struct {
	Name, Signature, Doc string
}

// functions are leadscore's own functions (rules/functions.go and
// rules/date.go, as docs/reference.md lists them), then expr's builtins
// that rule files use most; TestFunctionsCompile holds each to the
// compiler.
var functions = []function{
	{"emailDomain", "emailDomain(email string) string", "The lower-cased text after the last `@`, `\"\"` when there is none."},
	{"has", "has(field) bool", "Whether the lead carried the field, rather than reading its default; takes a field name."},
	{"daysSince", "daysSince(t time) float", "Days, with fractions, from a time to the as-of time; `+Inf` for a missing time."},
	{"events", "events(type string[, window string]) int", "How many events of the type (in quotes) the lead had at or before the as-of time; with a window (`\"30d\"`), within it."},
	{"daysSinceLast", "daysSinceLast(type string) float", "Days since the latest event of the type (in quotes); `+Inf` when there is none."},
	{"date", "date(text string[, layout string[, zone string]]) time", "A time, to compare a time field with: `date(\"2026-08-01\")`, or read with a Go layout and a place's zone."},
	{"lower", "lower(s string) string", "The text in lower case."},
	{"upper", "upper(s string) string", "The text in upper case."},
	{"trim", "trim(s string[, chars string]) string", "The text without spaces (or chars) at either end."},
	{"len", "len(v) int", "The length of a text (in bytes) or a list."},
	{"split", "split(s string, sep string) list", "The text cut at each sep."},
	{"join", "join(l list[, sep string]) string", "The texts of a list joined with sep."},
	{"hasPrefix", "hasPrefix(s string, prefix string) bool", "Whether the text starts with prefix (the operator startsWith reads better)."},
	{"hasSuffix", "hasSuffix(s string, suffix string) bool", "Whether the text ends with suffix (the operator endsWith reads better)."},
	{"any", "any(l list, {predicate}) bool", "Whether the predicate holds for some item (`#` is the item)."},
	{"all", "all(l list, {predicate}) bool", "Whether the predicate holds for every item (`#` is the item)."},
	{"none", "none(l list, {predicate}) bool", "Whether the predicate holds for no item (`#` is the item)."},
	{"one", "one(l list, {predicate}) bool", "Whether the predicate holds for exactly one item (`#` is the item)."},
	{"filter", "filter(l list, {predicate}) list", "The items for which the predicate holds."},
	{"count", "count(l list, {predicate}) int", "How many items the predicate holds for."},
	{"map", "map(l list, {expression}) list", "Each item turned by the expression."},
	{"sum", "sum(l list) number", "The sum of a list of numbers."},
	{"min", "min(a, b, ...) number", "The least of the numbers."},
	{"max", "max(a, b, ...) number", "The greatest of the numbers."},
	{"abs", "abs(n number) number", "The number without its sign."},
	{"round", "round(n float) float", "The number rounded to the nearest whole number."},
	{"floor", "floor(n float) float", "The greatest whole number not above n."},
	{"ceil", "ceil(n float) float", "The least whole number not below n."},
	{"int", "int(v) int", "A number or a text of digits as a whole number."},
	{"float", "float(v) float", "A number or a text of digits as a number."},
	{"string", "string(v) string", "The value as text."},
}

// functionNamed returns the function called name, or nil.
func functionNamed(name string) *function {
	for i := range functions {
		if functions[i].Name == name {
			return &functions[i]
		}
	}
	return nil
}

// operators are the words of the expression language.
var operators = []string{"and", "or", "not", "in", "contains", "startsWith", "endsWith", "matches", "true", "false", "nil"}

package source

import (
	"github.com/leadscore/leadscore/internal/numfmt"
	"strings"
	"time"
	"unicode"

	"github.com/leadscore/leadscore/dsl"
)

// guess is what a column's cells look like.
type guess struct {
	typ       dsl.FieldType
	layout    string   // time: the layout every cell reads with
	ambiguous bool     // time: day-first reads every cell as well as month-first
	format    string   // number: the format, "" for plain numbers
	sep       string   // list: the separator
	yes, no   []string // bool: the words seen
}

var (
	trueWords  = []string{"true", "yes", "y", "1", "t"}
	falseWords = []string{"false", "no", "n", "0", "f"}
)

// guessType guesses a column's type from its cells: bool, a number, a
// time, a list, or else text.
func guessType(c *column) guess {
	if len(c.cells) == 0 {
		return guess{typ: dsl.TypeString}
	}
	if yes, no, ok := boolWords(c); ok {
		return guess{typ: dsl.TypeBool, yes: yes, no: no}
	}
	if typ, format, ok := numberFormat(c); ok {
		return guess{typ: typ, format: format}
	}
	if layout, amb, ok := timeLayout(c); ok {
		return guess{typ: dsl.TypeTime, layout: layout, ambiguous: amb}
	}
	for _, sep := range []string{";", "|"} {
		if holding(c, sep) > 0 {
			return guess{typ: dsl.TypeList, sep: sep}
		}
	}
	return guess{typ: dsl.TypeString}
}

// boolWords returns the words a column writes true and false with, when
// every cell is one of the usual words.
func boolWords(c *column) (yes, no []string, ok bool) {
	for _, v := range c.distinct {
		switch {
		case containsFold(trueWords, v):
			yes = append(yes, v)
		case containsFold(falseWords, v):
			no = append(no, v)
		default:
			return nil, nil, false
		}
	}
	return yes, no, true
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// holding counts the cells holding sep.
func holding(c *column, sep string) int {
	n := 0
	for _, v := range c.cells {
		if strings.Contains(v, sep) {
			n++
		}
	}
	return n
}

// numberFormat finds how a column writes numbers: int or float, and the
// format when the cells have a currency sign or thousands separators.
func numberFormat(c *column) (dsl.FieldType, string, bool) {
	plain, whole := true, true
	for _, v := range c.distinct {
		f, err := numfmt.ParseDecimal(v)
		if err != nil || strings.ContainsAny(v, "eE") {
			plain = false
			break
		}
		if f != float64(int64(f)) || strings.Contains(v, ".") {
			whole = false
		}
	}
	if plain {
		if whole {
			return dsl.TypeInt, "", true
		}
		return dsl.TypeFloat, "", true
	}
	// Currency signs and separators: find the sign, the thousands separator
	// and the decimal mark, then read every cell with the format they make.
	var prefix, suffix string
	var thousands, decimal rune
	hasDecimals := false
	for _, v := range c.distinct {
		v = strings.TrimPrefix(v, "-")
		first := strings.IndexFunc(v, isDigit)
		last := strings.LastIndexFunc(v, isDigit)
		if first < 0 {
			return "", "", false
		}
		p, s := v[:first], v[last+1:]
		if strings.HasPrefix(p, "-") || !currency(trimSpace(p)) || !currency(trimSpace(s)) {
			return "", "", false
		}
		if trimSpace(p) != "" {
			if prefix != "" && trimSpace(prefix) != trimSpace(p) {
				return "", "", false
			}
			prefix = p
		}
		if trimSpace(s) != "" {
			if suffix != "" && trimSpace(suffix) != trimSpace(s) {
				return "", "", false
			}
			suffix = s
		}
		mid := []rune(v[first : last+1])
		var seps []rune
		var after []int
		for _, r := range mid {
			switch {
			case isDigit(r):
				if len(after) > 0 {
					after[len(after)-1]++
				}
			case isSeparator(r):
				seps = append(seps, r)
				after = append(after, 0)
			default:
				return "", "", false
			}
		}
		if len(seps) == 0 {
			continue
		}
		lastSep := seps[len(seps)-1]
		switch {
		case len(seps) > 1 && seps[0] != lastSep: // 1,234.56
			thousands, decimal = seps[0], lastSep
			hasDecimals = true
		case len(seps) > 1: // 1,234,567
			thousands = lastSep
		case after[0] != 3: // 1234.5
			decimal = lastSep
			hasDecimals = true
		case lastSep == ',' || lastSep == ' ' || lastSep == '\'': // 2,620: thousands, as CRMs write them
			if thousands == 0 {
				thousands = lastSep
			}
		default: // 1.500: a decimal mark, unless another cell says otherwise
			if decimal == 0 {
				decimal = lastSep
			}
		}
	}
	if thousands != 0 && thousands == decimal {
		if hasDecimals {
			thousands = 0
		} else {
			decimal = 0
		}
	}
	if thousands == 0 && prefix == "" && suffix == "" && (decimal == 0 || decimal == '.') {
		return "", "", false // not numbers plainly written, and no format to read them
	}
	example := "1"
	if thousands != 0 {
		example += string(thousands)
	}
	example += "234"
	dec := decimal
	if dec == 0 {
		dec = '.'
		if thousands == '.' {
			dec = ','
		}
	}
	if hasDecimals || decimal != 0 {
		example += string(dec) + "56"
		hasDecimals = true
	} else if thousands != 0 {
		example += string(thousands) + "567" // "1,234" alone could be a decimal; two groups cannot
	}
	example = prefix + example + suffix
	nf, err := ParseNumberFormat(example)
	if err != nil {
		return "", "", false
	}
	whole = !hasDecimals
	for _, v := range c.distinct {
		f, err := nf.Parse(v)
		if err != nil {
			return "", "", false
		}
		if f != float64(int64(f)) {
			whole = false
		}
	}
	if whole {
		return dsl.TypeInt, example, true
	}
	return dsl.TypeFloat, example, true
}

// currency reports whether text around a number's digits is a currency
// sign or code: $, €, USD.
func currency(s string) bool {
	if s == "" {
		return true
	}
	if len([]rune(s)) == 1 {
		r := []rune(s)[0]
		return unicode.Is(unicode.Sc, r)
	}
	if len(s) == 3 {
		for _, r := range s {
			if r < 'A' || r > 'Z' {
				return false
			}
		}
		return true
	}
	return false
}

// timeLayouts are the layouts CRMs write times in, tried in order. Of the
// pairs that differ only in the order of month and day, month first comes
// first; a column both read is ambiguous.
var timeLayouts = []string{
	"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04",
	time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02 15:04:05 -07:00", "2006-01-02 15:04:05 MST",
	"01/02/2006 15:04:05", "02/01/2006 15:04:05", "01/02/2006 15:04", "02/01/2006 15:04",
	"1/2/2006 15:04:05", "2/1/2006 15:04:05", "1/2/2006 15:04", "2/1/2006 15:04",
	"01/02/2006 3:04 PM", "02/01/2006 3:04 PM", "1/2/2006 3:04 PM", "2/1/2006 3:04 PM",
	"02.01.2006 15:04:05", "02.01.2006 15:04",
	"2006-01-02", "01/02/2006", "02/01/2006", "1/2/2006", "2/1/2006", "02.01.2006",
}

// dayFirst pairs each month-first layout with its day-first twin.
func dayFirst(layout string) string {
	switch {
	case strings.HasPrefix(layout, "01/02/"):
		return "02/01/" + layout[6:]
	case strings.HasPrefix(layout, "1/2/"):
		return "2/1/" + layout[4:]
	}
	return ""
}

// timeLayout finds the first layout that reads every cell.
func timeLayout(c *column) (layout string, ambiguous, ok bool) {
	reads := func(l string) bool {
		for _, v := range c.distinct {
			if _, err := time.Parse(l, v); err != nil {
				return false
			}
		}
		return true
	}
	for _, l := range timeLayouts {
		if reads(l) {
			if twin := dayFirst(l); twin != "" && reads(twin) {
				return l, true, true
			}
			return l, false, true
		}
	}
	return "", false, false
}

package calendar

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// epochRE is a count of seconds (9 or 10 digits, 1973 to 2286, with a
// fraction or not) or of milliseconds (12 or 13 digits) since 1970.
var epochRE = regexp.MustCompile(`^\s*(?:(\d{9,10})(?:\.\d+)?|(\d{12,13}))\s*$`)

// Epoch says, of a time written as a count of seconds or milliseconds
// since 1970 (1790000000, 1790000000000), that such times are not read
// and what to export instead, with the time it likely means; "" for any
// other text.
func Epoch(s string) string {
	m := epochRE.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	unit := "seconds"
	var t time.Time
	if m[1] != "" {
		f, _ := strconv.ParseFloat(strings.TrimSpace(s), 64)
		sec, frac := math.Modf(f)
		t = time.Unix(int64(sec), int64(math.Round(frac*1e9)))
	} else {
		ms, _ := strconv.ParseInt(m[2], 10, 64)
		unit, t = "milliseconds", time.UnixMilli(ms)
	}
	return fmt.Sprintf("times written as %s since 1970 (epoch times) are not read: export the time as text in ISO 8601, such as %s (what this is as %s since 1970)",
		unit, t.UTC().Format(time.RFC3339Nano), unit)
}

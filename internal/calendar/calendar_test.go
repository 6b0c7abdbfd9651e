package calendar

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestNoSuchDay(t *testing.T) {
	for s, want := range map[string]string{
		"2026-02-29":           `"2026-02-29" is not a day of the calendar: February 2026 has 28 days; check the date`,
		"2026-09-31":           `"2026-09-31" is not a day of the calendar: September 2026 has 30 days; check the date`,
		"2026-09-31T10:00:00Z": `"2026-09-31T10:00:00Z" is not a day of the calendar: September 2026 has 30 days; check the date`,
		"2100-02-29 08:00:00":  `"2100-02-29 08:00:00" is not a day of the calendar: February 2100 has 28 days; check the date`,
		"2028-02-29":           "", // a leap year
		"2000-02-29":           "", // divisible by 400
		"2026-09-30":           "",
		"2026-13-01":           "", // no month: another message says it
		"yesterday":            "",
		"2026-09-31x":          "",
	} {
		err := NoSuchDay(s)
		if want == "" {
			assert.NoError(t, err, s)
		} else {
			assert.EqualError(t, err, want, s)
		}
	}
	_, err := time.Parse("02/01/2006", "31/02/2026")
	assert.True(t, DayOutOfRange(err))
	_, err = time.Parse("02/01/2006", "31-02-2026")
	assert.False(t, DayOutOfRange(err))
}

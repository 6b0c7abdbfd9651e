package dsl

import (
	"fmt"
	"testing"
	"time"
)

// ParseTime's fast path agrees with the time package's layouts.
func TestParseTimeMatchesDSL(t *testing.T) {
	for _, s := range []string{"2026-09-01T10:00:00Z", "2024-02-29T23:59:59Z", "2026-02-29T00:00:00Z",
		"2026-12-31T00:00:60Z", "0000-01-01T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
		"2026-01-00T00:00:00Z", "20x6-01-01T00:00:00Z", "2026-01-01T00:00:00z", "2026-01-01 00:00:00Z"} {
		checkParseTime(t, s)
	}
	for y := 1; y <= 2400; y++ { // every month's last day and the day after, leap years or not
		for mo := 1; mo <= 12; mo++ {
			for _, d := range []int{28, 29, 30, 31, 32} {
				checkParseTime(t, fmt.Sprintf("%04d-%02d-%02dT23:59:59Z", y, mo, d))
			}
		}
	}
	start := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 2000 {
		checkParseTime(t, start.Add(time.Duration(i)*7919*time.Minute+time.Duration(i%61)*time.Second).Format(time.RFC3339))
	}
}

func checkParseTime(t *testing.T, s string) {
	t.Helper()
	got, gotErr := ParseTime(s)
	want, wantErr := parseTimeLayouts(s)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || got != want {
		t.Fatalf("%q: ParseTime gives %v, %v; the layouts %v, %v", s, got, gotErr, want, wantErr)
	}
}

// FuzzParseTime compares ParseTime's fast path with the layouts on any text.
func FuzzParseTime(f *testing.F) {
	f.Add("2026-09-01T10:00:00Z")
	f.Add("2024-02-29T23:59:59Z")
	f.Add("2026-01-01 00:00:00Z")
	f.Fuzz(func(t *testing.T, s string) { checkParseTime(t, s) })
}

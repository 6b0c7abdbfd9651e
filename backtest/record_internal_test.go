package backtest

import (
	"testing"
	"time"
)

// A record's instants read back as they were set, to the nanosecond,
// whether or not they fit a stamp: the zero time, the ends of a stamp's
// range, and instants centuries outside it, in any zone.
func TestInstantsReadBackExactly(t *testing.T) {
	zone := time.FixedZone("", -(9*3600 + 30*60))
	cases := [][nInstants]time.Time{
		{},
		{time.Date(2026, 7, 1, 12, 0, 0, 1, time.UTC), {}, time.Date(2025, 1, 2, 3, 4, 5, 999999999, zone), time.Unix(0, 0), time.Unix(0, -1)},
		{time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2261, 12, 31, 23, 59, 59, 999999999, time.UTC), {}, {}, {}},
		{time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(1677, 12, 31, 23, 59, 59, 0, time.UTC), {}, {}, {}},
		{{}, {}, {}, time.Date(9999, 12, 31, 23, 59, 59, 999999999, zone), time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)},
		{time.Date(2262, 6, 1, 0, 0, 0, 0, time.UTC), {}, {}, {}, {}},
	}
	for i, c := range cases {
		var l leadRec
		l.setInstants(&c, nil)
		got := [nInstants]time.Time{l.oppAt(), l.wonAt(), l.lastEvent(), l.arrival(), l.srAt()}
		for j := range c {
			if !got[j].Equal(c[j]) || got[j].IsZero() != c[j].IsZero() {
				t.Errorf("case %d, instant %d: set %v, read back %v", i, j, c[j], got[j])
			}
		}
		wide := i >= 3
		if (l.wide != nil) != wide {
			t.Errorf("case %d: kept wide = %v, want %v", i, l.wide != nil, wide)
		}
	}

	// The climbs' times likewise; one that does not fit keeps them all.
	in := time.Date(2026, 3, 1, 8, 0, 0, 7, time.UTC)
	for _, climbs := range [][]time.Time{
		{in, in.Add(time.Hour)},
		{in, time.Date(1066, 10, 14, 9, 0, 0, 0, time.UTC), in.Add(time.Hour)},
	} {
		l := leadRec{climbs: make([]climb, len(climbs))}
		var at [nInstants]time.Time
		l.setInstants(&at, climbs)
		for i, c := range climbs {
			if got := l.climbAt(i); !got.Equal(c) {
				t.Errorf("climb %d: set %v, read back %v", i, c, got)
			}
		}
		if want := len(climbs) == 3; (l.wide != nil) != want {
			t.Errorf("%d climbs: kept wide = %v, want %v", len(climbs), l.wide != nil, want)
		}
		if got := l.arrival(); !got.IsZero() {
			t.Errorf("no arrival set, read back %v", got)
		}
	}
}

// A record's category scores follow its units, and survive the sharing of
// equal lists between leads.
func TestCatsFollowUnits(t *testing.T) {
	b := &Backtest{}
	v := []float64{1, 0, 0.5, 40, 12}
	l := leadRec{units: v[:3]}
	if got := l.cats(); len(got) != 2 || got[0] != 40 || got[1] != 12 {
		t.Fatalf("cats = %v, want [40 12]", got)
	}
	w := append([]float64(nil), v...)
	first := b.share(v)
	shared := b.share(w)[:3]
	if &shared[0] != &first[0] {
		t.Fatal("an equal list was not shared")
	}
	m := leadRec{units: shared}
	if got := m.cats(); len(got) != 2 || got[0] != 40 || got[1] != 12 {
		t.Fatalf("cats after sharing = %v, want [40 12]", got)
	}
	other := b.share([]float64{1, 0, 0.5, 40, 13})
	if &other[0] == &first[0] {
		t.Fatal("lists that differ in a category score were shared")
	}
}

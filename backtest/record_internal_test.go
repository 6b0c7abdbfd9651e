package backtest

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/leadscore/leadscore/rules"
)

// fileOne files a measured lead's record in b as AddMeasured does, and
// returns the record filed.
func fileOne(b *Backtest, m *Measured) *leadRec {
	c := b.slot()
	*c = *m.rec
	b.file(c, m)
	return c
}

// A record's instants read back as they were set, to the nanosecond,
// whether or not they fit a stamp: the zero time, the ends of a stamp's
// range, and instants centuries outside it, in any zone.
func TestInstantsReadBackExactly(t *testing.T) {
	zone := time.FixedZone("", -(9*3600 + 30*60))
	cases := [][nInstants]time.Time{
		{},
		{time.Date(2026, 7, 1, 12, 0, 0, 1, time.UTC), {}, time.Date(2025, 1, 2, 3, 4, 5, 999999999, zone), time.Unix(0, 0), time.Unix(0, -1), time.Date(2025, 1, 2, 3, 4, 5, 6, zone)},
		{time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2261, 12, 31, 23, 59, 59, 999999999, time.UTC), {}, {}, {}},
		{time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(1677, 12, 31, 23, 59, 59, 0, time.UTC), {}, {}, {}},
		{{}, {}, {}, time.Date(9999, 12, 31, 23, 59, 59, 999999999, zone), time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)},
		{time.Date(2262, 6, 1, 0, 0, 0, 0, time.UTC), {}, {}, {}, {}},
		{{}, {}, {}, {}, {}, time.Date(1066, 10, 14, 9, 0, 0, 0, zone)},
	}
	b := &Backtest{}
	for i, c := range cases {
		m := &Measured{rec: &leadRec{units: noList}, created: c[atCreated]}
		m.setInstants(&c, nil)
		l := fileOne(b, m)
		got := [nInstants]time.Time{b.oppAt(l), b.wonAt(l), b.lastEvent(l), b.arrival(l), b.srAt(l), b.created(l)}
		for j := range c {
			if !got[j].Equal(c[j]) || got[j].IsZero() != c[j].IsZero() {
				t.Errorf("case %d, instant %d: set %v, read back %v", i, j, c[j], got[j])
			}
		}
		if got, want := b.created(l).Format(time.RFC3339Nano), c[atCreated].Format(time.RFC3339Nano); !c[atCreated].IsZero() && got != want {
			t.Errorf("case %d: created %s, read back %s", i, want, got)
		}
		wide := i >= 3
		if (l.wide != 0) != wide {
			t.Errorf("case %d: kept wide = %v, want %v", i, l.wide != 0, wide)
		}
	}

	// The climbs' times likewise; one that does not fit keeps them all.
	in := time.Date(2026, 3, 1, 8, 0, 0, 7, time.UTC)
	for _, climbs := range [][]time.Time{
		{in, in.Add(time.Hour)},
		{in, time.Date(1066, 10, 14, 9, 0, 0, 0, time.UTC), in.Add(time.Hour)},
	} {
		m := &Measured{rec: &leadRec{units: noList}, climbs: make([]climb, len(climbs))}
		for i := range m.climbs {
			m.climbs[i].level = float64(i)
		}
		var at [nInstants]time.Time
		m.setInstants(&at, climbs)
		l := fileOne(b, m)
		for i, c := range climbs {
			if got := b.climbAt(l, i); !got.Equal(c) {
				t.Errorf("climb %d: set %v, read back %v", i, c, got)
			}
			if got := b.climbsOf(l)[i].level; got != float64(i) {
				t.Errorf("climb %d: level %v, want %d", i, got, i)
			}
		}
		if want := len(climbs) == 3; (l.wide != 0) != want {
			t.Errorf("%d climbs: kept wide = %v, want %v", len(climbs), l.wide != 0, want)
		}
		if got := b.arrival(l); !got.IsZero() {
			t.Errorf("no arrival set, read back %v", got)
		}
	}
}

// A record holds no pointers (so that the garbage collector does not
// scan the slabs), and stays at its size.
func TestRecordHoldsNoPointers(t *testing.T) {
	var walk func(reflect.Type, string)
	walk = func(ty reflect.Type, path string) {
		switch ty.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.String, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
			t.Errorf("leadRec%s is a %s: it holds a pointer", path, ty.Kind())
		case reflect.Struct:
			for i := 0; i < ty.NumField(); i++ {
				walk(ty.Field(i).Type, path+"."+ty.Field(i).Name)
			}
		case reflect.Array:
			walk(ty.Elem(), path+"[]")
		}
	}
	walk(reflect.TypeOf(leadRec{}), "")
	walk(reflect.TypeOf(climb{}), " climb")
	if got := unsafe.Sizeof(leadRec{}); got != 104 {
		t.Errorf("a record takes %d bytes; the docs say 104", got)
	}
}

// Many records' climbs fill the store block by block, a run never split
// between two, and a run longer than a block has one of its own.
func TestClimbsAcrossBlocks(t *testing.T) {
	b := &Backtest{}
	var recs []*leadRec
	var want [][]climb
	for i, n := range []int{3, climbBlockSize - 4, 2, 5, climbBlockSize + 10, 1, 0, 7} {
		c := make([]climb, n)
		for j := range c {
			c[j] = climb{at: stamp(i*1000000 + j), level: float64(j)}
		}
		l := &leadRec{}
		l.climb, l.nClimbs = b.keepClimbs(c)
		recs, want = append(recs, l), append(want, c)
	}
	for i, l := range recs {
		got := b.climbsOf(l)
		if len(got) != len(want[i]) || (len(got) > 0 && (got[0] != want[i][0] || got[len(got)-1] != want[i][len(got)-1])) {
			t.Errorf("run %d of %d climbs read back %d", i, len(want[i]), len(got))
		}
	}
}

// A record's category scores follow its units, and survive the sharing of
// equal lists between leads.
func TestCatsFollowUnits(t *testing.T) {
	b := &Backtest{model: &rules.Model{Rules: make([]*rules.Rule, 2), Gates: make([]*rules.Rule, 1), Categories: make([]*rules.Category, 2)}}
	v := []float64{1, 0, 0.5, 40, 12}
	l := leadRec{units: b.share(v)}
	if got := b.cats(&l); len(got) != 2 || got[0] != 40 || got[1] != 12 {
		t.Fatalf("cats = %v, want [40 12]", got)
	}
	if got := b.units(&l); len(got) != 3 || got[2] != 0.5 {
		t.Fatalf("units = %v, want [1 0 0.5]", got)
	}
	w := append([]float64(nil), v...)
	if b.share(w) != l.units {
		t.Fatal("an equal list was not shared")
	}
	other := b.share([]float64{1, 0, 0.5, 40, 13})
	if other == l.units {
		t.Fatal("lists that differ in a category score were shared")
	}
	if got := b.cats(&leadRec{units: other}); got[1] != 13 {
		t.Fatalf("cats = %v, want [40 13]", got)
	}
	if b.units(&leadRec{units: noList}) != nil || b.cats(&leadRec{units: noList}) != nil {
		t.Fatal("a record without units has some")
	}
}

// Lists are kept once, by their bits, against a map from the bits to
// the first list filed: random lists from few values, so that many
// repeat, 0 and -0 and NaN among them, across the table's growth.
func TestListsInternedOnce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	s := listStore{nu: 2, w: 3}
	values := []float64{0, math.Copysign(0, -1), 1, 0.5, math.NaN(), 40}
	ref := map[[3]uint64]uint32{}
	for i := 0; i < 20000; i++ {
		var v [3]float64
		var key [3]uint64
		for j := range v {
			v[j] = values[r.IntN(len(values))]
			if r.IntN(50) == 0 {
				v[j] = r.Float64() // rarely alike
			}
			key[j] = math.Float64bits(v[j])
		}
		got := s.intern(v[:])
		if first, ok := ref[key]; ok {
			if got != first {
				t.Fatalf("list %v filed again as %d, first as %d", v, got, first)
			}
			continue
		}
		if got != uint32(len(ref)) {
			t.Fatalf("a new list numbered %d, want %d", got, len(ref))
		}
		ref[key] = got
	}
	for key, i := range ref {
		l := s.list(i)
		for j := range key {
			if math.Float64bits(l[j]) != key[j] {
				t.Fatalf("list %d reads back %v", i, l)
			}
		}
	}
	if int(s.n) != len(ref) || len(s.table) < 2*len(ref) {
		t.Fatalf("%d lists in a table of %d for %d distinct", s.n, len(s.table), len(ref))
	}
}

// split orders the records as a stable sort by creation time does (ties
// keep their places), for instants that fit a stamp and that do not,
// the zero time, and many ties.
func TestSplitIsAStableSortByCreation(t *testing.T) {
	r := rand.New(rand.NewPCG(28, 1))
	zone := time.FixedZone("", 5*3600)
	pool := []time.Time{{}, time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2300, 1, 1, 0, 0, 0, 5, zone)}
	for i := 0; i < 40; i++ {
		pool = append(pool, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(1000))*time.Hour+time.Duration(r.IntN(3))))
	}
	b := &Backtest{}
	var in []*leadRec
	for i := 0; i < 2000; i++ {
		c := [nInstants]time.Time{}
		c[atCreated] = pool[r.IntN(len(pool))]
		m := &Measured{rec: &leadRec{units: noList, total: float64(i)}, created: c[atCreated]}
		m.setInstants(&c, nil)
		in = append(in, fileOne(b, m))
	}
	want := append([]*leadRec(nil), in...)
	slices.SortStableFunc(want, func(x, y *leadRec) int { return b.instant(x, atCreated).Compare(b.instant(y, atCreated)) })
	fit, test := b.split(in)
	got := append(append([]*leadRec(nil), fit...), test...)
	if len(fit) != int(math.Floor(float64(len(in))*FitShare)) {
		t.Fatalf("fit %d of %d", len(fit), len(in))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("place %d: lead %v, want %v", i, got[i].total, want[i].total)
		}
	}
}

package fieldpack

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// same is reflect.DeepEqual with floats compared by their bits (NaN is
// NaN, -0 is not 0), and a value's type compared too.
func same(a, b any) bool {
	switch a := a.(type) {
	case float64:
		bf, ok := b.(float64)
		return ok && math.Float64bits(a) == math.Float64bits(bf)
	case []string:
		bl, ok := b.([]string)
		return ok && (a == nil) == (bl == nil) && slices.Equal(a, bl)
	case time.Time:
		// The same instant, in the very same zone: == compares both.
		bt, ok := b.(time.Time)
		return ok && a == bt && a.String() == bt.String()
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) || (a == nil) != (bl == nil) {
			return false
		}
		for i := range a {
			if !same(a[i], bl[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, v := range a {
			w, ok := bm[k]
			if !ok || !same(v, w) {
				return false
			}
		}
		return true
	}
	return a == b
}

var zones = func() []*time.Location {
	out := []*time.Location{time.UTC, time.Local, time.FixedZone("", -5*3600-30*60), time.FixedZone("EST", -5*3600)}
	if berlin, err := time.LoadLocation("Europe/Berlin"); err == nil {
		out = append(out, berlin)
	}
	return out
}()

func randomValue(r *rand.Rand, depth int) any {
	switch k := r.IntN(8); {
	case k == 0:
		return nil
	case k == 1:
		return r.IntN(2) == 0
	case k == 2:
		return []float64{0, math.Copysign(0, -1), math.NaN(), math.Inf(1), 1e308, 5e-324, r.NormFloat64() * 1e6}[r.IntN(7)]
	case k == 3:
		return []string{"", "Software", "é ü 日本", "a\x00b", strings.Repeat("x", 300), "\xff\xfe"}[r.IntN(6)]
	case k == 4:
		switch r.IntN(4) {
		case 0:
			return r.IntN(1<<40) - 1<<39
		case 1:
			return []string{"a", "", "b|c"}[:r.IntN(4)]
		case 2:
			return time.Date(1900+r.IntN(300), 3, 29, 2, 30, r.IntN(60), r.IntN(1e9), zones[r.IntN(len(zones))])
		}
		return json.Number(fmt.Sprint(r.Int64()))
	case k == 5 && depth < 4:
		list := make([]any, r.IntN(4))
		for i := range list {
			list[i] = randomValue(r, depth+1)
		}
		return list
	case k == 6 && depth < 4:
		return randomRecord(r, depth+1)
	}
	return r.Float64()
}

func randomRecord(r *rand.Rand, depth int) map[string]any {
	m := map[string]any{}
	for range r.IntN(12) {
		m[fmt.Sprintf("f%d", r.IntN(20))] = randomValue(r, depth)
	}
	return m
}

// Every record decoding can give comes back the same, to the bit, from
// Decode and from a Store, whatever the records before it.
func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var s Store
	var refs []Ref
	var records []map[string]any
	for range 5000 {
		m := randomRecord(r, 0)
		if r.IntN(500) == 0 {
			// Now and then a record larger than a chunk, or than half one.
			m["big"] = strings.Repeat("y", []int{chunkSize / 2, chunkSize, 3 * chunkSize}[r.IntN(3)])
		}
		ref, ok := s.Add(m)
		require.True(t, ok)
		back, err := s.Get(ref)
		require.NoError(t, err)
		require.True(t, same(m, back), "%v\n%v", m, back)
		refs, records = append(refs, ref), append(records, m)
	}
	require.Greater(t, len(s.chunks), 10)
	for i, ref := range refs {
		back, err := s.Get(ref)
		require.NoError(t, err)
		require.True(t, same(records[i], back), "record %d", i)
	}
}

// A value of a type decoding does not give is refused, and the Store holds
// nothing of it: the next record is as if it had not come.
func TestRefusesOtherTypes(t *testing.T) {
	for _, v := range []any{time.Now(), int64(3), float32(1), []int{1}, map[string]string{}, []any(nil), []string(nil), map[string]any(nil), struct{}{}} {
		var s Store
		_, ok := s.Add(map[string]any{"a": "b", "v": v})
		require.False(t, ok, "%T", v)
		_, ok = s.Add(map[string]any{"nested": []any{map[string]any{"v": v}}})
		require.False(t, ok, "%T", v)
		ref, ok := s.Add(map[string]any{"x": 1.5})
		require.True(t, ok)
		back, err := s.Get(ref)
		require.NoError(t, err)
		require.Equal(t, map[string]any{"x": 1.5}, back)
		require.Equal(t, uint32(0), ref.off, "the refused records took no room")
	}
}

// Bytes Add did not write are an error, never a panic or a record read
// past its end.
func TestCorrupt(t *testing.T) {
	var s Store
	ref, ok := s.Add(map[string]any{"a": []any{"x", 1.0, map[string]any{"b": json.Number("12345678901234567")}}, "t": time.Unix(5, 6).In(zones[2]), "n": -7, "l": []string{"x"}})
	require.True(t, ok)
	good := s.chunks[ref.chunk][ref.off : ref.off+ref.n]
	for cut := range len(good) {
		_, err := s.decode(good[:cut])
		require.ErrorIs(t, err, ErrCorrupt, "cut at %d", cut)
	}
	_, err := s.decode(append(append([]byte(nil), good...), 0))
	require.ErrorIs(t, err, ErrCorrupt)
	_, err = s.decode([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	require.ErrorIs(t, err, ErrCorrupt)
	_, err = s.Get(Ref{chunk: 3})
	require.ErrorIs(t, err, ErrCorrupt)
}

func FuzzDecode(f *testing.F) {
	var seed Store
	ref, _ := seed.Add(map[string]any{"a": []any{"x", 1.0, nil, true}, "t": time.Unix(1, 2).In(zones[3]), "n": 4, "l": []string{"y"}})
	f.Add(seed.chunks[ref.chunk][ref.off : ref.off+ref.n])
	f.Fuzz(func(t *testing.T, b []byte) {
		s := Store{zones: zones[1:]}
		m, err := s.decode(b)
		if err != nil {
			return
		}
		// What decodes packs again to a record that decodes the same.
		ref, ok := s.Add(m)
		if !ok {
			t.Fatalf("a decoded record does not pack: %v", m)
		}
		m2, err := s.Get(ref)
		if err != nil || !same(m, m2) {
			t.Fatalf("%v then %v (%v)", m, m2, err)
		}
	})
}

// time.Parse makes a new fixed zone for each time at an offset Local does
// not have (+05:30, -03:30): they share one zone in the store, so that a
// file of such times packs whole, and each comes back reading the same:
// its instant, its zone's name and offset, its text.
func TestFixedZonesShareOne(t *testing.T) {
	var s Store
	var refs []Ref
	var times []time.Time
	for i := range 5000 {
		text := fmt.Sprintf("2026-05-%02dT10:%02d:00%s", 1+i%28, i%60, []string{"+05:30", "-03:30", "+05:45", "+05:30"}[i%4])
		v, err := time.Parse(time.RFC3339, text)
		require.NoError(t, err)
		ref, ok := s.Add(map[string]any{"at": v})
		require.True(t, ok, "record %d", i)
		refs, times = append(refs, ref), append(times, v)
	}
	require.LessOrEqual(t, len(s.zones), 3, "one zone an offset")
	for i, ref := range refs {
		m, err := s.Get(ref)
		require.NoError(t, err)
		got := m["at"].(time.Time)
		want := times[i]
		require.True(t, got.Equal(want))
		require.Equal(t, want.String(), got.String())
		require.Equal(t, want.Format(time.RFC3339Nano+" MST"), got.Format(time.RFC3339Nano+" MST"))
		wn, wo := want.Zone()
		gn, go_ := got.Zone()
		require.Equal(t, [2]any{wn, wo}, [2]any{gn, go_})
	}
	// A named zone with daylight saving keeps its own pointer: Berlin is
	// never taken for a fixed +02:00.
	if berlin, err := time.LoadLocation("Europe/Berlin"); err == nil {
		summer := time.Date(2026, 7, 1, 12, 0, 0, 0, berlin)
		ref, ok := s.Add(map[string]any{"at": summer, "fixed": time.Date(2026, 7, 1, 12, 0, 0, 0, time.FixedZone("CEST", 7200))})
		require.True(t, ok)
		m, err := s.Get(ref)
		require.NoError(t, err)
		require.True(t, m["at"].(time.Time) == summer, "the very zone")
		require.Equal(t, "2026-12-01 12:00:00 +0100 CET", m["at"].(time.Time).AddDate(0, 5, 0).String())
		require.Equal(t, "CEST", m["fixed"].(time.Time).Location().String())
	}
}

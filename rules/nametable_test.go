package rules

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// checkNameTable compares a table of names with the Go map it was built
// from, on every name and on each query.
func checkNameTable(t *testing.T, names []string, queries []string) {
	t.Helper()
	m := map[string]int{}
	for i, n := range names {
		m[n] = i
	}
	tab := newNameTable(m)
	for _, q := range append(names, queries...) {
		want, wantOK := m[q]
		got, ok := tab.get(q)
		if got != want || ok != wantOK {
			t.Fatalf("names %q: get(%q) = %d, %v; the map says %d, %v", names, q, got, ok, want, wantOK)
		}
	}
}

func TestNameTableAgreesWithAMap(t *testing.T) {
	types := []string{"email_open", "email_click", "page_view", "content_download", "webinar_registered",
		"webinar_attended", "demo_request", "trial_signup"}
	near := []string{"", "e", "email_ope", "email_opeN", "Email_open", "email_open ", "page_vieW", "pagexview",
		"demo_requesx", "webinar_attendee", "trial_signup\x00", "\xff", "email_clicks"}
	checkNameTable(t, types, near)
	checkNameTable(t, nil, near)
	checkNameTable(t, []string{"a"}, []string{"", "b", "aa", "A"})
	checkNameTable(t, []string{""}, []string{"", "a"}) // the empty name, as a map allows it

	// Random sets of up to 300 names, with queries that differ from a
	// name by one byte, a length or nothing.
	r := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		b := make([]byte, 1+r.IntN(12))
		for i := range b {
			b[i] = "abcdefgh_."[r.IntN(10)]
		}
		return string(b)
	}
	for range 300 {
		seen := map[string]bool{}
		var names []string
		for range r.IntN(300) {
			if w := word(); !seen[w] {
				seen[w] = true
				names = append(names, w)
			}
		}
		queries := []string{word(), word()}
		for _, n := range names[:min(len(names), 20)] {
			b := []byte(n)
			b[r.IntN(len(b))] ^= 1
			queries = append(queries, string(b), n+"x", n[1:])
		}
		checkNameTable(t, names, queries)
	}
}

// Names alike in length and in the bytes the hash reads share every
// slot: the table falls back to a map, and still finds each.
func TestNameTableFallsBackOnNamesItCannotSeparate(t *testing.T) {
	names := []string{"abXdefg", "abYdefg", "abZdefg"}
	m := map[string]int{}
	for i, n := range names {
		m[n] = i
	}
	if tab := newNameTable(m); tab.slots != nil || tab.other == nil {
		t.Fatalf("names %q that collide under any multiplier got slots, no fallback", names)
	}
	checkNameTable(t, names, []string{"abcdefg", "abXdefh", ""})

	// Many names: beyond maxTableNames, the map.
	var many []string
	for i := range 3000 {
		many = append(many, fmt.Sprintf("field_%d", i))
	}
	checkNameTable(t, many, []string{"field_3000", "field_", strings.Repeat("f", 9)})
	m = map[string]int{}
	for i := 10; i < 100; i++ {
		m[fmt.Sprintf("field_%d", i)] = i
	}
	if tab := newNameTable(m); tab.slots == nil {
		t.Errorf("the names field_10 to field_99: no slots")
	}
}

func FuzzNameTable(f *testing.F) {
	f.Add("email_open,email_click,page_view", "page_view")
	f.Add("abXdefg,abYdefg", "abZdefg")
	f.Add(",a", "")
	f.Fuzz(func(t *testing.T, list, query string) {
		names := strings.Split(list, ",")
		seen := map[string]bool{}
		unique := names[:0]
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				unique = append(unique, n)
			}
		}
		checkNameTable(t, unique, []string{query})
	})
}

// BenchmarkNameTable finds the bundled model's event types, and a type it
// does not declare, in a table and, as the baseline, in a Go map.
func BenchmarkNameTable(b *testing.B) {
	types := []string{"email_open", "email_click", "page_view", "content_download", "webinar_registered",
		"webinar_attended", "demo_request", "trial_signup"}
	m := map[string]int{}
	for i, n := range types {
		m[n] = i
	}
	// Queries are copies, as a decoder gives them: equal text, other memory.
	var queries []string
	for _, n := range append(types, "form_submit") {
		queries = append(queries, strings.Clone(n))
	}
	tab := newNameTable(m)
	sum := 0
	b.Run("table", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			v, _ := tab.get(queries[i%len(queries)])
			sum += v
		}
	})
	b.Run("map", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			sum += m[queries[i%len(queries)]]
		}
	})
	if sum < 0 {
		b.Fatal(sum)
	}
}

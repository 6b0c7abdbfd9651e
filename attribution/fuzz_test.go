package attribution_test

import (
	"bytes"
	"encoding/csv"
	"io"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
)

// FuzzReaders feeds arbitrary bytes to every reader of outside input:
// journeys (NDJSON and CSV with touches), paths and costs. Bad input is
// refused or reported by line; nothing may panic, and a journey read gives
// credit that sums to its revenue.
func FuzzReaders(f *testing.F) {
	f.Add([]byte(`{"id":"a","touches":[{"at":"2026-06-01T00:00:00Z","campaign":"c","channel":"e"}],"converted":true,"revenue":10}`),
		[]byte("journey_id,at,campaign,channel\na,2026-06-01,c,e\n\"b"))
	f.Add([]byte("id,converted,revenue,won\na,true,5,2026-06-02\n"), []byte("path;total_conversions;total_conversion_value;total_null\na > b;1;2;3\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		check := func(line int, j *attribution.Journey, err error) error {
			if err != nil || j == nil {
				return nil
			}
			sum := 0.0
			for _, c := range attribution.Attribute(attribution.WShaped(""), j, attribution.Options{}) {
				sum += c.Revenue
			}
			if j.Converted && (sum-j.Revenue > 1e-6*(1+j.Revenue) || j.Revenue-sum > 1e-6*(1+j.Revenue)) {
				t.Fatalf("line %d: credit %v for revenue %v", line, sum, j.Revenue)
			}
			return nil
		}
		attribution.ReadNDJSON(bytes.NewReader(a), check)
		attribution.ReadCSV(bytes.NewReader(a), bytes.NewReader(b), check)
		if p, _, _, err := attribution.ReadPaths(bytes.NewReader(b), func(int, error) {}); err == nil && p.Len() > 0 && len(p.Channels()) < 20 {
			if _, err := attribution.RunPaths(p, []string{"markov:2", "shapley", "linear"}, 1); err != nil {
				t.Fatal(err)
			}
		}
		attribution.ReadCosts(bytes.NewReader(b), func(int, error) {})
	})
}

// dataLines counts the non-empty lines after the first (the header): the
// rows of a CSV file without quotes, counted independently of encoding/csv.
func dataLines(b []byte) int {
	n := -1
	for _, l := range bytes.Split(b, []byte("\n")) {
		if len(l) > 0 {
			n++
		}
	}
	return max(n, 0)
}

// rowsReconcile checks a CSV reader's counts: every row is read or failed,
// failures are reported by line in order, and without quotes (which may
// join lines) the rows are the file's non-empty lines.
func rowsReconcile(t *testing.T, in []byte, n attribution.Counts, lines []int, lost int) {
	t.Helper()
	if n.Rows != n.Read+n.Failed || n.Failed != lost {
		t.Fatalf("counts %+v, %d rows lost in errors", n, lost)
	}
	for i := 1; i < len(lines); i++ {
		if lines[i] <= lines[i-1] {
			t.Fatalf("errors out of order: lines %v", lines)
		}
	}
	if !bytes.Contains(in, []byte(`"`)) && !bytes.Contains(in, []byte("\r")) && n.Rows != dataLines(in) {
		t.Fatalf("%d rows counted, the file has %d data lines", n.Rows, dataLines(in))
	}
}

// creditSums checks that every model credits exactly a converting
// journey's revenue, and that a report of the journeys writes as JSON.
func creditSums(t *testing.T, journeys []*attribution.Journey, costs attribution.Costs) {
	t.Helper()
	models := []attribution.Model{attribution.FirstTouchModel{}, attribution.LinearModel{}, attribution.TimeDecayModel{}, attribution.WShaped(""), attribution.FullPath()}
	rep := attribution.NewReport(models, attribution.Options{}, costs)
	want := 0.0
	for _, j := range journeys {
		for _, m := range models {
			sum := 0.0
			for _, c := range attribution.Attribute(m, j, attribution.Options{}) {
				sum += c.Revenue
			}
			if j.Converted && math.Abs(sum-j.Revenue) > 1e-9*(1+j.Revenue) {
				t.Fatalf("%s credits %v of journey %s's revenue %v", m.Name(), sum, j.ID, j.Revenue)
			}
		}
		rep.Add(j)
		if j.Converted {
			want += j.Revenue
		}
	}
	rep.Finish()
	for i := range models {
		if got := rep.Total.Credit[i].Revenue; math.Abs(got-want) > 1e-9*(1+want) {
			t.Fatalf("the report credits %v of %v", got, want)
		}
	}
	if err := rep.WriteJSON(io.Discard); err != nil {
		t.Fatal(err)
	}
}

// FuzzJourneys reads journeys as NDJSON and as CSV with touches: nothing
// panics, every non-blank NDJSON line is read or failed, CSV rows
// reconcile, and what was read is credited exactly its revenue.
func FuzzJourneys(f *testing.F) {
	f.Add([]byte("\ufeff{\"id\":\"a\",\"touches\":[{\"at\":\"2026-06-01T00:00:00Z\",\"campaign\":\"c\",\"channel\":\"e\"}],\"converted\":true,\"revenue\":1e15}\n{\"id\":\"b\",\"id\":\"b\"}\n{\"revenue\":1e400}\n[1]\n{} {}"),
		[]byte("journey_id,at,campaign,channel\na,2026-06-01,c,e\nb,2026-06-02,c\n"))
	f.Add([]byte("id,converted,revenue,won,sales_ready\na,true,5,2026-06-02,2026-06-01\nb,false,,\n\"c,true\nd,true,NaN,,\n"),
		[]byte("journey_id,at,campaign,channel,medium\na,2026-06-01,c,e,x\na,bad,c,e,\n"))
	f.Add([]byte("id,converted,revenue\nx,true,9300000000000\ny,true,1e13\n"), []byte("journey_id,at,campaign,channel\nx,2026-01-01,a,b\ny,2026-01-02,a\"b,c\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		var journeys []*attribution.Journey
		calls := 0
		require.NoError(t, attribution.ReadNDJSON(bytes.NewReader(a), func(line int, j *attribution.Journey, err error) error {
			calls++
			if (j == nil) == (err == nil) {
				t.Fatalf("line %d: journey %v with error %v", line, j, err)
			}
			if j != nil {
				journeys = append(journeys, j)
			}
			return nil
		}))
		nonBlank := 0
		for _, l := range bytes.Split(bytes.TrimPrefix(a, []byte("\ufeff")), []byte("\n")) {
			if len(bytes.TrimSpace(l)) > 0 {
				nonBlank++
			}
		}
		if calls != nonBlank {
			t.Fatalf("%d lines with something on them, %d read or failed", nonBlank, calls)
		}
		creditSums(t, journeys, nil)

		journeys = journeys[:0]
		var n attribution.Counts
		var lines []int
		lost := 0
		err := attribution.ReadCSV(bytes.NewReader(a), bytes.NewReader(b), func(line int, j *attribution.Journey, err error) error {
			n.Rows += attribution.RowsLost(err)
			if err != nil {
				n.Failed += attribution.RowsLost(err)
				lost += attribution.RowsLost(err)
				lines = append(lines, line)
			} else {
				n.Read++
				journeys = append(journeys, j)
			}
			return nil
		})
		if err == nil {
			rowsReconcile(t, a, n, lines, lost)
			creditSums(t, journeys, nil)
		}
	})
}

// FuzzCosts reads cost tables: nothing panics, rows reconcile, every cost
// read is an amount, and a report with them writes as JSON.
func FuzzCosts(f *testing.F) {
	f.Add([]byte("\ufeffcampaign,cost\nbrand,100\nbrand,1e15\nx,NaN\ny,-1\nz,1e400\nw\n\"v,1\n"))
	f.Add([]byte("cost,campaign\n5,a\n\n7,\"b\"\"c\"\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		var lines []int
		lost := 0
		costs, n, err := attribution.ReadCosts(bytes.NewReader(in), func(line int, err error) {
			lines = append(lines, line)
			lost += attribution.RowsLost(err)
		})
		if err != nil {
			return
		}
		rowsReconcile(t, in, n, lines, lost)
		for c, v := range costs {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				t.Fatalf("campaign %q costs %v", c, v)
			}
		}
		creditSums(t, []*attribution.Journey{{ID: "j", Converted: true, Revenue: 10,
			Touches: []attribution.Touch{{At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Campaign: "brand", Channel: "ads"}}}}, costs)
	})
}

// FuzzOutcomes reads CRM outcomes: nothing panics, rows reconcile, and a
// journey built from each outcome read is credited exactly its revenue.
func FuzzOutcomes(f *testing.F) {
	f.Add([]byte("lead_id,opportunity,won,revenue\nL1,2026-06-01,2026-06-20,1200\nL1,,,\nL2,,,5\nL3,x,,\n,,,\nL4,2026-06-01 10:00:00,2026-06-20,1e15\nL5\n\"L6,,,\n"))
	f.Add([]byte("\ufeffrevenue,won,opportunity,lead_id\n1e400,2026-01-01,,a\nNaN,2026-01-01,,b\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		var lines []int
		lost := 0
		outcomes, n, err := attribution.ReadOutcomes(bytes.NewReader(in), func(line int, err error) {
			lines = append(lines, line)
			lost += attribution.RowsLost(err)
		})
		if err != nil {
			return
		}
		rowsReconcile(t, in, n, lines, lost)
		if len(outcomes) != n.Read {
			t.Fatalf("%d outcomes from %d rows read", len(outcomes), n.Read)
		}
		var journeys []*attribution.Journey
		for id, o := range outcomes {
			j := &attribution.Journey{ID: id, Milestones: map[string]time.Time{},
				Touches: []attribution.Touch{{At: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Campaign: "c", Channel: "e"}}}
			if !o.Won.IsZero() {
				j.Milestones[attribution.Won], j.Converted, j.Revenue = o.Won, true, o.Revenue
			}
			journeys = append(journeys, j)
		}
		creditSums(t, journeys, nil)
	})
}

// FuzzPathFormats reads paths in any layout: nothing panics, lines read
// reconcile, and the credit rows of every model add up exactly (math/big)
// to the paths' conversions and value.
func FuzzPathFormats(f *testing.F) {
	f.Add([]byte("conv,path,value\n1,a|b,0.5\n2,b,1e-3\n"), byte(','), "|")
	f.Add([]byte("a > b;1;2;3\nb;0;0.24400000000000001;1\n"), byte(';'), ">")
	f.Add([]byte("a;1;0;0\nb;0;7;1\n"), byte(';'), ">") // value only where nothing converted
	f.Fuzz(func(t *testing.T, in []byte, delim byte, sep string) {
		pf := attribution.PathFormat{Delimiter: rune(delim), Separator: sep}
		failed := 0
		p, read, used, err := pf.Read(bytes.NewReader(in), func(int, error) { failed++ })
		if err != nil {
			return
		}
		if read != used+failed {
			t.Fatalf("%d read, %d used, %d failed", read, used, failed)
		}
		if p.Len() == 0 || len(p.Channels()) > 10 || p.Len() > 50 {
			return
		}
		rep, err := attribution.RunPaths(p, []string{"markov:1", "markov:2:nonull", "shapley", "linear"}, 1)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := rep.WriteCredit(&buf); err != nil {
			t.Fatal(err)
		}
		if err := rep.WriteTransitions(io.Discard); err != nil {
			t.Fatal(err)
		}
		sums := map[string][2]*big.Rat{}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs[1:] {
			s, ok := sums[r[4]]
			if !ok {
				s = [2]*big.Rat{new(big.Rat), new(big.Rat)}
				sums[r[4]] = s
			}
			for i, cell := range r[5:7] {
				q, ok := new(big.Rat).SetString(cell)
				if !ok {
					t.Fatalf("cell %q", cell)
				}
				s[i].Add(s[i], q)
			}
		}
		conv, value, _ := p.Totals()
		for _, m := range rep.Models {
			if strings.HasPrefix(m, "markov") && conv == 0 {
				continue // nothing converts: a chain credits nothing (the report notes it)
			}
			s := sums[m]
			if s[0] == nil {
				s = [2]*big.Rat{new(big.Rat), new(big.Rat)}
			}
			c, _ := s[0].Float64()
			v, _ := s[1].Float64()
			if c != conv || v != value {
				t.Fatalf("%s credits %v and %v of %v and %v", m, c, v, conv, value)
			}
		}
	})
}

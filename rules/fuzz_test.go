package rules_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/fuzzinput"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// TestMain bounds the fuzzing engine's minimization (see fuzzinput).
func TestMain(m *testing.M) { fuzzinput.Main(m) }

// FuzzCompile compiles arbitrary rule files: every outcome is a model or
// positioned diagnostics, never a panic, and never an internal error.
func FuzzCompile(f *testing.F) {
	src, err := os.ReadFile(filepath.Join("..", "testdata", "b2b-saas.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	lists, err := os.ReadFile(filepath.Join("..", "testdata", "common", "lists.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	// The bundled model with its include inlined, so the fuzzer starts from a valid file.
	inlined := strings.Replace(string(src), "include:\n  - common/lists.yaml\n", string(lists), 1)
	f.Add(inlined)
	f.Add(base)
	for _, tc := range brokenCases {
		f.Add(tc.src)
	}
	f.Add(accountsBase)
	for _, tc := range brokenAccounts {
		f.Add(strings.Replace(accountsBase, tc.old, tc.new, 1))
	}
	// Files that compile but ask for unbounded work at run time.
	for _, when := range hostileWhens {
		f.Add(strings.Replace(base, "when: employees > 10", "when: |\n      "+when, 1))
	}
	// The small seed files dsl's fuzz targets start from: with them the
	// fuzzer works on inputs it can run and minimize quickly (see fuzzinput).
	seeds, err := filepath.Glob(filepath.Join("..", "dsl", "testdata", "seeds", "*.yaml"))
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seed files: %v", err)
	}
	for _, name := range seeds {
		if strings.HasSuffix(name, "_test.yaml") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src))
	}
	f.Fuzz(func(t *testing.T, src string) {
		if fuzzinput.Skip(len(src)) {
			return
		}
		m, err := rules.CompileBytes("f.yaml", []byte(src))
		if (m == nil) == (err == nil) {
			t.Fatalf("want a model or an error, got %v and %v", m, err)
		}
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("internal error for\n%s\n%v", src, err)
		}
		if m == nil {
			return
		}
		// A model that compiles scores a lead within its limits: a result
		// or an error, never a panic or an internal error (the fuzzer's
		// own time limit catches unbounded work).
		lead := scoring.Lead{ID: "f", Fields: map[string]any{"title": "VP Sales", "employees": 120, "email": "a@b.io"},
			Events: []scoring.Event{{Type: "page_view", At: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)}}}
		res, err := scoring.New(m).Score(lead, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
		if (res == nil) == (err == nil) {
			t.Fatalf("want a result or an error, got %v and %v", res, err)
		}
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("internal error scoring with\n%s\n%v", src, err)
		}
		if m.Accounts == nil {
			return
		}
		// An accounts section scores an account of that lead: a result or
		// an error, never a panic.
		s, err := scoring.NewAccountScorer(m)
		if err != nil {
			t.Fatal(err)
		}
		asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		out, err := s.Score([]scoring.Account{{ID: "a", Fields: map[string]any{"domain": "b.io", "industry": "software"}}}, []scoring.Lead{lead, lead}, asOf)
		if err != nil {
			return
		}
		if out.Leads != out.ByID+out.ByDomain+len(out.Unmatched)+out.Failed {
			t.Fatalf("leads not accounted for: %+v", out)
		}
		for _, e := range out.Errors {
			if strings.Contains(e.Error(), "internal error") {
				t.Fatalf("internal error scoring an account with\n%s\n%v", src, e)
			}
		}
	})
}

// hostileWhens compile against base but, without limits, would make a
// lead run for minutes or grow memory without end.
var hostileWhens = []string{
	`any(1..employees * 80, {any(1..employees * 80, {# < 0})})`,
	`len(join(map(1..9000, {join(map(1..9000, {title}), title)}), "")) > 0`,
	`all(split(title + title + title + title + title + title, ""), {len(replace(title + title, "V", title + title + title)) > 0})`,
	`len(toJSON(toJSON(toJSON(toJSON(toJSON(toJSON(split(title, "")))))))) > 0`,
	`any(1..5000, {len(1..9000) < #})`,
}

// FuzzCoerceNumbers checks that a number from lead data is taken exactly or
// refused: a whole-number field never gets another value than the one
// given (no wraparound, no rounding), a number field never NaN or an
// infinity.
func FuzzCoerceNumbers(f *testing.F) {
	f.Add(0.0, int64(0), uint64(0), float32(0))
	f.Add(math.NaN(), int64(math.MinInt64), uint64(math.MaxUint64), float32(math.Inf(1)))
	f.Add(1e300, int64(math.MaxInt64), uint64(1<<63), float32(1e30))
	f.Add(math.Inf(-1), int64(-1), uint64(1<<53+1), float32(-16777217))
	f.Fuzz(func(t *testing.T, f64 float64, i64 int64, u64 uint64, f32 float32) {
		for _, v := range []any{f64, i64, u64, f32, uint(u64), uint32(u64), int32(i64),
			json.Number(strconv.FormatFloat(f64, 'g', -1, 64)), json.Number(strconv.FormatUint(u64, 10))} {
			if got, err := rules.Coerce(dsl.TypeFloat, v); err == nil {
				if x := got.(float64); math.IsNaN(x) || math.IsInf(x, 0) {
					t.Fatalf("%T %v gave %v for a number field", v, v, x)
				}
			}
			got, err := rules.Coerce(dsl.TypeInt, v)
			if err != nil {
				continue
			}
			n := got.(int)
			same := false
			switch x := v.(type) {
			case float64:
				same = float64(n) == x
			case float32:
				same = float64(n) == float64(x)
			case int64:
				same = int64(n) == x
			case int32:
				same = int64(n) == int64(x)
			case uint64:
				same = n >= 0 && uint64(n) == x
			case uint:
				same = n >= 0 && uint(n) == x
			case uint32:
				same = n >= 0 && uint64(n) == uint64(x)
			case json.Number:
				want, perr := strconv.ParseInt(string(x), 10, 64)
				same = perr == nil && int64(n) == want
			}
			if !same {
				t.Fatalf("%T %v became %d", v, v, n)
			}
		}
	})
}

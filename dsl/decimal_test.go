package dsl_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/dsl"
)

// Numbers in a rule file are read only when written in plain decimal: YAML
// readers disagree on the others (010 is 8 to a YAML 1.1 reader and 10 to
// a YAML 1.2 one; Go's syntax reads 0x10 as 16), so limit: 010 counted 8
// events where points: 010 gave 10 points. Each is refused at its line and
// column; a whole number past int32 is "too large", not "not whole".
func TestNumbersArePlainDecimal(t *testing.T) {
	model := func(points, limit string) string {
		return `leadscore: 1
model: m
fields:
  email: string
scores:
  fit: {}
stages:
  - {id: sql, sales_ready: true, when: fit > 1}
rules:
  - id: fit.click
    score: fit
    event: click
    points: ` + points + `
    limit: ` + limit + `
`
	}
	for _, c := range []struct{ points, limit, want string }{
		{"10", "010", "m.yaml:14:12: limit 010 is not written in plain decimal; write it as a whole number such as 10"},
		{"10", "0x10", "m.yaml:14:12: limit 0x10 is not written in plain decimal"},
		{"10", "0b11", "m.yaml:14:12: limit 0b11 is not written in plain decimal"},
		{"10", "1_000", "m.yaml:14:12: limit 1_000 is not written in plain decimal"},
		// Each key's own range: a limit counts events, from 1.
		{"10", "2147483648", "m.yaml:14:12: limit 2147483648 is too large: write a whole number from 1 to 2147483647 (it counts events)"},
		{"10", "99999999999999999999", "m.yaml:14:12: limit 99999999999999999999 is too large: write a whole number from 1 to 2147483647 (it counts events)"},
		{"10", "-2147483649", "m.yaml:14:12: limit -2147483649 is too small: write a whole number from 1 to 2147483647 (it counts events)"},
		{"10", "-99999999999999999999", "m.yaml:14:12: limit -99999999999999999999 is too small: write a whole number from 1 to 2147483647 (it counts events)"},
		{"10", "0", "m.yaml:14:12: limit must be at least 1 (it counts events)"},
		// A number past float64 is too large, not "not a number".
		{"1e400", "3", "m.yaml:13:13: points 1e400 is too large: numbers go from about -1.8e308 to 1.8e308 (points are usually a few dozen)"},
		{"-1e400", "3", "m.yaml:13:13: points -1e400 is too small: numbers go from about -1.8e308 to 1.8e308 (points are usually a few dozen)"},
		{"010", "3", "m.yaml:13:13: points 010 is not written in plain decimal; write it as 10, -3 or 2.5"},
		{"0x1p3", "3", "m.yaml:13:13: points must be a number, not \"0x1p3\""},
		{"1_0", "3", "m.yaml:13:13: points 1_0 is not written in plain decimal"},
		{".inf", "3", "m.yaml:13:13: points must be a finite number, not \".inf\""},
	} {
		_, err := dsl.Parse("m.yaml", []byte(model(c.points, c.limit)))
		require.ErrorContains(t, err, c.want, c.points+" "+c.limit)
	}
	for _, c := range []struct{ points, limit string }{{"10", "3"}, {"-2.5", "+3"}, {"0.5", "1"}, {"1e2", "2147483647"}, {"+4", "12"}, {".5", "1"}} {
		doc, err := dsl.Parse("m.yaml", []byte(model(c.points, c.limit)))
		require.NoError(t, err, c.points+" "+c.limit)
		require.NotNil(t, doc)
	}
}

// A test case's lead values follow the same rule: 010 is refused, a
// quoted "010" is a text.
func TestTestCaseNumbersArePlainDecimal(t *testing.T) {
	dir := t.TempDir()
	write := func(employees string) string {
		p := filepath.Join(dir, "m_test.yaml")
		require.NoError(t, os.WriteFile(p, []byte(`model: m.yaml
as_of: 2026-10-01
cases:
  - name: one
    lead:
      email: a@b.io
      employees: `+employees+`
    expect:
      total: 0
`), 0o644))
		return p
	}
	_, err := dsl.LoadTestFile(write("010"))
	require.ErrorContains(t, err, "m_test.yaml:7:18: ")
	require.ErrorContains(t, err, "010 is not written in plain decimal")
	_, err = dsl.LoadTestFile(write("0x10"))
	require.ErrorContains(t, err, "0x10 is not written in plain decimal")
	tf, err := dsl.LoadTestFile(write("10"))
	require.NoError(t, err)
	require.NotNil(t, tf)
	_, err = dsl.LoadTestFile(write(`"010"`))
	require.NoError(t, err)
}

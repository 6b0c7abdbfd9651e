package leadfile_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

func accountScorer(t testing.TB, opts ...scoring.Option) *scoring.AccountScorer {
	t.Helper()
	m, err := rules.CompileFile(testdata("accounts/model.yaml"))
	require.NoError(t, err)
	s, err := scoring.NewAccountScorer(m, opts...)
	require.NoError(t, err)
	return s
}

// readAccounts reads an accounts file and says each row as text.
func readAccounts(t *testing.T, s *scoring.AccountScorer, name, data string, format leadfile.Format) (rows, warnings []string) {
	t.Helper()
	err := leadfile.ReadAccounts(leadfile.Options{Input: strings.NewReader(data), InputName: name, InputFormat: format,
		OnWarning: func(w string) { warnings = append(warnings, w) }},
		s, func(line int, a scoring.Account, err error) error {
			if err != nil {
				rows = append(rows, fmt.Sprintf("%d: %s: %v", line, a.ID, err))
				return nil
			}
			r, err := s.ScoreAccount(a, nil, asOf)
			if err != nil {
				rows = append(rows, fmt.Sprintf("%d: %v", line, err))
				return nil
			}
			rows = append(rows, fmt.Sprintf("%d: %s fit %v unknown %v", line, a.ID, r.Score("fit"), r.Unknown))
			return nil
		})
	require.NoError(t, err)
	return rows, warnings
}

func TestReadAccountsNDJSON(t *testing.T) {
	s := accountScorer(t)
	data, err := os.ReadFile(testdata("accounts/accounts.ndjson"))
	require.NoError(t, err)
	rows, _ := readAccounts(t, s, "a.ndjson", string(data)+
		`{"id":"A-BAD","employees":"many"}`+"\n"+
		`{"industry":"Software"}`+"\n"+
		`{"id":"A-TYPO","industy":"Software","employees":500}`+"\n"+
		`{"id":"A-EV","events":[{"type":"page_view","at":"2026-09-01T00:00:00Z"}]}`+"\n"+
		`{"id":"A-RES","__people":9}`+"\n"+
		"not json\n", leadfile.NDJSON)
	assert.Equal(t, []string{
		"1: A-ACME fit 50 unknown []",
		"2: A-GLOBEX fit 50 unknown []",
		"3: A-INITECH fit 0 unknown []",
		"4: A-UMBRELLA fit 50 unknown []",
		"5: A-HOOLI fit 25 unknown []",
		`6: account A-BAD: employees: want a whole number, got the text "many"`,
		"7: : " + leadfile.ErrNoAccountID.Error(),
		`8: A-TYPO fit 25 unknown [unknown key "industy"; did you mean "industry"?]`,
		"9: A-EV: an account carries no events (its engagement is its people's); move them to the leads of its people",
		"10: A-RES: __people: names starting with __ are leadscore's own (the counts of people); rename it",
		"11: : broken JSON at byte 2: invalid character 'o' in literal null (expecting 'u')",
	}, rows)
}

func TestReadAccountsCSV(t *testing.T) {
	s := accountScorer(t)
	rows, warnings := readAccounts(t, s, "a.csv", "id,domain,industry,employes,customer\n"+
		"A-ACME,acme.com,Software,1200,false\n"+
		"A-X,x.com,Software,,yes please\n"+
		",y.com,SaaS,,\n", leadfile.CSV)
	assert.Equal(t, []string{
		"2: A-ACME fit 25 unknown [unknown key \"employes\"; did you mean \"employees\"?]",
		`3: A-X: customer: want true or false, got "yes please"`,
		"4: : " + leadfile.ErrNoAccountID.Error(),
	}, rows)
	assert.Equal(t, []string{`a.csv:1: column "employes" is not in the model, so no rule reads it; did you mean "employees"?`}, warnings)
}

// With scoring.RefuseUnknown, an account carrying data its fields do not
// declare fails alone, as a lead does.
func TestReadAccountsStrict(t *testing.T) {
	s := accountScorer(t, scoring.WithUnknownData(scoring.RefuseUnknown))
	rows, _ := readAccounts(t, s, "a.ndjson", `{"id":"A-TYPO","industy":"Software"}`+"\n"+`{"id":"A-OK","industry":"Software"}`+"\n", leadfile.NDJSON)
	assert.Equal(t, []string{
		`1: account A-TYPO: unknown key "industy"; did you mean "industry"? (the model does not declare it, so no rule would read it)`,
		"2: A-OK fit 25 unknown []",
	}, rows)
}

// FuzzReadAccounts reads arbitrary accounts files, NDJSON and CSV, and
// scores what it reads: no panic, and every row is an account or an
// error.
func FuzzReadAccounts(f *testing.F) {
	data, err := os.ReadFile(testdata("accounts/accounts.ndjson"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("id,domain,industry,employees,customer\nA,a.com,Software,12,true\nB,,,many,\n\"C,\n"))
	f.Add([]byte(`{"id":"A","employees":1e400}` + "\n" + `{"id":7}` + "\n" + `{"id":"B","events":[{}]}`))
	s := accountScorer(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []leadfile.Format{leadfile.NDJSON, leadfile.CSV} {
			rows := 0
			err := leadfile.ReadAccounts(leadfile.Options{Input: bytes.NewReader(data), InputName: "a", InputFormat: format}, s,
				func(line int, a scoring.Account, err error) error {
					rows++
					if err != nil {
						return nil
					}
					if a.ID == "" {
						t.Fatalf("line %d: an account without an id was read", line)
					}
					if _, err := s.ScoreAccount(a, nil, asOf); err != nil && strings.Contains(err.Error(), "internal error") {
						t.Fatalf("line %d: %v", line, err)
					}
					return nil
				})
			_ = err // a bad header stops the file, as documented
		}
	})
}

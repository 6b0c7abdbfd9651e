package leadfile_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/scoring/leadfile"
	"github.com/leadscore/leadscore/scoring/source"
)

// repeatRows returns the file's rows (after its header, if any) with
// some rows given again at random places, and, computed apart from
// Score, each repeated row's "id first line" as OnRepeatedID should say
// them: the id is the text before the first comma, or a JSON line's id.
func repeatRows(t *testing.T, name string, header bool, seed uint64) (string, []string) {
	t.Helper()
	data, err := os.ReadFile(testdata(name))
	require.NoError(t, err)
	lines := strings.SplitAfter(strings.TrimSuffix(string(data), "\n"), "\n")
	lines[len(lines)-1] += "\n"
	head, rows := "", lines
	if header {
		head, rows = lines[0], lines[1:]
	}
	r := rand.New(rand.NewPCG(seed, 1))
	for range 40 { // some rows again, some of them more than twice
		rows = append(rows, rows[r.IntN(len(rows))])
	}
	r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	first := map[string]int{}
	var want []string
	for i, row := range rows {
		line := i + 1
		if header {
			line++
		}
		id, _, _ := strings.Cut(row, ",")
		if !header {
			id = strings.Split(row, `"`)[3] // {"id":"L...
		}
		if f, ok := first[id]; ok {
			want = append(want, fmt.Sprintf("%s %d %d", id, f, line))
		} else {
			first[id] = line
		}
	}
	require.NotEmpty(t, want)
	return head + strings.Join(rows, ""), want
}

func TestRepeatedIDsAreToldInEveryInputForm(t *testing.T) {
	mapping, err := source.ParseFile(testdata(filepath.Join("crm", "hubspot.yaml")))
	require.NoError(t, err)
	for _, c := range []struct {
		name, file string
		opts       func(in string) leadfile.Options
	}{
		{"ndjson", "leads.ndjson", func(in string) leadfile.Options {
			return leadfile.Options{Input: strings.NewReader(in), InputName: "l.ndjson"}
		}},
		{"csv", "leads.csv", func(in string) leadfile.Options {
			return leadfile.Options{Input: strings.NewReader(in), InputName: "l.csv", InputFormat: leadfile.CSV, Events: open(t, "events.csv"), EventsName: "events.csv"}
		}},
		{"mapped", "crm/hubspot-contacts.csv", func(in string) leadfile.Options {
			return leadfile.Options{Input: strings.NewReader(in), InputName: "c.csv", Source: mapping, Events: open(t, "crm/hubspot-activities.csv"), EventsName: "a.csv"}
		}},
	} {
		for _, workers := range []int{1, 3} {
			t.Run(fmt.Sprint(c.name, workers), func(t *testing.T) {
				in, want := repeatRows(t, c.file, c.name != "ndjson", uint64(workers))
				opts := c.opts(in)
				opts.Workers = workers
				var got []string
				opts.OnRepeatedID = func(id string, first, line int) { got = append(got, fmt.Sprintf("%s %d %d", id, first, line)) }
				_, errs, sum := run(t, opts)
				assert.Empty(t, errs)
				assert.Equal(t, want, got)
				assert.Equal(t, 1040, sum.Rows, "each repeated row is scored and counted, as before")
			})
		}
	}
}

package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring/source"
)

// init --sample drafts the bundled mappings from the bundled exports: the
// draft checks cleanly, maps the same columns as the hand-written mapping,
// differs from it only in what the values cannot tell (the CRM's time
// zone, and values: maps to the model's words), and with those two taken
// from the hand-written mapping scores the export exactly as it does.
func TestInitSampleDraftsTheBundledMappings(t *testing.T) {
	cases := []struct {
		name, contacts, activities, mapping string
		differences                         []string
		draftScoresOtherwise                bool // the differences change some lead's result
	}{
		{"hubspot", "crm/hubspot-contacts.csv", "crm/hubspot-activities.csv", "crm/hubspot.yaml", []string{
			"timezone: UTC, not America/New_York",
			"fields.country.values: none, not 11 values",
			"fields.industry.values: none, not 10 values",
			"fields.source.values: none, not 6 values",
			"fields.tech_stack.values: none, not 8 values",
		}, true},
		{"salesforce", "crm/salesforce-leads.csv", "crm/salesforce-tasks.csv", "crm/salesforce.yaml", []string{
			"timezone: UTC, not Europe/London",
			"fields.source.values: none, not 6 values",
			`fields.unsubscribed.true: ["1"], not the usual words`, // the same cells read true: 1 is one of them
			`fields.unsubscribed.false: ["0"], not the usual words`,
			// RFC 3339 reads the milliseconds as the hand-written layout does
			`events.at.layout: "2006-01-02T15:04:05Z07:00", not "2006-01-02T15:04:05.000Z07:00"`,
		}, false}, // no rule of the model reads source, and an hour's shift moves no lead at 2026-10-01

	}
	model, err := rules.CompileFile(td("b2b-saas.yaml"))
	require.NoError(t, err)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			draft := filepath.Join(dir, "draft.yaml")
			code, out, errOut := leadscore(t, "", "init", "--sample", td(c.contacts), "--events", td(c.activities), "--model", td("b2b-saas.yaml"), "-o", draft)
			require.Equal(t, exitOK, code, errOut)
			assert.Contains(t, out, "wrote "+draft)

			code, out, _ = leadscore(t, "", "check", "--model", td("b2b-saas.yaml"), draft)
			require.Equal(t, exitOK, code, out)
			assert.NotContains(t, out, "warning")

			got, ds := source.CheckFile(draft, model)
			require.Empty(t, ds)
			want, ds := source.CheckFile(td(c.mapping), model)
			require.Empty(t, ds)
			assert.Equal(t, c.differences, mappingDifferences(got, want))

			// Every guess is commented.
			text, err := os.ReadFile(draft)
			require.NoError(t, err)
			for _, line := range strings.Split(string(text), "\n") {
				trimmed := strings.TrimSpace(line)
				if strings.Contains(line, ": ") && !strings.HasPrefix(trimmed, "#") && trimmed != "leadscore: 1" && !strings.HasPrefix(trimmed, "- ") {
					assert.Contains(t, line, " # ", "a guess without a comment")
				}
			}

			score := func(mapping string) string {
				code, out, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01",
					"--source", mapping, "--events", td(c.activities), td(c.contacts))
				require.Equal(t, exitOK, code, errOut)
				return out
			}
			handWritten := score(td(c.mapping))
			changed := 0
			drafted := strings.Split(score(draft), "\n")
			for i, line := range strings.Split(handWritten, "\n") {
				if i >= len(drafted) || drafted[i] != line {
					changed++
				}
			}
			assert.Equal(t, c.draftScoresOtherwise, changed > 0, "%d leads score otherwise through the draft", changed)
			patched := filepath.Join(dir, "patched.yaml")
			require.NoError(t, os.WriteFile(patched, withZoneAndValues(t, text, want), 0o644))
			assert.Equal(t, handWritten, score(patched))
		})
	}
}

// mappingDifferences lists how a draft differs from a hand-written mapping,
// field by field, in what reading a cell depends on.
func mappingDifferences(got, want *source.Mapping) []string {
	var out []string
	diff := func(what, g, w string) {
		if g != w {
			out = append(out, fmt.Sprintf("%s: %s, not %s", what, g, w))
		}
	}
	diff("id", got.ID, want.ID)
	diff("timezone", got.Zone.String(), want.Zone.String())
	fieldDiff := func(what string, g, w *source.Field) {
		if g == nil || w == nil {
			if g != w {
				out = append(out, what+": mapped in one only")
			}
			return
		}
		diff(what+".column", g.Column, w.Column)
		diff(what+".values", count(len(g.Values), "values"), count(len(w.Values), "values"))
		diff(what+".separator", g.Separator, w.Separator)
		diff(what+".layout", fmt.Sprintf("%q", g.Layout), fmt.Sprintf("%q", w.Layout))
		diff(what+".true", words(g.True), words(w.True))
		diff(what+".false", words(g.False), words(w.False))
		format := func(f *source.NumberFormat) string {
			if f == nil {
				return "none"
			}
			return fmt.Sprintf("%q %q %q %q", f.Prefix, f.Suffix, f.Thousands, f.Decimal)
		}
		diff(what+".format", format(g.Format), format(w.Format))
	}
	fields := func(m *source.Mapping, list []*source.Field) map[string]*source.Field {
		out := map[string]*source.Field{}
		for _, f := range list {
			out[f.Name] = f
		}
		return out
	}
	gf, wf := fields(got, got.Fields), fields(want, want.Fields)
	for _, name := range union(gf, wf) {
		fieldDiff("fields."+name, gf[name], wf[name])
	}
	diff("ignore", sorted(got.Ignore), sorted(want.Ignore))
	diff("events.id", got.Events.ID, want.Events.ID)
	diff("events.lead", got.Events.Lead, want.Events.Lead)
	fieldDiff("events.type", got.Events.Type, want.Events.Type)
	for cell, v := range want.Events.Type.Values {
		diff("events.type.values."+cell, got.Events.Type.Values[cell], v)
	}
	fieldDiff("events.at", got.Events.At, want.Events.At)
	gf, wf = fields(got, got.Events.Fields), fields(want, want.Events.Fields)
	for _, name := range union(gf, wf) {
		fieldDiff("events.fields."+name, gf[name], wf[name])
	}
	return out
}

func count(n int, noun string) string {
	if n == 0 {
		return "none"
	}
	return fmt.Sprintf("%d %s", n, noun)
}

func words(w []string) string {
	if w == nil {
		return "the usual words"
	}
	return fmt.Sprintf("%q", w)
}

func sorted(s []string) string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return strings.Join(s, ", ")
}

func union(a, b map[string]*source.Field) []string {
	var names []string
	for n := range a {
		names = append(names, n)
	}
	for n := range b {
		if a[n] == nil {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// withZoneAndValues gives a draft the hand-written mapping's time zone and
// values: maps, the two things a sample of the export cannot tell.
func withZoneAndValues(t *testing.T, draft []byte, want *source.Mapping) []byte {
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal(draft, &doc))
	top := doc.Content[0]
	get := func(m *yaml.Node, key string) *yaml.Node {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				return m.Content[i+1]
			}
		}
		return nil
	}
	scalar := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }
	get(top, "timezone").Value = want.ZoneName
	fields := get(top, "fields")
	for _, f := range want.Fields {
		if f.Values == nil {
			continue
		}
		v := get(fields, f.Name)
		require.NotNil(t, v, f.Name)
		if v.Kind == yaml.ScalarNode {
			*v = yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{scalar("column"), scalar(v.Value)}}
		}
		values := &yaml.Node{Kind: yaml.MappingNode}
		for cell, to := range f.Values {
			values.Content = append(values.Content, scalar(cell), scalar(to))
		}
		v.Content = append(v.Content, scalar("values"), values)
	}
	out, err := yaml.Marshal(&doc)
	require.NoError(t, err)
	return out
}

// Without --model, the draft proposes a model's fields; that model
// compiles, and the draft checks against it without errors.
func TestInitSampleWithoutAModel(t *testing.T) {
	code, draft, errOut := leadscore(t, "", "init", "--sample", td("crm/salesforce-leads.csv"), "--events", td("crm/salesforce-tasks.csv"))
	require.Equal(t, exitOK, code, errOut)
	_, block, found := strings.Cut(draft, "# A model for these exports could declare")
	require.True(t, found, draft)
	var model strings.Builder
	model.WriteString("leadscore: 1\nmodel: drafted\nscores: {fit: {}}\nstages: [{id: sql, sales_ready: true, when: fit > 0}]\n")
	for _, line := range strings.Split(block, "\n")[1:] {
		model.WriteString(strings.TrimPrefix(strings.TrimPrefix(line, "#"), " ") + "\n")
	}
	dir := t.TempDir()
	mf, df := filepath.Join(dir, "model.yaml"), filepath.Join(dir, "draft.yaml")
	require.NoError(t, os.WriteFile(mf, []byte(model.String()), 0o644))
	require.NoError(t, os.WriteFile(df, []byte(draft), 0o644))
	code, out, _ := leadscore(t, "", "check", "--model", mf, df)
	require.Equal(t, exitOK, code, out+"\n"+model.String())
	assert.Contains(t, draft, "  created_date: {column: Created Date, layout: \"02/01/2006 15:04:05\"} # layout guessed from 1,000 values")
	assert.Contains(t, draft, "  email_opt_out: {column: Email Opt Out, \"true\": [\"1\"], \"false\": [\"0\"]} # guessed from 1,000 values: 1/0")
	assert.Contains(t, draft, "  - First Name # looks personal, and no rule needs it\n")

	// The leads score through the draft, every row.
	code, _, errOut = leadscore(t, "", "score", "--model", mf, "--at", "2026-10-01", "--source", df, "--events", td("crm/salesforce-tasks.csv"), td("crm/salesforce-leads.csv"))
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "1000 rows in: 1000 scored, 0 failed")
}

func TestInitSampleMessages(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "m.yaml")
	require.NoError(t, os.WriteFile(existing, nil, 0o644))
	empty := filepath.Join(dir, "empty.csv")
	require.NoError(t, os.WriteFile(empty, []byte("Record ID,Email\n"), 0o644))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--model", td("b2b-saas.yaml")}, "leadscore init: --model goes with --sample EXPORT.csv, the export to draft a source mapping from\n"},
		{[]string{"--sample", td("crm/hubspot-contacts.csv"), "rules"}, "leadscore init: --sample takes no directory (got \"rules\"); write the draft with -o FILE\n"},
		{[]string{"--sample", td("crm/hubspot-contacts.csv"), "-o", existing}, "leadscore init: " + existing + " exists already; init writes only new files (move it, or give another -o)\n"},
		{[]string{"--sample", empty}, "leadscore init: " + empty + " has a header but no rows: export some rows, so the draft can guess from their values\n"},
	} {
		code, _, errOut := leadscore(t, "", append([]string{"init"}, c.args...)...)
		assert.Equal(t, exitUsage, code)
		assert.Equal(t, c.want, errOut)
	}
}

// An export with semicolons (as spreadsheets write where a comma is the
// decimal mark) or tabs between its cells, quoted cells among them, is
// drafted as the comma export is, with a delimiter: line; the mapping
// scores its leads as the comma export's mapping scores theirs. Exports of
// two delimiters are refused, naming both.
func TestInitSampleOtherDelimiters(t *testing.T) {
	dir := t.TempDir()
	rewrite := func(src, name string, d rune) string {
		f, err := os.Open(td(src))
		require.NoError(t, err)
		defer f.Close()
		r := csv.NewReader(f)
		rows, err := r.ReadAll()
		require.NoError(t, err)
		rows[0][0] = strings.TrimPrefix(rows[0][0], "\ufeff")
		out := filepath.Join(dir, name)
		g, err := os.Create(out)
		require.NoError(t, err)
		w := csv.NewWriter(g)
		w.Comma = d
		require.NoError(t, w.WriteAll(rows))
		require.NoError(t, g.Close())
		return out
	}
	draft := func(contacts, activities, out string) (string, string) {
		code, _, errOut := leadscore(t, "", "init", "--sample", contacts, "--events", activities, "--model", td("b2b-saas.yaml"), "-o", out)
		require.Equal(t, exitOK, code, errOut)
		return out, mustRead(t, out)
	}
	scores := func(mapping, contacts, activities string) string {
		code, out, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--source", mapping, "--events", activities, contacts)
		require.Equal(t, exitOK, code, errOut)
		return out
	}
	commaMap, comma := draft(td("crm/hubspot-contacts.csv"), td("crm/hubspot-activities.csv"), filepath.Join(dir, "comma.yaml"))
	want := scores(commaMap, td("crm/hubspot-contacts.csv"), td("crm/hubspot-activities.csv"))
	require.NotContains(t, comma, "delimiter:")
	for _, d := range []rune{';', '\t'} {
		c, a := rewrite("crm/hubspot-contacts.csv", fmt.Sprintf("contacts-%d.csv", d), d), rewrite("crm/hubspot-activities.csv", fmt.Sprintf("activities-%d.csv", d), d)
		m, text := draft(c, a, filepath.Join(dir, fmt.Sprintf("map-%d.yaml", d)))
		assert.Contains(t, text, fmt.Sprintf("delimiter: %q # the character between the export's cells", string(d)))
		assert.Equal(t, want, scores(m, c, a), "delimiter %q", d)
	}
	c := rewrite("crm/hubspot-contacts.csv", "semi.csv", ';')
	code, _, errOut := leadscore(t, "", "init", "--sample", c, "--events", td("crm/hubspot-activities.csv"), "-o", filepath.Join(dir, "mixed.yaml"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `semi.csv puts ";" between its cells and `+td("crm/hubspot-activities.csv")+` ",": a mapping reads both exports with one delimiter; export them alike`)
}

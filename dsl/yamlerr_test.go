package dsl_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/dsl"
)

// yamlBase is a valid rule file; each case below writes one YAML mistake
// into it, around an expression mostly, where people make them.
const yamlBase = `leadscore: 1
model: m
fields:
  title: string
  url: string
  tags: list
lists:
  crms: [salesforce, hubspot]
scores:
  fit: {min: 0, max: 100}
rules:
  - id: r1
    score: fit
    reason: Decision maker
    when: title == "VP"
    points: 10
stages:
  - {id: sql, sales_ready: true, when: fit >= 10}
`

func withWhen(when string) string {
	return strings.Replace(yamlBase, `    when: title == "VP"`, when, 1)
}

// yamlMistakes each give the whole rendered report, as leadscore check
// prints it: the line and column of the mistake, and what fixes it.
var yamlMistakes = []struct {
	name, src, want string
}{
	{
		name: "a non-breaking space after a key's colon",
		src:  withWhen("    when:\u00a0title == \"VP\""),
		want: "m.yaml:15:10: a non-breaking space (U+00A0) is here, likely pasted from a web page or a document; YAML does not read it as a space: replace it with an ordinary space\n" +
			"        when:\u00a0title == \"VP\"\n" +
			"             ^\n",
	},
	{
		name: "a quoted text, then more of the expression",
		src:  withWhen(`    when: "VP" in title`),
		want: `m.yaml:15:11: YAML reads "VP" as the whole value and cannot go on with what follows it; quote the whole expression, such as: when: '"VP" in title'
        when: "VP" in title
              ^
`,
	},
	{
		name: "a single-quoted text, then more of the expression",
		src:  withWhen(`    when: 'VP' in title || title == 'CEO'`),
		want: `m.yaml:15:11: YAML reads 'VP' as the whole value and cannot go on with what follows it; quote the whole expression, such as: when: "'VP' in title || title == 'CEO'"
        when: 'VP' in title || title == 'CEO'
              ^
`,
	},
	{
		name: "an unclosed quote runs into the lines below",
		src:  strings.Replace(yamlBase, "reason: Decision maker", `reason: "Decision maker`, 1),
		want: `m.yaml:14:13: the quote (") that starts this value is not closed on this line, so YAML reads on into the lines below; close it with "
        reason: "Decision maker
                ^
`,
	},
	{
		name: "an expression in quotes that are not closed",
		src:  withWhen(`    when: "title == 'VP'`),
		want: `m.yaml:15:11: the quote (") that starts this value is not closed on this line, so YAML reads on into the lines below; close it with "
        when: "title == 'VP'
              ^
`,
	},
	{
		name: "an unclosed list",
		src:  strings.Replace(yamlBase, "  crms: [salesforce, hubspot]", "  crms: [salesforce, hubspot", 1),
		want: `m.yaml:8:9: the list ([) that starts this value is not closed on this line, so YAML reads on into the lines below; close it with ], or, if the [ is part of an expression, quote the whole expression
      crms: [salesforce, hubspot
            ^
`,
	},
	{
		name: "an unclosed text inside an expression",
		src:  withWhen(`    when: url contains "#pricing`),
		want: `m.yaml:15:24: the text that starts with this " is not closed; end it with " (a text in an expression starts and ends with the same quote)
        when: url contains "#pricing
                           ^
`,
	},
	{
		name: "a tab indents a line",
		src:  strings.Replace(yamlBase, "    points: 10", "\tpoints: 10", 1),
		want: `m.yaml:16:1: a tab indents this line, and YAML cannot be indented with tabs; indent with spaces
     points: 10
    ^
`,
	},
	{
		name: "a # that YAML takes for a comment cuts an expression short",
		src:  withWhen(`    when: any(tags, # in crms)`),
		want: `m.yaml:15:21: # starts a YAML comment: YAML reads the rest of the line as a comment, and the expression stops before it, unfinished; to keep the #, quote the whole expression, such as: when: 'any(tags, # in crms)'
        when: any(tags, # in crms)
                        ^
`,
	},
	{
		name: "a # inside a text of the expression",
		src:  withWhen(`    when: url contains "/pricing" || url contains " #plans"`),
		want: `m.yaml:15:53: # starts a YAML comment: YAML reads the rest of the line as a comment, and the expression stops before it, unfinished; to keep the #, quote the whole expression, such as: when: 'url contains "/pricing" || url contains " #plans"'
        when: url contains "/pricing" || url contains " #plans"
                                                        ^
`,
	},
	{
		name: "a # cuts a multi-line expression",
		src:  withWhen("    when: title == \"VP\" || # or\n      title == \"CEO\""),
		want: `m.yaml:15:28: # starts a YAML comment, so the value ends before it and YAML cannot read the line below; to keep the # in an expression, write the expression as a block (when: | and the expression on the lines below)
        when: title == "VP" || # or
                               ^
`,
	},
	{
		name: "not valid UTF-8",
		src:  withWhen("    when: title == \"Directeur g\xe9n\xe9ral\""),
		want: `m.yaml:15:32: the file is not valid UTF-8 at line 15; save it as UTF-8 (an editor or spreadsheet may have saved it as Latin-1 or Windows-1252)
        when: title == "Directeur g�n�ral"
                                   ^
`,
	},
	{
		name: "an expression starting with ! (a YAML tag)",
		src:  withWhen(`    when: !has(url)`),
		want: `m.yaml:15:11: a value starting with ! is read by YAML as a tag, and the expression is lost; put it in quotes, such as: when: '!has(url)' (or write not has(url))
        when: !has(url)
              ^
`,
	},
	{
		name: "a lone ! and a space: YAML's non-specific tag, which would drop the negation",
		src:  withWhen(`    when: ! has(url)`),
		want: `m.yaml:15:11: a value starting with ! is read by YAML as a tag, and the expression is lost; put it in quotes, such as: when: '! has(url)'
        when: ! has(url)
              ^
`,
	},
	{
		name: "a negation in brackets, a YAML tag YAML cannot read",
		src:  withWhen(`    when: !(has(url) && title == "VP")  # not the VPs`),
		want: `m.yaml:15:11: a value starting with ! is read by YAML as a tag, and the expression is lost; put it in quotes, such as: when: '!(has(url) && title == "VP")' (or write not (has(url) && title == "VP"))
        when: !(has(url) && title == "VP")  # not the VPs
              ^
`,
	},
	{
		name: "a value starting with ! in a flow mapping",
		src:  strings.Replace(yamlBase, "when: fit >= 10}", "when: !has(url)}", 1),
		want: `m.yaml:18:40: a value starting with ! is read by YAML as a tag, and the expression is lost; put it in quotes, such as: when: '!has(url)' (or write not has(url))
      - {id: sql, sales_ready: true, when: !has(url)}
                                           ^
`,
	},
	{
		name: "a text starting with !",
		src:  strings.Replace(yamlBase, "reason: Decision maker", "reason: !important", 1),
		want: `m.yaml:14:13: a value starting with ! is read by YAML as a tag, and the value is lost; put it in quotes, such as: reason: '!important'
        reason: !important
                ^
`,
	},
	{
		name: "an expression starting with * (a YAML alias)",
		src:  withWhen(`    when: *title == "VP"`),
		want: `m.yaml:15:11: * at the start of a value makes YAML read it as an alias (a reference to an &anchor), not as text; put the expression in quotes, such as: when: '*title == "VP"'
        when: *title == "VP"
              ^
`,
	},
	{
		name: "a number starting with * (a YAML alias of no anchor)",
		src:  strings.Replace(yamlBase, "points: 10", "points: *x  # x points", 1),
		want: `m.yaml:16:13: * at the start of a value makes YAML read it as an alias (a reference to an &anchor), not as text; put the value in quotes, such as: points: '*x'
        points: *x  # x points
                ^
`,
	},
	{
		name: "an alias of an anchor",
		src:  strings.Replace(strings.Replace(yamlBase, "reason: Decision maker", "reason: &dm Decision maker", 1), "  - {id: sql,", "  - {description: *dm, id: sql,", 1),
		want: `m.yaml:18:19: * at the start of a value makes YAML read it as an alias (*dm, a reference to the &dm anchor), which rule files do not use; write the value out, or put an expression starting with * in quotes
      - {description: *dm, id: sql, sales_ready: true, when: fit >= 10}
                      ^
`,
	},
	{
		name: "not a text file",
		src:  "leadscore: 1\nmodel: m\x00\x01\x02\n",
		want: `m.yaml:2:9: this is not a text file (it holds a NUL byte at line 2); a rule file is YAML text
`,
	},
	{
		name: "a colon and a space inside an expression",
		src:  withWhen(`    when: title contains "Head of: Sales"`),
		want: `m.yaml:15:34: a colon followed by a space starts a new key in YAML, so YAML cannot read this expression; put the whole expression in quotes, such as: when: 'title contains "Head of: Sales"'
        when: title contains "Head of: Sales"
                                     ^
`,
	},
	{
		name: "a colon and a space after an expression",
		src:  withWhen(`    when: title: VP`),
		want: `m.yaml:15:16: a colon followed by a space starts a new key in YAML, so YAML cannot read this expression; put the whole expression in quotes, such as: when: 'title: VP'
        when: title: VP
                   ^
`,
	},
}

func renderDiags(t *testing.T, err error) string {
	t.Helper()
	var ds dsl.Diagnostics
	require.ErrorAs(t, err, &ds)
	var b strings.Builder
	require.NoError(t, ds.Write(&b))
	return b.String()
}

func TestYAMLMistakes(t *testing.T) {
	_, err := dsl.Parse("m.yaml", []byte(yamlBase))
	require.NoError(t, err)
	for _, tc := range yamlMistakes {
		t.Run(tc.name, func(t *testing.T) {
			_, err := dsl.Parse("m.yaml", []byte(tc.src))
			require.Error(t, err)
			assert.Equal(t, tc.want, renderDiags(t, err))
		})
	}
}

// The same mistakes in a test file are found the same way.
func TestYAMLMistakesInTestFiles(t *testing.T) {
	src := "model: m.yaml\nas_of: 2026-10-01\ncases:\n  - name: \"VP\" at a software company\n    expect: {stage: sql}\n"
	_, err := dsl.ParseTestFile("t.yaml", []byte(src))
	require.Error(t, err)
	assert.Equal(t, `t.yaml:4:11: YAML reads "VP" as the whole value and cannot go on with what follows it; quote the whole value, such as: - name: '"VP" at a software company'
      - name: "VP" at a software company
              ^
`, renderDiags(t, err))
}

// A value starting with ! in a test file is told the same.
func TestYAMLTagInTestFiles(t *testing.T) {
	src := "model: m.yaml\nas_of: 2026-10-01\ncases:\n  - name: !urgent lead\n    expect: {stage: sql}\n"
	_, err := dsl.ParseTestFile("t.yaml", []byte(src))
	require.Error(t, err)
	assert.Equal(t, `t.yaml:4:11: a value starting with ! is read by YAML as a tag, and the value is lost; put it in quotes, such as: name: '!urgent lead'
      - name: !urgent lead
              ^
`, renderDiags(t, err))
}

// A comment after a whole expression is a comment: the expression stands
// as written.
func TestCommentAfterAWholeExpression(t *testing.T) {
	doc, err := dsl.Parse("m.yaml", []byte(withWhen(`    when: title == "VP" # the decision maker`)))
	require.NoError(t, err)
	assert.Equal(t, `title == "VP"`, doc.Rules[0].When.Text)
}

// Every line break YAML reads as one (LF, CR LF, a lone CR, NEL) counts as
// one here too: the same mistakes are reported at the same lines, and
// formatting settles at once (fuzzing found comments that kept a CR and
// gained a blank line on each pass; seed kept in testdata/fuzz/FuzzFormat).
func TestLineBreaks(t *testing.T) {
	src := withWhen("    when: \"VP\" in title") + "# one\n# two\n"
	_, err := dsl.Parse("m.yaml", []byte(src))
	want := renderDiags(t, err)
	formatted, err := dsl.Format([]byte(yamlBase + "\n# one\n# two\n"))
	require.NoError(t, err)
	for _, br := range []string{"\r\n", "\r", "\u0085"} {
		_, err := dsl.Parse("m.yaml", []byte(strings.ReplaceAll(src, "\n", br)))
		assert.Equal(t, want, renderDiags(t, err), "%q", br)
		once, err := dsl.Format([]byte(strings.ReplaceAll(yamlBase+"\n# one\n# two\n", "\n", br)))
		require.NoError(t, err, "%q", br)
		assert.Equal(t, string(formatted), string(once), "%q", br)
	}
}

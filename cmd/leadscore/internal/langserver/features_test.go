package langserver

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// featureModel is a rule file with an include, nested fields, event
// rules, a gate and a hand-off, for the requests beyond diagnostics.
const featureModel = `leadscore: 1
model: m
include: [lists.yaml]
fields:
  industry: {type: string, description: Industry from enrichment}
  employees: int
  company.size: {type: int, description: Headcount}
events:
  minutes: float
event_types: [demo_request, page_view]
define:
  big: employees >= 1000
scores: {fit: {max: 100}, engagement: {max: 100}}
rules:
  - id: fit.industry
    score: fit
    owner: sales
    reason: Target industry
    when: industry in target_industries
    points: 20
  - id: fit.big
    score: fit
    owner: sales
    reason: Big company
    when: big
    points: 10
  - id: engagement.demo
    score: engagement
    owner: marketing
    reason: Asked for a demo
    event: demo_request
    when: event.minutes > 0
    points: 40
    within: 30d
  - id: gate.small
    owner: sales
    disqualify: Too small
    when: company.size < 5
stages:
  - {id: mql, description: Marketing qualified, when: fit >= 20}
  - {id: sql, sales_ready: true, when: fit >= 30 && events("demo_request") > 0}
handoff:
  sla: 48h
  reasons:
    - code: too_small
      description: Too small
      contradicts: [fit.big]
`

const featureLists = "lists:\n  target_industries: [software, saas]\n"

const featureTests = `model: m.yaml
as_of: 2026-10-01
cases:
  - name: a big software company
    lead: {industry: software, employees: 2000}
    expect: {stage: mql, fired: [fit.industry, fit.big]}
`

// workspace writes the model, its list file and its test file to a
// directory, starts a server, opens the model and waits for its check.
func workspace(t *testing.T) (*client, string) {
	dir := t.TempDir()
	for name, text := range map[string]string{"m.yaml": featureModel, "lists.yaml": featureLists, "m_test.yaml": featureTests} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	c := start(t)
	init := c.request("initialize", map[string]any{"processId": nil, "rootUri": uriOf(dir), "capabilities": map[string]any{}})
	require.Nil(t, init["error"])
	uri := uriOf(filepath.Join(dir, "m.yaml"))
	c.notify("textDocument/didOpen", open(uri, featureModel))
	require.Empty(t, c.diagnostics(uri), "the model compiles")
	return c, dir
}

// edit replaces the model's text in the editor and waits for its check.
func (c *client) edit(uri, text string, version int) []Diagnostic {
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": version},
		"contentChanges": []any{map[string]any{"text": text}}})
	return c.diagnostics(uri)
}

// result sends a request and decodes its result into v.
func (c *client) result(method string, params, v any) {
	resp := c.request(method, params)
	require.Nil(c.t, resp["error"], "%s: %v", method, resp["error"])
	b, err := json.Marshal(resp["result"])
	require.NoError(c.t, err)
	require.NoError(c.t, json.Unmarshal(b, v), "%s", b)
}

func posParams(uri string, p Position) map[string]any {
	return map[string]any{"textDocument": map[string]any{"uri": uri}, "position": p}
}

// after is the position just after the first occurrence of typed on the
// line holding marker.
func after(t *testing.T, text, marker, typed string) Position {
	p := at(t, text, marker, typed)
	p.Character += len([]rune(typed))
	return p
}

func rng(line, from, to int) Range { return Range{Position{line, from}, Position{line, to}} }

func TestCompletion(t *testing.T) {
	c, dir := workspace(t)
	uri := uriOf(filepath.Join(dir, "m.yaml"))
	init := c.request("initialize", map[string]any{})
	assert.Equal(t, map[string]any{"triggerCharacters": []any{".", `"`}},
		init["result"].(map[string]any)["capabilities"].(map[string]any)["completionProvider"])

	complete := func(uri, text string, p Position) []completionItem {
		var list completionList
		c.result("textDocument/completion", posParams(uri, p), &list)
		return list.Items
	}
	// typing changes the text in the editor first, as an editor does
	version := 1
	typing := func(from, to string) (string, Position) {
		text := strings.Replace(featureModel, from, to, 1)
		version++
		c.edit(uri, text, version)
		return text, after(t, text, to, to)
	}

	// A field, with its type and description.
	text, p := typing("when: industry in", "when: indus")
	assert.Equal(t, []completionItem{{Label: "industry", Kind: kindField, Detail: "string",
		Documentation: &markup{"markdown", "Industry from enrichment"},
		TextEdit:      &textEdit{rng(p.Line, p.Character-5, p.Character), "industry"}}}, complete(uri, text, p))

	// A nested path after a dot.
	text, p = typing("when: company.size < 5", "when: company.s")
	assert.Equal(t, []completionItem{{Label: "size", Kind: kindField, Detail: "int",
		Documentation: &markup{"markdown", "Headcount"},
		TextEdit:      &textEdit{rng(p.Line, p.Character-1, p.Character), "size"}}}, complete(uri, text, p))

	// Lists (from the included file), defines and functions with their
	// signatures.
	text, p = typing("when: big", "when: target_")
	assert.Equal(t, []completionItem{{Label: "target_industries", Kind: kindConstant, Detail: "list of 2: software, saas",
		TextEdit: &textEdit{rng(p.Line, p.Character-7, p.Character), "target_industries"}}}, complete(uri, text, p))
	text, p = typing("when: big", "when: bi")
	assert.Equal(t, []completionItem{{Label: "big", Kind: kindVariable, Detail: "define", Documentation: &markup{"markdown", "```\nemployees >= 1000\n```"},
		TextEdit: &textEdit{rng(p.Line, p.Character-2, p.Character), "big"}}}, complete(uri, text, p))
	text, p = typing("when: big", "when: daysSinceL")
	assert.Equal(t, []completionItem{{Label: "daysSinceLast", Kind: kindFunction, Detail: "daysSinceLast(type string) float",
		Documentation: &markup{"markdown", "Days since the latest event of the type (in quotes); `+Inf` when there is none."},
		TextEdit:      &textEdit{rng(p.Line, p.Character-10, p.Character), "daysSinceLast"}}}, complete(uri, text, p))

	// Event types inside events("...") and after event:, event fields
	// after event. in an event rule (and not in a lead rule).
	text, p = typing(`events("demo_request")`, `events("d`)
	assert.Equal(t, []completionItem{{Label: "demo_request", Kind: kindEnumMember, Detail: "event type",
		TextEdit: &textEdit{rng(p.Line, p.Character-1, p.Character), "demo_request"}}}, complete(uri, text, p))
	text, p = typing("event: demo_request", "event: pa")
	assert.Equal(t, []completionItem{{Label: "page_view", Kind: kindEnumMember, Detail: "event type",
		TextEdit: &textEdit{rng(p.Line, p.Character-2, p.Character), "page_view"}}}, complete(uri, text, p))
	text, p = typing("when: event.minutes > 0", "when: event.m")
	assert.Equal(t, []completionItem{{Label: "minutes", Kind: kindField, Detail: "float",
		TextEdit: &textEdit{rng(p.Line, p.Character-1, p.Character), "minutes"}}}, complete(uri, text, p))
	text, p = typing("when: big", "when: event.m")
	assert.Empty(t, complete(uri, text, p), "a lead rule reads no event")

	// Rule ids and categories in contradicts; duration units.
	text, p = typing("contradicts: [fit.big]", "contradicts: [fit.b")
	assert.Equal(t, []completionItem{{Label: "fit.big", Kind: kindReference, Detail: "10 points to fit", Documentation: &markup{"markdown", "Big company"},
		TextEdit: &textEdit{rng(p.Line, p.Character-5, p.Character), "fit.big"}}}, complete(uri, text, p))
	text, p = typing("within: 30d", "within: 6m")
	assert.Equal(t, []completionItem{{Label: "6mo", Kind: kindUnit, Detail: "6 months of 30 days",
		TextEdit: &textEdit{rng(p.Line, p.Character-2, p.Character), "6mo"}},
		{Label: "6min", Kind: kindUnit, Detail: "6 minutes",
			TextEdit: &textEdit{rng(p.Line, p.Character-2, p.Character), "6min"}}}, complete(uri, text, p))
	// Categories, the total and the grade where a stage reads them.
	text, p = typing("when: fit >= 20}", "when: tot")
	assert.Equal(t, []completionItem{{Label: "total", Kind: kindVariable, Detail: "the total score",
		TextEdit: &textEdit{rng(p.Line, p.Character-3, p.Character), "total"}}}, complete(uri, text, p))

	// In a test file: rule ids in fired, stages, field names of a lead.
	testURI := uriOf(filepath.Join(dir, "m_test.yaml"))
	src := strings.Replace(featureTests, "fired: [fit.industry, fit.big]", "fired: [fit.industry, fit.", 1)
	c.notify("textDocument/didOpen", open(testURI, src))
	c.diagnostics(testURI)
	p = after(t, src, "fired:", "fit.industry, fit.")
	labels := func(items []completionItem) []string {
		var out []string
		for _, it := range items {
			out = append(out, it.Label)
		}
		return out
	}
	assert.Equal(t, []string{"fit.industry", "fit.big"}, labels(complete(testURI, src, p)))
	p = after(t, src, "expect:", "stage: ")
	assert.Equal(t, []string{"mql", "sql", "none"}, labels(complete(testURI, src, p)))
	p = after(t, src, "lead:", "lead: {")
	assert.Equal(t, []string{"industry", "employees", "company.size"}, labels(complete(testURI, src, p)))
}

// hoverAt asks for the hover at p and returns its text and range.
func (c *client) hoverAt(uri string, p Position) (string, *Range) {
	var h *hoverResult
	c.result("textDocument/hover", posParams(uri, p), &h)
	if h == nil {
		return "", nil
	}
	return h.Contents.Value, h.Range
}

func TestHover(t *testing.T) {
	c, dir := workspace(t)
	uri := uriOf(filepath.Join(dir, "m.yaml"))
	init := c.request("initialize", map[string]any{})
	assert.Equal(t, true, init["result"].(map[string]any)["capabilities"].(map[string]any)["hoverProvider"])

	// A field in an expression: its type and description, over the name.
	p := at(t, featureModel, "when: industry in", "industry")
	p.Character += 3
	text, r := c.hoverAt(uri, p)
	assert.Equal(t, "`industry`: a lead field, text (string)\n\nIndustry from enrichment\n\nDeclared in m.yaml, line 5.", text)
	assert.Equal(t, &Range{Position{18, 10}, Position{18, 18}}, r)
	// A nested path, whole.
	text, r = c.hoverAt(uri, at(t, featureModel, "when: company.size", "size"))
	assert.Equal(t, "`company.size`: a lead field, a whole number (int)\n\nHeadcount\n\nDeclared in m.yaml, line 7.", text)
	assert.Equal(t, &Range{Position{37, 10}, Position{37, 22}}, r)
	// A list from the included file.
	text, _ = c.hoverAt(uri, at(t, featureModel, "when: industry in", "target_"))
	assert.Equal(t, "`target_industries`: a list of 2 (software, saas)\n\nDeclared in lists.yaml, line 2.", text)
	// A define: its expression and the kind of value it gives.
	text, r = c.hoverAt(uri, at(t, featureModel, "when: big", "big"))
	assert.Equal(t, "`big`: a define; gives true or false (bool)\n\n```\nemployees >= 1000\n```\n\nDeclared in m.yaml, line 12.", text)
	assert.Equal(t, &Range{Position{24, 10}, Position{24, 13}}, r)
	// An event field, and a function's signature and doc.
	text, _ = c.hoverAt(uri, at(t, featureModel, "when: event.minutes", "minutes"))
	assert.Equal(t, "`minutes`: a field of every event, a number (float)\n\nDeclared in m.yaml, line 9.", text)
	text, r = c.hoverAt(uri, at(t, featureModel, `events("demo_request")`, "events"))
	assert.Equal(t, "```\nevents(type string[, window string]) int\n```\n\nHow many events of the type (in quotes) the lead had at or before the as-of time; with a window (`\"30d\"`), within it.", text)
	assert.Equal(t, &Range{Position{40, 52}, Position{40, 58}}, r)
	// A rule id in contradicts: its points, owner and reason.
	text, r = c.hoverAt(uri, at(t, featureModel, "contradicts: [fit.big]", "fit.big"))
	assert.Equal(t, "`fit.big`: 10 points to fit\n\nOwner: sales\n\nReason: Big company\n\n```\nbig\n```\n\nDeclared in m.yaml, line 21.", text)
	assert.Equal(t, &Range{Position{46, 20}, Position{46, 27}}, r)
	// A gate, where it is declared.
	text, _ = c.hoverAt(uri, at(t, featureModel, "- id: gate.small", "gate.small"))
	assert.Equal(t, "`gate.small`: a gate: a lead it holds for is disqualified (Too small)\n\nOwner: sales\n\n```\ncompany.size < 5\n```\n\nDeclared in m.yaml, line 35.", text)
	// Nothing to say on a keyword.
	text, r = c.hoverAt(uri, at(t, featureModel, "when: industry in", "in target"))
	assert.Equal(t, "", text)
	assert.Nil(t, r)

	// In a test file: a rule id in fired, and on the case's expect: what
	// the lead got beside what the case expects.
	testURI := uriOf(filepath.Join(dir, "m_test.yaml"))
	src := strings.Replace(featureTests, "stage: mql", "stage: sql", 1)
	c.notify("textDocument/didOpen", open(testURI, src))
	c.diagnostics(testURI)
	text, _ = c.hoverAt(testURI, at(t, src, "fired:", "fit.big"))
	assert.Equal(t, "`fit.big`: 10 points to fit\n\nOwner: sales\n\nReason: Big company\n\n```\nbig\n```\n\nDeclared in m.yaml, line 21.", text)
	text, r = c.hoverAt(testURI, at(t, src, "expect:", "expect"))
	assert.Equal(t, "**a big software company**: fails\n\n| | expects | got |\n|---|---|---|\n"+
		"| stage | sql | mql |\n| total | — | 30 |\n| fired | fit.industry, fit.big | fit.industry, fit.big |\n| gates | — | gate.small |\n\n- stage: want sql, got mql", text)
	assert.Nil(t, r)
	text, _ = c.hoverAt(testURI, at(t, src, "- name:", "big software"))
	assert.True(t, strings.HasPrefix(text, "**a big software company**: fails"), text)
}

func TestDefinitionAndReferences(t *testing.T) {
	c, dir := workspace(t)
	uri := uriOf(filepath.Join(dir, "m.yaml"))
	listsURI := uriOf(filepath.Join(dir, "lists.yaml"))
	testURI := uriOf(filepath.Join(dir, "m_test.yaml"))
	caps := c.request("initialize", map[string]any{})["result"].(map[string]any)["capabilities"].(map[string]any)
	assert.Equal(t, true, caps["definitionProvider"])
	assert.Equal(t, true, caps["referencesProvider"])
	definition := func(uri string, p Position) []location {
		var locs []location
		c.result("textDocument/definition", posParams(uri, p), &locs)
		return locs
	}
	references := func(uri string, p Position, decl bool) []location {
		params := posParams(uri, p)
		params["context"] = map[string]any{"includeDeclaration": decl}
		var locs []location
		c.result("textDocument/references", params, &locs)
		return locs
	}

	// A list read in an expression, to its declaration in the included file.
	assert.Equal(t, []location{{listsURI, rng(1, 2, 19)}}, definition(uri, at(t, featureModel, "when: industry in", "target_industries")))
	// A define, a field (nested), an event field.
	assert.Equal(t, []location{{uri, rng(11, 2, 5)}}, definition(uri, at(t, featureModel, "when: big", "big")))
	assert.Equal(t, []location{{uri, rng(6, 2, 14)}}, definition(uri, at(t, featureModel, "when: company.size", "company")))
	assert.Equal(t, []location{{uri, rng(8, 2, 9)}}, definition(uri, at(t, featureModel, "when: event.minutes", "minutes")))
	// A rule id in contradicts, to the rule; a function has no declaration.
	assert.Equal(t, []location{{uri, rng(20, 8, 15)}}, definition(uri, at(t, featureModel, "contradicts: [fit.big]", "fit.big")))
	assert.Equal(t, []location{}, definition(uri, at(t, featureModel, `events("demo_request")`, "events")))

	// From a test file: a rule id it expects fired, a field of its lead,
	// a stage it expects.
	c.notify("textDocument/didOpen", open(testURI, featureTests))
	c.diagnostics(testURI)
	assert.Equal(t, []location{{uri, rng(20, 8, 15)}}, definition(testURI, at(t, featureTests, "fired:", "fit.big")))
	assert.Equal(t, []location{{uri, rng(4, 2, 10)}}, definition(testURI, at(t, featureTests, "lead:", "industry")))
	assert.Equal(t, []location{{uri, rng(39, 9, 12)}}, definition(testURI, at(t, featureTests, "stage:", "mql")))

	// References of a field: its declaration, the rules and the test file.
	assert.Equal(t, []location{{uri, rng(4, 2, 10)}, {uri, rng(18, 10, 18)}, {testURI, rng(4, 11, 19)}},
		references(uri, at(t, featureModel, "when: industry in", "industry"), true))
	assert.Equal(t, []location{{uri, rng(18, 10, 18)}, {testURI, rng(4, 11, 19)}},
		references(testURI, at(t, featureTests, "lead:", "industry"), false))
	// Of a rule: the handoff's contradicts and the test file's fired.
	assert.Equal(t, []location{{uri, rng(20, 8, 15)}, {uri, rng(46, 20, 27)}, {testURI, rng(5, 47, 54)}},
		references(uri, at(t, featureModel, "- id: fit.big", "fit.big"), true))
	// Of a list declared in the included file, from there.
	c.notify("textDocument/didOpen", open(listsURI, featureLists))
	assert.Equal(t, []location{{uri, rng(18, 22, 39)}},
		references(listsURI, at(t, featureLists, "target_industries", "target_industries"), false))
	// Of a category: the rules' score:, the stages' conditions.
	assert.Equal(t, []location{{uri, rng(15, 11, 14)}, {uri, rng(21, 11, 14)}, {uri, rng(39, 54, 57)}, {uri, rng(40, 39, 42)}},
		references(uri, Position{15, 12}, false))
}

func TestCodeActions(t *testing.T) {
	c, dir := workspace(t)
	uri := uriOf(filepath.Join(dir, "m.yaml"))
	caps := c.request("initialize", map[string]any{})["result"].(map[string]any)["capabilities"].(map[string]any)
	assert.Equal(t, map[string]any{"codeActionKinds": []any{"quickfix"}}, caps["codeActionProvider"])
	version := 1
	// fixes edits the model, and returns the quick fixes offered for the
	// diagnostics of the edit, as an editor asks for them.
	fixes := func(from, to string) ([]Diagnostic, []codeAction) {
		text := strings.Replace(featureModel, from, to, 1)
		require.NotEqual(t, featureModel, text)
		version++
		ds := c.edit(uri, text, version)
		var actions []codeAction
		c.result("textDocument/codeAction", map[string]any{"textDocument": map[string]any{"uri": uri},
			"range": rng(0, 0, 0), "context": map[string]any{"diagnostics": ds}}, &actions)
		return ds, actions
	}
	edit := func(u string, r Range, text string) *workspaceEdit {
		return &workspaceEdit{Changes: map[string][]textEdit{u: {{r, text}}}}
	}

	// A did-you-mean, and adding the name to fields.
	ds, actions := fixes("when: big", "when: bigg")
	require.Len(t, ds, 1)
	assert.Equal(t, `unknown name "bigg"; did you mean "big"?`, ds[0].Message)
	assert.Equal(t, []codeAction{
		{Title: "Change bigg to big", Kind: "quickfix", Diagnostics: ds, IsPreferred: true, Edit: edit(uri, rng(24, 10, 14), "big")},
		{Title: "Add bigg to fields", Kind: "quickfix", Diagnostics: ds, Edit: edit(uri, rng(4, 0, 0), "  bigg: bool\n")},
	}, actions)
	_, actions = fixes("when: big", "when: revenue > 1.5")
	assert.Equal(t, []codeAction{{Title: "Add revenue to fields", Kind: "quickfix", Diagnostics: actions[0].Diagnostics,
		Edit: edit(uri, rng(4, 0, 0), "  revenue: float\n")}}, actions)
	_, actions = fixes("when: big", `when: country == "DE"`)
	assert.Equal(t, "  country: string\n", actions[0].Edit.Changes[uri][0].NewText)

	// = to ==, AND to and.
	ds, actions = fixes("when: big", "when: employees = 5")
	require.Len(t, ds, 1)
	assert.Equal(t, []codeAction{{Title: "Change = to ==", Kind: "quickfix", Diagnostics: ds, IsPreferred: true, Edit: edit(uri, rng(24, 20, 21), "==")}}, actions)
	ds, actions = fixes("when: big", "when: big AND employees > 5")
	require.Len(t, ds, 1)
	assert.Equal(t, []codeAction{{Title: "Change AND to and", Kind: "quickfix", Diagnostics: ds, IsPreferred: true, Edit: edit(uri, rng(24, 14, 17), "and")}}, actions)

	_, actions = fixes("when: big", "when: big OR employees > 5")
	assert.Equal(t, "Change OR to or", actions[0].Title)
	assert.Equal(t, edit(uri, rng(24, 14, 16), "or"), actions[0].Edit)
	// A word from another language of conditions: the operator meant.
	ds, actions = fixes("when: big", "when: employees gt 5")
	require.Len(t, ds, 1)
	assert.Equal(t, `"gt" is not an operator; write > for greater than, such as: employees > 5`, ds[0].Message)
	assert.Equal(t, []codeAction{{Title: "Change gt to >", Kind: "quickfix", Diagnostics: ds, IsPreferred: true, Edit: edit(uri, rng(24, 20, 22), ">")}}, actions)
	_, actions = fixes("when: big", "when: industry nin target_industries")
	require.Len(t, actions, 1)
	assert.Equal(t, edit(uri, rng(24, 19, 22), "not in"), actions[0].Edit)

	// 6m: months, or else minutes.
	ds, actions = fixes("within: 30d", "within: 6m")
	require.Len(t, ds, 1)
	assert.Equal(t, []codeAction{
		{Title: "Change 6m to 6mo (months)", Kind: "quickfix", Diagnostics: ds, IsPreferred: true, Edit: edit(uri, rng(33, 12, 14), "6mo")},
		{Title: "Change 6m to 6min (minutes)", Kind: "quickfix", Diagnostics: ds, Edit: edit(uri, rng(33, 12, 14), "6min")},
	}, actions)

	// An expression YAML cut short, put in quotes.
	ds, actions = fixes("when: big", `when: "big" == industry and big`)
	require.Len(t, ds, 1)
	assert.Equal(t, []codeAction{{Title: "Put the expression in quotes", Kind: "quickfix", Diagnostics: ds, IsPreferred: true,
		Edit: edit(uri, rng(24, 10, 35), `'"big" == industry and big'`)}}, actions)

	// No fix for a problem it cannot mend.
	_, actions = fixes("points: 10", "points: ten")
	assert.Equal(t, []codeAction{}, actions)
}

func TestFormatting(t *testing.T) {
	c, dir := workspace(t)
	uri := uriOf(filepath.Join(dir, "m.yaml"))
	caps := c.request("initialize", map[string]any{})["result"].(map[string]any)["capabilities"].(map[string]any)
	assert.Equal(t, true, caps["documentFormattingProvider"])
	assert.Equal(t, true, caps["documentRangeFormattingProvider"])
	format := func(method string, params map[string]any) []textEdit {
		params["textDocument"] = map[string]any{"uri": uri}
		params["options"] = map[string]any{"tabSize": 2, "insertSpaces": true}
		var edits []textEdit
		c.result(method, params, &edits)
		return edits
	}
	// A formatted file: nothing to change.
	assert.Equal(t, []textEdit{}, format("textDocument/formatting", map[string]any{}))

	// points: written first moves after when:, as leadscore fmt puts it:
	// two edits, of the lines that change.
	text := strings.Replace(featureModel, "    score: fit\n    owner: sales\n    reason: Target industry\n    when: industry in target_industries\n    points: 20\n",
		"    points: 20\n    score: fit\n    owner: sales\n    reason: Target industry\n    when: industry in target_industries\n", 1)
	c.edit(uri, text, 2)
	assert.Equal(t, []textEdit{{Range{Position{15, 0}, Position{16, 0}}, ""}, {rng(20, 0, 0), "    points: 20\n"}},
		format("textDocument/formatting", map[string]any{}))
	// A range: only the edits that touch it.
	assert.Equal(t, []textEdit{{rng(20, 0, 0), "    points: 20\n"}},
		format("textDocument/rangeFormatting", map[string]any{"range": Range{Position{18, 0}, Position{19, 10}}}))

	// Not YAML: no edits, and a message saying why.
	c.edit(uri, "leadscore: 1\nrules: [\n", 3)
	c.id++
	c.write(map[string]any{"id": c.id, "method": "textDocument/formatting", "params": map[string]any{"textDocument": map[string]any{"uri": uri}, "options": map[string]any{}}})
	var shown any
	for {
		m := c.read()
		if m["method"] == "window/showMessage" {
			shown = m["params"]
		}
		if m["id"] == float64(c.id) {
			assert.Equal(t, []any{}, m["result"])
			break
		}
	}
	assert.Equal(t, map[string]any{"type": 2.0, "message": "leadscore fmt cannot format m.yaml: the file is not valid YAML: yaml: line 2: did not find expected node content"}, shown)
}

func TestDocumentSymbols(t *testing.T) {
	c, dir := workspace(t)
	uri := uriOf(filepath.Join(dir, "m.yaml"))
	caps := c.request("initialize", map[string]any{})["result"].(map[string]any)["capabilities"].(map[string]any)
	assert.Equal(t, true, caps["documentSymbolProvider"])
	symbols := func(uri string) []documentSymbol {
		var syms []documentSymbol
		c.result("textDocument/documentSymbol", map[string]any{"textDocument": map[string]any{"uri": uri}}, &syms)
		return syms
	}
	syms := symbols(uri)
	var names []string
	for _, s := range syms {
		var children []string
		for _, ch := range s.Children {
			children = append(children, ch.Name)
		}
		names = append(names, s.Name+": "+strings.Join(children, ", "))
	}
	assert.Equal(t, []string{"fields: industry, employees, company.size", "define: big", "scores: fit, engagement",
		"rules: fit.industry, fit.big, engagement.demo, gate.small", "stages: mql, sql"}, names)
	// A rule: its whole item, its id selected.
	rs := syms[3]
	assert.Equal(t, Range{Position{13, 0}, Position{37, 26}}, rs.Range)
	assert.Equal(t, rng(13, 0, 5), rs.SelectionRange)
	assert.Equal(t, documentSymbol{Name: "fit.industry", Detail: "20 points to fit", Kind: symbolFunction,
		Range: Range{Position{14, 2}, Position{19, 14}}, SelectionRange: rng(14, 8, 20)}, rs.Children[0])
	assert.Equal(t, documentSymbol{Name: "engagement.demo", Detail: "40 points to engagement per demo_request event", Kind: symbolEvent,
		Range: Range{Position{26, 2}, Position{33, 15}}, SelectionRange: rng(26, 8, 23)}, rs.Children[2])
	assert.Equal(t, documentSymbol{Name: "big", Detail: "employees >= 1000", Kind: symbolVariable,
		Range: rng(11, 2, 24), SelectionRange: rng(11, 2, 5)}, syms[1].Children[0])
	assert.Equal(t, documentSymbol{Name: "sql", Detail: "sales-ready", Kind: symbolEnumMember,
		Range: rng(40, 2, 79), SelectionRange: rng(40, 9, 12)}, syms[4].Children[1])

	// A test file: its cases.
	testURI := uriOf(filepath.Join(dir, "m_test.yaml"))
	c.notify("textDocument/didOpen", open(testURI, featureTests))
	c.diagnostics(testURI)
	assert.Equal(t, []documentSymbol{{Name: "cases", Kind: symbolNamespace, Range: Range{Position{2, 0}, Position{5, 56}}, SelectionRange: rng(2, 0, 5),
		Children: []documentSymbol{{Name: "a big software company", Detail: "case", Kind: symbolMethod,
			Range: Range{Position{3, 2}, Position{5, 56}}, SelectionRange: rng(3, 10, 32)}}}}, symbols(testURI))
}

func TestTestFilesLive(t *testing.T) {
	c, dir := workspace(t)
	uri := uriOf(filepath.Join(dir, "m.yaml"))
	testURI := uriOf(filepath.Join(dir, "m_test.yaml"))
	caps := c.request("initialize", map[string]any{})["result"].(map[string]any)["capabilities"].(map[string]any)
	assert.Equal(t, true, caps["inlayHintProvider"])
	hints := func() []inlayHint {
		var hs []inlayHint
		c.result("textDocument/inlayHint", map[string]any{"textDocument": map[string]any{"uri": testURI}, "range": rng(0, 0, 0)}, &hs)
		return hs
	}

	// Opened, its cases run: a passing case is a hint at its name, the
	// coverage of the model's outcomes a hint at model:.
	c.notify("textDocument/didOpen", open(testURI, featureTests))
	assert.Empty(t, c.diagnostics(testURI))
	assert.Equal(t, []inlayHint{
		{Position{0, 13}, "cases cover 10 of the model's 18 outcomes (56%; leadscore test --coverage lists the rest)", true},
		{Position{3, 32}, "✓ passes: stage mql, total 30", true},
	}, hints())

	// A case that fails: an error at its expect:, with the explanation.
	src := strings.Replace(featureTests, "stage: mql", "stage: sql", 1)
	ds := c.edit(testURI, src, 2)
	require.Len(t, ds, 1)
	assert.Equal(t, rng(5, 4, 10), ds[0].Range)
	assert.Equal(t, 1, ds[0].Severity)
	assert.Equal(t, "case \"a big software company\" fails:\n  stage: want sql, got mql\n"+
		"lead (no id), as of 2026-10-01T00:00:00Z: stage mql, grade none, total 30\n", ds[0].Message[:strings.Index(ds[0].Message, "  fit 30")])
	assert.Equal(t, "✗ fails", hints()[1].Label)

	// A change to the model runs the open test file's cases again.
	c.edit(testURI, featureTests, 3)
	c.edit(uri, strings.Replace(featureModel, "points: 10", "points: 5", 1), 2)
	ds = c.diagnostics(testURI)
	assert.Empty(t, ds)
	assert.Equal(t, "✓ passes: stage mql, total 25", hints()[1].Label)
}

// A misspelt section is one diagnostic in the editor, as in check.
func TestMisspeltSectionOneDiagnostic(t *testing.T) {
	c, dir := workspace(t)
	uri := uriOf(filepath.Join(dir, "m.yaml"))
	text := strings.Replace(featureModel, "\nrules:", "\nruls:", 1)
	ds := c.edit(uri, text, 2)
	require.Len(t, ds, 1, "%+v", ds)
	assert.Equal(t, Diagnostic{Range: rng(13, 0, 4), Severity: 1, Source: "leadscore", Message: `unknown key "ruls" in the rule file; did you mean "rules"?`}, ds[0])
	ds = c.edit(uri, strings.Replace(featureModel, "\nfields:", "\nfeilds:", 1), 3)
	require.Len(t, ds, 1, "%+v", ds)
	assert.Equal(t, `unknown key "feilds" in the rule file; did you mean "fields"?`, ds[0].Message)
}

// names reads each name of an expression once, whatever its letters.
func TestNamesOfAnExpression(t *testing.T) {
	assert.Equal(t, []token{{"é", 0}, {"industry", 5}, {"in", 14}, {"company.size", 28}, {"lower", 48}, {"title", 54}},
		names(`é && industry in ["a b"] && company.size > 5 || lower(title) == 'x y'`))
}

// Nothing advertised is refused: each capability the server declares
// answers its request; what it does not declare, it refuses, saying so.
func TestEveryAdvertisedCapabilityAnswers(t *testing.T) {
	c, dir := workspace(t)
	uri := uriOf(filepath.Join(dir, "m.yaml"))
	caps := c.request("initialize", map[string]any{})["result"].(map[string]any)["capabilities"].(map[string]any)
	methods := map[string]string{
		"completionProvider":              "textDocument/completion",
		"hoverProvider":                   "textDocument/hover",
		"definitionProvider":              "textDocument/definition",
		"referencesProvider":              "textDocument/references",
		"codeActionProvider":              "textDocument/codeAction",
		"documentFormattingProvider":      "textDocument/formatting",
		"documentRangeFormattingProvider": "textDocument/rangeFormatting",
		"documentSymbolProvider":          "textDocument/documentSymbol",
		"inlayHintProvider":               "textDocument/inlayHint",
	}
	for capability := range caps {
		if capability == "textDocumentSync" {
			continue
		}
		method, ok := methods[capability]
		require.True(t, ok, "a test of %s", capability)
		params := posParams(uri, Position{18, 12})
		params["range"] = rng(18, 0, 20)
		params["context"] = map[string]any{"diagnostics": []any{}, "includeDeclaration": true}
		resp := c.request(method, params)
		assert.Nil(t, resp["error"], "%s: %v", method, resp["error"])
		assert.Contains(t, resp, "result", method)
	}
	assert.Len(t, caps, len(methods)+1)
	resp := c.request("textDocument/rename", posParams(uri, Position{18, 12}))
	assert.Equal(t, map[string]any{"code": float64(methodNotFound), "message": "leadscore's language server does not do textDocument/rename"}, resp["error"])
}

package langserver

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// client speaks the protocol to a server running in a goroutine; a
// goroutine of its own reads everything the server writes, so that
// neither side ever waits on the other's pipe.
type client struct {
	t    *testing.T
	in   *io.PipeWriter
	msgs chan map[string]any
	done chan error
	id   int
}

func start(t *testing.T) *client {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	c := &client{t: t, in: inW, msgs: make(chan map[string]any, 1000), done: make(chan error, 1)}
	go func() {
		err := Serve(inR, outW)
		outW.Close()
		c.done <- err
	}()
	go func() {
		r := bufio.NewReader(outR)
		for {
			body, err := readMessage(r)
			if err != nil {
				close(c.msgs)
				return
			}
			var m map[string]any
			if json.Unmarshal(body, &m) == nil {
				c.msgs <- m
			}
		}
	}()
	t.Cleanup(func() { inW.Close() })
	return c
}

func (c *client) write(m map[string]any) {
	m["jsonrpc"] = "2.0"
	b, err := json.Marshal(m)
	require.NoError(c.t, err)
	_, err = fmt.Fprintf(c.in, "Content-Length: %d\r\n\r\n%s", len(b), b)
	require.NoError(c.t, err)
}

func (c *client) request(method string, params any) map[string]any {
	c.id++
	c.write(map[string]any{"id": c.id, "method": method, "params": params})
	for {
		m := c.read()
		if id, ok := m["id"].(float64); ok && int(id) == c.id {
			return m
		}
	}
}

func (c *client) notify(method string, params any) {
	c.write(map[string]any{"method": method, "params": params})
}

func (c *client) read() map[string]any {
	select {
	case m, ok := <-c.msgs:
		require.True(c.t, ok, "the server stopped writing")
		return m
	case <-time.After(20 * time.Second):
		c.t.Fatal("the server said nothing for 20s")
		return nil
	}
}

// diagnostics waits for the diagnostics published for uri.
func (c *client) diagnostics(uri string) []Diagnostic {
	for {
		m := c.read()
		if m["method"] != "textDocument/publishDiagnostics" {
			continue
		}
		b, _ := json.Marshal(m["params"])
		var p publishParams
		require.NoError(c.t, json.Unmarshal(b, &p))
		if p.URI == uri {
			return p.Diagnostics
		}
	}
}

func open(uri, text string) map[string]any {
	return map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "yaml", "version": 1, "text": text}}
}

// at is the LSP position (0-based line, UTF-16 column) where word first
// appears in text after the line holding marker, found independently of
// the server's own conversion.
func at(t *testing.T, text, marker, word string) Position {
	for i, line := range strings.Split(text, "\n") {
		if strings.Contains(line, marker) {
			j := strings.Index(line, word)
			require.GreaterOrEqual(t, j, 0)
			return Position{Line: i, Character: len(utf16.Encode([]rune(line[:j])))}
		}
	}
	t.Fatalf("no line with %q", marker)
	return Position{}
}

const model = `leadscore: 1
model: m
include: [lists.yaml]
fields: {industry: string, title: string, employees: int}
scores: {fit: {max: 100}}
rules:
  - id: fit.industry
    score: fit
    owner: sales
    reason: Target industry
    when: title == "🚀 rocket" && industy in target_industries
    points: 20
  - id: fit.big
    score: fit
    owner: sales
    reason: Big company
    when: employees > "big"
    points: 10
stages:
  - {id: sql, sales_ready: true, when: fit >= 20}
`

func TestDiagnosticsFromTheCompiler(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "lists.yaml"), []byte("lists:\n  target_industries: [software]\n"), 0o644))
	file := filepath.Join(dir, "leads.yaml")
	uri := uriOf(file)
	c := start(t)

	init := c.request("initialize", map[string]any{"processId": nil, "rootUri": uriOf(dir), "capabilities": map[string]any{}})
	require.Nil(t, init["error"])
	sync := init["result"].(map[string]any)["capabilities"].(map[string]any)["textDocumentSync"].(map[string]any)
	assert.Equal(t, 1.0, sync["change"], "full text on each change")
	c.notify("initialized", map[string]any{})

	// An expression typo after an emoji (two UTF-16 units, one rune), and a
	// type error, each where it is.
	c.notify("textDocument/didOpen", open(uri, model))
	ds := c.diagnostics(uri)
	require.Len(t, ds, 2, "%+v", ds)
	typo := at(t, model, "industy", "industy")
	assert.Equal(t, Range{Start: typo, End: Position{typo.Line, typo.Character + len("industy")}}, ds[0].Range)
	assert.Equal(t, `unknown name "industy"; did you mean "industry"?`, ds[0].Message)
	assert.Equal(t, 1, ds[0].Severity)
	typeErr := at(t, model, `"big"`, ">")
	assert.Equal(t, typeErr, ds[1].Range.Start)
	assert.Contains(t, ds[1].Message, "cannot combine a whole number (int) with text (string)")

	// Fixed in the editor (not on disk): no problem left.
	fixed := strings.Replace(strings.Replace(model, "industy", "industry", 1), `"big"`, "1000", 1)
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 2},
		"contentChanges": []any{map[string]any{"text": fixed}}})
	assert.Empty(t, c.diagnostics(uri))

	// An included file open in the editor with a misspelt key: the problem
	// goes to that file.
	lists := filepath.Join(dir, "lists.yaml")
	c.notify("textDocument/didOpen", open(uriOf(lists), "list:\n  target_industries: [software]\n"))
	ds = c.diagnostics(uriOf(lists))
	require.NotEmpty(t, ds)
	assert.Equal(t, Position{0, 0}, ds[0].Range.Start)
	assert.Contains(t, ds[0].Message, `unknown key "list" in an included file`)
	c.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": uriOf(lists)}})
	assert.Empty(t, c.diagnostics(uriOf(lists)), "closing a file clears its problems")

	// check --strict's findings come as warnings.
	lax := strings.Replace(fixed, "    owner: sales\n    reason: Big company\n", "", 1)
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 3},
		"contentChanges": []any{map[string]any{"text": lax}}})
	ds = c.diagnostics(uri)
	require.NotEmpty(t, ds)
	for _, d := range ds {
		assert.Equal(t, 2, d.Severity, d.Message)
	}

	// A test file is decoded as one.
	testURI := uriOf(filepath.Join(dir, "leads_test.yaml"))
	src := "model: leads.yaml\nas_of: 2026-10-01\ncases:\n  - name: a\n    expect: {sales_redy: true}\n"
	c.notify("textDocument/didOpen", open(testURI, src))
	ds = c.diagnostics(testURI)
	require.Len(t, ds, 1)
	assert.Equal(t, at(t, src, "sales_redy", "sales_redy"), ds[0].Range.Start)
	assert.Equal(t, Position{4, len("    expect: {") + len("sales_redy")}, ds[0].Range.End)
	assert.Contains(t, ds[0].Message, `unknown key "sales_redy" in expect; did you mean "sales_ready"?`)

	// And checked against its model, as the editor has it (the rule file is
	// open, with the lax text, not on disk at all): a rule id it does not
	// have, and a lead field it does not declare.
	src = "model: leads.yaml\nas_of: 2026-10-01\ncases:\n  - name: a\n    lead: {industri: software}\n    expect: {fired: [fit.bigg]}\n"
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": testURI, "version": 2},
		"contentChanges": []any{map[string]any{"text": src}}})
	ds = c.diagnostics(testURI)
	require.Len(t, ds, 2, "%+v", ds)
	assert.Equal(t, at(t, src, "industri", "industri"), ds[0].Range.Start)
	assert.Equal(t, `the model declares no lead field "industri"; did you mean "industry"?`, ds[0].Message)
	assert.Equal(t, at(t, src, "fit.bigg", "fit.bigg"), ds[1].Range.Start)
	assert.Contains(t, ds[1].Message, `"fit.bigg"`)
	assert.Contains(t, ds[1].Message, `did you mean "fit.big"?`)

	// A model that is not there: at the model: line, as check says it.
	src = "model: nosuch.yaml\nas_of: 2026-10-01\ncases:\n  - name: a\n    expect: {fired: [fit.big]}\n"
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": testURI, "version": 3},
		"contentChanges": []any{map[string]any{"text": src}}})
	ds = c.diagnostics(testURI)
	require.Len(t, ds, 1, "%+v", ds)
	assert.Equal(t, Position{0, len("model: ")}, ds[0].Range.Start)
	assert.Equal(t, "cannot load model nosuch.yaml: no such file; model: must name a file inside the directory of this test file, such as leads.yaml", ds[0].Message)

	// Back to the real model, then a break in the model, made in the
	// editor: the open test file is checked again, and the model's problem
	// goes to the model's file.
	src = "model: leads.yaml\nas_of: 2026-10-01\ncases:\n  - name: a\n    expect: {not_fired: [fit.big]}\n"
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": testURI, "version": 4},
		"contentChanges": []any{map[string]any{"text": src}}})
	assert.Empty(t, c.diagnostics(testURI))
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 5},
		"contentChanges": []any{map[string]any{"text": model}}})
	assert.Len(t, c.diagnostics(uri), 2, "the model's own check")
	ds = c.diagnostics(uri)
	require.Len(t, ds, 2, "the test file's check: the model's problems, on the model")
	assert.Equal(t, `unknown name "industy"; did you mean "industry"?`, ds[0].Message)
	assert.Empty(t, c.diagnostics(testURI), "nothing wrong in the test file itself")

	// What it does not do, it says; then it shuts down and exits cleanly.
	resp := c.request("textDocument/rename", map[string]any{})
	assert.Equal(t, float64(methodNotFound), resp["error"].(map[string]any)["code"])
	resp = c.request("shutdown", nil)
	assert.Nil(t, resp["error"])
	assert.Contains(t, resp, "result")
	c.notify("exit", nil)
	assert.NoError(t, <-c.done)
}

func TestExitWithoutShutdownFails(t *testing.T) {
	c := start(t)
	resp := c.request("textDocument/hover", map[string]any{})
	assert.Equal(t, float64(serverNotReady), resp["error"].(map[string]any)["code"], "nothing before initialize")
	c.notify("exit", nil)
	assert.EqualError(t, <-c.done, "exit without shutdown")
}

// Broken framing is answered with an error and skipped; the server goes
// on reading until the input ends.
func TestBrokenInput(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Content-Length: x\r\n\r\n", `a bad Content-Length \"x\"; the message was skipped`},
		{"Content-Type: a\r\n\r\n{}", "a message without Content-Length; the message was skipped"},
		{"", ""},
		{"Content-Length: 1099511627776\r\n\r\n", ""},
		{"Content-Length: 20000000\r\n\r\n" + strings.Repeat(" ", 20000000), "a message of 20000000 bytes, over the 8 MiB a message may have (leadscore lsp --max-message); it was skipped"},
	} {
		var out strings.Builder
		err := Serve(strings.NewReader(c.in), &out)
		assert.EqualError(t, err, "the editor closed the connection without exit")
		assert.Contains(t, out.String(), c.want)
	}
}

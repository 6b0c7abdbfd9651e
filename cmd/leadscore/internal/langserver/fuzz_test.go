package langserver

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

func frame(msgs ...string) string {
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(m), m)
	}
	return b.String()
}

// Whatever an editor sends, the server answers or stops with an error; it
// never panics. (The server only reads files, never writes them.)
func FuzzServe(f *testing.F) {
	f.Add(frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}`,
		`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///nonexistent-leadscore/m.yaml","version":1,"text":"leadscore: 1\nmodel: m\nrules: [{id: r, when: x >}]\n"}}}`,
		`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`, `{"jsonrpc":"2.0","method":"exit"}`))
	f.Add(frame(`{"jsonrpc":"2.0","id":1,"method":"initialize"}`,
		`{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///nonexistent-leadscore/t_test.yaml"},"contentChanges":[{"text":"cases: [{name: a}]"}]}}`))
	f.Add(frame(`{"jsonrpc":"2.0","id":1,"method":"initialize"}`, `{"id":"x","method":"textDocument/didOpen","params":[]}`, `not json`))
	f.Add("Content-Length: 99999999999999999999\r\n\r\n")
	f.Add("Content-Length: 1099511627776\r\n\r\n")
	f.Add(strings.Repeat("X", 5000) + frame(`{"jsonrpc":"2.0","id":1,"method":"initialize"}`))
	f.Add("\n\nContent-Length: -1\r\n\r\n" + frame(`{"jsonrpc":"2.0","id":1,"method":"initialize"}`))
	f.Fuzz(func(t *testing.T, in string) {
		_ = Serve(strings.NewReader(in), io.Discard)
	})
}

// Whatever document is open, every request at any position is answered
// without a panic: completion, hover, definition, references, code
// actions, formatting, symbols and inlay hints, on a rule file and on a
// test file.
func FuzzRequests(f *testing.F) {
	f.Add(featureModel, featureTests, 18, 12)
	f.Add("leadscore: 1\nrules: [{id: r, when: x >}]\n", "cases: [{name: a, expect: {stage: x}}]", 1, 20)
	f.Add("leadscore: 1\nfields: {a: string}\nrules:\n  - id: r\n    when: |\n      a == \"é\" AND\n", "model: m.yaml\ncases:\n  - name: a\n    lead: {a: 1}\n    expect:\n      fired: [r]\n", 5, 7)
	f.Add("ruls:\n  - when: 'a\n", "- name\n", 0, 0)
	f.Fuzz(fuzzOne)
}

// fuzzOne opens model and tests as a rule file and its test file and
// sends every request at (line, char) to each; the server must answer all
// and exit cleanly.
func fuzzOne(t *testing.T, model, tests string, line, char int) {
	const dir = "file:///nonexistent-leadscore/"
	msgs := []string{`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}`}
	for _, doc := range [][2]string{{"m.yaml", model}, {"m_test.yaml", tests}} {
		msgs = append(msgs, fmt.Sprintf(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":%q,"version":1,"text":%s}}}`, dir+doc[0], mustJSON(doc[1])))
	}
	for i, doc := range []string{"m.yaml", "m_test.yaml"} {
		pos := fmt.Sprintf(`{"line":%d,"character":%d}`, line, char)
		td := fmt.Sprintf(`{"uri":%q}`, dir+doc)
		diag := fmt.Sprintf(`{"range":{"start":%s,"end":{"line":%d,"character":%d}},"severity":1,"source":"leadscore","message":"unknown name \"x\"; did you mean \"y\"? a single = does not compare"}`, pos, line, char+3)
		for j, req := range []string{
			`"method":"textDocument/completion","params":{"textDocument":` + td + `,"position":` + pos + `}`,
			`"method":"textDocument/hover","params":{"textDocument":` + td + `,"position":` + pos + `}`,
			`"method":"textDocument/definition","params":{"textDocument":` + td + `,"position":` + pos + `}`,
			`"method":"textDocument/references","params":{"textDocument":` + td + `,"position":` + pos + `,"context":{"includeDeclaration":true}}`,
			`"method":"textDocument/codeAction","params":{"textDocument":` + td + `,"range":{"start":` + pos + `,"end":` + pos + `},"context":{"diagnostics":[` + diag + `]}}`,
			`"method":"textDocument/formatting","params":{"textDocument":` + td + `,"options":{}}`,
			`"method":"textDocument/rangeFormatting","params":{"textDocument":` + td + `,"range":{"start":` + pos + `,"end":` + pos + `},"options":{}}`,
			`"method":"textDocument/documentSymbol","params":{"textDocument":` + td + `}`,
			`"method":"textDocument/inlayHint","params":{"textDocument":` + td + `,"range":{"start":` + pos + `,"end":` + pos + `}}`,
		} {
			msgs = append(msgs, fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,%s}`, 100*(i+1)+j, req))
		}
	}
	msgs = append(msgs, `{"jsonrpc":"2.0","id":2,"method":"shutdown"}`, `{"jsonrpc":"2.0","method":"exit"}`)
	var out strings.Builder
	if err := Serve(strings.NewReader(frame(msgs...)), &out); err != nil {
		t.Fatal(err)
	}
	if i := strings.Index(out.String(), "internal error"); i >= 0 {
		t.Fatal(out.String()[i:min(len(out.String()), i+2000)])
	}
}

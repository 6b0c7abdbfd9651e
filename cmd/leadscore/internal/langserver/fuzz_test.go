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

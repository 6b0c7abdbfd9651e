package langserver

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/leadscore/leadscore/scoring/scoringtest"
)

// benchServer is a server with the bundled model open, answering into
// io.Discard: a request's cost is decoding it, answering it and encoding
// the answer, as over stdio.
func benchServer(b *testing.B) (*server, string) {
	file, err := filepath.Abs(filepath.Join("..", "..", "..", "..", "testdata", "b2b-saas.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	text, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	s := &server{out: bufio.NewWriter(io.Discard), docs: map[string]textDocument{}, published: map[string]map[string]bool{},
		good: map[string]string{}, runs: map[string]*scoringtest.FileResult{}}
	s.handle(&message{Method: "initialize", ID: json.RawMessage("1"), Params: json.RawMessage("{}")})
	uri := uriOf(file)
	s.handle(&message{Method: "textDocument/didOpen", Params: mustJSON(map[string]any{"textDocument": textDocument{URI: uri, Version: 1, Text: string(text)}})})
	return s, uri
}

func benchRequest(b *testing.B, method, uri string, line, char int) {
	s, _ := benchServer(b)
	params := json.RawMessage(fmt.Sprintf(`{"textDocument":{"uri":%q},"position":{"line":%d,"character":%d}}`, uri, line, char))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.handle(&message{Method: method, ID: json.RawMessage("2"), Params: params})
		s.out.Flush()
	}
}

// Hover on a field in a rule's condition (line 59: lower(industry)).
func BenchmarkHoverField(b *testing.B) {
	_, uri := benchServer(b)
	benchRequest(b, "textDocument/hover", uri, 58, 18)
}

// Hover on a define, which compiles the model for the kind of its value.
func BenchmarkHoverDefine(b *testing.B) {
	_, uri := benchServer(b)
	benchRequest(b, "textDocument/hover", uri, 76, 12)
}

// Completion of a name in a condition (line 65, after "employees").
func BenchmarkCompletion(b *testing.B) {
	_, uri := benchServer(b)
	benchRequest(b, "textDocument/completion", uri, 64, 13)
}

// References of a field across the model and its test file.
func BenchmarkReferences(b *testing.B) {
	_, uri := benchServer(b)
	benchRequest(b, "textDocument/references", uri, 64, 12)
}

// A change to the bundled test file: checked against its model and its
// cases run, diagnostics published.
func BenchmarkTestFileChange(b *testing.B) {
	s, _ := benchServer(b)
	file, err := filepath.Abs(filepath.Join("..", "..", "..", "..", "testdata", "b2b-saas_test.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	text, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	params := mustJSON(map[string]any{"textDocument": textDocument{URI: uriOf(file), Version: 1, Text: string(text)}})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.handle(&message{Method: "textDocument/didOpen", Params: params})
		s.out.Flush()
	}
	if fr := s.runs[file]; fr == nil || len(fr.Cases) == 0 {
		b.Fatal("the cases did not run")
	}
}

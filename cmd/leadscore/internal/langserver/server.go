// Package langserver is a small language server (LSP over stdio) for rule
// files and test files: as a file is opened and edited, the editor gets the
// problems the real decoder and compiler find, at their line and column,
// expression typos and type errors inside YAML strings included, which a
// JSON Schema cannot see; and, for a rule file that compiles, the findings
// of check --strict as warnings.
//
// It speaks initialize, textDocument/didOpen, didChange (whole text),
// didSave and didClose, shutdown and exit, and answers completion, hover,
// definition, references, codeAction (quick fixes), formatting and
// rangeFormatting (leadscore fmt's code), documentSymbol and inlayHint
// (test cases' outcomes); anything else it refuses, saying so. Open test
// files' cases run whenever the file or its model changes, a failing case
// being a diagnostic at its expect:. A rule file is compiled with the text in the editor,
// its includes read from the editor when open there and from disk when not,
// never from outside the rule file's directory; a file without leadscore:
// at its top is an included file, checked through the open rule files that
// include it. A test file (*_test.yaml, or a file of cases: without
// leadscore:) is checked against its model as leadscore check checks it,
// through the same function (scoringtest.RunText), so the two report the
// same problems at the same places; problems in the model itself go to the
// model's file.
package langserver

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing/fstest"
	"time"
	"unicode/utf16"

	"go.yaml.in/yaml/v3"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/bounded"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring/scoringtest"
	"github.com/leadscore/leadscore/scoring/source"
)

// message is a JSON-RPC 2.0 request, response or notification.
type message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  any             `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// JSON-RPC and LSP error codes.
const (
	parseError       = -32700
	invalidRequest   = -32600
	methodNotFound   = -32601
	serverNotReady   = -32002
	invalidParameter = -32602
)

// Position and Range are LSP's: 0-based lines, UTF-16 columns.
type Position struct {
	Line      int `json:"line"`
	Character int `json:"character"`
}

// Range is a span of a document.
type Range struct {
	Start Position `json:"start"`
	End   Position `json:"end"`
}

// Diagnostic is one problem, as the editor shows it.
type Diagnostic struct {
	Range    Range  `json:"range"`
	Severity int    `json:"severity"` // 1 error, 2 warning
	Source   string `json:"source"`
	Message  string `json:"message"`
}

type publishParams struct {
	URI         string       `json:"uri"`
	Version     *int         `json:"version,omitempty"`
	Diagnostics []Diagnostic `json:"diagnostics"`
}

type textDocument struct {
	URI     string `json:"uri"`
	Version int    `json:"version"`
	Text    string `json:"text"`
}

// server holds the open documents and what was published for each.
type server struct {
	out       *bufio.Writer
	opts      Options
	docs      map[string]textDocument // by path
	published map[string]map[string]bool
	// good holds, by path, the last text of each open document that was
	// well-formed YAML: what completion and navigation read while the
	// document is half written.
	good map[string]string
	// runs holds, by path, the outcome of each open test file's cases
	// when it was last checked: what its inlay hints show.
	runs     map[string]*scoringtest.FileResult
	ready    bool
	shutdown bool
}

// Limits of the language server. A message or a document over its limit
// is refused before it is parsed, the server says so (a diagnostic on the
// document, or a JSON-RPC error) and goes on serving.
const (
	// DefaultMaxMessage is the longest message read, in bytes (the
	// Content-Length of one message): a rule file far larger than any
	// written by hand, in JSON. leadscore lsp --max-message sets it.
	DefaultMaxMessage = 8 << 20
	// MaxDocument is the largest document checked: the limit leadscore
	// check puts on a rule file or a test file (dsl.MaxFileSize, 4 MiB).
	MaxDocument = dsl.MaxFileSize
	// MaxHeaderLine is the longest header line read, in bytes; a longer
	// one is skipped (reading on to the next Content-Length header).
	MaxHeaderLine = 4 << 10
)

// Options are the language server's limits.
type Options struct {
	// MaxMessage is the longest message read, in bytes; 0 means
	// DefaultMaxMessage. A longer message is skipped without being kept
	// in memory: a request gets an error, a didOpen or didChange a
	// diagnostic on its document.
	MaxMessage int
}

// Serve answers the editor on r and w until it says exit, with the
// default limits. It returns nil after shutdown then exit, and an error
// when exit comes without shutdown or the input ends or breaks.
func Serve(r io.Reader, w io.Writer) error { return ServeWith(r, w, Options{}) }

// ServeWith is Serve with the given limits.
func ServeWith(r io.Reader, w io.Writer, opts Options) error {
	if opts.MaxMessage <= 0 {
		opts.MaxMessage = DefaultMaxMessage
	}
	s := &server{out: bufio.NewWriter(w), opts: opts, docs: map[string]textDocument{}, published: map[string]map[string]bool{}, good: map[string]string{}, runs: map[string]*scoringtest.FileResult{}}
	in := bufio.NewReader(r)
	for {
		body, skip, err := readFrame(in, opts.MaxMessage)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return errors.New("the editor closed the connection without exit")
			}
			return err
		}
		if skip != nil {
			s.refuse(skip)
		}
		if body != nil {
			var m message
			if err := json.Unmarshal(body, &m); err != nil {
				s.reply(nil, nil, &rpcError{parseError, "not JSON: " + err.Error()})
			} else {
				if m.Method == "exit" {
					if !s.shutdown {
						return errors.New("exit without shutdown")
					}
					return nil
				}
				s.handle(&m)
			}
		}
		if err := s.out.Flush(); err != nil {
			return err
		}
	}
}

// skipped is a message read past and not parsed: why, and what could be
// told of it from its first and last bytes (its id, method and document).
type skipped struct {
	reason  string
	id      json.RawMessage
	method  string
	uri     string
	version *int
}

// readMessage reads one message with the default limits; a message over
// them is an error.
func readMessage(r *bufio.Reader) ([]byte, error) {
	body, skip, err := readFrame(r, DefaultMaxMessage)
	if err == nil && skip != nil {
		err = errors.New(skip.reason)
	}
	return body, err
}

// readFrame reads one message: headers, a blank line, then Content-Length
// bytes. A message it cannot or will not read (no or a bad Content-Length,
// a body over max) comes back as skipped, as does a header line over
// MaxHeaderLine before a message that is then read, having held at most a few header lines and the first and
// last sniffLen bytes of the body in memory; err is only for the input
// ending or breaking.
func readFrame(r *bufio.Reader, max int) ([]byte, *skipped, error) {
	length := -1
	var problem string
	sawHeader := false
	for {
		line, long, err := readHeaderLine(r)
		if err != nil {
			return nil, nil, err
		}
		if long {
			problem = fmt.Sprintf("a header line over %d bytes was skipped", MaxHeaderLine)
			// Read on from the last Content-Length in what was kept: a
			// header without its line break runs into the next message's.
			i := strings.LastIndex(strings.ToLower(line), "content-length:")
			if i < 0 {
				continue
			}
			line = line[i:]
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			if !sawHeader {
				continue // blank lines between messages
			}
			break
		}
		sawHeader = true
		name, value, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if err != nil || n < 0 {
				problem = fmt.Sprintf("a bad Content-Length %q", strings.TrimSpace(value))
				length = -1
				continue
			}
			length = int(min(n, 1<<62))
		}
	}
	if length < 0 {
		if problem == "" {
			problem = "a message without Content-Length"
		}
		return nil, &skipped{reason: problem + "; the message was skipped"}, nil
	}
	if length > max {
		sk, err := skipBody(r, length, max)
		return nil, sk, err
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, nil, err
	}
	if problem != "" {
		// A header line skipped before this message's header: say so, and
		// read the message.
		return body, &skipped{reason: problem}, nil
	}
	return body, nil, nil
}

// readHeaderLine reads up to a line break; a line over MaxHeaderLine
// comes back as its last MaxHeaderLine bytes, with long set.
func readHeaderLine(r *bufio.Reader) (string, bool, error) {
	var buf []byte
	long := false
	for {
		frag, err := r.ReadSlice('\n')
		buf = append(buf, frag...)
		if len(buf) > MaxHeaderLine {
			long = true
			buf = buf[:copy(buf, buf[len(buf)-MaxHeaderLine:])] // the same array: bounded
		}
		if err == nil {
			return string(buf), long, nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return "", long, err
		}
	}
}

// sniffLen is how much of the start and the end of a message over the
// limit is kept, to find its id, method and document.
const sniffLen = 64 << 10

var (
	sniffID      = regexp.MustCompile(`"id"\s*:\s*(-?[0-9]+|"(?:[^"\\]|\\.){0,200}")`)
	sniffMethod  = regexp.MustCompile(`"method"\s*:\s*"([A-Za-z/$]{1,100})"`)
	sniffURI     = regexp.MustCompile(`"uri"\s*:\s*"((?:[^"\\]|\\.){1,1000})"`)
	sniffVersion = regexp.MustCompile(`"version"\s*:\s*(-?[0-9]{1,9})\b`)
)

// skipBody reads past a body of length bytes, over max, keeping its first
// and last sniffLen bytes to tell what it was.
func skipBody(r *bufio.Reader, length, max int) (*skipped, error) {
	head := make([]byte, min(length, sniffLen))
	if _, err := io.ReadFull(r, head); err != nil {
		return nil, err
	}
	rest := int64(length - len(head))
	if rest > sniffLen {
		if _, err := io.CopyN(io.Discard, r, rest-sniffLen); err != nil {
			return nil, err
		}
		rest = sniffLen
	}
	tail := make([]byte, rest)
	if _, err := io.ReadFull(r, tail); err != nil {
		return nil, err
	}
	sk := &skipped{reason: fmt.Sprintf("a message of %d bytes, over the %s a message may have (leadscore lsp --max-message); it was skipped", length, bounded.Size(max))}
	for _, part := range [][]byte{head, tail} {
		if m := sniffID.FindSubmatch(part); m != nil && sk.id == nil {
			sk.id = json.RawMessage(m[1])
		}
		if m := sniffMethod.FindSubmatch(part); m != nil && sk.method == "" {
			sk.method = string(m[1])
		}
		if m := sniffURI.FindSubmatch(part); m != nil && sk.uri == "" {
			var uri string
			if json.Unmarshal([]byte(`"`+string(m[1])+`"`), &uri) == nil {
				sk.uri = uri
			}
		}
		if m := sniffVersion.FindSubmatch(part); m != nil && sk.version == nil {
			if v, err := strconv.Atoi(string(m[1])); err == nil {
				sk.version = &v
			}
		}
	}
	return sk, nil
}

// refuse answers a message that was skipped: a didOpen or didChange with
// one diagnostic on its document (which is then no longer held: files
// that include it read it from disk), a request with an error, anything
// else with an error without an id.
func (s *server) refuse(sk *skipped) {
	if s.ready && sk.uri != "" && (sk.method == "textDocument/didOpen" || sk.method == "textDocument/didChange") {
		if file, err := pathOf(sk.uri); err == nil {
			delete(s.docs, file)
			delete(s.good, file)
			delete(s.runs, file)
			s.publishOne(file, sk.uri, sk.version, "this document is not checked: "+sk.reason)
			s.recheckIncluders(file)
			return
		}
	}
	if sk.method != "" && sk.id == nil && sk.method != "textDocument/didOpen" && sk.method != "textDocument/didChange" {
		return // a notification: nothing to answer
	}
	s.reply(sk.id, nil, &rpcError{invalidRequest, sk.reason})
}

// publishOne publishes a single error for a file, at its first line,
// clearing what was published through it before.
func (s *server) publishOne(file, uri string, version *int, msg string) {
	d := Diagnostic{Range: Range{End: Position{0, 1}}, Severity: 1, Source: "leadscore", Message: msg}
	s.send(message{Method: "textDocument/publishDiagnostics", Params: mustJSON(publishParams{URI: uri, Version: version, Diagnostics: []Diagnostic{d}})})
	for u := range s.published[file] {
		if u != uri {
			s.send(message{Method: "textDocument/publishDiagnostics", Params: mustJSON(publishParams{URI: u, Diagnostics: []Diagnostic{}})})
		}
	}
	s.published[file] = map[string]bool{uri: true}
}

func (s *server) send(m message) {
	m.JSONRPC = "2.0"
	b, _ := json.Marshal(m)
	fmt.Fprintf(s.out, "Content-Length: %d\r\n\r\n%s", len(b), b)
}

func (s *server) reply(id json.RawMessage, result any, e *rpcError) {
	if id == nil {
		id = json.RawMessage("null")
	}
	if e == nil && result == nil {
		result = json.RawMessage("null")
	}
	s.send(message{ID: id, Result: result, Error: e})
}

// internalError is the code of a request the server failed on.
const internalError = -32603

// handle answers one message. A failure of the server's own (a panic)
// does not stop it: a request gets an error saying so, and the server goes
// on serving; the fuzz tests hold that none happens.
func (s *server) handle(m *message) {
	defer func() {
		if r := recover(); r != nil && m.ID != nil {
			s.reply(m.ID, nil, &rpcError{internalError, fmt.Sprintf("internal error in leadscore's language server on %s (please report it with the file): %v", m.Method, r)})
		}
	}()
	s.dispatch(m)
}

func (s *server) dispatch(m *message) {
	isRequest := m.ID != nil
	if !s.ready && m.Method != "initialize" {
		if isRequest {
			s.reply(m.ID, nil, &rpcError{serverNotReady, "initialize first"})
		}
		return
	}
	switch m.Method {
	case "initialize":
		s.ready = true
		s.reply(m.ID, map[string]any{
			"capabilities": map[string]any{
				"textDocumentSync":                map[string]any{"openClose": true, "change": 1, "save": map[string]any{"includeText": false}},
				"completionProvider":              map[string]any{"triggerCharacters": []string{".", "\""}},
				"hoverProvider":                   true,
				"definitionProvider":              true,
				"referencesProvider":              true,
				"codeActionProvider":              map[string]any{"codeActionKinds": []string{"quickfix"}},
				"documentFormattingProvider":      true,
				"documentRangeFormattingProvider": true,
				"documentSymbolProvider":          true,
				"inlayHintProvider":               true,
			},
			"serverInfo": map[string]any{"name": "leadscore"},
		}, nil)
	case "initialized", "$/cancelRequest", "$/setTrace", "workspace/didChangeConfiguration":
	case "shutdown":
		s.shutdown = true
		s.reply(m.ID, nil, nil)
	case "textDocument/didOpen":
		var p struct {
			TextDocument textDocument `json:"textDocument"`
		}
		if s.decode(m, &p) {
			s.update(p.TextDocument)
		}
	case "textDocument/didChange":
		var p struct {
			TextDocument   textDocument `json:"textDocument"`
			ContentChanges []struct {
				Range *Range `json:"range"`
				Text  string `json:"text"`
			} `json:"contentChanges"`
		}
		if s.decode(m, &p) && len(p.ContentChanges) > 0 {
			// Full sync: the last change holds the whole text.
			doc := p.TextDocument
			doc.Text = p.ContentChanges[len(p.ContentChanges)-1].Text
			s.update(doc)
		}
	case "textDocument/didSave":
		var p struct {
			TextDocument textDocument `json:"textDocument"`
		}
		if s.decode(m, &p) {
			if file, err := pathOf(p.TextDocument.URI); err == nil {
				if doc, ok := s.docs[file]; ok {
					s.check(file, doc)
				}
			}
		}
	case "textDocument/didClose":
		var p struct {
			TextDocument textDocument `json:"textDocument"`
		}
		if s.decode(m, &p) {
			if file, err := pathOf(p.TextDocument.URI); err == nil {
				delete(s.docs, file)
				delete(s.good, file)
				delete(s.runs, file)
				for uri := range s.published[file] {
					s.send(message{Method: "textDocument/publishDiagnostics", Params: mustJSON(publishParams{URI: uri, Diagnostics: []Diagnostic{}})})
				}
				delete(s.published, file)
				s.recheckIncluders(file) // which now read it from disk
			}
		}
	case "textDocument/completion":
		var p positionParams
		if isRequest && s.decode(m, &p) {
			s.reply(m.ID, s.complete(p), nil)
		}
	case "textDocument/definition":
		var p positionParams
		if isRequest && s.decode(m, &p) {
			s.reply(m.ID, s.definition(p), nil)
		}
	case "textDocument/references":
		var p referenceParams
		if isRequest && s.decode(m, &p) {
			s.reply(m.ID, s.references(p), nil)
		}
	case "textDocument/codeAction":
		var p codeActionParams
		if isRequest && s.decode(m, &p) {
			s.reply(m.ID, s.codeActions(p), nil)
		}
	case "textDocument/formatting", "textDocument/rangeFormatting":
		var p formattingParams
		if isRequest && s.decode(m, &p) {
			if m.Method == "textDocument/formatting" {
				p.Range = nil
			}
			s.reply(m.ID, s.format(p), nil)
		}
	case "textDocument/documentSymbol":
		var p struct {
			TextDocument struct {
				URI string `json:"uri"`
			} `json:"textDocument"`
		}
		if isRequest && s.decode(m, &p) {
			s.reply(m.ID, s.outline(p.TextDocument.URI), nil)
		}
	case "textDocument/inlayHint":
		var p struct {
			TextDocument struct {
				URI string `json:"uri"`
			} `json:"textDocument"`
		}
		if isRequest && s.decode(m, &p) {
			s.reply(m.ID, s.inlayHints(p.TextDocument.URI), nil)
		}
	case "textDocument/hover":
		var p positionParams
		if isRequest && s.decode(m, &p) {
			s.reply(m.ID, s.hover(p), nil)
		}
	default:
		if isRequest {
			s.reply(m.ID, nil, &rpcError{methodNotFound, "leadscore's language server does not do " + m.Method})
		}
	}
}

func (s *server) decode(m *message, v any) bool {
	if err := json.Unmarshal(m.Params, v); err != nil {
		if m.ID != nil {
			s.reply(m.ID, nil, &rpcError{invalidParameter, err.Error()})
		}
		return false
	}
	return true
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

func (s *server) update(doc textDocument) {
	file, err := pathOf(doc.URI)
	if err != nil {
		return // not a file: nothing to check against
	}
	s.docs[file] = doc
	if len(doc.Text) <= MaxDocument && yaml.Unmarshal([]byte(doc.Text), new(any)) == nil {
		s.good[file] = doc.Text
	}
	if len(doc.Text) > MaxDocument || isTestDoc(file, doc.Text) || isRoot(doc.Text) {
		s.check(file, doc)
	}
	s.recheckIncluders(file)
}

// recheckIncluders checks again the rule files and test files open in the
// editor that may read file (those in its directory or above): an included
// file is checked through the rule files that include it, a model through
// its test files.
func (s *server) recheckIncluders(file string) {
	for other, d := range s.docs {
		if other == file || len(d.Text) > MaxDocument || !isTestDoc(other, d.Text) && !isRoot(d.Text) {
			continue
		}
		if rel, err := filepath.Rel(filepath.Dir(other), file); err == nil && filepath.IsLocal(rel) {
			s.check(other, d)
		}
	}
}

// isRoot tells a rule file (with leadscore: at the top) from a file it
// includes. Text that is not YAML counts as a rule file, so that its
// syntax error shows.
func isRoot(text string) bool {
	if len(text) > MaxDocument {
		return false // not parsed: check says it is too large
	}
	var top map[string]any
	if err := yaml.Unmarshal([]byte(text), &top); err != nil {
		return true
	}
	_, ok := top["leadscore"]
	return ok
}

// isTestDoc tells a test file as leadscore check does: named *_test.yaml
// (or .yml), or a YAML mapping with cases: and without leadscore:.
func isTestDoc(file, text string) bool {
	if dsl.IsTestFile(file) {
		return true
	}
	if len(text) > MaxDocument {
		return false // not parsed: check says it is too large
	}
	var top map[string]any
	if err := yaml.Unmarshal([]byte(text), &top); err != nil {
		return false
	}
	_, cases := top["cases"]
	_, model := top["leadscore"]
	return cases && !model
}

// check finds the document's problems and publishes them, by file.
func (s *server) check(file string, doc textDocument) {
	if len(doc.Text) > MaxDocument {
		// One problem, found without parsing the text.
		version := doc.Version
		s.publishOne(file, doc.URI, &version, fmt.Sprintf("this document is not checked: it is %d bytes, over the %s a rule file or a test file may have (the limit of leadscore check)", len(doc.Text), bounded.Size(MaxDocument)))
		return
	}
	byFile := map[string][]Diagnostic{file: {}}
	// add files each problem under its file, named relative to dir.
	add := func(ds dsl.Diagnostics, dir string) {
		for _, d := range ds {
			f := file
			if d.Pos.File != "" {
				f = filepath.Join(dir, filepath.FromSlash(d.Pos.File))
			}
			byFile[f] = append(byFile[f], s.diagnostic(f, d))
		}
	}
	dir := filepath.Dir(file)
	fsys := s.overlay(file, doc.Text)
	if isTestDoc(file, doc.Text) {
		// What leadscore check reports for the file, with the editor's text
		// of it and of any file it reads; names come with their directory.
		// Then its cases run, as leadscore test runs them: a failing case
		// is a problem at its expect:.
		res := scoringtest.RunText(fsys, dir, file, []byte(doc.Text), scoringtest.Options{})
		add(res.Diagnostics(), "")
		byFile[file] = append(byFile[file], s.caseDiagnostics(file, doc.Text, res)...)
		s.runs[file] = res
	} else if source.IsMapping([]byte(doc.Text)) {
		// A source mapping, read as leadscore check reads it (alone: it
		// names no model).
		m, err := source.Parse(file, []byte(doc.Text))
		add(asDiagnostics(err, file), "")
		if m != nil {
			add(m.Warnings(), "")
		}
	} else {
		name := filepath.Base(file)
		m, err := rules.CompileFS(fsys, name)
		add(asDiagnostics(err, name), dir)
		if m != nil {
			add(rules.Lint(m), dir)
		}
	}
	version := doc.Version
	published := map[string]bool{}
	for f, ds := range byFile {
		if f != file && len(ds) == 0 {
			continue
		}
		p := publishParams{URI: uriOf(f), Diagnostics: ds}
		if f == file {
			p.URI, p.Version = doc.URI, &version
		}
		s.send(message{Method: "textDocument/publishDiagnostics", Params: mustJSON(p)})
		published[p.URI] = true
	}
	for uri := range s.published[file] {
		if !published[uri] {
			s.send(message{Method: "textDocument/publishDiagnostics", Params: mustJSON(publishParams{URI: uri, Diagnostics: []Diagnostic{}})})
		}
	}
	s.published[file] = published
}

// asDiagnostics turns a loader's or compiler's error into diagnostics.
func asDiagnostics(err error, file string) dsl.Diagnostics {
	if err == nil {
		return nil
	}
	var ds dsl.Diagnostics
	if errors.As(err, &ds) {
		return ds
	}
	return dsl.Diagnostics{{Pos: dsl.Pos{File: file, Line: 1, Col: 1}, Message: err.Error()}}
}

// overlay is the file's directory as the compiler reads it: the files on
// disk, confined to it as dsl.DirFS confines them, with those open in the
// editor as the editor has them.
func (s *server) overlay(file, text string) fs.FS {
	o := s.dirFS(filepath.Dir(file))
	o.mem[filepath.Base(file)] = &fstest.MapFile{Data: []byte(text)}
	return o
}

// dirFS is the directory dir as the compiler reads it: the files on disk
// with those open in the editor as the editor has them.
func (s *server) dirFS(dir string) overlayFS { return s.dirFSOf(dir, false) }

// dirFSOf is dirFS; lenient reads each open document as it last was
// well-formed YAML.
func (s *server) dirFSOf(dir string, lenient bool) overlayFS {
	mem := fstest.MapFS{}
	for f, d := range s.docs {
		if rel, err := filepath.Rel(dir, f); err == nil && filepath.IsLocal(rel) {
			text := d.Text
			if g, ok := s.good[f]; lenient && ok {
				text = g
			}
			mem[filepath.ToSlash(rel)] = &fstest.MapFile{Data: []byte(text), ModTime: time.Time{}}
		}
	}
	return overlayFS{mem: mem, disk: dsl.DirFS(dir)}
}

// overlayFS reads a file from mem when there, else from disk.
type overlayFS struct {
	mem  fstest.MapFS
	disk fs.FS
}

func (o overlayFS) Open(name string) (fs.File, error) {
	if _, ok := o.mem[path.Clean(name)]; ok {
		return o.mem.Open(name)
	}
	return o.disk.Open(name)
}

// Stat answers without opening the file (which may be a named pipe).
func (o overlayFS) Stat(name string) (fs.FileInfo, error) {
	if _, ok := o.mem[path.Clean(name)]; ok {
		return o.mem.Stat(name)
	}
	return fs.Stat(o.disk, name)
}

// ReadDir lists the files on disk and those open in the editor.
func (o overlayFS) ReadDir(name string) ([]fs.DirEntry, error) {
	disk, err := fs.ReadDir(o.disk, name)
	mem, memErr := fs.ReadDir(o.mem, name)
	if err != nil && memErr != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, e := range mem {
		seen[e.Name()] = true
	}
	for _, e := range disk {
		if !seen[e.Name()] {
			mem = append(mem, e)
		}
	}
	slices.SortFunc(mem, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return mem, nil
}

// Sub is the subdirectory dir, read the same way: an included file is
// read from the directory of the rule file that includes it.
func (o overlayFS) Sub(dir string) (fs.FS, error) {
	disk, err := fs.Sub(o.disk, dir)
	if err != nil {
		return nil, err
	}
	mem := fstest.MapFS{}
	for name, f := range o.mem {
		if rest, ok := strings.CutPrefix(name, dir+"/"); ok {
			mem[rest] = f
		}
	}
	return overlayFS{mem: mem, disk: disk}, nil
}

// diagnostic places a problem: from its column over the word there.
func (s *server) diagnostic(file string, d *dsl.Diagnostic) Diagnostic {
	line := d.Source
	if doc, ok := s.docs[file]; ok && d.Pos.Line >= 1 {
		if lines := strings.Split(doc.Text, "\n"); d.Pos.Line <= len(lines) {
			line = strings.TrimSuffix(lines[d.Pos.Line-1], "\r")
		}
	}
	runes := []rune(line)
	start := max(d.Pos.Col-1, 0)
	start = min(start, len(runes))
	end := start
	for end < len(runes) && isWordRune(runes[end]) {
		end++
	}
	if end == start && end < len(runes) {
		end++
	}
	lineNo := max(d.Pos.Line-1, 0)
	sev := 1
	if d.Severity == dsl.Warning {
		sev = 2
	}
	return Diagnostic{
		Range:    Range{Start: Position{lineNo, utf16Len(runes[:start])}, End: Position{lineNo, utf16Len(runes[:end])}},
		Severity: sev,
		Source:   "leadscore",
		Message:  d.Message,
	}
}

func isWordRune(r rune) bool {
	return r == '_' || r == '.' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

func utf16Len(rs []rune) int { return len(utf16.Encode(rs)) }

// pathOf reads a file:// URI.
func pathOf(uri string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" {
		return "", fmt.Errorf("not a file URI: %s", uri)
	}
	return filepath.FromSlash(u.Path), nil
}

func uriOf(file string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(file)}).String()
}

// openDoc is the open document at uri, by path, when it is one the server
// answers for (not beyond MaxDocument).
func (s *server) openDoc(uri string) (string, textDocument, bool) {
	file, err := pathOf(uri)
	if err != nil {
		return "", textDocument{}, false
	}
	doc, ok := s.docs[file]
	if !ok || len(doc.Text) > MaxDocument {
		return "", textDocument{}, false
	}
	return file, doc, true
}

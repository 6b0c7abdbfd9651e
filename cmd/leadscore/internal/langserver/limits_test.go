package langserver

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// raw writes a message of its own framing: header, then prefix, n bytes
// of fill and suffix as the body, from one reused buffer, so that the
// client holds next to nothing of a message however large.
func (c *client) raw(header string, prefix string, fill byte, n int, suffix string) {
	_, err := fmt.Fprint(c.in, header+prefix)
	require.NoError(c.t, err)
	chunk := []byte(strings.Repeat(string(fill), 1<<20))
	for n > 0 {
		k := min(n, len(chunk))
		_, err := c.in.Write(chunk[:k])
		require.NoError(c.t, err)
		n -= k
	}
	_, err = fmt.Fprint(c.in, suffix)
	require.NoError(c.t, err)
}

// bigOpen sends a didOpen of uri whose text is n bytes, framed properly.
func (c *client) bigOpen(uri string, n int) {
	prefix := `{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"` + uri + `","languageId":"yaml","version":7,"text":"`
	suffix := `"}}}`
	c.raw(fmt.Sprintf("Content-Length: %d\r\n\r\n", len(prefix)+n+len(suffix)), prefix, 'a', n, suffix)
}

func totalAlloc() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc
}

// A message over the limit, a document over check's limit and a header
// line without its line break are each refused, said once, never parsed,
// and the server answers the next request.
func TestLimitsRefuseAndKeepServing(t *testing.T) {
	dir := t.TempDir()
	c := start(t)
	init := c.request("initialize", map[string]any{"processId": nil, "rootUri": uriOf(dir), "capabilities": map[string]any{}})
	require.Nil(t, init["error"])

	// A document over 4 MiB, in a message under 8 MiB: one diagnostic.
	doc := uriOf(filepath.Join(dir, "big.yaml"))
	c.notify("textDocument/didOpen", open(doc, "leadscore: 1\n"+strings.Repeat("#", MaxDocument)))
	ds := c.diagnostics(doc)
	require.Len(t, ds, 1)
	assert.Contains(t, ds[0].Message, "this document is not checked: it is 4194317 bytes, over the 4 MiB a rule file or a test file may have")

	// A message over 8 MiB: skipped unread, one diagnostic on its document.
	huge := uriOf(filepath.Join(dir, "huge.yaml"))
	before := totalAlloc()
	c.bigOpen(huge, 64<<20)
	ds = c.diagnostics(huge)
	require.Len(t, ds, 1)
	assert.Contains(t, ds[0].Message, "this document is not checked: a message of 67109")
	assert.Contains(t, ds[0].Message, "bytes, over the 8 MiB a message may have (leadscore lsp --max-message); it was skipped")
	shut := c.request("shutdown", nil)
	assert.Nil(t, shut["error"], "the server still answers")
	grown := totalAlloc() - before
	assert.Less(t, grown, uint64(4<<20), "a 64 MiB message is read past, not held: %d bytes allocated", grown)

	// A header line of 32 MiB without a line break, running into the
	// next message's header: skipped, and the request after answered.
	before = totalAlloc()
	c.raw("", "", 'X', 32<<20, "")
	c.id++
	c.write(map[string]any{"id": c.id, "method": "textDocument/rename", "params": map[string]any{}})
	errReply := c.read()
	assert.Nil(t, errReply["id"])
	assert.Contains(t, fmt.Sprint(errReply["error"]), "a header line over 4096 bytes was skipped")
	reply := c.read()
	assert.Equal(t, float64(c.id), reply["id"])
	assert.Contains(t, fmt.Sprint(reply["error"]), "does not do textDocument/rename")
	grown = totalAlloc() - before
	assert.Less(t, grown, uint64(4<<20), "a 32 MiB header line is read past, not held: %d bytes allocated", grown)

	// A request over the limit gets an error with its id; bad framing an
	// error without one; and the server goes on to exit cleanly.
	c.raw(fmt.Sprintf("Content-Length: %d\r\n\r\n", 9<<20), `{"jsonrpc":"2.0","id":99,"method":"shutdown","params":"`, ' ', 9<<20-len(`{"jsonrpc":"2.0","id":99,"method":"shutdown","params":"`)-2, `"}`)
	reply = c.read()
	assert.Equal(t, 99.0, reply["id"])
	assert.Contains(t, fmt.Sprint(reply["error"]), "over the 8 MiB a message may have")
	c.raw("Content-Length: nine\r\n\r\n", "", ' ', 0, "")
	reply = c.read()
	assert.Contains(t, fmt.Sprint(reply["error"]), `a bad Content-Length "nine"`)
	c.notify("exit", nil)
	assert.NoError(t, <-c.done)
}

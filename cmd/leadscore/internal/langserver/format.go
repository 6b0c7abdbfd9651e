package langserver

import (
	"path/filepath"
	"strings"

	"github.com/leadscore/leadscore/dsl"
)

// formattingParams asks to format a document, or a range of it.
type formattingParams struct {
	TextDocument struct {
		URI string `json:"uri"`
	} `json:"textDocument"`
	// Range is set for a range formatting request.
	Range *Range `json:"range"`
}

// maxDiffCells bounds the work of finding the changed lines of a
// formatted document (lines before times lines after, once the lines
// both share at either end are set aside); past it the changed lines are
// one edit.
const maxDiffCells = 4 << 20

// format formats the document as leadscore fmt does (dsl.Format), as
// edits of the lines that change; with a range, only the edits that touch
// it. A document that cannot be formatted (not YAML, say) gets no edits,
// and the editor a message saying why.
func (s *server) format(params formattingParams) []textEdit {
	out := []textEdit{}
	file, doc, ok := s.openDoc(params.TextDocument.URI)
	if !ok {
		return out
	}
	formatted, err := dsl.Format([]byte(doc.Text))
	if err != nil {
		s.send(message{Method: "window/showMessage", Params: mustJSON(map[string]any{"type": 2, "message": "leadscore fmt cannot format " + filepath.Base(file) + ": " + err.Error()})})
		return out
	}
	for _, e := range lineEdits(doc.Text, string(formatted)) {
		if params.Range == nil || touches(e.Range, *params.Range) {
			out = append(out, e)
		}
	}
	return out
}

// touches tells whether an edit's lines meet a range's.
func touches(edit, r Range) bool {
	start, end := edit.Start.Line, edit.End.Line
	switch {
	case edit.Start == edit.End && start > 0:
		start-- // lines inserted after the line above
	case edit.End.Character == 0 && end > start:
		end-- // the edit ends at the start of a line it does not change
	}
	return start <= r.End.Line && end >= r.Start.Line
}

// lineEdits are the edits that turn text a into text b, each replacing
// whole lines.
func lineEdits(a, b string) []textEdit {
	if a == b {
		return nil
	}
	al, bl := splitLines(a), splitLines(b)
	pre := 0
	for pre < len(al) && pre < len(bl) && al[pre] == bl[pre] {
		pre++
	}
	suf := 0
	for suf < len(al)-pre && suf < len(bl)-pre && al[len(al)-1-suf] == bl[len(bl)-1-suf] {
		suf++
	}
	am, bm := al[pre:len(al)-suf], bl[pre:len(bl)-suf]
	var edits []textEdit
	hunk := func(a0, a1, b0, b1 int) { // lines [a0,a1) of a become [b0,b1) of b
		end := Position{pre + a1, 0}
		if end.Line == len(al) && !strings.HasSuffix(a, "\n") {
			// the last line has no line break: the edit ends at its end
			end = Position{len(al) - 1, utf16Len([]rune(al[len(al)-1]))}
		}
		edits = append(edits, textEdit{
			Range:   Range{Start: Position{pre + a0, 0}, End: end},
			NewText: strings.Join(bm[b0:b1], ""),
		})
	}
	if (len(am)+1)*(len(bm)+1) > maxDiffCells {
		hunk(0, len(am), 0, len(bm))
		return edits
	}
	// Longest common subsequence of lines, then the runs between.
	n, m := len(am), len(bm)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if am[i] == bm[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j, ha, hb := 0, 0, 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && am[i] == bm[j]:
			if ha < i || hb < j {
				hunk(ha, i, hb, j)
			}
			i, j = i+1, j+1
			ha, hb = i, j
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			j++
		default:
			i++
		}
	}
	if ha < n || hb < m {
		hunk(ha, n, hb, m)
	}
	return edits
}

// splitLines splits text after each line break, keeping the breaks; a
// last line without one is a line too.
func splitLines(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

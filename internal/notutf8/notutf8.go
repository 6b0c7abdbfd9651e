// Package notutf8 tells a CSV export that is not UTF-8 text, and words the
// fix for sales-ops people.
//
// Two kinds come from spreadsheets and CRMs. Excel's "Unicode text" is
// UTF-16: every other byte of an ASCII header is a NUL, and the file
// starts with a byte-order mark (FF FE or FE FF); read as UTF-8, its
// delimiter is guessed wrong and no column name matches. An older "CSV"
// export is Windows-1252 (or Latin-1): its ASCII bytes read the same, and
// an accented letter is one byte that is not valid UTF-8, so a value that
// is looked up ("Éducation") fails to match and one that is matched by a
// pattern never matches, silently. Both are told at the first place they
// show: the start of the file for UTF-16, the first cell that is not
// UTF-8 for Windows-1252.
package notutf8

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Fix is what to do about a file that is not UTF-8 text.
const Fix = `export the file as UTF-8 (in Excel: Save As "CSV UTF-8")`

// ErrUTF16 is the error of a file that starts as UTF-16 text.
var ErrUTF16 = fmt.Errorf(`the file is UTF-16 text (as Excel's "Unicode text" saves it), not UTF-8; %s`, Fix)

// sniffSize is how much of the start of a file Sniff looks at.
const sniffSize = 4096

// Sniff returns a reader of all of r and ErrUTF16 when r starts as UTF-16
// text: with its byte-order mark, or with a NUL byte beside each letter of
// its first line (no text file has one; UTF-16 has one beside each ASCII
// letter).
func Sniff(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	start, _ := br.Peek(sniffSize) // a shorter file gives what it has
	if UTF16(start) {
		return br, ErrUTF16
	}
	return br, nil
}

// UTF16 says the start of a file is UTF-16 text.
func UTF16(start []byte) bool {
	if bytes.HasPrefix(start, []byte{0xff, 0xfe}) || bytes.HasPrefix(start, []byte{0xfe, 0xff}) {
		return true
	}
	if i := bytes.IndexByte(start, '\n'); i >= 0 {
		start = start[:i]
	}
	// Without its mark, ASCII in UTF-16 has a NUL beside each letter: on
	// every other byte, and not on the bytes between (a run of NULs, as
	// /dev/zero gives, is no text at all, and is left to the reader).
	var even, odd int
	for i, c := range start {
		if c == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	n := len(start) / 2
	return n >= 2 && (odd*10 >= n*8 && even*10 <= n*2 || even*10 >= n*8 && odd*10 <= n*2)
}

// Cell returns the index of the first cell of rec that is not UTF-8 text,
// -1 when every one is. (UTF-16 is told at the start of the file, by
// Sniff; a NUL byte is no concern of Cell's: bounded.Lines marks a cut
// row with them.)
func Cell(rec []string) int {
	for i, c := range rec {
		if !utf8.ValidString(c) {
			return i
		}
	}
	return -1
}

// CellError is the error of a cell of the column that is not UTF-8 text,
// with what it reads as Windows-1252, the encoding it most likely is in.
func CellError(column, cell string) error {
	return fmt.Errorf("column %q is not UTF-8 text (read as Windows-1252, the encoding of an older Excel \"CSV\", it says %s); %s", column, quote(cell), Fix)
}

// TextError is the error of text (an NDJSON line, say: what names it) that
// is not UTF-8, with what it reads as Windows-1252 around its first byte
// that is not UTF-8.
func TextError(what string, text []byte) error {
	i := 0
	for i < len(text) {
		r, n := utf8.DecodeRune(text[i:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		i += n
	}
	from, to := max(0, i-24), min(len(text), i+24)
	return fmt.Errorf("%s is not UTF-8 text (at byte %d, read as Windows-1252, the encoding of an older Excel export, it says %s); %s", what, i+1, quote(string(text[from:to])), Fix)
}

// HeaderError is the error of a header with a column name that is not
// UTF-8 text, nil when every one is.
func HeaderError(header []string) error {
	i := Cell(header)
	if i < 0 {
		return nil
	}
	return fmt.Errorf("the header is not UTF-8 text (read as Windows-1252, the encoding of an older Excel \"CSV\", column %d is %s); %s", i+1, quote(header[i]), Fix)
}

// quote quotes the cell as Windows-1252 text, cut to a readable length.
func quote(cell string) string {
	s, err := charmap.Windows1252.NewDecoder().String(cell)
	if err != nil {
		s = strings.ToValidUTF8(cell, "\ufffd")
	}
	if r := []rune(s); len(r) > 60 {
		s = string(r[:57]) + "..."
	}
	return fmt.Sprintf("%q", s)
}

package notutf8

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUTF16(t *testing.T) {
	for _, c := range []struct {
		start string
		want  bool
	}{
		{"\xff\xfei\x00d\x00", true},      // little endian, with its mark
		{"\xfe\xff\x00i\x00d", true},      // big endian, with its mark
		{"i\x00d\x00,\x00", true},         // no mark: NULs in the first line
		{"\xef\xbb\xbfid,title\n", false}, // UTF-8 with its mark
		{"id,title\nL1,\x00x\n", false},   // a NUL past the first line is no sign
		{"", false},
	} {
		assert.Equal(t, c.want, UTF16([]byte(c.start)), "%q", c.start)
	}
}

// Sniff gives back every byte of the input, the peeked ones too.
func TestSniffReadsEverything(t *testing.T) {
	text := strings.Repeat("id,title\n", 2000)
	r, err := Sniff(strings.NewReader(text))
	require.NoError(t, err)
	got, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, text, string(got))
	_, err = Sniff(strings.NewReader("\xff\xfei\x00"))
	assert.Equal(t, ErrUTF16, err)
}

func TestCell(t *testing.T) {
	assert.Equal(t, -1, Cell([]string{"L1", "Général"})) // UTF-8
	assert.Equal(t, 1, Cell([]string{"L1", "G\xe9n\xe9ral", "\xc9"}))
	assert.Equal(t, `column "title" is not UTF-8 text (read as Windows-1252, the encoding of an older Excel "CSV", it says "Directeur Général – Europe"); export the file as UTF-8 (in Excel: Save As "CSV UTF-8")`,
		CellError("title", "Directeur G\xe9n\xe9ral \x96 Europe").Error()) // 0x96 is an en dash in Windows-1252, a control in Latin-1
	assert.NoError(t, HeaderError([]string{"id", "titré"}))
	assert.EqualError(t, HeaderError([]string{"id", "titr\xe9"}), `the header is not UTF-8 text (read as Windows-1252, the encoding of an older Excel "CSV", column 2 is "titré"); export the file as UTF-8 (in Excel: Save As "CSV UTF-8")`)
}

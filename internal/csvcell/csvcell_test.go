package csvcell

import "testing"

// A cell that begins with a formula's first character gets a single quote
// before it; any other, and the empty cell, stay as they are.
func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")", "+1+1": "'+1+1", "-2+3": "'-2+3", "@SUM(A1)": "'@SUM(A1)",
		"\t=1": "'\t=1", "\r=1": "'\r=1", "L0000001": "L0000001", "brand-search": "brand-search", "": "", "a=b": "a=b", "'quoted": "''quoted", "'=q": "''=q",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
		// Read back as the reference says: one quote dropped from a cell
		// that begins with one.
		back := Text(in)
		if len(back) > 0 && back[0] == '\'' {
			back = back[1:]
		}
		if back != in {
			t.Errorf("Text(%q) reads back as %q", in, back)
		}
	}
}

func TestCountAdvice(t *testing.T) {
	for _, c := range []struct {
		got, want int
		advice    string
	}{
		{7, 14, "it is 7 cells short: check that the row was exported whole, and that a cell holding a line break is in quotes"},
		{3, 4, "it is 1 cell short: check that the row was exported whole, and that a cell holding a line break is in quotes"},
		{15, 14, "it has 1 cell too many: a cell that holds the delimiter (a comma, say) must be in quotes"},
		{6, 4, "it has 2 cells too many: a cell that holds the delimiter (a comma, say) must be in quotes"},
	} {
		if got := CountAdvice(c.got, c.want); got != c.advice {
			t.Errorf("CountAdvice(%d, %d) = %q, want %q", c.got, c.want, got, c.advice)
		}
	}
}

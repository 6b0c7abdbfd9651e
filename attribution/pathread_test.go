package attribution_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
)

// The same paths written five ways read as the same paths.
func TestPathFormats(t *testing.T) {
	want := paths(t, "a > b;1;2.5;3", "b;0;0;1", "a > b;2;0.25;0")
	for _, c := range []struct {
		name string
		f    attribution.PathFormat
		in   string
	}{
		{"ChannelAttribution, no header", attribution.PathFormat{}, "a > b;1;2.5;3\nb;0;0;1\na > b;2;0.25;0\n"},
		{"columns in another order, one more", attribution.PathFormat{},
			"total_null;note;path;total_conversion_value;total_conversions\n3;x;a > b;2.5;1\n1;y;b;0;0\n0;z;a > b;0.25;2\n"},
		{"commas, quotes, own names", attribution.PathFormat{Delimiter: ',', Path: "journey", Conversions: "conv", Value: "revenue", Nulls: "lost"},
			"\ufeffconv,journey,revenue,lost\n1,\"a > b\",2.5,3\n0,b,0,1\n2,\"a > b\",\"0.25\",0\n"},
		{"tabs and pipes", attribution.PathFormat{Delimiter: '\t', Separator: "|"},
			"path\ttotal_conversions\ttotal_conversion_value\ttotal_null\na|b\t1\t2.5\t3\nb\t0\t0\t1\n a | b \t2\t0.25\t0\n"},
		{"blank lines before the header", attribution.PathFormat{},
			"\n  \npath;total_conversions;total_conversion_value;total_null\na > b;1;2.5;3\nb;0;0;1\na > b;2;0.25;0\n"},
		{"Windows line breaks, no header", attribution.PathFormat{}, "a > b;1;2.5;3\r\nb;0;0;1\r\na > b;2;0.25;0\r\n"},
	} {
		for _, workers := range []int{0, 2} {
			var got *attribution.Paths
			var err error
			fail := func(line int, err error) { t.Errorf("%s: line %d: %v", c.name, line, err) }
			if workers == 0 {
				got, _, _, err = c.f.Read(strings.NewReader(c.in), fail)
			} else {
				got, _, _, err = c.f.ReadParallel(strings.NewReader(c.in), workers, fail)
			}
			require.NoError(t, err, c.name)
			assert.Equal(t, want.Channels(), got.Channels(), c.name)
			assert.Equal(t, want.Len(), got.Len(), c.name)
			wc, wv, wn := want.Totals()
			gc, gv, gn := got.Totals()
			assert.Equal(t, [3]float64{wc, wv, wn}, [3]float64{gc, gv, gn}, c.name)
		}
	}
}

// Bad lines fail alone, with their line and what fixes them; a header
// that lacks a column fails the file.
func TestPathFormatErrors(t *testing.T) {
	f := attribution.PathFormat{Delimiter: ',', Conversions: "conv"}
	in := "total_null,path,conv\n1,a > b,1\n2,a > > b,1\n3,c\n4,\"d,x\",0.5\n5,e,-1\n6,\"f,1\n7,g,1e-500\n"
	var errs []string
	p, read, used, err := f.Read(strings.NewReader(in), func(line int, err error) { errs = append(errs, fmt.Sprintf("%d: %v", line, err)) })
	require.NoError(t, err)
	assert.Equal(t, [2]int{7, 2}, [2]int{read, used})
	assert.Equal(t, []string{
		`3: the path "a > > b" has an empty channel`,
		`4: want 3 fields separated by ',' (total_null,path,conv), got 2`,
		`6: conv: -1 is negative; an amount is a number from 0 to 1e15`,
		`7: a quoted cell is not closed properly (column 7); close the quote, and write a quote inside a cell as two ("")`,
		`8: conv: 1e-500 has more than 400 decimals; round it`,
	}, errs)
	assert.Equal(t, []string{"a", "b", "d,x"}, p.Channels())

	_, _, _, err = attribution.PathFormat{}.Read(strings.NewReader("path;conversions_total;total_null\na;1;0\n"), func(int, error) {})
	assert.EqualError(t, err, `line 1 (the header): the header has no total_conversions column (did you mean "conversions_total"?); its columns are path, conversions_total, total_null; if so, run with --columns conversions=conversions_total (or rename the header's columns to path, total_conversions, total_conversion_value, total_null)`)
	_, _, _, err = attribution.PathFormat{Delimiter: '>'}.Read(strings.NewReader(""), func(int, error) {})
	assert.EqualError(t, err, `the channel separator ">" holds the column delimiter '>'; choose another of the two`)
	_, _, _, err = attribution.PathFormat{Value: "path"}.Read(strings.NewReader(""), func(int, error) {})
	assert.EqualError(t, err, `the column name "path" is given for two columns; name each column once`)
}

// AddText keeps every decimal; Add keeps a float64 as its shortest
// decimal: 0.1 three times is 0.3, not 0.30000000000000004.
func TestAddTextAndAddAreExact(t *testing.T) {
	p := attribution.NewPaths()
	require.NoError(t, p.AddText([]string{"a"}, "1", "0.1000000000000000000001", "0"))
	require.NoError(t, p.AddText([]string{"a"}, "1", "0.2999999999999999999999", "0"))
	_, value, _ := p.Totals()
	assert.Equal(t, 0.4, value)
	q := attribution.NewPaths()
	for i := 0; i < 3; i++ {
		require.NoError(t, q.Add([]string{"a"}, 1, 0.1, 0))
	}
	_, value, _ = q.Totals()
	assert.Equal(t, 0.3, value)
	x := 0.1
	assert.NotEqual(t, x+x+x, value, "float64 addition would give 0.30000000000000004")
	assert.EqualError(t, p.AddText([]string{"a"}, "1", "1e-401", "0"), "total_conversion_value: 1e-401 has more than 400 decimals; round it")
}

package attribution_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
)

// readBoth reads in with f sequentially and on two workers, checks that
// both agree, and returns the sequential result and the bad lines.
func readBoth(t *testing.T, f attribution.PathFormat, in string) (*attribution.Paths, int, int, []string, error) {
	t.Helper()
	var errs, perrs []string
	p, read, used, err := f.Read(strings.NewReader(in), func(line int, err error) { errs = append(errs, fmt.Sprintf("%d: %v", line, err)) })
	q, pread, pused, perr := f.ReadParallel(strings.NewReader(in), 2, func(line int, err error) { perrs = append(perrs, fmt.Sprintf("%d: %v", line, err)) })
	assert.Equal(t, fmt.Sprint(err), fmt.Sprint(perr), "parallel read, same error")
	assert.Equal(t, [2]int{read, used}, [2]int{pread, pused}, "parallel read, same counts")
	assert.Equal(t, errs, perrs, "parallel read, same bad lines")
	if err == nil {
		assert.Equal(t, p.Channels(), q.Channels(), "parallel read, same channels")
		assert.Equal(t, p.Notes, q.Notes, "parallel read, same notes")
	}
	return p, read, used, errs, err
}

func testdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

// A header is never read by position: a header whose columns are not all
// found by name is refused at its line, with what it has, a did-you-mean
// and the --columns that reads it; with that fix, the figures are the
// file's (worked by hand from the two files).
func TestHeaderIsReadByNameOnly(t *testing.T) {
	for _, c := range []struct {
		file, want, columns string
		conv, value, nulls  float64
	}{
		// path;revenue;conversions;nulls: a > b;100;1;2 and b;50;3;1.
		{"header-reordered.csv", `line 1 (the header): the header has no total_conversions column (did you mean "conversions"?), no total_conversion_value column (did you mean "revenue"?), no total_null column (did you mean "nulls"?); its columns are path, revenue, conversions, nulls; if so, run with --columns conversions=conversions,value=revenue,null=nulls (or rename the header's columns to path, total_conversions, total_conversion_value, total_null)`,
			"conversions=conversions,value=revenue,null=nulls", 4, 150, 3},
		// path;nulls;conversions;value: a > b;7;1;100.
		{"header-reordered-value.csv", `line 1 (the header): the header has no total_conversions column (did you mean "conversions"?), no total_conversion_value column (did you mean "value"?), no total_null column (did you mean "nulls"?); its columns are path, nulls, conversions, value; if so, run with --columns conversions=conversions,value=value,null=nulls (or rename the header's columns to path, total_conversions, total_conversion_value, total_null)`,
			"conversions=conversions,value=value,null=nulls", 1, 100, 7},
		// path;total_conversions;total_conversion_vaule;total_null: a > b;1;10;2 and b;1;20;1.
		{"header-typo-value.csv", `line 1 (the header): the header has no total_conversion_value column (did you mean "total_conversion_vaule"?); its columns are path, total_conversions, total_conversion_vaule, total_null; if so, run with --columns value=total_conversion_vaule (or rename the header's columns to path, total_conversions, total_conversion_value, total_null)`,
			"value=total_conversion_vaule", 2, 30, 3},
		// journey;conv;rev;lost: a > b;1;10;2.
		{"header-unknown.csv", `line 1 (the header): the header has no path column (did you mean "journey"?), no total_conversions column (did you mean "conv"?), no total_conversion_value column (did you mean "rev"?), no total_null column (did you mean "lost"?); its columns are journey, conv, rev, lost; if so, run with --columns path=journey,conversions=conv,value=rev,null=lost (or rename the header's columns to path, total_conversions, total_conversion_value, total_null)`,
			"path=journey,conversions=conv,value=rev,null=lost", 1, 10, 2},
	} {
		in := testdata(t, c.file)
		_, read, _, _, err := readBoth(t, attribution.PathFormat{}, in)
		var he *attribution.HeaderError
		require.True(t, errors.As(err, &he), "%s: %v", c.file, err)
		assert.Equal(t, 1, he.Line, c.file)
		assert.EqualError(t, err, c.want, c.file)
		assert.Zero(t, read, "%s: no line is read as a path", c.file)

		var f attribution.PathFormat
		for _, pair := range strings.Split(c.columns, ",") {
			role, name, _ := strings.Cut(pair, "=")
			*map[string]*string{"path": &f.Path, "conversions": &f.Conversions, "value": &f.Value, "null": &f.Nulls}[role] = name
		}
		p, read, used, errs, err := readBoth(t, f, in)
		require.NoError(t, err, c.file)
		assert.Empty(t, errs, c.file)
		assert.Equal(t, read, used, c.file)
		conv, value, nulls := p.Totals()
		assert.Equal(t, [3]float64{c.conv, c.value, c.nulls}, [3]float64{conv, value, nulls}, c.file)
	}
}

// A column name given in the format must be in the header; a header after
// blank lines is found at its line; column names given for a file without
// a header are refused rather than ignored.
func TestHeaderColumnsGivenMustExist(t *testing.T) {
	in := testdata(t, "header-typo-value.csv")
	_, _, _, _, err := readBoth(t, attribution.PathFormat{Value: "revnue"}, in)
	assert.EqualError(t, err, `line 1 (the header): the header has no column "revnue", which --columns names as the value column (did you mean "total_conversion_vaule"?); its columns are path, total_conversions, total_conversion_vaule, total_null; if so, run with --columns value=total_conversion_vaule (or rename the header's columns to path, total_conversions, total_conversion_value, total_null)`)

	_, _, _, _, err = readBoth(t, attribution.PathFormat{}, "\n\n"+testdata(t, "header-unknown.csv"))
	var he *attribution.HeaderError
	require.True(t, errors.As(err, &he), "%v", err)
	assert.Equal(t, 3, he.Line, "the header is the first line that is not blank")

	_, _, _, _, err = readBoth(t, attribution.PathFormat{Path: "journey"}, "a > b;1;10;2\n")
	assert.EqualError(t, err, `line 1 (the header): column names were given (--columns), but the file has no header: its first line "a > b;1;10;2" is a row of paths; add a header line that names the columns, or leave out --columns to read path;total_conversions;total_conversion_value;total_null in that order`)

	// A header that has what is needed and other columns besides reads.
	p, _, used, errs, err := readBoth(t, attribution.PathFormat{}, "note;total_conversions;path;total_null;total_conversion_value\nx;2;a > b;1;7\n")
	require.NoError(t, err)
	assert.Empty(t, errs)
	assert.Equal(t, 1, used)
	conv, value, nulls := p.Totals()
	assert.Equal(t, [3]float64{2, 7, 1}, [3]float64{conv, value, nulls})
}

// An optional column that is absent, with nothing in the header that
// looks like it, is a note that the report carries, not silence.
func TestAbsentOptionalColumnsAreNoted(t *testing.T) {
	p, _, used, _, err := readBoth(t, attribution.PathFormat{}, "path;total_conversions;campaign_owner\na > b;1;ann\nb;2;bob\n")
	require.NoError(t, err)
	assert.Equal(t, 2, used)
	valueNote := "the header has no total_conversion_value column, so the paths carry no conversion value and every value credit is 0; if the value is in another column, name it with --columns value=COLUMN"
	nullNote := "the header has no total_null column, so the paths carry no nulls (journeys that did not convert); if they are in another column, name it with --columns null=COLUMN"
	assert.Equal(t, []string{valueNote, nullNote}, p.Notes)
	rep, err := attribution.RunPaths(p, []string{"linear"}, 1)
	require.NoError(t, err)
	assert.Contains(t, rep.Notes, valueNote)
	assert.Contains(t, rep.Notes, nullNote)

	// Notes survive a merge and a round trip through MarshalBinary.
	q := attribution.NewPaths()
	require.NoError(t, q.Merge(p))
	assert.Equal(t, p.Notes, q.Notes)
	b, err := p.MarshalBinary()
	require.NoError(t, err)
	r := attribution.NewPaths()
	require.NoError(t, r.UnmarshalBinary(b))
	assert.Equal(t, p.Notes, r.Notes)

	// A header with every column has no note.
	p, _, _, _, err = readBoth(t, attribution.PathFormat{}, testdata(t, "plain.csv"))
	require.NoError(t, err)
	assert.Empty(t, p.Notes)
}

// Paths read with a separator are written back with it, so that the
// credit file's ids and the transitions' states name each path and state
// once: split at the separator they give back the channels read.
func TestSeparatorRoundTrips(t *testing.T) {
	// a > b|c;1;10;1, a|b > c;2;20;1, a|b|c;4;40;1
	p, _, used, _, err := readBoth(t, attribution.PathFormat{Separator: "|"}, testdata(t, "separator-collide.csv"))
	require.NoError(t, err)
	require.Equal(t, 3, used)
	assert.Equal(t, " | ", p.Separator())
	rep, err := attribution.RunPaths(p, []string{"linear", "markov:2"}, 1)
	require.NoError(t, err)

	var credit bytes.Buffer
	require.NoError(t, rep.WriteCredit(&credit))
	recs, err := csv.NewReader(&credit).ReadAll()
	require.NoError(t, err)
	paths := map[string][]string{}
	for _, r := range recs[1:] {
		pos, err := strconv.Atoi(r[1])
		require.NoError(t, err)
		chans := strings.Split(r[0], "|")
		for i := range chans {
			chans[i] = strings.TrimSpace(chans[i])
		}
		assert.Equal(t, chans[pos-1], r[3], "the id's channel at the touch's position is the touch's channel: %v", r)
		paths[r[0]] = chans
	}
	assert.Equal(t, map[string][]string{
		"a > b | c": {"a > b", "c"},
		"a | b > c": {"a", "b > c"},
		"a | b | c": {"a", "b", "c"},
	}, paths)

	var trans bytes.Buffer
	require.NoError(t, rep.WriteTransitions(&trans))
	recs, err = csv.NewReader(&trans).ReadAll()
	require.NoError(t, err)
	out := map[string]float64{}
	for _, r := range recs[1:] {
		if r[1] != "transition" {
			continue
		}
		pr, err := strconv.ParseFloat(r[5], 64)
		require.NoError(t, err)
		out[r[2]] += pr
	}
	assert.Len(t, out, 7, "(start), a, a > b, a | b, b | c, a | b > c and a > b | c, each once: %v", out)
	for from, sum := range out {
		assert.InDelta(t, 1, sum, 1e-12, "the transitions out of %q add up to 1", from)
	}

	// A channel that holds the separator cannot be told apart: refused.
	q := attribution.NewPaths()
	err = q.Add([]string{"paid > search", "email"}, 1, 0, 0)
	assert.EqualError(t, err, `the channel "paid > search" holds ">", which separates the channels of a path (in the credit and transitions files too); rename the channel, or read the paths with another separator (--path-separator)`)
	assert.Empty(t, q.Channels(), "nothing is left of the refused path")
}

// The 255-channel limit counts distinct channels over all paths; a path
// over it fails alone, says so and how to fix it, and leaves nothing
// behind: no channel of a failed path is in the report.
func TestChannelLimitFailsRowAlone(t *testing.T) {
	// channels-300.csv: 300 paths of one channel each, campaign-000 to -299.
	p, read, used, errs, err := readBoth(t, attribution.PathFormat{}, testdata(t, "channels-300.csv"))
	require.NoError(t, err)
	assert.Equal(t, [2]int{300, attribution.MaxChannels}, [2]int{read, used})
	require.Len(t, errs, 300-attribution.MaxChannels)
	assert.Equal(t, `257: this path brings 1 new channels ("campaign-255") to the 255 already read: 256 distinct channels, over the 255 a report can hold (counted over the whole file, not per path); group rare channels into fewer (campaigns into their channel, say), or split the file so that each part has at most 255 distinct channels`, errs[0])
	assert.Len(t, p.Channels(), attribution.MaxChannels)

	// channels-leak.csv: x;1;10;1, then a path of 300 channels ch0 to ch299.
	p, read, used, errs, err = readBoth(t, attribution.PathFormat{}, testdata(t, "channels-leak.csv"))
	require.NoError(t, err)
	assert.Equal(t, [2]int{2, 1}, [2]int{read, used})
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0], `3: this path brings 300 new channels ("ch0", "ch1", "ch2", and 297 more) to the 1 already read: 301 distinct channels`)
	assert.Equal(t, []string{"x"}, p.Channels())
	rep, err := attribution.RunPaths(p, []string{"linear", "markov:1"}, 1)
	require.NoError(t, err)
	require.Len(t, rep.Channels, 1, "only the channel of the good path is reported")
	assert.Equal(t, "x", rep.Channels[0].Channel)

	// Merge is all or nothing too.
	a, b := attribution.NewPaths(), attribution.NewPaths()
	for i := 0; i < 200; i++ {
		require.NoError(t, a.Add([]string{fmt.Sprintf("a%d", i)}, 1, 0, 0))
		require.NoError(t, b.Add([]string{fmt.Sprintf("b%d", i)}, 1, 0, 0))
	}
	require.Error(t, a.Merge(b))
	assert.Len(t, a.Channels(), 200)
	assert.Equal(t, 200, a.Len())
}

// A line too long fails alone, with its number; the lines around it read.
func TestLongLineFailsAlone(t *testing.T) {
	in := "path;total_conversions;total_conversion_value;total_null\na;1;1;0\n" +
		strings.Repeat("x", attribution.MaxLine+1) + ";1;1;0\r\nb;1;2;0\n"
	p, read, used, errs, err := readBoth(t, attribution.PathFormat{}, in)
	require.NoError(t, err)
	assert.Equal(t, [2]int{3, 2}, [2]int{read, used})
	assert.Equal(t, []string{"3: the line is longer than 16 MiB, the most a line may have: a file of paths has lines this long only when the column delimiter or the line breaks are not what they should be (check --delimiter)"}, errs)
	assert.Equal(t, []string{"a", "b"}, p.Channels())
}

// A delimiter a number can hold would split amounts: refused.
func TestDelimiterInNumbersRefused(t *testing.T) {
	for _, d := range []rune{'.', '1', '-', 'e', '+'} {
		err := attribution.PathFormat{Delimiter: d}.Check()
		assert.EqualError(t, err, fmt.Sprintf("the column delimiter %q can be part of a number (such as 1.5e3 or -2), so it cannot separate the amount columns; use ';', ',', or a tab", d))
	}
	assert.NoError(t, attribution.PathFormat{Delimiter: '|', Separator: ">"}.Check())
}

// Models of one kind with different settings keep apart: each is named
// with its settings; one model listed twice is refused.
func TestModelNamesKeepSettings(t *testing.T) {
	for spec, want := range map[string]string{
		"linear": "linear", "time_decay": "time_decay", "time_decay:7d": "time_decay:7d", "time_decay:30d": "time_decay:30d",
		"custom:first_touch=1": "custom:first_touch=1", "custom:sales_ready=1": "custom:sales_ready=1",
		"position_based:30/50": "position_based:30/50", "w_shaped:opportunity": "w_shaped:opportunity", "w_shaped": "w_shaped",
		"last_non_direct:direct,organic": "last_non_direct:direct,organic",
	} {
		m, err := attribution.ParseModel(spec)
		require.NoError(t, err, spec)
		assert.Equal(t, want, m.Name(), spec)
	}
	// Named, a model credits as before: time_decay:7d is the default half-life.
	a, err := attribution.ParseModel("time_decay:7d")
	require.NoError(t, err)
	j := &attribution.Journey{ID: "j", Converted: true, Revenue: 10, Touches: []attribution.Touch{
		{At: day(1), Campaign: "x", Channel: "email"}, {At: day(5), Campaign: "y", Channel: "search"}}, Milestones: map[string]time.Time{"won": day(9)}}
	assert.Equal(t, attribution.TimeDecayModel{}.Weights(j.Touches, j, day(9)), a.Weights(j.Touches, j, day(9)))

	p := paths(t, "a > b;1;2;0")
	_, err = attribution.RunPaths(p, []string{"linear", "markov:1", "linear"}, 1)
	assert.EqualError(t, err, "linear is listed twice; list each model once")
	rep, err := attribution.RunPaths(p, []string{"time_decay:7d", "time_decay:30d"}, 1)
	require.NoError(t, err)
	assert.Equal(t, []string{"time_decay:7d", "time_decay:30d"}, rep.Models)
}

// A file whose first line does not split at the delimiter, but would at
// another common one, is told the --delimiter that reads it, not --columns.
func TestPathsOtherDelimiter(t *testing.T) {
	for in, want := range map[string]string{
		"path,total_conversions,total_conversion_value,total_null\na > b,1,10,2\n": `line 1 (the header): the header looks separated by ",": run with --delimiter ','; read with ";" between columns, it is one column, "path,total_conversions,total_conversion_value,total_null"`,
		"a > b,1,10,2\n":                  `line 1 (the header): the file has no header, and its first row of paths looks separated by ",": run with --delimiter ','; read with ";" between columns, it is one column, "a > b,1,10,2"`,
		"path\ttotal_conversions\na\t1\n": `line 1 (the header): the header looks separated by tabs: run with --delimiter tab; read with ";" between columns, it is one column, "path\ttotal_conversions"`,
		"journey|conv\na|1\n":             `line 1 (the header): the header looks separated by "|": run with --delimiter '|'; read with ";" between columns, it is one column, "journey|conv"`,
		"path;n,x\na;1\n":                 `line 1 (the header): the header has no total_conversions column; its columns are path, n,x; name the columns with --columns, such as --columns path=journey,conversions=conv,value=revenue,null=lost`,
	} {
		_, _, _, _, err := readBoth(t, attribution.PathFormat{}, in)
		assert.EqualError(t, err, want, in)
	}
	_, _, _, _, err := readBoth(t, attribution.PathFormat{Delimiter: ','}, "path;total_conversions\na;1\n")
	assert.EqualError(t, err, `line 1 (the header): the header looks separated by ";": run with --delimiter ';'; read with "," between columns, it is one column, "path;total_conversions"`)
}

package leadscore_test

import (
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// notFromOutput marks a paragraph after a pasted output whose figures come
// from elsewhere (a benchmark, say), so that TestProseFiguresAreTheOutputs
// does not hold it to the output.
const notFromOutput = "<!-- figures not from the output above -->"

// figureRE finds the figures of a text: 38.62, 1,051,900, 6.4%, +2.9%.
var figureRE = regexp.MustCompile(`[-+]?\d+(?:,\d{3})*(?:\.\d+)?%?`)

// figures lists a text's figures, leaving out those inside words, code
// spans and links.
func figures(s string) []string {
	s = regexp.MustCompile("`[^`]*`|\\]\\([^)]*\\)").ReplaceAllString(s, "")
	var out []string
	for _, ix := range figureRE.FindAllStringIndex(s, -1) {
		if ix[0] > 0 {
			if c := s[ix[0]-1]; c == '.' || c == '_' || c == '-' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
				continue
			}
		}
		out = append(out, s[ix[0]:ix[1]])
	}
	return out
}

func figureValue(f string) (v float64, decimals int) {
	f = strings.TrimPrefix(strings.TrimSuffix(strings.ReplaceAll(f, ",", ""), "%"), "+")
	if _, frac, ok := strings.Cut(f, "."); ok {
		decimals = len(frac)
	}
	v, _ = strconv.ParseFloat(f, 64)
	return v, decimals
}

// quotes reports whether prose figure p is one of the output's figures,
// as written or rounded (0.84 for 0.838, 39 for 38.62, 3% for +2.9%).
func quotes(p string, output []string) bool {
	pv, d := figureValue(p)
	scale := math.Pow(10, float64(d))
	for _, o := range output {
		if strings.HasSuffix(o, "%") != strings.HasSuffix(p, "%") {
			continue // a share is quoted as a share
		}
		ov, _ := figureValue(o)
		if math.Abs(math.Round(math.Abs(ov)*scale)/scale-math.Abs(pv)) < 1e-9 {
			return true
		}
	}
	return false
}

// The prose right after a pasted output (an unlabelled fenced block) reads
// its figures from that output: every figure in it must be one of the
// output's, as written or rounded, so prose cannot drift from the output
// beside it (which other tests hold to the command's run) when the data or
// the code changes.
func TestProseFiguresAreTheOutputs(t *testing.T) {
	checked := 0
	for _, path := range docFiles(t) {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		lines := strings.Split(string(data), "\n")
		for i := 0; i < len(lines); i++ {
			if !strings.HasPrefix(lines[i], "```") {
				continue
			}
			lang := strings.TrimSpace(lines[i][3:])
			j := i + 1
			for j < len(lines) && !strings.HasPrefix(lines[j], "```") {
				j++
			}
			start := i
			i = j
			if lang != "" || j >= len(lines) {
				continue
			}
			output := strings.Join(lines[start+1:j], "\n")
			a := j + 1
			for a < len(lines) && strings.TrimSpace(lines[a]) == "" {
				a++
			}
			b := a
			for b < len(lines) && strings.TrimSpace(lines[b]) != "" && !strings.HasPrefix(lines[b], "```") && !strings.HasPrefix(lines[b], "#") {
				b++
			}
			if a < len(lines) && strings.TrimSpace(lines[a]) == notFromOutput {
				continue
			}
			prose := strings.Join(lines[a:b], " ")
			out := figures(output)
			for _, f := range figures(prose) {
				checked++
				assert.True(t, quotes(f, out), "%s:%d: the prose after the output above says %s, which the output does not have; take the figure from the output above (the same run), or mark a paragraph about something else with %s", path, a+1, f, notFromOutput)
			}
		}
	}
	assert.Greater(t, checked, 10, "the docs quote outputs' figures in prose")
}

// The check itself: figures are found and rounded as people write them.
func TestProseFiguresQuotes(t *testing.T) {
	assert.Equal(t, []string{"0.84", "39", "3%", "1,051,900"}, figures("AUC 0.84, about 39 a week, rises 3% a week; 1,051,900 in `v2` b2b-saas [x](a/b1.md)"))
	out := figures("AUC 0.838, 38.62 leads a week, +2.9% a week, 34.24, 3.9%")
	for _, p := range []string{"0.84", "0.838", "39", "3%", "34.24", "3.9%", "34"} {
		assert.True(t, quotes(p, out), p)
	}
	for _, p := range []string{"37", "3.6%", "0.83", "38.7", "34%", "3.9"} {
		assert.False(t, quotes(p, out), p)
	}
}

package leadgen

import (
	"bufio"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// PathChannels are the channels of generated paths, with how often a path
// starts on each and how much each lifts the chance to convert.
var PathChannels = []struct {
	Name        string
	Start, Lift float64
}{
	{"paid_search", 20, 1.3}, {"organic", 18, 1.1}, {"email", 12, 1.4}, {"social", 14, 0.8},
	{"display", 10, 0.6}, {"direct", 8, 1.2}, {"referral", 5, 1.5}, {"affiliate", 4, 0.9},
	{"video", 3, 0.7}, {"webinar", 3, 1.8}, {"events", 2, 1.6}, {"partner", 1, 2.0},
}

// WritePaths writes n aggregated paths in the format ChannelAttribution
// uses (path;total_conversions;total_conversion_value;total_null), about
// four touches a path, deterministically from the seed.
func WritePaths(w io.Writer, n int, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 0x9a7e5))
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("path;total_conversions;total_conversion_value;total_null\n")
	total := 0.0
	for _, c := range PathChannels {
		total += c.Start
	}
	pick := func() int {
		x := r.Float64() * total
		for i, c := range PathChannels {
			if x < c.Start {
				return i
			}
			x -= c.Start
		}
		return len(PathChannels) - 1
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.Reset()
		length := 1 + int(r.ExpFloat64()*3.5)
		if length > 30 {
			length = 30
		}
		lift := 1.0
		cur := pick()
		for j := 0; j < length; j++ {
			if j > 0 {
				b.WriteString(" > ")
				if r.Float64() > 0.35 { // a third of the time, the same channel again
					cur = pick()
				}
			}
			b.WriteString(PathChannels[cur].Name)
			lift *= math.Pow(PathChannels[cur].Lift, 0.5)
		}
		users := 1 + r.IntN(5)
		p := math.Min(0.9, 0.04*lift*(1+0.15*float64(length)))
		conv := 0
		for u := 0; u < users; u++ {
			if r.Float64() < p {
				conv++
			}
		}
		value := 0.0
		for c := 0; c < conv; c++ {
			value += float64(50+r.IntN(450)) + float64(r.IntN(100))/100
		}
		b.WriteString(";")
		b.WriteString(strconv.Itoa(conv))
		b.WriteString(";")
		b.WriteString(strconv.FormatFloat(value, 'f', 2, 64))
		b.WriteString(";")
		b.WriteString(strconv.Itoa(users - conv))
		b.WriteString("\n")
		if _, err := bw.WriteString(b.String()); err != nil {
			return err
		}
	}
	return bw.Flush()
}

package attribution_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/leadscore/leadscore/attribution"
)

// Paths exported by another tool, with its own column names and channel
// separator, credited per touch: the rows add up to each path's
// conversions and value under linear, and to each channel's credit under
// the chain.
func ExamplePathFormat() {
	in := "journey,conv,revenue,lost\n" +
		"search|email,1,30,1\n" +
		"email,1,10,0\n" +
		"search,0,0,2\n"
	f := attribution.PathFormat{Delimiter: ',', Separator: "|", Path: "journey", Conversions: "conv", Value: "revenue", Nulls: "lost"}
	p, read, used, err := f.Read(strings.NewReader(in), func(line int, err error) { fmt.Println(line, err) })
	if err != nil {
		panic(err)
	}
	fmt.Println(read, "paths read,", used, "used")
	rep, err := attribution.RunPaths(p, []string{"linear", "markov:1"}, 1)
	if err != nil {
		panic(err)
	}
	if err := rep.WriteCredit(os.Stdout); err != nil {
		panic(err)
	}
	// The chain (worked by hand in TestMarkovByHand) credits search with
	// 0.8 conversions and 16 of value, email with 1.2 and 24; email's
	// conversions go to its two touches equally (their paths convert once
	// each), its value as their paths' values, 10 to 30.

	// Output:
	// 3 paths read, 3 used
	// id,position,campaign,channel,model,conversions,value
	// email,1,,email,linear,1,10
	// email,1,,email,markov:1,0.6,6
	// search | email,1,,search,linear,0.5,15
	// search | email,2,,email,linear,0.5,15
	// search | email,1,,search,markov:1,0.8,16
	// search | email,2,,email,markov:1,0.6,18
}

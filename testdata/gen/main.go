// Command gen writes realistic leads with events for the bundled model,
// deterministically from a seed:
//
//	go run ./testdata/gen -n 1000 > testdata/leads.ndjson
//	go run ./testdata/gen -n 1000 -csv testdata/leads.csv,testdata/events.csv
//	go run ./testdata/gen -n 1000000 > /tmp/leads-1m.ndjson
//
// The bundled files are made with the default seed; regenerating them gives
// the same bytes.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/leadscore/leadscore/internal/leadgen"
)

func main() {
	n := flag.Int("n", 1000, "how many leads")
	seed := flag.Uint64("seed", 1, "random seed")
	csvFiles := flag.String("csv", "", "write CSV to LEADS,EVENTS instead of NDJSON to standard output")
	flag.Parse()
	g := leadgen.New(*seed)
	if *csvFiles == "" {
		if err := leadgen.WriteNDJSON(os.Stdout, g, *n); err != nil {
			fail(err)
		}
		return
	}
	names := strings.Split(*csvFiles, ",")
	if len(names) != 2 {
		fail(fmt.Errorf("-csv takes two files, LEADS,EVENTS"))
	}
	leads, err := os.Create(names[0])
	if err != nil {
		fail(err)
	}
	events, err := os.Create(names[1])
	if err != nil {
		fail(err)
	}
	if err := leadgen.WriteCSV(leads, events, g, *n); err != nil {
		fail(err)
	}
	if err := leads.Close(); err != nil {
		fail(err)
	}
	if err := events.Close(); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}

// Command embed shows how a Go backend embeds leadscore: the rule file is
// compiled once at start-up, and each request is scored by the same Scorer,
// concurrently, with nothing read from the wall clock but the as-of time the
// handler chooses. A request body is a lead in leadscore's one JSON shape
// (the shape of testdata/lead.json and of each line the CLI reads), decoded
// with json.Unmarshal into a scoring.Lead.
//
//	go run ./examples/embed -model testdata/b2b-saas.yaml -addr localhost:8080
//	curl -s 'localhost:8080/score?at=2026-10-01' -d @testdata/lead.json
//
// With -stdin it scores the one lead on standard input and exits:
//
//	go run ./examples/embed -stdin -at 2026-10-01 < testdata/lead.json
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/leadscore/leadscore"
	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/scoring"
)

func main() {
	model := flag.String("model", "testdata/b2b-saas.yaml", "rule file")
	addr := flag.String("addr", "localhost:8080", "address to serve on")
	stdin := flag.Bool("stdin", false, "score the lead on standard input and exit")
	at := flag.String("at", "", "with -stdin, score as of this time (2026-10-01); default: now")
	flag.Parse()

	scorer, err := leadscore.Load(*model) // once, at start-up
	if err != nil {
		var ds dsl.Diagnostics
		if errors.As(err, &ds) {
			ds.Write(os.Stderr)
		} else {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(1)
	}
	if *stdin {
		asOf, err := asOfTime(*at)
		if err != nil {
			log.Fatal(err)
		}
		res, err := score(scorer, os.Stdin, asOf)
		if err != nil {
			log.Fatal(err)
		}
		out := json.NewEncoder(os.Stdout)
		out.SetIndent("", "  ")
		out.Encode(res)
		return
	}
	http.HandleFunc("POST /score", func(w http.ResponseWriter, r *http.Request) {
		asOf, err := asOfTime(r.URL.Query().Get("at"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		res, err := score(scorer, http.MaxBytesReader(w, r.Body, 1<<20), asOf)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(res)
	})
	log.Printf("scoring with %s on http://%s/score", scorer.Model().Name, *addr)
	log.Fatal(http.ListenAndServe(*addr, nil))
}

// asOfTime reads the as-of time a caller asks for, or now.
func asOfTime(at string) (time.Time, error) {
	if at == "" {
		return time.Now(), nil
	}
	return dsl.ParseTime(at)
}

// score decodes one lead and scores it as of asOf. Data the model does not
// declare (a misspelt key) is listed on the result's Unknown.
func score(scorer *scoring.Scorer, body io.Reader, asOf time.Time) (*scoring.Result, error) {
	var lead scoring.Lead
	if err := json.NewDecoder(body).Decode(&lead); err != nil {
		return nil, fmt.Errorf("reading the lead: %w", err)
	}
	return scorer.Score(lead, asOf)
}

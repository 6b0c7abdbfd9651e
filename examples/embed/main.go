// Command embed shows how a Go backend embeds leadscore: the rule file is
// compiled once at start-up, and each request is scored by the same Scorer,
// concurrently, with nothing read from the wall clock but the as-of time the
// handler chooses.
//
//	go run ./examples/embed -model testdata/b2b-saas.yaml -addr localhost:8080
//	curl -s localhost:8080/score -d @testdata/lead.json
//
// With -stdin it scores the one lead on standard input and exits:
//
//	go run ./examples/embed -stdin < testdata/lead.json
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

// request is a lead as the CRM posts it: its fields, its events, and
// optionally the time to score it as of.
type request struct {
	ID     string         `json:"id"`
	Fields map[string]any `json:"fields"`
	Events []struct {
		Type   string         `json:"type"`
		At     time.Time      `json:"at"`
		Fields map[string]any `json:"fields"`
	} `json:"events"`
	AsOf *time.Time `json:"as_of"`
}

func main() {
	model := flag.String("model", "testdata/b2b-saas.yaml", "rule file")
	addr := flag.String("addr", "localhost:8080", "address to serve on")
	stdin := flag.Bool("stdin", false, "score the lead on standard input and exit")
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
		res, err := score(scorer, os.Stdin)
		if err != nil {
			log.Fatal(err)
		}
		out := json.NewEncoder(os.Stdout)
		out.SetIndent("", "  ")
		out.Encode(res)
		return
	}
	http.HandleFunc("POST /score", func(w http.ResponseWriter, r *http.Request) {
		res, err := score(scorer, http.MaxBytesReader(w, r.Body, 1<<20))
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

// score decodes one lead and scores it, as of the time it names or now.
func score(scorer *scoring.Scorer, body io.Reader) (*scoring.Result, error) {
	var req request
	if err := json.NewDecoder(body).Decode(&req); err != nil {
		return nil, fmt.Errorf("reading the lead: %w", err)
	}
	lead := scoring.Lead{ID: req.ID, Fields: req.Fields}
	for _, e := range req.Events {
		lead.Events = append(lead.Events, scoring.Event{Type: e.Type, At: e.At, Fields: e.Fields})
	}
	asOf := time.Now()
	if req.AsOf != nil {
		asOf = *req.AsOf
	}
	return scorer.Score(lead, asOf)
}

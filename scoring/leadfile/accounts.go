package leadfile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/leadscore/leadscore/scoring"
)

// ErrNoAccountID fails an accounts row without an id: no lead could be
// matched to it by id, nor its result joined back to the CRM.
var ErrNoAccountID = errors.New(`the account has no id; give every row its id (the "id" key in JSON, the id column in CSV)`)

// errAccountEvents fails an accounts row that carries events: the
// account's engagement comes from its people's events.
var errAccountEvents = errors.New(`an account carries no events (its engagement is its people's); move them to the leads of its people`)

// ReadAccounts reads an accounts file, NDJSON or CSV (opts.InputFormat),
// one account at a time in input order, with the schema of s's accounts
// section: the same decoding, type checks and CSV column warnings
// (opts.OnWarning, with did-you-mean) as leads get. fn is called with each
// row's line and its account, or the error that row has (a row without an
// id is one); a bad row fails alone. Data the accounts fields do not
// declare is found when the account is scored (Result.Unknown, or an
// error with scoring.RefuseUnknown). Only the input, Source, MaxRow and
// OnWarning of opts are used. fn's error stops the reading and is
// returned.
func ReadAccounts(opts Options, s *scoring.AccountScorer, fn func(line int, a scoring.Account, err error) error) error {
	read := Options{Scorer: s.Accounts(), Input: opts.Input, InputName: opts.InputName, InputFormat: opts.InputFormat,
		NoEvents: true, Source: opts.Source, MaxRow: opts.MaxRow, OnWarning: opts.OnWarning}
	return Read(read, func(line int, lead scoring.Lead, err error) error {
		if errors.Is(err, ErrNoID) {
			err = ErrNoAccountID
		}
		if err == nil && len(lead.Events) > 0 {
			err = errAccountEvents
		}
		if err != nil {
			return fn(line, scoring.Account{ID: lead.ID}, err)
		}
		fields, _ := lead.Fields.(map[string]any)
		for name := range fields {
			if strings.HasPrefix(name, "__") {
				return fn(line, scoring.Account{ID: lead.ID}, fmt.Errorf("%s: names starting with __ are leadscore's own (the counts of people); rename it", name))
			}
		}
		return fn(line, scoring.Account{ID: lead.ID, Fields: fields, Line: line}, nil)
	})
}

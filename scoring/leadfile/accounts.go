package leadfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"strings"
	"time"

	"github.com/leadscore/leadscore/internal/friend"
	"github.com/leadscore/leadscore/scoring"
)

// ErrNoAccountID fails an accounts row without an id: no lead could be
// matched to it by id, nor its result joined back to the CRM.
var ErrNoAccountID = errors.New(`the account has no id; give every row its id (the "id" key in JSON, the id column in CSV)`)

// errAccountEvents fails an accounts row that carries events: the
// account's engagement comes from its people's events.
var errAccountEvents = errors.New(`an account carries no events (its engagement is its people's); move them to the leads of its people`)

// ReadAccounts reads an accounts file, NDJSON or CSV (opts.InputFormat),
// decoded on opts.Workers cores (every core when 0) and handed to fn one
// account at a time in input order, with the schema of s's accounts
// section: the same decoding, type checks and CSV column warnings
// (opts.OnWarning, with did-you-mean) as leads get. fn is called with each
// row's line and its account, or the error that row has (a row without an
// id is one); a bad row fails alone. Data the accounts fields do not
// declare is found when the account is scored (Result.Unknown, or an
// error with scoring.RefuseUnknown). Only the input, Source, MaxRow,
// Workers and OnWarning of opts are used. fn's error stops the reading
// and is returned.
func ReadAccounts(opts Options, s *scoring.AccountScorer, fn func(line int, a scoring.Account, err error) error) error {
	read := Options{Scorer: s.Accounts(), Input: opts.Input, InputName: opts.InputName, InputFormat: opts.InputFormat,
		NoEvents: true, Source: opts.Source, MaxRow: opts.MaxRow, OnWarning: opts.OnWarning, Workers: opts.Workers, smallRows: true, accounts: true}
	type row struct {
		a   scoring.Account
		err error
	}
	// Decoded on every core, handed to fn in order.
	return Map(read, func(line int, lead scoring.Lead, err error) row {
		if se, ok := err.(*scoring.Error); ok {
			err = se.Err // decodeRow named the row's "lead": an account, which fn names
		}
		a, err := account(line, lead, err)
		return row{a, err}
	}, func(line int, r row) error { return fn(line, r.a, r.err) })
}

// account is the account of an accounts row decoded as a lead, or the
// row's error.
func account(line int, lead scoring.Lead, err error) (scoring.Account, error) {
	if errors.Is(err, ErrNoID) {
		err = ErrNoAccountID
	}
	var no *notObjectError
	if errors.As(err, &no) {
		err = &notObjectError{got: no.got, of: "the account row"}
	}
	if err == nil && len(lead.Events) > 0 {
		err = errAccountEvents
	}
	if err != nil {
		return scoring.Account{ID: lead.ID}, err
	}
	decoded, _ := lead.Fields.(map[string]any)
	for name := range decoded {
		if strings.HasPrefix(name, "__") {
			return scoring.Account{ID: lead.ID}, fmt.Errorf("%s: names starting with __ are leadscore's own (the counts of people); rename it", name)
		}
	}
	fields := decoded
	if len(decoded) > 8 {
		// A map grown for many keys: a file of accounts is held whole,
		// so each keeps one of its size.
		fields = make(map[string]any, len(decoded))
		maps.Copy(fields, decoded)
	}
	return scoring.Account{ID: lead.ID, Fields: fields, Line: line}, nil
}

// People reads the leads of opts as the people of s's accounts, on every
// core, as Map reads leads: each row is scored as a person as of asOf
// (scoring.AccountScorer.Person, with opts.Dispositions) — straight from
// its NDJSON line into the evaluator when the line is plain, as Score
// does — and work is called on the person, or on the row's error (a
// lead without an id is ErrNoID), by Options.Workers goroutines at once;
// use is then called with each row's line and work's result, in input
// order, from a single goroutine. Memory stays flat as in Map.
func People[T any](opts Options, s *scoring.AccountScorer, asOf time.Time, work func(line int, id string, p *scoring.Person, err error) T, use func(line int, result T) error) error {
	opts.Scorer = s.Leads()
	src, err := newSource(opts)
	if err != nil {
		return err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	_, ndjson := src.(*ndjsonSource)
	type item struct {
		line int
		r    row
		out  T
	}
	var readErr error // set by the reader before the workers are done
	free := make(chan []item, 4*workers)
	useErr := ordered(workers, func() ([]item, bool, bool) {
		var items []item
		select {
		case items = <-free: // one use is done with: grown already
		default:
		}
		last, err := fill(src, nil, func(r row) { items = append(items, item{line: r.line, r: r}) })
		if err != nil {
			readErr = err
		}
		return items, len(items) > 0, last
	}, func(items []item) {
		for i := range items {
			it := &items[i]
			id, p, err := person(src, it.r, ndjson, opts, s, asOf)
			it.out = work(it.line, id, p, err)
			it.r = row{} // let the input go
		}
	}, func(items []item) error {
		for i := range items {
			if err := use(items[i].line, items[i].out); err != nil {
				return err
			}
		}
		clear(items)
		select {
		case free <- items[:0]:
		default:
		}
		return nil
	})
	if useErr != nil {
		return useErr
	}
	if readErr != nil {
		return readErr
	}
	return reportUnmatched(src, opts)
}

// person scores one row as a person: its lead id, the person or the
// row's error (a *scoring.Error's reason, unwrapped: the row names the
// lead).
func person(src source, r row, ndjson bool, opts Options, s *scoring.AccountScorer, asOf time.Time) (string, *scoring.Person, error) {
	if r.err != nil {
		return "", nil, r.err
	}
	var p *scoring.Person
	var id string
	var err error
	done := false
	if ndjson && opts.Dispositions == nil {
		p, id, done, err = s.PersonJSON(friend.K(), bytes.TrimPrefix(r.raw, bom), asOf)
		if done && id == "" {
			return "", nil, ErrNoID
		}
	}
	if !done {
		var lead scoring.Lead
		lead, err = decodeRow(src, r)
		id = lead.ID
		if err == nil {
			if opts.Dispositions != nil {
				lead.Dispositions = append(lead.Dispositions, opts.Dispositions(lead.ID)...)
			}
			p, err = s.Person(lead, asOf)
		}
	}
	if err == nil {
		return id, p, nil
	}
	var se *scoring.Error
	if errors.As(err, &se) {
		err = se.Err
	}
	if _, _, ok := scoring.WouldBelong(err); !ok {
		// What matching reads of the row, so that the lead is named
		// among its account's, though it failed.
		if fields := rawFields(src, r); fields != nil {
			a, d := s.MatchKeys(fields)
			err = &scoring.PersonError{AccountID: a, Domain: d, Err: err}
		}
	}
	return id, p, err
}

// rawFields reads a row's fields as given, for what matching reads of a
// lead that failed: an NDJSON line's object, or a CSV row's cells by their
// column's name; nil when there are none.
func rawFields(src source, r row) map[string]any {
	switch src := src.(type) {
	case *ndjsonSource:
		var m map[string]any
		if json.Unmarshal(bytes.TrimPrefix(r.raw, bom), &m) != nil {
			_, m = brokenRow(r.raw) // what can be read before the break
			if len(m) == 0 {
				return nil
			}
		}
		return m
	case *csvSource:
		m := map[string]any{}
		for _, c := range src.schema.fields {
			if c.col < len(r.rec) {
				m[c.field.Name] = r.rec[c.col]
			}
		}
		for _, c := range src.schema.unknown {
			if c.col < len(r.rec) {
				m[c.name] = r.rec[c.col]
			}
		}
		return m
	}
	return nil
}

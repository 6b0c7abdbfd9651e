package leadfile

import (
	"bytes"
	"errors"
	"maps"
)

// Merge adds another summary's counts to s, so that the summaries of
// shards of the input, scored apart (on other cores or machines), merge
// into the summary of one run over all of it. Elapsed is s's own: shards
// run side by side, so their times do not add up.
func (s *Summary) Merge(o Summary) {
	if s.Stages == nil {
		s.Stages = map[string]int{}
	}
	s.add(o)
	s.UnmatchedEvents += o.UnmatchedEvents
	s.FailedLeadEvents += o.FailedLeadEvents
	s.RepeatedEvents += o.RepeatedEvents
}

// Equal reports whether two summaries count the same (Elapsed aside).
func (s Summary) Equal(o Summary) bool {
	nonzero := func(m map[string]int) map[string]int {
		out := map[string]int{}
		for k, v := range m {
			if v != 0 {
				out[k] = v
			}
		}
		return out
	}
	return s.Rows == o.Rows && s.Scored == o.Scored && s.Failed == o.Failed && s.SalesReady == o.SalesReady &&
		s.Disqualified == o.Disqualified && s.HeldOut == o.HeldOut && s.HeldOutSalesReady == o.HeldOutSalesReady && s.BeforeStart == o.BeforeStart && s.UnmatchedEvents == o.UnmatchedEvents && s.FailedLeadEvents == o.FailedLeadEvents && s.RepeatedEvents == o.RepeatedEvents &&
		maps.Equal(nonzero(s.Stages), nonzero(o.Stages)) && maps.Equal(s.Unknown.Rows, o.Unknown.Rows)
}

// RowScorer scores NDJSON rows one at a time, exactly as Score does: the
// same result bytes, the same row errors, the same counts. It is for
// engines that spread the rows of a file over many machines themselves
// (see the beam module); Score is faster on one machine. Options.Input,
// Output, Workers, OnError, OnProgress and OnWarning are not used. It is
// safe for concurrent use.
type RowScorer struct {
	opts Options
	enc  encoder
	src  *ndjsonSource
}

// NewRowScorer returns a RowScorer for opts.Scorer, AsOf, InputName,
// OutputFormat, MaxRow, StrictData and Dispositions.
func NewRowScorer(opts Options) (*RowScorer, error) {
	if opts.Scorer == nil {
		return nil, errors.New("no scorer: compile a model and give it as Options.Scorer")
	}
	enc := newEncoder(opts.OutputFormat, opts.Scorer)
	if ce, ok := enc.(*csvEncoder); ok {
		ce.verdicts = opts.Dispositions != nil
	}
	return &RowScorer{opts: opts, enc: enc, src: &ndjsonSource{max: maxRow(opts)}}, nil
}

// Header is what the output starts with: the CSV header, or nothing for
// NDJSON.
func (s *RowScorer) Header() []byte {
	var b bytes.Buffer
	s.enc.header(&b) // writing to a buffer does not fail
	return b.Bytes()
}

// Score scores the NDJSON row on line (1-based, as Score numbers lines)
// and returns its output (one result row, or a row with its error), a
// summary counting it, and its error, if it failed. A blank line is not a
// row: no output, and an empty summary.
func (s *RowScorer) Score(line int, raw []byte) (out []byte, sum Summary, rowErr *RowError) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, Summary{Stages: map[string]int{}}, nil
	}
	r := row{line: line, raw: raw}
	if len(raw) > s.src.max {
		r = row{line: line, err: rowTooLong(s.src.max)}
	}
	b := &batch{rows: []row{r}}
	work(b, s.src, s.enc, s.opts)
	if len(b.errs) > 0 {
		rowErr = &b.errs[0]
	}
	return b.out.Bytes(), b.sum, rowErr
}

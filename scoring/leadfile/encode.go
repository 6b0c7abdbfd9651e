package leadfile

import (
	"bytes"
	"encoding/csv"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/leadscore/leadscore/internal/csvcell"
	"github.com/leadscore/leadscore/internal/jsonw"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// encoder writes result rows. One row per input row: a lead that failed
// gets a row with its error, so output lines up with input.
type encoder interface {
	header(w io.Writer) error
	// result writes a result; control says the lead is in the control
	// group of the model's holdout experiment.
	result(b *bytes.Buffer, r *scoring.Result, control bool)
	failure(b *bytes.Buffer, id string, line int, err error)
}

func newEncoder(f Format, s *scoring.Scorer) encoder {
	var cats []string
	for _, c := range s.Model().Categories {
		cats = append(cats, c.Name)
	}
	h := s.Model().Holdout
	if f == CSV {
		return &csvEncoder{categories: cats, holdout: h}
	}
	return &ndjsonEncoder{holdout: h}
}

// ndjsonEncoder writes results as one JSON object per line, the JSON of the
// result's scoring.Row (written by hand here, for speed; a test checks it
// against encoding/json):
//
//	{"id":"L1","total":140,"scores":{"fit":80,"engagement":60},"grade":"A","stage":"sql",
//	 "sales_ready":true,"disqualified":false,"gates":[],"fired":["fit.industry",...]}
//
// with "unknown":[{"kind":"key","name":"Employees","did_you_mean":"employees"}]
// when the lead carried data the model does not declare, and failures as
// {"id":"L9","line":17,"error":"..."}. A model with a holdout experiment
// adds "holdout":true|false and, when its control group goes without the
// hand-off, "handed_off":true|false (scoring.Result.RowIn).
type ndjsonEncoder struct {
	holdout *rules.Holdout
}

func (ndjsonEncoder) header(io.Writer) error { return nil }

func (e ndjsonEncoder) result(b *bytes.Buffer, r *scoring.Result, control bool) {
	buf := b.AvailableBuffer()
	buf = append(buf, `{"id":`...)
	buf = appendJSONString(buf, r.LeadID)
	buf = append(buf, `,"total":`...)
	buf = appendNumber(buf, r.Total)
	buf = append(buf, `,"scores":{`...)
	for i, c := range r.Categories {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendJSONString(buf, c.Name)
		buf = append(buf, ':')
		buf = appendNumber(buf, c.Score)
	}
	buf = append(buf, `},"grade":`...)
	buf = appendJSONString(buf, r.Grade)
	buf = append(buf, `,"stage":`...)
	buf = appendJSONString(buf, r.Stage)
	buf = append(buf, `,"sales_ready":`...)
	buf = strconv.AppendBool(buf, r.SalesReady)
	buf = append(buf, `,"disqualified":`...)
	buf = strconv.AppendBool(buf, r.Disqualified)
	buf = append(buf, `,"gates":[`...)
	for i, g := range r.Gates {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendJSONString(buf, g.Rule)
	}
	buf = append(buf, `],"fired":[`...)
	for i, f := range r.Fired {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendJSONString(buf, f.Rule)
	}
	buf = append(buf, ']')
	if len(r.Unknown) > 0 {
		buf = append(buf, `,"unknown":[`...)
		for i, u := range r.Unknown {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, `{"kind":`...)
			buf = appendJSONString(buf, string(u.Kind))
			buf = append(buf, `,"name":`...)
			buf = appendJSONString(buf, u.Name)
			if u.DidYouMean != "" {
				buf = append(buf, `,"did_you_mean":`...)
				buf = appendJSONString(buf, u.DidYouMean)
			}
			buf = append(buf, '}')
		}
		buf = append(buf, ']')
	}
	if v := r.Verdict; v != nil && v.Latest != nil {
		buf = append(buf, `,"disposition":`...)
		buf = appendJSONString(buf, v.Latest.String())
		if v.Held != "" {
			buf = append(buf, `,"held":true`...)
		}
	}
	if e.holdout != nil {
		buf = append(buf, `,"holdout":`...)
		buf = strconv.AppendBool(buf, control)
		if e.holdout.WithholdsHandoff() {
			buf = append(buf, `,"handed_off":`...)
			buf = strconv.AppendBool(buf, r.SalesReady && !control)
		}
	}
	buf = append(buf, "}\n"...)
	b.Write(buf)
}

func (ndjsonEncoder) failure(b *bytes.Buffer, id string, line int, err error) {
	buf := b.AvailableBuffer()
	buf = append(buf, `{"id":`...)
	buf = appendJSONString(buf, id)
	buf = append(buf, `,"line":`...)
	buf = strconv.AppendInt(buf, int64(line), 10)
	buf = append(buf, `,"error":`...)
	buf = appendJSONString(buf, err.Error())
	buf = append(buf, "}\n"...)
	b.Write(buf)
}

// appendNumber writes a score as a JSON number, as encoding/json writes a
// float64 (see jsonw.AppendFloat). Scoring never gives NaN or an infinity
// (a lead that would get one fails with an error instead); were one to
// come, it is written as null, never as a number JSON does not have.
func appendNumber(buf []byte, v float64) []byte { return jsonw.AppendFloat(buf, v) }

// formatNumber writes a score in a CSV cell; NaN and infinities (which
// scoring never gives) as an empty cell, like a missing value.
func formatNumber(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// appendJSONString writes s as a JSON string exactly as encoding/json does
// (see jsonw.AppendString): <, > and & escaped too.
func appendJSONString(buf []byte, s string) []byte { return jsonw.AppendString(buf, s, true) }

// csvEncoder writes results as CSV, the fields of scoring.Row flattened:
// id, total, one column per category, grade, stage, sales_ready,
// disqualified, gates and fired (rule ids separated by spaces), unknown
// (kind:name, separated by "|"), with dispositions disposition (sales'
// latest verdict, such as recycled:bad_timing) and held (true while a
// recycle's hold-down keeps the lead below sales-ready), with a holdout
// experiment holdout (true for the control group) and, when it withholds
// the hand-off, handed_off, and error for rows that failed.
type csvEncoder struct {
	categories []string
	verdicts   bool // the disposition and held columns
	holdout    *rules.Holdout
}

// holdoutColumns are the columns of the holdout experiment.
func (e *csvEncoder) holdoutColumns() []string {
	switch {
	case e.holdout == nil:
		return nil
	case e.holdout.WithholdsHandoff():
		return []string{"holdout", "handed_off"}
	}
	return []string{"holdout"}
}

func (e *csvEncoder) header(w io.Writer) error {
	cols := append([]string{"id", "total"}, e.categories...)
	cols = append(cols, "grade", "stage", "sales_ready", "disqualified", "gates", "fired", "unknown")
	if e.verdicts {
		cols = append(cols, "disposition", "held")
	}
	cols = append(cols, e.holdoutColumns()...)
	cols = append(cols, "error")
	cw := csv.NewWriter(w)
	cw.Write(cols)
	cw.Flush()
	return cw.Error()
}

func (e *csvEncoder) result(b *bytes.Buffer, r *scoring.Result, control bool) {
	rec := make([]string, 0, len(e.categories)+10)
	rec = append(rec, csvcell.Text(r.LeadID), formatNumber(r.Total))
	for _, c := range r.Categories {
		rec = append(rec, formatNumber(c.Score))
	}
	gates := make([]string, len(r.Gates))
	for i, g := range r.Gates {
		gates[i] = g.Rule
	}
	fired := make([]string, len(r.Fired))
	for i, f := range r.Fired {
		fired[i] = f.Rule
	}
	unknown := make([]string, len(r.Unknown))
	for i, u := range r.Unknown {
		unknown[i] = string(u.Kind) + ":" + u.Name
	}
	rec = append(rec, r.Grade, r.Stage, strconv.FormatBool(r.SalesReady), strconv.FormatBool(r.Disqualified),
		strings.Join(gates, " "), strings.Join(fired, " "), strings.Join(unknown, "|"))
	if e.verdicts {
		row := r.Row()
		rec = append(rec, row.Disposition, strconv.FormatBool(row.Held))
	}
	if e.holdout != nil {
		rec = append(rec, strconv.FormatBool(control))
		if e.holdout.WithholdsHandoff() {
			rec = append(rec, strconv.FormatBool(r.SalesReady && !control))
		}
	}
	writeCSV(b, append(rec, ""))
}

func (e *csvEncoder) failure(b *bytes.Buffer, id string, line int, err error) {
	n := len(e.categories) + 10
	if e.verdicts {
		n += 2
	}
	n += len(e.holdoutColumns())
	rec := make([]string, n)
	rec[0] = csvcell.Text(id)
	rec[len(rec)-1] = csvcell.Text(err.Error())
	writeCSV(b, rec)
}

func writeCSV(b *bytes.Buffer, rec []string) {
	cw := csv.NewWriter(b)
	cw.Write(rec)
	cw.Flush()
}

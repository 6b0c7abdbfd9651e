package attribution

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// ReadNDJSON reads journeys, one JSON object per line, calling fn with each
// journey or the reason its line could not be read:
//
//	{"id":"L1","touches":[{"at":"2026-09-01T10:00:00Z","campaign":"brand","channel":"paid_search"}],
//	 "milestones":{"lead_created":"2026-09-01T10:00:00Z","sales_ready":"2026-09-20T00:00:00Z"},
//	 "converted":true,"revenue":12000}
//
// Unknown keys are errors, so a misspelt "revenu" is not read as no revenue.
func ReadNDJSON(r io.Reader, fn func(line int, j *Journey, err error) error) error {
	br := bufio.NewReaderSize(r, 1<<16)
	for line := 1; ; line++ {
		data, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(data)) > 0 {
			j := &Journey{}
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			derr := dec.Decode(j)
			if derr == nil {
				derr = j.check()
			}
			if derr != nil {
				j = nil
			}
			if ferr := fn(line, j, derr); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// check refuses journeys that would give misleading credit.
func (j *Journey) check() error {
	if err := CheckAmount(j.Revenue); err != nil {
		return fmt.Errorf("revenue: %v", err)
	}
	if err := CheckAmount(j.Conversions); err != nil {
		return fmt.Errorf("conversions: %v", err)
	}
	if j.Revenue > 0 && !j.Converted {
		return errors.New("revenue without a conversion; set converted: true, or remove the revenue")
	}
	for i, t := range j.Touches {
		if t.At.IsZero() {
			return fmt.Errorf("touch %d has no time (at)", i+1)
		}
	}
	return nil
}

// ReadCSV reads journeys from two CSV files. The journeys file has a header
// with id, converted (true or false), revenue, optionally conversions, and
// one column per milestone (lead_created, sales_ready, opportunity, won, or
// any other name) holding its time or nothing. The touches file has
// journey_id, at, campaign and channel; further columns are touch
// attributes. Touches are read into memory first, grouped by journey.
func ReadCSV(journeys, touches io.Reader, fn func(line int, j *Journey, err error) error) error {
	byID := map[string][]Touch{}
	if touches != nil {
		tr := csv.NewReader(touches)
		tr.FieldsPerRecord = -1
		header, err := tr.Read()
		if err != nil {
			return fmt.Errorf("touches: reading the header: %v", err)
		}
		col := columns(header)
		for _, need := range []string{"journey_id", "at", "campaign", "channel"} {
			if _, ok := col[need]; !ok {
				return fmt.Errorf("touches: the header lacks %s; it needs journey_id, at, campaign and channel", need)
			}
		}
		var problems []string
		for {
			rec, err := tr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				problems = append(problems, fmt.Sprintf("touches:%d: %v", csvErrorLine(err), err))
				continue
			}
			line, _ := tr.FieldPos(0)
			at, err := parseTime(cell(rec, col["at"]))
			if err != nil {
				problems = append(problems, fmt.Sprintf("touches:%d: at: %v", line, err))
				continue
			}
			t := Touch{At: at, Campaign: cell(rec, col["campaign"]), Channel: cell(rec, col["channel"])}
			for name, i := range col {
				if name != "journey_id" && name != "at" && name != "campaign" && name != "channel" && cell(rec, i) != "" {
					if t.Attrs == nil {
						t.Attrs = map[string]string{}
					}
					t.Attrs[name] = cell(rec, i)
				}
			}
			id := cell(rec, col["journey_id"])
			byID[id] = append(byID[id], t)
		}
		if len(problems) > 0 {
			return fmt.Errorf("the touches file has bad rows; fix them, since journeys without their touches would be credited wrongly:\n%s", strings.Join(problems, "\n"))
		}
	}
	jr := csv.NewReader(journeys)
	jr.FieldsPerRecord = -1
	header, err := jr.Read()
	if err != nil {
		return fmt.Errorf("journeys: reading the header: %v", err)
	}
	col := columns(header)
	if _, ok := col["id"]; !ok {
		return errors.New("journeys: the header has no id column")
	}
	for {
		rec, err := jr.Read()
		if err == io.EOF {
			return nil
		}
		line := csvErrorLine(err)
		var j *Journey
		if err == nil {
			line, _ = jr.FieldPos(0)
			j, err = journeyRow(rec, col, byID)
		}
		if err != nil {
			j = nil
		}
		if ferr := fn(line, j, err); ferr != nil {
			return ferr
		}
	}
}

func journeyRow(rec []string, col map[string]int, touches map[string][]Touch) (*Journey, error) {
	j := &Journey{ID: cell(rec, col["id"]), Milestones: map[string]time.Time{}}
	j.Touches = touches[j.ID]
	for name, i := range col {
		v := cell(rec, i)
		switch name {
		case "id":
		case "converted":
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil && v != "" {
				return nil, fmt.Errorf("converted: want true or false, got %q", v)
			}
			j.Converted = b
		case "revenue", "conversions":
			if v == "" {
				continue
			}
			f, err := ParseAmount(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", name, err)
			}
			if name == "revenue" {
				j.Revenue = f
			} else {
				j.Conversions = f
			}
		default:
			if v == "" {
				continue
			}
			t, err := parseTime(v)
			if err != nil {
				return nil, fmt.Errorf("milestone %s: %v", name, err)
			}
			j.Milestones[name] = t
		}
	}
	return j, j.check()
}

// ReadCosts reads a cost table: a CSV with campaign and cost columns.
func ReadCosts(r io.Reader) (Costs, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading the header: %v", err)
	}
	col := columns(header)
	ci, ok1 := col["campaign"]
	vi, ok2 := col["cost"]
	if !ok1 || !ok2 {
		return nil, errors.New("the header needs campaign and cost columns")
	}
	costs := Costs{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return costs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", csvErrorLine(err), err)
		}
		line, _ := cr.FieldPos(0)
		v, err := strconv.ParseFloat(strings.TrimSpace(cell(rec, vi)), 64)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("line %d: cost: want a number of at least 0, got %q", line, cell(rec, vi))
		}
		costs[cell(rec, ci)] += v
	}
}

// csvErrorLine is the line a CSV reading error is on (0 when it has none).
// csv.Reader.FieldPos must not be asked about a record that failed.
func csvErrorLine(err error) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.StartLine
	}
	return 0
}

func columns(header []string) map[string]int {
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	return col
}

func cell(rec []string, i int) string {
	if i < len(rec) {
		return rec[i]
	}
	return ""
}

func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("want a time like 2026-03-01T09:30:00Z, got %q", s)
}

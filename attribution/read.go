package attribution

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/leadscore/leadscore/internal/calendar"
	"github.com/leadscore/leadscore/internal/notutf8"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/leadscore/leadscore/internal/numfmt"
)

// ReadNDJSON reads journeys, one JSON object per line, calling fn with each
// journey or the reason its line could not be read:
//
//	{"id":"L1","touches":[{"at":"2026-09-01T10:00:00Z","campaign":"brand","channel":"paid_search"}],
//	 "milestones":{"lead_created":"2026-09-01T10:00:00Z","sales_ready":"2026-09-20T00:00:00Z"},
//	 "converted":true,"revenue":12000}
//
// Unknown keys are errors, so a misspelt "revenu" is not read as no revenue;
// so are a key given twice in one object, a number out of range and more
// than one value on a line. A byte-order mark before the first line is
// skipped. A journey id given on an earlier line fails the later line
// (the first stands), so a journey is never counted twice. fn is called
// once for every line that is not blank.
func ReadNDJSON(r io.Reader, fn func(line int, j *Journey, err error) error) error {
	r, err := notutf8.Sniff(r)
	if err != nil {
		return err // UTF-16: no line of it reads
	}
	br := bufio.NewReaderSize(r, 1<<16)
	ids := journeyIDs{}
	for line := 1; ; line++ {
		data, err := br.ReadBytes('\n')
		if line == 1 {
			data = bytes.TrimPrefix(data, []byte("\ufeff"))
		}
		if len(bytes.TrimSpace(data)) > 0 {
			j, derr := decodeJourney(data)
			if derr == nil {
				derr = ids.check(j.ID, line)
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

func decodeJourney(data []byte) (*Journey, error) {
	if err := checkJSON(data); err != nil {
		return nil, err
	}
	j := &Journey{}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(j); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("%s: want %s, got a JSON %s", te.Field, jsonKind(te.Type.Kind()), te.Value)
		}
		return nil, err
	}
	return j, j.check()
}

// journeyIDs are the lines of the journey ids read, to refuse one given
// twice.
type journeyIDs map[string]int

// check records id at line, or refuses it when an earlier line had it,
// or when it is empty: a journey without an id could be given twice
// unseen, and in the CSV form its touches would join every other one's.
func (ids journeyIDs) check(id string, line int) error {
	if strings.TrimSpace(id) == "" {
		return errors.New("the journey has no id; give each journey its id (the lead's or the contact's), so that its touches join it and a journey given twice is told")
	}
	if first, dup := ids[id]; dup {
		return fmt.Errorf("journey %s was already given on line %d; give each journey one row (the first is kept, this one is left out)", id, first)
	}
	ids[id] = line
	return nil
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
	if _, won := j.Milestones[Won]; won && !j.Converted {
		return errors.New("a won milestone without a conversion; set converted: true, or remove the won milestone")
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
//
// fn is called once for every row of the journeys file, with the journey
// or its problem; a row that swallowed others (an unclosed quote) comes
// with a *LostRowsError, and RowsLost says how many rows it stands for. A
// bad touch row fails its journey; a touch row whose journey cannot be
// told (cells out of place, a broken quote) fails the whole read, since any
// journey could lack it.
//
// Touch rows whose journey_id names no row of the journeys file are left
// out; ReadCSVOrphans passes them on.
func ReadCSV(journeys, touches io.Reader, fn func(line int, j *Journey, err error) error) error {
	return ReadCSVOrphans(journeys, touches, fn, nil)
}

// OrphanTouch is a row of a touches file whose journey_id names no row of
// the journeys file: it counts nowhere.
type OrphanTouch struct {
	Line int    // in the touches file
	ID   string // its journey_id
	Err  error  // what is wrong, with a did-you-mean when an id differs only in case
}

// ReadCSVOrphans is ReadCSV, and once the journeys are read it calls
// orphan (when not nil) with each touch row whose journey_id names no
// journey row, in line order, so that touch rows reconcile: on journeys,
// or orphaned. A journey id on an earlier row fails the later row (the
// first stands).
func ReadCSVOrphans(journeys, touches io.Reader, fn func(line int, j *Journey, err error) error, orphan func(OrphanTouch)) error {
	byID := map[string][]Touch{}
	touchLines := map[string][]int{}  // journey id -> its touch rows' lines
	badTouches := map[string]string{} // journey id -> the first problem with one of its touches
	if touches != nil {
		tt, err := newCSV(touches, "touches", "journey_id", "at", "campaign", "channel")
		if err != nil {
			return fmt.Errorf("touches: %v", err)
		}
		var problems []string
		for {
			line, rec, err := tt.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				problems = append(problems, fmt.Sprintf("touches:%d: %v", line, err))
				continue
			}
			id := tt.cell(rec, "journey_id")
			touchLines[id] = append(touchLines[id], line)
			at, err := parseTime(tt.cell(rec, "at"))
			if err != nil {
				if _, seen := badTouches[id]; !seen {
					badTouches[id] = fmt.Sprintf("its touch on line %d of the touches file has a bad time: %v", line, err)
				}
				continue
			}
			t := Touch{At: at, Campaign: tt.cell(rec, "campaign"), Channel: tt.cell(rec, "channel")}
			for i, name := range tt.header {
				if name != "journey_id" && name != "at" && name != "campaign" && name != "channel" && rec[i] != "" {
					if t.Attrs == nil {
						t.Attrs = map[string]string{}
					}
					t.Attrs[name] = rec[i]
				}
			}
			byID[id] = append(byID[id], t)
		}
		if len(problems) > 0 {
			return fmt.Errorf("the touches file has rows that cannot be told apart; fix them, since journeys without their touches would be credited wrongly:\n%s", strings.Join(problems, "\n"))
		}
	}
	jt, err := newCSV(journeys, "journeys", "id")
	if err != nil {
		return fmt.Errorf("journeys: %v", err)
	}
	ids := journeyIDs{}
	seen := map[string]bool{}
	for {
		line, rec, err := jt.next()
		if err == io.EOF {
			if orphan != nil {
				orphans(touchLines, seen, orphan)
			}
			return nil
		}
		var j *Journey
		if id := jt.cell(rec, "id"); rec != nil && strings.TrimSpace(id) != "" {
			seen[id] = true // failed or not, its touches are its own, not orphans
		}
		if err == nil {
			j, err = journeyRow(jt, rec, byID, badTouches)
			if err == nil {
				err = ids.check(j.ID, line)
			}
		}
		if err != nil {
			j = nil
		}
		if ferr := fn(line, j, err); ferr != nil {
			return ferr
		}
	}
}

// orphans passes on the touch rows whose journey id is not among seen, in
// line order.
func orphans(touchLines map[string][]int, seen map[string]bool, orphan func(OrphanTouch)) {
	var out []OrphanTouch
	var folded map[string]string // lower case -> a journey id, for a did-you-mean
	for id, lines := range touchLines {
		if seen[id] {
			continue
		}
		if folded == nil {
			folded = make(map[string]string, len(seen))
			for s := range seen {
				folded[strings.ToLower(s)] = s
			}
		}
		hint := "; check the journey_id, or give the journeys file that holds that journey"
		if near, ok := folded[strings.ToLower(id)]; ok {
			hint = fmt.Sprintf("; did you mean %q? ids differ in case", near)
		}
		for _, line := range lines {
			err := fmt.Errorf("no journey has the id %q, so this touch counts nowhere%s", id, hint)
			if strings.TrimSpace(id) == "" {
				err = errors.New("the touch row has no journey_id, so it counts nowhere; give it the id of its journey")
			}
			out = append(out, OrphanTouch{Line: line, ID: id, Err: err})
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Line < out[b].Line })
	for _, o := range out {
		orphan(o)
	}
}

func journeyRow(t *csvTable, rec []string, touches map[string][]Touch, badTouches map[string]string) (*Journey, error) {
	j := &Journey{ID: t.cell(rec, "id"), Milestones: map[string]time.Time{}}
	if bad, ok := badTouches[j.ID]; ok {
		return nil, fmt.Errorf("journey %s: %s; the journey is left out rather than credited without it", j.ID, bad)
	}
	j.Touches = touches[j.ID]
	for i, name := range t.header {
		v := rec[i]
		switch name {
		case "id":
		case "converted":
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil && v != "" {
				return nil, fmt.Errorf("converted: want true or false, got %q", v)
			}
			j.Converted = b
		case "revenue", "conversions":
			if strings.TrimSpace(v) == "" {
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

// ReadCosts reads a cost table: a CSV with campaign and cost columns. A
// campaign on several rows costs their sum. A bad row is passed to onError
// with its line and left out; the counts say how many rows were read and
// how many failed. The error is for a file that cannot be read at all.
func ReadCosts(r io.Reader, onError func(line int, err error)) (Costs, Counts, error) {
	var n Counts
	t, err := newCSV(r, "costs", "campaign", "cost")
	if err != nil {
		return nil, n, err
	}
	costs := Costs{}
	for {
		line, rec, err := t.next()
		if err == io.EOF {
			return costs, n, nil
		}
		var v float64
		if err == nil && strings.TrimSpace(t.cell(rec, "campaign")) == "" {
			// Its cost would go to the total's under a blank name, and to
			// no campaign's.
			err = errors.New("campaign: empty; every cost row names the campaign it paid for, as the events' campaign field names it")
		}
		if err == nil {
			if v, err = ParseAmount(t.cell(rec, "cost")); err != nil {
				err = fmt.Errorf("cost: %v", err)
			}
		}
		if err != nil {
			n.Rows += RowsLost(err)
			n.Failed += RowsLost(err)
			onError(line, err)
			continue
		}
		n.Rows++
		n.Read++
		costs[t.cell(rec, "campaign")] += v
	}
}

// Outcome is what the CRM says became of a lead: when it became an
// opportunity, when it was won and for how much, or when it was lost (zero
// times for never). An opportunity neither won nor lost is still open.
type Outcome struct {
	Opportunity, Won time.Time
	Revenue          float64
	// Lost is when the opportunity was closed as lost; zero when the file
	// has no lost column, or the lead was not lost.
	Lost time.Time
	// Line is the outcome's row in its file (ReadOutcomes); 0 for an
	// outcome not read from one.
	Line int
}

// MaxSuggest was the most ids UnmatchedOutcomes looked through for a
// did-you-mean. It no longer suggests ids (ids are not words: a near id
// is another lead or account), so a caller need keep none.
const MaxSuggest = 50_000

// UnmatchedOutcome is an outcome row whose lead (or account) the command
// did not read: its line, its id and why it is not counted.
type UnmatchedOutcome struct {
	Line    int
	ID      string
	Outcome Outcome
	Err     error
	// What the id names: "lead" or "account".
	What string
}

// UnmatchedOutcomes returns, in line order, the outcomes whose id the
// leads file did not have (seen reports whether it had one). ids is not
// used: an unknown id gets no did-you-mean, as a near id is another. Call
// it once every lead has been read: such a row is counted nowhere, so a
// caller counts it as failed.
func UnmatchedOutcomes(outcomes map[string]Outcome, seen func(id string) bool, ids []string, what string) []UnmatchedOutcome {
	var out []UnmatchedOutcome
	for id, o := range outcomes {
		if seen(id) {
			continue
		}
		worth := "an opportunity"
		switch {
		case !o.Won.IsZero():
			worth = "a won deal"
			if o.Revenue != 0 {
				worth += " of " + numfmt.Group(strconv.FormatFloat(o.Revenue, 'f', -1, 64))
			}
		case o.Opportunity.IsZero():
			worth = "no deal"
		}
		out = append(out, UnmatchedOutcome{Line: o.Line, ID: id, Outcome: o, What: what, Err: fmt.Errorf("no %s in the %ss file has the id %q, so its outcome (%s) counts nowhere in this report; check the %s_id, or give the file that holds that %s", what, what, id, worth, what, what)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

// UnmatchedSummary sums up the outcome rows of file that name no lead
// (UnmatchedOutcomes), for a report's warnings: how many, their won deals
// and revenue. "" for none.
func UnmatchedSummary(un []UnmatchedOutcome, file string) string {
	if len(un) == 0 {
		return ""
	}
	won := 0
	var exact decimal // amounts add exactly, as the report's revenue does
	inexact := 0.0    // what CheckAmount refuses, which no reader lets by
	for _, u := range un {
		if !u.Outcome.Won.IsZero() {
			won++
			if v := u.Outcome.Revenue; CheckAmount(v) == nil {
				exact.add(decimalOf(v))
			} else {
				inexact += v
			}
		}
	}
	revenue := exact.String()
	if inexact != 0 || math.IsNaN(inexact) {
		revenue = strconv.FormatFloat(exact.float()+inexact, 'f', -1, 64)
	}
	verb := "name"
	if len(un) == 1 {
		verb = "names"
	}
	what := un[0].What
	if what == "" {
		what = "lead"
	}
	return fmt.Sprintf("%s of %s %s no %s of the %ss file (%s, revenue %s): not counted in this report; check their ids (each is named with its line on stderr)",
		numfmt.Count(len(un), "outcome row"), file, verb, what, what, numfmt.Count(won, "won deal"), numfmt.Group(revenue))
}

// ReadOutcomes reads CRM outcomes: a CSV with lead_id, opportunity and won
// (times, or empty) and revenue (empty, or an amount for a won lead), and
// optionally lost (the time an opportunity was closed as lost, or empty),
// so that won, lost and still-open opportunities are told apart. A bad
// row, and a lead's second row, is passed to onError with its line and
// left out; the counts say how many rows were read and how many failed.
// The error is for a file that cannot be read at all.
func ReadOutcomes(r io.Reader, onError func(line int, err error)) (map[string]Outcome, Counts, error) {
	return readOutcomes(r, "lead_id", "lead", onError)
}

// readOutcomes reads an outcomes file keyed by the column key, whose ids
// name a what ("lead" or "account").
func readOutcomes(r io.Reader, key, what string, onError func(line int, err error)) (map[string]Outcome, Counts, error) {
	var n Counts
	t, err := newCSV(r, "outcomes", key, "opportunity", "won", "revenue")
	if err != nil {
		return nil, n, err
	}
	out := map[string]Outcome{}
	first := map[string]int{}
	for {
		line, rec, err := t.next()
		if err == io.EOF {
			return out, n, nil
		}
		var o Outcome
		var id string
		if err == nil {
			id = t.cell(rec, key)
			o, err = outcomeRow(t, rec, key, what)
			if prev, dup := first[id]; err == nil && dup && what == "account" {
				err = fmt.Errorf("account %s already has an outcome on line %d; the first row is used and this one is left out (counted as failed): give each account one row, won if any of its deals was won, with its first win (see \"One row per account\" in docs/guide/accounts.md)", id, prev)
			} else if err == nil && dup {
				err = fmt.Errorf("%s %s already has an outcome on line %d; give each %s one row", what, id, prev, what)
			}
		}
		if err != nil {
			n.Rows += RowsLost(err)
			n.Failed += RowsLost(err)
			onError(line, err)
			continue
		}
		n.Rows++
		n.Read++
		first[id] = line
		o.Line = line
		out[id] = o
	}
}

func outcomeRow(t *csvTable, rec []string, key, what string) (Outcome, error) {
	var o Outcome
	if strings.TrimSpace(t.cell(rec, key)) == "" {
		return o, fmt.Errorf("%s is empty; say which %s the outcome is for", key, what)
	}
	for _, c := range []struct {
		name string
		dst  *time.Time
	}{{"opportunity", &o.Opportunity}, {"won", &o.Won}, {"lost", &o.Lost}} {
		if v := t.cell(rec, c.name); strings.TrimSpace(v) != "" {
			at, err := parseTime(v)
			if err != nil {
				return o, fmt.Errorf("%s: %v", c.name, err)
			}
			*c.dst = at
		}
	}
	if v := t.cell(rec, "revenue"); strings.TrimSpace(v) != "" {
		rev, err := ParseAmount(v)
		if err != nil {
			return o, fmt.Errorf("revenue: %v", err)
		}
		if rev > 0 && o.Won.IsZero() {
			return o, errors.New("revenue without a won time; fill in won, or remove the revenue")
		}
		o.Revenue = rev
	}
	if !o.Won.IsZero() && !o.Opportunity.IsZero() && o.Won.Before(o.Opportunity) {
		return o, fmt.Errorf("won (%s) is before the opportunity (%s); check the two dates", o.Won.Format(time.RFC3339), o.Opportunity.Format(time.RFC3339))
	}
	if !o.Lost.IsZero() {
		switch {
		case !o.Won.IsZero():
			return o, errors.New("both won and lost are filled in; a deal is one or the other, so empty one of them")
		case o.Opportunity.IsZero():
			return o, errors.New("lost without an opportunity time; fill in when the opportunity was opened, or empty lost")
		case o.Lost.Before(o.Opportunity):
			return o, fmt.Errorf("lost (%s) is before the opportunity (%s); check the two dates", o.Lost.Format(time.RFC3339), o.Opportunity.Format(time.RFC3339))
		}
	}
	return o, nil
}

func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if err := calendar.NoSuchDay(s); err != nil {
		return time.Time{}, err
	}
	return time.Time{}, fmt.Errorf("want a time like 2026-03-01T09:30:00Z, got %q", s)
}

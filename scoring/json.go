package scoring

import (
	"encoding/json"
	"fmt"
	"github.com/leadscore/leadscore/internal/calendar"
	"github.com/leadscore/leadscore/internal/jsonscan"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
)

// UnmarshalJSON reads a lead in the one JSON shape every part of leadscore
// uses (the CLI's NDJSON lines, test fixtures, the examples): its id, its
// fields side by side, nested objects for nested fields, and its events,
//
//	{"id":"L1","email":"maria@acme.io","company":{"size":250},
//	 "events":[{"type":"page_view","at":"2026-09-17T10:00:00Z","url":"/pricing"}]}
//
// "id" (text or a number), "events" and "dispositions" (sales' verdicts,
// each {"at", "status", "reason", "owner"}, as a dispositions file's rows)
// are taken out; every other key is a field, read into Fields as a map. A backend decodes a request body with
// json.Unmarshal(body, &lead) and scores it.
func (l *Lead) UnmarshalJSON(data []byte) error {
	obj, err := jsonscan.Unmarshal(data) // an id of 16 digits or more keeps them
	if err != nil {
		return err
	}
	if obj == nil {
		return fmt.Errorf("want a JSON object for the lead, got null")
	}
	lead, err := LeadFromMap(obj)
	*l = lead
	return err
}

// MarshalJSON writes the lead in the shape UnmarshalJSON reads. Fields given
// as a map are written as they are; a struct is written with encoding/json
// (its json tags) and its keys put beside id and events.
func (l Lead) MarshalJSON() ([]byte, error) {
	obj := map[string]any{}
	switch f := l.Fields.(type) {
	case nil:
	case map[string]any:
		for k, v := range f {
			obj[k] = v
		}
	case *rules.Fields:
		for k, v := range f.Map() {
			obj[k] = v
		}
	default:
		b, err := json.Marshal(f)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &obj); err != nil {
			return nil, fmt.Errorf("lead fields: want a struct or a map, got %T", l.Fields)
		}
	}
	if l.ID != "" {
		obj["id"] = l.ID
	}
	if len(l.Events) > 0 {
		obj["events"] = l.Events
	}
	if len(l.Dispositions) > 0 {
		obj["dispositions"] = l.Dispositions
	}
	return json.Marshal(obj)
}

// TimeField returns the lead's field name read as a time (a time.Time,
// or a text dsl.ParseTime reads), from fields given as a map or read
// straight into a model's slots (*rules.Fields); zero when the lead does
// not carry it, it is no time, or the fields are a struct.
func (l Lead) TimeField(name string) time.Time {
	switch v := l.field(name).(type) {
	case string:
		if t, err := dsl.ParseTime(v); err == nil {
			return t
		}
	case time.Time:
		return v
	}
	return time.Time{}
}

// Created returns when the lead was created, read from its field name
// (created_at for ""): the zero time when the lead has no such field, or
// it holds empty text (an empty CSV cell and "" read alike); an error,
// written for the reader of the leads file, when it holds anything that
// is no time. Commands leave out the leads created after their as-of
// time by it, and fail a lead whose value is no time rather than read it
// as never created.
func (l Lead) Created(name string) (time.Time, error) {
	if name == "" {
		name = "created_at"
	}
	switch v := l.field(name).(type) {
	case nil:
		return time.Time{}, nil
	case time.Time:
		return v, nil
	case string:
		if strings.TrimSpace(v) == "" {
			return time.Time{}, nil
		}
		if t, err := dsl.ParseTime(v); err == nil {
			return t, nil
		}
		return time.Time{}, createdError(name, v)
	default:
		return time.Time{}, createdError(name, v)
	}
}

// Came returns when the lead came: its creation time, read from its field
// name as Created reads it, or, when it has none, its first event; the
// zero time for neither. A holdout with a start (rules.Holdout.In) and
// the backtest's window read a lead's arrival by it.
func (l Lead) Came(name string) (time.Time, error) {
	came, err := l.Created(name)
	if err != nil || !came.IsZero() {
		return came, err
	}
	for _, e := range l.Events {
		if came.IsZero() || e.At.Before(came) {
			came = e.At
		}
	}
	return came, nil
}

// createdError says a lead's created field holds no time.
func createdError(name string, v any) error {
	if t, ok := v.(string); ok {
		if err := calendar.NoSuchDay(t); err != nil {
			return fmt.Errorf("%s: %v: it says when the lead was created", name, err)
		}
	}
	return fmt.Errorf("%s is %s, not a time: it says when the lead was created; write it as 2026-09-29T10:00:00Z (RFC 3339), or leave it out to take the lead's first event", name, valueText(v))
}

// field is the lead's field name as given, nil when absent.
func (l Lead) field(name string) any {
	switch f := l.Fields.(type) {
	case map[string]any:
		return f[name]
	case *rules.Fields:
		if x, present := f.Get(name); present {
			return x
		}
	}
	return nil
}

// LeadFromMap turns a decoded JSON object into a lead: "id", "events" and
// "dispositions" are taken out of obj, and the keys left are the lead's
// fields. A disposition's shape is checked here (a time, a status, a
// reason for a rejection or recycle); its reason against the model's
// catalogue when the lead is scored.
func LeadFromMap(obj map[string]any) (Lead, error) {
	lead := Lead{Fields: obj}
	switch id := obj["id"].(type) {
	case string:
		lead.ID = id
	case float64:
		if math.Abs(id) >= 1<<53 { // a number of 16 digits or more, written with a fraction or an exponent
			return lead, fmt.Errorf("id: the number %s cannot keep every digit of an id (two ids one apart would read the same); write the id as text, in quotes", strconv.FormatFloat(id, 'g', -1, 64))
		}
		lead.ID = strconv.FormatFloat(id, 'f', -1, 64)
	case json.Number:
		lead.ID = id.String()
	case nil:
	default:
		return lead, fmt.Errorf("id: want text or a number, got %T", id)
	}
	delete(obj, "id")
	if raw, ok := obj["dispositions"]; ok {
		delete(obj, "dispositions")
		ds, err := dispositionsFromJSON(raw)
		if err != nil {
			return lead, err
		}
		lead.Dispositions = ds
	}
	raw, ok := obj["events"]
	delete(obj, "events")
	if !ok || raw == nil {
		return lead, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return lead, fmt.Errorf("events: want a list of event objects")
	}
	lead.Events = make([]Event, len(list))
	for i, item := range list {
		e, ok := item.(map[string]any)
		if !ok {
			return lead, fmt.Errorf("event %d: want an object with type and at", i+1)
		}
		ev, err := rules.EventFromMap(e)
		if err != nil {
			if ev.Type != "" {
				return lead, fmt.Errorf("event %d (%s): %v", i+1, ev.Type, err)
			}
			return lead, fmt.Errorf("event %d: %v", i+1, err)
		}
		lead.Events[i] = ev
	}
	return lead, nil
}

// dispositionsFromJSON reads a lead's "dispositions": a list of objects
// with "at", "status" and, for a rejection or a recycle, "reason"; "owner"
// is optional.
func dispositionsFromJSON(raw any) ([]Disposition, error) {
	if raw == nil {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf(`dispositions: want a list of verdicts, such as [{"at":"2026-09-14T10:00:00Z","status":"rejected","reason":"no_budget"}]`)
	}
	out := make([]Disposition, len(list))
	for i, item := range list {
		obj, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("disposition %d: want an object with at, status and reason", i+1)
		}
		d := &out[i]
		for k, v := range obj {
			text, isText := v.(string)
			if !isText {
				return nil, fmt.Errorf("disposition %d: %s: want text, got %s", i+1, k, jsonKind(v))
			}
			switch k {
			case "at":
				t, err := dsl.ParseTime(text)
				if err != nil {
					return nil, fmt.Errorf("disposition %d: at: %v", i+1, err)
				}
				d.At = t
			case "status":
				d.Status = Status(strings.ToLower(text))
			case "reason":
				d.Reason = text
			case "owner":
				d.Owner = text
			default:
				return nil, fmt.Errorf("disposition %d: unknown key %q; a verdict has at, status, reason and owner", i+1, k)
			}
		}
		switch {
		case d.At.IsZero():
			return nil, fmt.Errorf("disposition %d: at is missing; say when sales gave the verdict, such as 2026-09-14T10:00:00Z", i+1)
		case d.Status != Accepted && d.Status != Rejected && d.Status != Recycled:
			return nil, fmt.Errorf("disposition %d: status %q; write accepted, rejected or recycled", i+1, d.Status)
		case d.Status == Accepted && d.Reason != "":
			return nil, fmt.Errorf("disposition %d: an accepted lead takes no reason (this one gives %q); leave reason out, or make the status rejected or recycled", i+1, d.Reason)
		case d.Status != Accepted && d.Reason == "":
			return nil, fmt.Errorf("disposition %d: a %s lead needs a reason from the model's catalogue (handoff: reasons)", i+1, d.Status)
		}
	}
	return out, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "true or false"
	case float64, json.Number:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// valueText shows a field's value as its row gave it: a text quoted, any
// other value as JSON writes it.
func valueText(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

package rules

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/leadscore/leadscore/dsl"
)

// MarshalJSON writes an event in the one JSON shape leadscore reads: its
// type, its time (RFC 3339) and its fields side by side,
//
//	{"type":"page_view","at":"2026-09-17T10:00:00Z","url":"/pricing"}
func (e Event) MarshalJSON() ([]byte, error) {
	obj := make(map[string]any, len(e.Fields)+2)
	for k, v := range e.Fields {
		obj[k] = v
	}
	obj["type"] = e.Type
	obj["at"] = e.At.Format(time.RFC3339Nano)
	return json.Marshal(obj)
}

// UnmarshalJSON reads an event in the shape MarshalJSON writes. "type" and
// "at" are required; every other key is an event field.
func (e *Event) UnmarshalJSON(data []byte) error {
	var obj map[string]any
	if err := json.Unmarshal(data, &obj); err != nil {
		return err
	}
	ev, err := EventFromMap(obj)
	if err != nil {
		if ev.Type != "" {
			return fmt.Errorf("event (%s): %w", ev.Type, err)
		}
		return fmt.Errorf("event: %w", err)
	}
	*e = ev
	return nil
}

// EventFromMap reads an event from a decoded JSON object, taking "type" and
// "at" out of obj; the keys left are the event's fields. On error the event
// carries its type when it had one, for the message.
func EventFromMap(obj map[string]any) (Event, error) {
	if obj == nil {
		return Event{}, fmt.Errorf("want an object with type and at")
	}
	typ, ok := obj["type"].(string)
	if !ok || typ == "" {
		return Event{}, fmt.Errorf("type: want the event type as text")
	}
	e := Event{Type: typ}
	at, err := eventTime(obj["at"])
	if err != nil {
		return e, fmt.Errorf("at: %v", err)
	}
	e.At = at
	delete(obj, "type")
	delete(obj, "at")
	if len(obj) > 0 {
		e.Fields = obj
	}
	return e, nil
}

func eventTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		if v == nil {
			return time.Time{}, fmt.Errorf("missing; every event needs the time it happened")
		}
		return time.Time{}, dsl.NotATime(v, fmt.Sprint(v))
	}
	if s == "" {
		return time.Time{}, fmt.Errorf("missing; every event needs the time it happened")
	}
	return dsl.ParseTime(s)
}

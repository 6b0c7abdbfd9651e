package scoring

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/leadscore/leadscore/rules"
)

// UnmarshalJSON reads a lead in the one JSON shape every part of leadscore
// uses (the CLI's NDJSON lines, test fixtures, the examples): its id, its
// fields side by side, nested objects for nested fields, and its events,
//
//	{"id":"L1","email":"maria@acme.io","company":{"size":250},
//	 "events":[{"type":"page_view","at":"2026-09-17T10:00:00Z","url":"/pricing"}]}
//
// "id" (text or a number) and "events" are taken out; every other key is a
// field, read into Fields as a map. A backend decodes a request body with
// json.Unmarshal(body, &lead) and scores it.
func (l *Lead) UnmarshalJSON(data []byte) error {
	var obj map[string]any
	if err := json.Unmarshal(data, &obj); err != nil {
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
	return json.Marshal(obj)
}

// LeadFromMap turns a decoded JSON object into a lead: "id" and "events"
// are taken out of obj, and the keys left are the lead's fields.
func LeadFromMap(obj map[string]any) (Lead, error) {
	lead := Lead{Fields: obj}
	switch id := obj["id"].(type) {
	case string:
		lead.ID = id
	case float64:
		lead.ID = strconv.FormatFloat(id, 'f', -1, 64)
	case json.Number:
		lead.ID = id.String()
	case nil:
	default:
		return lead, fmt.Errorf("id: want text or a number, got %T", id)
	}
	delete(obj, "id")
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

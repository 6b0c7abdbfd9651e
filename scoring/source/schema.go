package source

import (
	"encoding/json"
	"fmt"
)

// keyDocs explain each key of a mapping, for the JSON Schema's hovers.
var keyDocs = map[string]string{
	"leadscore": "The format version: 1.",
	"source":    "The CRM the exports come from, such as hubspot; a name for people and messages.",
	"id":        "The column of the contacts export holding the lead id, such as Record ID.",
	"timezone":  "The IANA zone times written without a zone are read in, such as America/New_York; UTC when left out.",
	"delimiter": "The one character between the exports' cells, such as \";\"; \",\" when left out.",
	"fields":    "Model field: the column holding it, or {column, options} saying how its cells are written.",
	"ignore":    "Columns read on purpose as nothing: no warning that they are neither mapped nor ignored.",
	"events":    "How the activities export (given with --events) maps to events: one row per event.",

	"column":    "The export's column, as its header writes it.",
	"values":    "Cell: value to read it as. A cell not listed fails its row (text and list fields, and the event type).",
	"separator": "The text between a list cell's items, such as \";\"; \"|\" when left out (list fields).",
	"layout":    "How the cells write times, as Go writes its reference time Mon Jan 2 15:04:05 2006, such as \"01/02/2006 15:04\" (time fields).",
	"true":      "The words for true, such as [Yes]; true, yes and 1 in any case when left out (bool fields).",
	"false":     "The words for false, such as [No]; false, no and 0 in any case when left out (bool fields).",
	"format":    "How the cells write numbers: a number written as the export writes it, such as \"1,234.56\", \"1.234,56 €\" or \"$1,234.56\" (int and float fields).",

	"events.id":     "The column holding the activity's own id: an activity exported twice counts once.",
	"events.lead":   "The column holding the lead id the activity belongs to.",
	"events.type":   "The column holding the event type, or {column, values} mapping its cells to the model's event types.",
	"events.at":     "The column holding when the activity happened, or {column, layout}.",
	"events.fields": "Event field: the column holding it, or {column, options}.",
	"events.ignore": "Columns of the activities export read on purpose as nothing.",
}

type schema map[string]any

func doc(key string) string {
	d, ok := keyDocs[key]
	if !ok {
		panic(fmt.Sprintf("source: key %q has no description", key))
	}
	return d
}

func words(desc string) schema {
	return schema{"description": desc, "anyOf": []schema{{"type": "string"}, {"type": "array", "items": schema{"type": "string"}}}}
}

// fieldSchema is a field's column, or {column, options} with the keys given.
func fieldSchema(desc string, keys []string) schema {
	props := schema{}
	for _, k := range keys {
		switch k {
		case "values":
			props[k] = schema{"type": "object", "description": doc(k), "additionalProperties": schema{"type": []string{"string", "number", "boolean"}}}
		case "true", "false":
			props[k] = words(doc(k))
		default:
			props[k] = schema{"type": "string", "description": doc(k)}
		}
	}
	return schema{"description": desc, "anyOf": []schema{
		{"type": "string", "description": "The column holding it."},
		{"type": "object", "properties": props, "required": []string{"column"}, "additionalProperties": false},
	}}
}

func fieldsSchema(desc string) schema {
	return schema{"type": "object", "description": desc, "additionalProperties": fieldSchema("The column holding the field, or {column, options}.", fieldKeys)}
}

func columnList(desc string) schema {
	return schema{"type": "array", "description": desc, "items": schema{"type": "string"}}
}

// JSONSchema returns the JSON Schema (draft-07) of a source mapping file,
// indented JSON ending in a newline, for editors: point yaml-language-server
// at it with a first line "# yaml-language-server: $schema=FILE.json". The
// schema knows the keys and their shapes; Parse and Check stay the judges.
func JSONSchema() []byte {
	events := schema{}
	for _, k := range eventKeys {
		switch k {
		case "type":
			events[k] = fieldSchema(doc("events.type"), []string{"column", "values"})
		case "at":
			events[k] = fieldSchema(doc("events.at"), []string{"column", "layout"})
		case "fields":
			events[k] = fieldsSchema(doc("events.fields"))
		case "ignore":
			events[k] = columnList(doc("events.ignore"))
		default:
			events[k] = schema{"type": "string", "description": doc("events." + k)}
		}
	}
	top := schema{}
	for _, k := range topKeys {
		switch k {
		case "leadscore":
			top[k] = schema{"description": doc(k), "enum": []any{1}}
		case "fields":
			top[k] = fieldsSchema(doc(k))
		case "ignore":
			top[k] = columnList(doc(k))
		case "events":
			top[k] = schema{"type": "object", "description": doc(k), "properties": events, "required": []string{"lead", "type", "at"}, "additionalProperties": false}
		default:
			top[k] = schema{"type": "string", "description": doc(k)}
		}
	}
	s := schema{
		"$schema":              "http://json-schema.org/draft-07/schema#",
		"$id":                  "https://github.com/leadscore/leadscore/source-mapping.schema.json",
		"title":                "leadscore source mapping",
		"description":          "How a CRM's exports map to a model's fields and events (docs/reference.md, \"Source mappings\").",
		"type":                 "object",
		"properties":           top,
		"required":             []string{"leadscore", "source", "id", "fields"},
		"additionalProperties": false,
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

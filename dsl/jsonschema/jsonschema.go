// Package jsonschema gives the JSON Schema (draft-07) of leadscore rule files
// and test files, for editors: yaml-language-server (the VS Code YAML
// extension and others) reads it to complete keys, explain them on hover and
// underline a misspelt one as you type.
//
// The schema knows the shape of a file (which keys go where, and what kind
// of value each takes); package dsl's decoder stays the judge, and package
// rules checks the expressions, which a schema cannot. A test holds the
// schema to the decoder's own key lists, so neither can gain a key the other
// lacks.
//
// Point an editor at it with a first line such as
//
//	# yaml-language-server: $schema=leadscore.schema.json
//
// after writing the file with `leadscore schema > leadscore.schema.json`.
package jsonschema

import (
	"encoding/json"
	"strings"

	"github.com/leadscore/leadscore/dsl"
)

// RuleFile returns the JSON Schema of a rule file (and of a file it
// includes), indented JSON ending in a newline.
func RuleFile() []byte { return render(ruleFile()) }

// TestFile returns the JSON Schema of a test file (*_test.yaml).
func TestFile() []byte { return render(testFile()) }

// schema is one JSON Schema object; the keys are draft-07 keywords.
type schema map[string]any

func render(s schema) []byte {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		panic(err) // maps of strings, numbers and slices always marshal
	}
	return append(b, '\n')
}

// object is a mapping with the given keys and no others.
func object(desc string, props map[string]schema, required ...string) schema {
	s := schema{"type": "object", "description": desc, "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// mapOf is a mapping whose keys are names the file chooses.
func mapOf(desc string, value schema) schema {
	return schema{"type": "object", "description": desc, "additionalProperties": value}
}

func listOf(desc string, item schema) schema {
	return schema{"type": "array", "description": desc, "items": item}
}

// oneOrList is one value or a list of them.
func oneOrList(desc string, item schema) schema {
	return schema{"description": desc, "anyOf": []schema{item, {"type": "array", "items": item}}}
}

func text(desc string) schema { return schema{"type": "string", "description": desc} }

func number(desc string) schema { return schema{"type": "number", "description": desc} }

func boolean(desc string) schema { return schema{"type": "boolean", "description": desc} }

// DurationPattern is the regular expression of a duration as rule files
// write it (dsl.ParseDuration): whole numbers with units, such as 90d or 1d12h.
const DurationPattern = `^([0-9]+(y|mo|w|d|h|min|s))+$`

func duration(desc string) schema {
	return schema{"type": "string", "pattern": DurationPattern, "description": desc + " A whole number and a unit: " + dsl.DurationUnits + "; sums such as 1d12h."}
}

// expression is a condition or formula, checked by `leadscore check`. A bare
// true or a number is an expression too.
func expression(desc string) schema {
	return schema{"type": []string{"string", "boolean", "number"}, "description": desc + " An expression over the lead's fields, lists, defines and functions (see docs/reference.md); `leadscore check` type-checks it."}
}

func id(desc string) schema {
	return schema{"type": "string", "pattern": `^[A-Za-z0-9_][A-Za-z0-9_.\-]*$`, "description": desc}
}

func fieldTypes() []string {
	out := make([]string, len(dsl.FieldTypes))
	for i, t := range dsl.FieldTypes {
		out[i] = string(t)
	}
	return out
}

func fieldSchema(what string) schema {
	typ := schema{"type": "string", "enum": fieldTypes(), "description": "The " + what + "'s type: " + strings.Join(fieldTypes(), ", ") + " (a list of texts)."}
	return schema{
		"description": "A " + what + ": its type (such as int), or a mapping with type, default, required and description.",
		"anyOf": []schema{typ, object("A "+what+" with its type and, optionally, a default, required and a description.", map[string]schema{
			"type":        typ,
			"default":     {"description": "The value rules see when the lead lacks the field, of the field's type (a list for type list). Without it, rules see the zero value; has(field) tells the two apart."},
			"required":    boolean("true makes a lead without this field an error for that lead (it fails alone, with its row number)."),
			"description": text("What the field holds and where it comes from, for the people who read the rule file."),
		}, "type")},
	}
}

func ruleFile() schema {
	rule := object("A rule: points to a score category when its condition holds (or, with disqualify, a gate). Event rules (with event:) give points for each matching event.", map[string]schema{
		"id":         id("The rule's stable id, such as fit.industry: reports, tests and suggested points refer to it. Letters, digits, '.', '-' and '_'."),
		"score":      text("The score category the points go to: one of the categories under scores."),
		"owner":      text("The team that owns the rule (a team under owners, such as sales or marketing)."),
		"reason":     text("Why the rule gives points, in words a salesperson reads in an explanation."),
		"reviewed":   text("When the owners last reviewed the rule, such as 2026-09-01."),
		"when":       expression("The condition; without it the rule always holds. For an event rule it filters the events (event.campaign, event.url...)."),
		"points":     number("Points the rule gives (negative to take away). For an event rule, per event."),
		"event":      oneOrList("The event type (or types) this rule counts, which makes it an event rule.", id("An event type, such as webinar_attended.")),
		"limit":      schema{"type": "integer", "minimum": 1, "description": "An event rule counts at most this many events."},
		"within":     duration("An event rule counts only events this long before the as-of time."),
		"decay":      object("An event rule's events lose value with age.", map[string]schema{"half_life": duration("An event this old is worth half its points.")}, "half_life"),
		"disqualify": text("Makes the rule a gate: the reason a lead for which `when` holds cannot be sales-ready (it keeps its scores)."),
	}, "id")
	reason := object("A rejection reason sales may give.", map[string]schema{
		"code":        id("The short code sales types, such as not_decision_maker."),
		"description": text("What the reason means."),
		"contradicts": oneOrList("The rules (by id) or score categories that this reason says should not have made the lead sales-ready.", id("A rule id or a score category.")),
	}, "code")
	props := map[string]schema{
		"leadscore":   schema{"type": "integer", "enum": []int{dsl.Version}, "description": "The rule-file format version; this leadscore reads version 1."},
		"model":       id("The model's name, such as b2b-saas."),
		"description": text("What this definition is, such as: Sales-ready definition agreed in the Q3 joint review."),
		"owners":      mapOf("The people who signed the definition, by team: {marketing: ana@example.com, sales: jay@example.com}.", text("The contact who speaks for this team.")),
		"include":     oneOrList("Rule files to include, relative to this one (they may hold fields, events, event_types, lists, define, scores and rules).", text("A path relative to this file, inside its directory.")),
		"fields":      mapOf("The lead's schema: each field's name and type, checked when the file compiles. Nested fields are written with dots: company.size.", fieldSchema("lead field")),
		"events":      mapOf("Fields every event carries besides type and at, such as campaign or url.", fieldSchema("event field")),
		"event_types": listOf("The closed set of event types; a rule naming another type is an error.", id("An event type, such as demo_request.")),
		"lists":       mapOf("Named constant lists that expressions test against: industry in target_industries.", listOf("The list's items.", schema{"type": []string{"string", "number", "boolean"}, "description": "An item."})),
		"define":      mapOf("Named expressions, reusable in any rule, grade or stage by their name.", expression("The named expression.")),
		"scores":      mapOf("The score categories, such as fit and engagement, each optionally clamped.", schema{"description": "A score category: nothing, or its bounds.", "anyOf": []schema{{"type": "null"}, object("A score category's bounds.", map[string]schema{"min": number("The category's score is never below this."), "max": number("The category's score is never above this.")})}}),
		"total":       expression("Computes the total score from the categories; without it, the total is their sum."),
		"rules":       listOf("The rules, each with a stable id.", rule),
		"grades":      listOf("The grades, first that holds from the top; the last usually has no when.", object("A grade.", map[string]schema{"grade": id("The grade's name, such as A."), "when": expression("When a lead has this grade; without it, always (a catch-all, last).")}, "grade")),
		"stages": listOf("The stage ladder: a lead stands on the highest stage whose condition holds.", object("A stage.", map[string]schema{
			"id":          id("The stage's id, such as mql or sql."),
			"description": text("What the stage means."),
			"when":        expression("When a lead reaches this stage."),
			"sales_ready": boolean("true marks the stage both teams agreed is the hand-off to sales (one stage at most)."),
		}, "id", "when")),
		"handoff": object("The hand-off contract with sales: SLA, rejection reasons, recycle policy. Only the root rule file may hold it.", map[string]schema{
			"sla":     duration("How soon sales gives a sales-ready lead its first disposition."),
			"reasons": listOf("The catalogue of rejection reasons.", reason),
			"recycle": object("What a lead sales hands back to marketing loses.", map[string]schema{
				"resets": oneOrList("Event rules (by id) or score categories whose earlier events stop counting.", id("A rule id or a score category.")),
				"hold":   duration("The lead is not sales-ready again until this long after the recycle."),
			}),
		}),
	}
	s := object("A leadscore rule file: a lead-scoring model both teams signed (docs/reference.md).", props)
	s["$schema"] = "http://json-schema.org/draft-07/schema#"
	s["title"] = "leadscore rule file"
	return s
}

func testFile() schema {
	value := schema{"description": "A field's value: text, number, true/false, a list, a mapping for nested fields, or null to remove a field a fixture set."}
	lead := mapOf("The lead's fields, by name; a mapping gives nested fields ({company: {size: 250}} is company.size).", value)
	timeText := func(desc string) schema {
		return schema{"type": "string", "description": desc + " A date (2026-10-01) or a time (2026-10-01T09:30:00Z)."}
	}
	event := schema{
		"type":        "object",
		"description": "An event of the lead: its type, its time (at or ago), and its fields.",
		"properties": map[string]schema{
			"type": id("The event type, such as demo_request."),
			"at":   timeText("When the event happened."),
			"ago":  duration("How long before the as-of time the event happened."),
		},
		"additionalProperties": value,
		"required":             []string{"type"},
	}
	events := listOf("The lead's events.", event)
	rng := func(desc string) schema {
		return schema{"description": desc + ": a number, exactly, or a range {min, max} (inclusive).", "anyOf": []schema{
			{"type": "number"},
			object("A range; give min, max or both.", map[string]schema{"min": number("At least this."), "max": number("At most this.")}),
		}}
	}
	ids := func(desc string) schema { return oneOrList(desc, id("A rule id.")) }
	expect := object("What the result must be; a key left out is not checked.", map[string]schema{
		"stage":        text("The stage the lead stands on, or none."),
		"sales_ready":  boolean("Whether the lead is sales-ready."),
		"grade":        text("The lead's grade."),
		"total":        rng("The total score"),
		"scores":       mapOf("Scores by category.", rng("The category's score")),
		"fired":        ids("Rules that must fire."),
		"not_fired":    ids("Rules that must not fire."),
		"disqualified": boolean("Whether a gate disqualifies the lead."),
		"gates":        ids("The gates that must stop the lead; [] expects none."),
		"held":         boolean("Whether a recycle's hold-down keeps the lead from the sales-ready stage."),
		"reset":        rng("How many events a recycle took out"),
	})
	statuses := []string{"accepted", "rejected", "recycled"}
	disposition := object("A verdict of sales on the lead, at a time (at) or an age (ago).", map[string]schema{
		"status": schema{"type": "string", "enum": statuses, "description": "What sales did: accepted, rejected or recycled."},
		"reason": text("A reason code from the model's handoff: reasons (for rejected or recycled)."),
		"owner":  text("The sales rep who gave the verdict."),
		"at":     timeText("When sales gave the verdict."),
		"ago":    duration("How long before the as-of time sales gave the verdict."),
	}, "status")
	c := object("A test case: a lead, its events, and what the result must be.", map[string]schema{
		"name":         text("What the case shows, such as: a student is never sales-ready."),
		"extends":      text("A fixture the case starts from; its lead fields and events come first."),
		"as_of":        timeText("The as-of time of this case, instead of the file's."),
		"lead":         lead,
		"events":       events,
		"dispositions": listOf("Sales' verdicts on the lead.", disposition),
		"expect":       expect,
		"pending":      text("Why the case is not run yet; it is reported as pending."),
	}, "name")
	s := object("A leadscore test file: examples of what the definition means, run by `leadscore test`.", map[string]schema{
		"model": text("The rule file this file tests, relative to this file."),
		"as_of": timeText("The default as-of time of the cases."),
		"fixtures": mapOf("Named leads that cases extend.", object("A fixture: a lead and its events.", map[string]schema{
			"lead":   lead,
			"events": events,
		})),
		"cases": listOf("The test cases.", c),
	}, "model", "cases")
	s["$schema"] = "http://json-schema.org/draft-07/schema#"
	s["title"] = "leadscore test file"
	return s
}

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
	accountRule := object("An account rule: points from the account's fields (as a lead rule), a gate (with disqualify), or a roll-up of its people (with people).", map[string]schema{
		"id":         id("The rule's stable id, such as account.industry; ids are unique across the whole file."),
		"score":      text("The account's score category the points go to."),
		"owner":      text("The team that owns the rule."),
		"reason":     text("Why the rule gives points, in words a salesperson reads in an explanation."),
		"reviewed":   text("When the owners last reviewed the rule, such as 2026-09-01."),
		"when":       expression("For a rule or gate, a condition over the account's fields and its people's counts (people(), engaged()); for a roll-up, which people count (a condition over a person)."),
		"points":     number("Points the rule gives; for people: count, points for each person counted."),
		"disqualify": text("Makes the rule a gate (customer, competitor, partner): the reason the account cannot be sales-ready."),
		"people":     schema{"type": "string", "enum": dsl.RollupStrategies, "description": "Makes the rule a roll-up of the account's people: sum (of of), max (the highest one person gives), top (the sum of the top highest) or count (points for each person)."},
		"of":         expression("A roll-up's number per person, such as engagement."),
		"top":        schema{"type": "integer", "minimum": 1, "description": "With people: top, how many people count."},
		"max":        schema{"type": "number", "minimum": 0, "description": "The most points the roll-up gives."},
		"within":     duration("A roll-up counts only people with an event this long before the as-of time."),
		"weights":    mapOf("Champion-weighted: a person's value is multiplied by the highest weight of the roles they hold (1 when none), by role name.", schema{"type": "number", "minimum": 0, "description": "The role's weight."}),
	}, "id")
	accounts := object("Scores the companies leads work at: matching, the account's fields, roll-ups of its people, buying-group roles, its own grades and stage ladder. Only the root rule file may hold it.", map[string]schema{
		"match": object("How a lead finds its account: by an account id field, else by email domain.", map[string]schema{
			"id_field":     text("A text lead field holding the account's id, such as account_id; tried first."),
			"domain_from":  text("A text lead field holding an email address or a domain, such as email."),
			"domain_field": text("The text account field holding the account's domain; default domain."),
			"free_mail":    text("A list (under lists) of free-mail domains that match no account, such as free_email_domains."),
			"aliases":      mapOf("Domains read as another: {acme.co.uk: acme.com}.", text("The domain it stands for.")),
		}),
		"fields": mapOf("The account's schema, declared as lead fields are; an account's data carries its id beside them.", fieldSchema("account field")),
		"scores": mapOf("The account's score categories, each optionally clamped.", schema{"description": "A score category: nothing, or its bounds.", "anyOf": []schema{{"type": "null"}, object("A score category's bounds.", map[string]schema{"min": number("The category's score is never below this."), "max": number("The category's score is never above this.")})}}),
		"total":  expression("Computes the account's total from its categories; without it, the total is their sum."),
		"roles":  mapOf("The buying-group roles, each a condition over a person: decision_maker: title matches \"(?i)vp|director\".", expression("Who holds the role.")),
		"engaged": object("When a person counts as engaged; without it, every person with an event in the last 30 days is.", map[string]schema{
			"when":   expression("A condition over a person, such as engagement >= 10."),
			"within": duration("The person had an event less than this before the as-of time."),
		}),
		"rules":  listOf("The account's rules, gates and roll-ups, each with a stable id.", accountRule),
		"grades": listOf("The account's grades, first that holds from the top.", object("A grade.", map[string]schema{"grade": id("The grade's name, such as A."), "when": expression("When an account has this grade; without it, always.")}, "grade")),
		"stages": listOf("The account's stage ladder, one stage marked sales_ready (the sales-ready account).", object("A stage.", map[string]schema{
			"id":          id("The stage's id, such as buying-group."),
			"description": text("What the stage means."),
			"when":        expression("When an account reaches this stage; people() and engaged(\"role\") count its people."),
			"sales_ready": boolean("true marks the sales-ready account stage."),
		}, "id", "when")),
	}, "match", "scores", "stages")
	reason := object("A rejection reason sales may give.", map[string]schema{
		"code":        id("The short code sales types, such as not_decision_maker."),
		"description": text("What the reason means."),
		"contradicts": oneOrList("The rules (by id) or score categories that this reason says should not have made the lead sales-ready; with an accounts section, also the account's rules, categories and roles.", id("A rule id or a score category.")),
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
		"accounts": accounts,
		"holdout": object("A holdout experiment: a share of the leads, picked by a hash of the lead id and the seed, forms a control group that does not get the hand-off, or is judged by a challenger definition. Only the root rule file may hold it.", map[string]schema{
			"share": schema{"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "description": "The control group's share of the leads, such as 0.1 (one lead in ten)."},
			"seed":  schema{"type": []string{"string", "integer"}, "description": "A word or whole number that fixes which leads are held out; change it to draw a new control group."},
			"withhold": schema{"description": "What the control group does not get.", "anyOf": []schema{
				{"type": "string", "enum": []string{dsl.WithholdHandoff}, "description": "handoff: control leads are scored as usual but never handed to sales."},
				object("Control leads are judged by a challenger definition.", map[string]schema{
					"challenger": text("The challenger's rule file, relative to this one, such as challenger.yaml."),
				}, "challenger"),
			}},
			"starts": schema{"type": "string", "description": "Optional: when the experiment began, a date (2026-09-01, midnight UTC) or a time with its offset (2026-09-01T09:00:00Z). " +
				"A lead created before it (or, with no creation time, whose first event was before it) is in neither group: handed to sales as without a holdout, and left out of the lift. Without it every lead is in the experiment.",
				"anyOf": []schema{{"format": "date"}, {"format": "date-time"}}},
		}, "share", "seed", "withhold"),
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
		"stage":         text("The stage the lead stands on, or none."),
		"sales_ready":   boolean("Whether the lead is sales-ready."),
		"grade":         text("The lead's grade."),
		"total":         rng("The total score"),
		"scores":        mapOf("Scores by category.", rng("The category's score")),
		"fired":         ids("Rules that must fire."),
		"not_fired":     ids("Rules that must not fire."),
		"disqualified":  boolean("Whether a gate disqualifies the lead."),
		"gates":         ids("The gates that must stop the lead; [] expects none."),
		"held":          boolean("Whether a recycle's hold-down keeps the lead from the sales-ready stage."),
		"reset":         rng("How many events a recycle took out"),
		"missing_roles": oneOrList("An account case: the buying-group roles no person holds; [] expects every role held.", id("A role of the accounts section.")),
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
		"account":      schema{"description": "Makes it an account case: the account's field values (the model's accounts fields).", "anyOf": []schema{{"type": "null"}, mapOf("The account's fields, by name.", value)}},
		"people": listOf("An account case's people, given to the account directly.", object("A person of the account: a lead built as a case's is.", map[string]schema{
			"id":      text("The person's lead id; default person 1, person 2..."),
			"extends": text("A fixture the person starts from."),
			"lead":    lead,
			"events":  events,
		})),
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

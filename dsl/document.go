// Package dsl reads leadscore rule files: YAML in, a typed Document out, with
// the file, line and column of every value so that each later error can point
// at the spot a person has to fix.
//
// Decoding is strict. Unknown keys, values of the wrong type, duplicate names,
// unknown score categories, bad durations and includes that leave the rule
// directory are all errors, every one collected and positioned, with a
// did-you-mean where a near name exists. Expressions are kept as text here;
// package rules type-checks and compiles them.
//
// An included file may hold fields, events, event types, lists, defines,
// score categories and rules (not the model's name, grades or stages). Its
// contents come after those of the file that includes it, in the order of
// the include list; a file included twice is read once. YAML anchors are
// allowed, aliases and merge keys are not: a rule file should say each thing
// where a reviewer reads it.
package dsl

import (
	"time"
)

// Version is the rule-file format version this package reads.
const Version = 1

// String is a text value with the position it was read from.
type String struct {
	Value string
	Pos   Pos
}

// Number is a numeric value with its position.
type Number struct {
	Value float64
	Pos   Pos
}

// Duration is a duration ("90d") with its position.
type Duration struct {
	Value time.Duration
	Pos   Pos
	// Source is the duration as the file writes it ("14d", "2w"), which
	// reviews and explanations show rather than a normalised spelling.
	Source string
}

// Document is one rule file with everything it includes, decoded.
type Document struct {
	Version     int
	Model       String
	Description String
	// Owners names the people who signed the definition, by team.
	Owners []Owner

	Fields      []*Field // the lead's schema
	EventFields []*Field // fields every event carries besides type and at
	// EventTypes, when given, is the closed set of event types; rules and
	// event functions naming another type are errors.
	EventTypes []String
	Lists      []*List
	Defines    []*Define
	Categories []*Category
	// Total, when set, computes the total score from the categories.
	// Without it the total is their sum.
	Total  *Expr
	Rules  []*Rule
	Grades []*Grade
	Stages []*Stage
	// Handoff is the hand-off contract with sales (SLA, rejection
	// reasons, recycle policy); nil when the file has no handoff section.
	Handoff *Handoff
	// Accounts scores the companies leads work at; nil when the file has
	// no accounts section.
	Accounts *Accounts

	// Files lists every file read, the root file first.
	Files []string

	sources sources
	// present holds the top-level keys the files wrote; unread the
	// sections an unknown top-level key may have meant ("*" for any).
	present, unread map[string]bool
	// lostInclude is set when an included file could not be read: any
	// section, and any name, may have been in it.
	lostInclude bool
}

// Unread reports whether any of the top-level sections (fields, rules,
// scores, ...) is missing because a key at the top of a file was
// misspelt, while no file writes the section: an unknown key that most
// likely meant it (handof: for handoff:), or, for the sections every
// model has (fields, scores, rules, stages), an unknown key near none.
// An unread include: key, or an included file that could not be read,
// may have held any section. Checks use it to report
// one problem per cause: the unknown key, not the names, categories or
// rules its section would have declared.
func (d *Document) Unread(sections ...string) bool {
	if d.lostInclude {
		return true
	}
	if len(d.unread) == 0 {
		return false
	}
	if d.unread["include"] && !d.present["include"] {
		return true
	}
	for _, s := range sections {
		if d.present[s] {
			continue
		}
		if d.unread[s] || d.unread["*"] && (s == "fields" || s == "scores" || s == "rules" || s == "stages") {
			return true
		}
	}
	return false
}

// Owner is a team and the contact who speaks for it.
type Owner struct {
	Team    String
	Contact String
}

// FieldType names a lead or event field's type.
type FieldType string

// The field types a schema may declare.
const (
	TypeString FieldType = "string"
	TypeInt    FieldType = "int"
	TypeFloat  FieldType = "float"
	TypeBool   FieldType = "bool"
	TypeTime   FieldType = "time"
	TypeList   FieldType = "list" // a list of strings
)

// FieldTypes lists the field types in the order the docs give them.
var FieldTypes = []FieldType{TypeString, TypeInt, TypeFloat, TypeBool, TypeTime, TypeList}

// Field declares one field of the lead or event schema.
type Field struct {
	Name        String
	Type        FieldType
	TypePos     Pos
	Description String
	Required    bool
	// Default is the value rules see when the lead lacks the field,
	// already converted to the field's Go type (string, int, float64, bool,
	// time.Time or []string). Nil means the zero value.
	Default    any
	DefaultPos Pos
}

// List is a named constant list of strings.
type List struct {
	Name  String
	Items []String
}

// Define is a named expression, usable in any rule, grade or stage.
type Define struct {
	Name String
	Expr *Expr
}

// Category is a score category such as fit or engagement.
type Category struct {
	Name String
	// Min and Max clamp the category's score. Nil means unbounded.
	Min, Max *Number
}

// Rule gives points to a category when its condition holds, or, with
// Disqualify set, is a gate that stops a lead from becoming sales-ready.
type Rule struct {
	Pos      Pos // the rule's "- " item
	ID       String
	Category String // "score:"
	Owner    String
	Reason   String
	Reviewed String // when the owners last reviewed the rule, free text such as 2026-09-01
	When     *Expr  // nil: always

	Points *Number
	// Events, when not empty, makes this an event rule: points for each
	// event of one of these types that passes When, subject to Limit,
	// Within and HalfLife.
	Events   []String
	Limit    int
	LimitPos Pos
	Within   *Duration
	HalfLife *Duration // decay: an event this old is worth half

	// Disqualify holds the reason for a gate; empty for scoring rules.
	Disqualify String

	// Rollup, set only on an account's rules, makes the rule add up the
	// account's people.
	Rollup *Rollup
}

// Rollup is how an account rule adds up its people: When (the rule's)
// says which people count, Within keeps those active lately.
type Rollup struct {
	Strategy String // sum, max, top or count
	Of       *Expr  // a number per person; nil for count
	Top      int
	TopPos   Pos
	Max      *Number   // the most points the roll-up gives; nil: no bound
	Points   *Number   // for count: points per person
	Within   *Duration // only people with an event this recent count
	// Weights multiply what a person gives by the highest weight of the
	// roles they hold (1 when they hold none of these roles).
	Weights []RoleWeight
}

// RoleWeight weighs the people who hold a buying-group role.
type RoleWeight struct {
	Role   String
	Weight *Number
}

// IsGate reports whether the rule disqualifies rather than scores.
func (r *Rule) IsGate() bool { return r.Disqualify.Value != "" }

// IsEvent reports whether the rule scores events rather than the lead.
func (r *Rule) IsEvent() bool { return len(r.Events) > 0 }

// Grade is one rung of the grade list; the first that holds is the lead's grade.
type Grade struct {
	Grade String
	When  *Expr // nil: always (a catch-all, last)
}

// Stage is one rung of the stage ladder.
type Stage struct {
	ID          String
	Description String
	When        *Expr
	// SalesReady marks the stage both teams agreed is the hand-off.
	SalesReady bool

	salesReadyKey bool // the file says sales_ready, validly or not
}

// SalesReadyStage returns the index of the sales-ready stage, or -1.
func (d *Document) SalesReadyStage() int {
	for i, s := range d.Stages {
		if s.SalesReady {
			return i
		}
	}
	return -1
}

// Diag returns an error diagnostic at pos, with the source line for its snippet.
func (d *Document) Diag(pos Pos, msg string) *Diagnostic {
	return d.sources.diag(Error, pos, msg)
}

// Warn returns a warning diagnostic at pos, with the source line for its snippet.
func (d *Document) Warn(pos Pos, msg string) *Diagnostic {
	return d.sources.diag(Warning, pos, msg)
}

// sources keeps the lines of every file read, for snippets and for mapping
// positions inside expressions.
type sources map[string][]string

func (s sources) line(pos Pos) string {
	lines := s[pos.File]
	if pos.Line < 1 || pos.Line > len(lines) {
		return ""
	}
	return lines[pos.Line-1]
}

func (s sources) diag(sev Severity, pos Pos, msg string) *Diagnostic {
	return &Diagnostic{Severity: sev, Pos: pos, Message: msg, Source: s.line(pos)}
}

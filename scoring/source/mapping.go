// Package source reads a CRM's exports as leads: a source mapping file says
// which column of a contacts export holds each of the model's fields, and
// how its cells are written (a values map, a list separator, a time layout
// and zone, the words for true and false, a number format), and which
// columns of an activities export hold an event's lead, type, time and
// fields. The export is read as it comes out of the CRM, without editing.
//
// A mapping for a HubSpot-style export:
//
//	leadscore: 1
//	source: hubspot
//	id: Record ID
//	timezone: America/New_York
//	fields:
//	  email: Email
//	  country: {column: Country/Region, values: {United States: US, United Kingdom: GB}}
//	  tech_stack: {column: Technologies, separator: ";"}
//	  created_at: {column: Create Date, layout: "2006-01-02 15:04:05"}
//	  unsubscribed: {column: Unsubscribed from all email, "true": [Yes], "false": [No]}
//	  annual_revenue: {column: Annual Revenue, format: "$1,234.56"}
//	ignore: [First Name, Last Name]
//	events:
//	  id: Activity ID
//	  lead: Record ID
//	  type: {column: Activity Type, values: {Page View: page_view}}
//	  at: {column: Activity Date, layout: "01/02/2006 15:04:05"}
//	  fields: {campaign: Campaign, url: URL}
//
// Parse reads a mapping (every problem at file:line:col), Check checks it
// against a model, and Leads and Events bind it to an export's header and
// turn its rows into leads and events. A cell that cannot be read fails
// its row alone, with the column, the cell and the fix. delimiter: names
// the character between cells when it is not a comma (";", "\t").
//
// # Times
//
// A time layout writes a numeric offset (-07:00, Z07:00) or no zone, and
// then the cells are read in timezone:, an Area/City zone (or UTC). Zone
// abbreviations are refused, in a layout (MST) and as timezone: (EST,
// CET, Etc/GMT+1): Go reads an abbreviation it does not know as UTC, and
// several name one offset all year where the place changes its clocks. A
// layout with no time of day reads a day as its first instant, which is
// 01:00 where daylight saving time begins at midnight.
//
// # Activity ids
//
// events.id is the activity's own id, another column than events.lead,
// type and at. A row that repeats an earlier row's id and content is the
// same activity exported twice, and counts once; a row with an earlier
// row's id and other content fails, with the earlier row.
//
// # Number formats
//
// A number field's format is a number written as the export writes it,
// with the digits 1234 and, when the export writes decimals, more digits
// after the decimal mark: "1,234.56", "1.234,56", "1 234,56", "$1,234.56",
// "1.234,56 €", "USD 1,234,567", "1234.567". Text before the first digit
// and after the last is a currency sign or code, which a cell may have or
// leave out. A separator with 1 to 3 digits before it (not starting with
// 0; after the first separator, 3) and exactly three after it, up to
// another separator or the end, is the thousands separator; any other (one
// after 4 digits or more, or before a group of other than 3) is the
// decimal mark. A single "." or "," with three digits after it ("1.234")
// could be either, and is refused: the format must say, with both
// separators ("1,234.50"), a longer number ("1,234,567") or the decimal
// mark alone ("1234.5"). A cell may start with a minus sign, before or
// after the currency sign, and its digits must be grouped in threes, the
// first group not starting with 0, when it uses the thousands separator.
// Without a format, a number is written plainly: 1234.56.
package source

import (
	"time"
	_ "time/tzdata" // exports are read in a named zone: the same on every machine

	"github.com/leadscore/leadscore/dsl"
)

// Mapping is a source mapping file: how one CRM's exports map to a model.
type Mapping struct {
	File string
	// Name is the source's name (source:), such as hubspot.
	Name string
	// ID is the column of the contacts export holding the lead id.
	ID    string
	IDPos dsl.Pos
	// Zone is where times written without a zone are read (timezone:);
	// UTC when the mapping names none.
	Zone     *time.Location
	ZoneName string
	ZonePos  dsl.Pos
	// Delimiter is the character between the exports' cells (delimiter:);
	// 0 means ",".
	Delimiter    rune
	DelimiterPos dsl.Pos
	// Fields map the model's fields to columns, in file order.
	Fields []*Field
	// Ignore lists columns read on purpose as nothing.
	Ignore []string
	// Events maps the activities export; nil when the mapping has no
	// events: section.
	Events *Events
	// checked is set by Check: the fields' types are known.
	checked  bool
	lines    []string        // the file's lines, for snippets
	warnings dsl.Diagnostics // what Parse found worth a look: see Warnings
}

// Warnings returns what Parse found worth a look but not wrong, such as
// one column mapped to two fields, positioned; Check returns them too.
func (m *Mapping) Warnings() dsl.Diagnostics { return m.warnings }

// Comma returns the character between the exports' cells: Delimiter, or
// "," when the mapping names none.
func (m *Mapping) Comma() rune {
	if m.Delimiter == 0 {
		return ','
	}
	return m.Delimiter
}

// Field maps one model field (or event field) to a column and says how its
// cells are written.
type Field struct {
	// Name is the model's field name; Pos is where the mapping names it.
	Name string
	Pos  dsl.Pos
	// Column is the export's column; ColumnPos is where the mapping names it.
	Column    string
	ColumnPos dsl.Pos
	// Values maps cells to values; a cell not in it fails its row. Nil:
	// cells are read as they are.
	Values     map[string]string
	ValuesPos  dsl.Pos
	valueOrder []string           // the keys in file order, for did-you-means
	valuePos   map[string]dsl.Pos // where each key is
	// Separator splits a list cell into items; "" means "|".
	Separator string
	// Layout is a Go time layout (2006-01-02 15:04:05) for time cells.
	Layout    string
	LayoutPos dsl.Pos
	// True and False are the words for true and false; nil means the
	// usual ones (true, yes, 1 and false, no, 0, in any case).
	True, False []string
	// Format is how number cells are written (see the package doc).
	Format    *NumberFormat
	FormatPos dsl.Pos

	// Type is the model's type for the field, set by Check.
	Type dsl.FieldType
	// options the mapping gave, with their positions, for Check
	options map[string]dsl.Pos
}

// Events maps the activities export: one row per event.
type Events struct {
	Pos dsl.Pos
	// ID is the column holding the activity's own id: a row repeating an
	// earlier row's id and content counts once, one with the id and other
	// content fails. "" when the export has none.
	ID    string
	IDPos dsl.Pos
	// Lead is the column holding the lead id.
	Lead    string
	LeadPos dsl.Pos
	// Type and At are the event's type and time.
	Type *Field
	At   *Field
	// Fields map event fields to columns.
	Fields []*Field
	Ignore []string
}

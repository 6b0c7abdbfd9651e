package source

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/leadscore/leadscore/dsl"
)

// The schema is built from the parser's own key lists, so it has every
// key the parser takes and no other.
func TestSchemaHasTheParsersKeys(t *testing.T) {
	var s map[string]any
	require.NoError(t, json.Unmarshal(JSONSchema(), &s))
	props := s["properties"].(map[string]any)
	assert.Len(t, props, len(topKeys))
	for _, k := range topKeys {
		assert.Contains(t, props, k)
	}
	events := props["events"].(map[string]any)["properties"].(map[string]any)
	assert.Len(t, events, len(eventKeys))
}

func col(cells ...string) *column {
	c := &column{count: map[string]int{}}
	for _, v := range cells {
		c.cells = append(c.cells, v)
		if c.count[v] == 0 {
			c.distinct = append(c.distinct, v)
		}
		c.count[v]++
	}
	return c
}

// Each guess from the values, table by table.
func TestGuesses(t *testing.T) {
	for _, c := range []struct {
		cells  []string
		typ    dsl.FieldType
		format string
	}{
		{[]string{"Yes", "No"}, dsl.TypeBool, ""},
		{[]string{"1", "0"}, dsl.TypeBool, ""},
		{[]string{"TRUE", "false"}, dsl.TypeBool, ""},
		{[]string{"12", "2620"}, dsl.TypeInt, ""},
		{[]string{"1.5", "2"}, dsl.TypeFloat, ""},
		{[]string{"213", "2,620"}, dsl.TypeInt, "1,234,567"},
		{[]string{"$34,902,819.00", "$14,005,300.00"}, dsl.TypeFloat, "$1,234.56"},
		{[]string{"USD 34,902,819.00"}, dsl.TypeFloat, "USD 1,234.56"},
		{[]string{"1.234,56 €", "12,5 €"}, dsl.TypeFloat, "1.234,56 €"},
		{[]string{"€1.234.567"}, dsl.TypeInt, "€1.234.567"},
		{[]string{"Jira;Marketo", "Slack"}, dsl.TypeList, ""},
		{[]string{"Acme, Inc.", "Initech"}, dsl.TypeString, ""},
		{[]string{"12 apples"}, dsl.TypeString, ""},
		{[]string{"2026-06-17 03:09:35"}, dsl.TypeTime, ""},
	} {
		g := guessType(col(c.cells...))
		assert.Equal(t, c.typ, g.typ, "%q", c.cells)
		assert.Equal(t, c.format, g.format, "%q", c.cells)
	}
	for _, c := range []struct {
		cells     []string
		layout    string
		ambiguous bool
	}{
		{[]string{"2026-06-17 03:09:35"}, "2006-01-02 15:04:05", false},
		{[]string{"2026-06-17 03:09"}, "2006-01-02 15:04", false},
		{[]string{"07/25/2026 23:05:21", "07/09/2026 09:01:35"}, "01/02/2006 15:04:05", false},
		{[]string{"17/06/2026 08:09:35", "06/04/2026 08:49:52"}, "02/01/2006 15:04:05", false},
		{[]string{"06/04/2026 08:49"}, "01/02/2006 15:04", true},
		{[]string{"2026-07-09T13:01:35.000Z"}, "2006-01-02T15:04:05Z07:00", false},
		{[]string{"2026-07-09"}, "2006-01-02", false},
		{[]string{"6/4/2026"}, "1/2/2006", true},
	} {
		layout, amb, ok := timeLayout(col(c.cells...))
		assert.True(t, ok, "%q", c.cells)
		assert.Equal(t, c.layout, layout, "%q", c.cells)
		assert.Equal(t, c.ambiguous, amb, "%q", c.cells)
	}
}

func TestNamesAndScalars(t *testing.T) {
	for in, want := range map[string]string{"Job Title": "job_title", "Technologies__c": "technologies", "CreatedDate": "created_date",
		"Duration (min)": "duration_min", "Country/Region": "country_region", "No. of Employees": "no_of_employees"} {
		assert.Equal(t, want, normalize(in), in)
	}
	for in, want := range map[string]string{"Record ID": "Record ID", "true": `"true"`, "1": `"1"`, "$1,234.56": `"$1,234.56"`,
		"Yes": "Yes", "Email - Opened": "Email - Opened", "a: b": `"a: b"`, "#x": `"#x"`, "Country/Region": "Country/Region", "": `""`} {
		got := scalar(in)
		if got != want {
			assert.Equal(t, want, got, in)
		}
	}
	// Whatever the text, it reads back as itself in flow context too.
	for _, in := range []string{"a, b", "[x]", "{y}", "Yes", "no", "~", "null", "1e3", "0x10", "-", "- a", "?", "a #b", "é", "\t", "'q'", `"q"`, "a\nb", " lead"} {
		var v map[string]map[string]string
		require.NoError(t, yaml.Unmarshal([]byte("k: {column: "+scalar(in)+"}"), &v), in)
		assert.Equal(t, in, v["k"]["column"], in)
	}
	names := newFieldNames()
	assert.Equal(t, "type_field", names.name("type"))
	assert.Equal(t, "f_1st", names.name("1st"))
	assert.Equal(t, "email", names.name("email"))
	assert.Equal(t, "email_2", names.name("email"))
	assert.Equal(t, "email_3", names.name("email_3"))
	assert.Equal(t, "email_4", names.name("email"), "a name taken as itself is skipped")
	assert.Equal(t, "email_5", names.name("email"))
}

// Many columns of one name (Email., Email!, ... all read as email) are
// named in a step each, not in as many steps as there are names before
// them: the draft of an export of n such columns took time in n² (20,000
// columns: 100 s).
func TestFieldNamesOfOneNameAreLinear(t *testing.T) {
	names := newFieldNames()
	assert.Equal(t, "email", names.name("email"))
	for i := 2; i <= 20_000; i++ {
		require.Equal(t, fmt.Sprintf("email_%d", i), names.name("email"))
		require.Equal(t, i+1, names.next["email"], "the next name is tried first")
	}
}

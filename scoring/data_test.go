package scoring_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

func nestedScorer(t testing.TB, opts ...scoring.Option) *scoring.Scorer {
	t.Helper()
	m, err := rules.CompileFile(filepath.Join("..", "testdata", "nested", "company.yaml"))
	require.NoError(t, err)
	return scoring.New(m, opts...)
}

// The Go types a backend would feed testdata/nested/company.yaml with.
type address struct {
	Country string `lead:"country"`
}

type company struct {
	Name    *string  `lead:"name"`
	Size    int      `lead:"size"`
	Address *address `lead:"address"`
}

type nestedLead struct {
	Email   string  `lead:"email"`
	Company company `lead:"company"`
}

type mapCompanyLead struct {
	Email   string         `lead:"email"`
	Company map[string]any `lead:"company"`
}

// One nested-field rule scored from JSON, nested maps, flat dotted keys, a
// nested struct and a struct holding a map: the same Result every time.
func TestNestedFieldsFromEveryShape(t *testing.T) {
	s := nestedScorer(t)
	events := []scoring.Event{ev("visit", 2, "utm", map[string]any{"source": "ads"}), ev("demo_request", 1)}
	name := "Acme"
	shapes := map[string]any{
		"nested map": map[string]any{"email": "maria@acme.io",
			"company": map[string]any{"name": "Acme", "size": 250, "address": map[string]any{"country": "US"}}},
		"flat keys":     map[string]any{"email": "maria@acme.io", "company.name": "Acme", "company.size": 250, "company.address.country": "US"},
		"nested struct": nestedLead{Email: "maria@acme.io", Company: company{Name: &name, Size: 250, Address: &address{Country: "US"}}},
		"pointer":       &nestedLead{Email: "maria@acme.io", Company: company{Name: &name, Size: 250, Address: &address{Country: "US"}}},
		"struct with a map": mapCompanyLead{Email: "maria@acme.io",
			Company: map[string]any{"name": "Acme", "size": 250, "address": map[string]any{"country": "US"}}},
	}
	var fromJSON scoring.Lead
	require.NoError(t, json.Unmarshal([]byte(`{"id":"N1","email":"maria@acme.io",
		"company":{"name":"Acme","size":250,"address":{"country":"US"}},
		"events":[{"type":"visit","at":"2026-09-29T00:00:00Z","utm":{"source":"ads"}},{"type":"demo_request","at":"2026-09-30T00:00:00Z"}]}`), &fromJSON))
	want, err := s.Score(fromJSON, asOf)
	require.NoError(t, err)
	// By hand: size 250 >= 50 (+40), US in target_countries (+20), has a
	// name (+10): fit 70, grade A; one ad visit (+10) and a demo (+40):
	// engagement 50 >= 40, so sql.
	assert.Equal(t, 70.0, want.Score("fit"))
	assert.Equal(t, 50.0, want.Score("engagement"))
	assert.Equal(t, "sql", want.Stage)
	assert.True(t, want.SalesReady)
	assert.Empty(t, want.Unknown)
	for shape, fields := range shapes {
		got, err := s.Score(scoring.Lead{ID: "N1", Fields: fields, Events: events}, asOf)
		require.NoError(t, err, shape)
		assert.Equal(t, want, got, shape)
	}

	// A missing part of the way is a missing field, not an error.
	res, err := s.Score(scoring.Lead{Fields: nestedLead{Email: "a@b.io", Company: company{Size: 10}}}, asOf)
	require.NoError(t, err)
	assert.Equal(t, []string{}, res.RuleIDs(), "no name, no address, size 10: nothing fires")
	res, err = s.Score(scoring.Lead{Fields: map[string]any{"email": "a@b.io", "company": nil}}, asOf)
	require.NoError(t, err)
	assert.Empty(t, res.RuleIDs())
}

func TestNestedFieldErrors(t *testing.T) {
	s := nestedScorer(t)
	for _, tc := range []struct {
		name   string
		fields any
		want   string
	}{
		{"a value where an object is declared", map[string]any{"email": "a@b.io", "company": "Acme"},
			`company.name: want an object with name in company, got the text "Acme"; ` +
				`company.size: want an object with size in company, got the text "Acme"; ` +
				`company.address.country: want an object with address.country in company, got the text "Acme"`},
		{"a type error inside", map[string]any{"email": "a@b.io", "company": map[string]any{"size": "big"}},
			`company.size: want a whole number, got the text "big"`},
		{"a type error deeper", map[string]any{"email": "a@b.io", "company": map[string]any{"address": map[string]any{"country": 7.0}}},
			`company.address.country: want text, got the number 7`},
		{"a struct's map holding a value where an object is declared", mapCompanyLead{Email: "a@b.io", Company: map[string]any{"address": "Main St"}},
			`company.address.country: want an object with country in Company[address], got the text "Main St"`},
	} {
		_, err := s.Score(scoring.Lead{Fields: tc.fields}, asOf)
		if assert.Error(t, err, tc.name) {
			assert.Equal(t, tc.want, err.Error(), tc.name)
		}
	}
}

func TestUnknownDataIsReported(t *testing.T) {
	s := bundledScorer(t)
	lead := scoring.Lead{ID: "U1", Fields: map[string]any{
		"email": "a@acme.io", "Employees": 250.0, "Job Title": "VP Sales", "company": map[string]any{"size": 250.0},
		"industy": "software",
	}, Events: []scoring.Event{
		ev("webinar_attend", 3, "minutes", 40.0), // minutes is an event field; the type is misspelt
		ev("page_view", 2, "URL", "/pricing", "url", "/pricing"),
		ev("page_view", 1, "URL", "/docs"),
	}}
	res, err := s.Score(lead, asOf)
	require.NoError(t, err, "unknown data is reported, not refused, by default")
	assert.Equal(t, []rules.Unknown{
		{Kind: rules.UnknownEventKey, Name: "URL", DidYouMean: "url"},
		{Kind: rules.UnknownEventType, Name: "webinar_attend", DidYouMean: "webinar_attended"},
		{Kind: rules.UnknownKey, Name: "Employees", DidYouMean: "employees"},
		{Kind: rules.UnknownKey, Name: "Job Title", DidYouMean: "title"},
		{Kind: rules.UnknownKey, Name: "company"},
		{Kind: rules.UnknownKey, Name: "industy", DidYouMean: "industry"},
	}, res.Unknown)
	assert.False(t, res.Fires("fit.mid-market"), "Employees is not employees: the rule did not read it")

	strict := scoring.New(s.Model(), scoring.WithUnknownData(scoring.RefuseUnknown))
	_, err = strict.Score(lead, asOf)
	require.Error(t, err)
	assert.Equal(t, `lead U1: unknown event key "URL"; did you mean "url"?; `+
		`unknown event type "webinar_attend"; did you mean "webinar_attended"?; `+
		`unknown key "Employees"; did you mean "employees"?; `+
		`unknown key "Job Title"; did you mean "title"?; `+
		`unknown key "company"; `+
		`unknown key "industy"; did you mean "industry"? (the model does not declare it, so no rule would read it)`, err.Error())
	var ue *scoring.UnknownDataError
	require.ErrorAs(t, err, &ue)
	assert.Len(t, ue.Unknown, 6)

	ignore := scoring.New(s.Model(), scoring.WithUnknownData(scoring.IgnoreUnknown))
	res2, err := ignore.Score(lead, asOf)
	require.NoError(t, err)
	assert.Nil(t, res2.Unknown)
	res.Unknown = nil
	assert.Equal(t, res, res2, "reporting changes nothing else")
}

func TestUnknownNestedKeys(t *testing.T) {
	s := nestedScorer(t)
	res, err := s.Score(scoring.Lead{Fields: map[string]any{"email": "a@b.io",
		"company": map[string]any{"sise": 250.0, "address": map[string]any{"country": "US", "zip": "10001"}}},
		Events: []scoring.Event{ev("visit", 1, "utm", map[string]any{"sorce": "ads"})}}, asOf)
	require.NoError(t, err)
	assert.Equal(t, []rules.Unknown{
		{Kind: rules.UnknownEventKey, Name: "utm.sorce", DidYouMean: "utm.source"},
		{Kind: rules.UnknownKey, Name: "company.address.zip"},
		{Kind: rules.UnknownKey, Name: "company.sise", DidYouMean: "company.size"},
	}, res.Unknown)
}

type sloppyLead struct {
	Email     string
	JobTitle  string
	Employees string
	Country   int `lead:"country"`
	CreatedAt time.Time
	Company   string `lead:"company"`
	Secret    string `lead:"-"`
}

func TestCheckType(t *testing.T) {
	s := bundledScorer(t)
	assert.NoError(t, s.CheckType(struct {
		Email         string
		Title         *string
		Industry      string
		Employees     *int
		AnnualRevenue float64
		Country       string
		Source        string
		TechStack     []string
		CreatedAt     time.Time
		Unsubscribed  bool
	}{}), "a type that feeds every field, with fitting types")

	err := s.CheckType(sloppyLead{})
	var sm *rules.StructMismatch
	require.ErrorAs(t, err, &sm)
	assert.Equal(t, `lead type scoring_test.sloppyLead does not fit model b2b-saas:
  no struct field feeds title, industry, annual_revenue, source, tech_stack, unsubscribed; add fields tagged lead:"name", or remove them from the schema
  struct field JobTitle feeds nothing: the schema has no field job_title; did you mean title (tag it lead:"title")?
  struct field Company feeds nothing: the schema has no field company; tag it lead:"-" if it is not lead data
  struct field Employees is string, but employees is a whole number (int)
  struct field Country is int, but country is text (string)`, err.Error())
	assert.Equal(t, err.Error(), s.CheckType(&sloppyLead{}).Error(), "a pointer checks the same")

	n := nestedScorer(t)
	assert.NoError(t, n.CheckType(nestedLead{}))
	assert.NoError(t, n.CheckType(mapCompanyLead{}))
	err = n.CheckType(struct {
		Email   string
		Company string
	}{})
	assert.Equal(t, `lead type struct { Email string; Company string } does not fit model nested-company:
  no struct field feeds company.name, company.size, company.address.country; add fields tagged lead:"name", or remove them from the schema
  Company (string) stands for company, a group of fields (company.name, company.size, company.address.country): make it a struct or a map`, err.Error())
	assert.EqualError(t, n.CheckType(42), "CheckType takes a struct type, not int")
}

func TestUnknownTally(t *testing.T) {
	var a, b scoring.UnknownTally
	emp := rules.Unknown{Kind: rules.UnknownKey, Name: "Employees", DidYouMean: "employees"}
	typ := rules.Unknown{Kind: rules.UnknownEventType, Name: "webinar_attend", DidYouMean: "webinar_attended"}
	zip := rules.Unknown{Kind: rules.UnknownKey, Name: "zip"}
	for i := 0; i < 1000; i++ {
		a.Add([]rules.Unknown{emp})
	}
	a.Add([]rules.Unknown{typ, zip})
	b.Add([]rules.Unknown{zip})
	a.Merge(b)
	assert.Equal(t, []string{
		`unknown key "Employees" in 1,000 rows; did you mean "employees"?`,
		`unknown key "zip" in 2 rows`,
		`unknown event type "webinar_attend" in 1 row; did you mean "webinar_attended"?`,
	}, a.Lines())
	assert.Empty(t, scoring.UnknownTally{}.Lines())

	// Past 20 names, the most frequent first, one line counts the rest.
	var many scoring.UnknownTally
	for i := range 1000 {
		us := []rules.Unknown{{Kind: rules.UnknownKey, Name: fmt.Sprintf("k%04d", i)}}
		for range 1 + i%3 {
			many.Add(us)
		}
	}
	// A misspelt field among the rarest is still named, with its did-you-mean.
	many.Add([]rules.Unknown{{Kind: rules.UnknownKey, Name: "Employees", DidYouMean: "employees"}})
	lines := many.Lines()
	require.Len(t, lines, 22)
	assert.Equal(t, `unknown key "k0002" in 3 rows`, lines[0])
	assert.Equal(t, `unknown key "Employees" in 1 row; did you mean "employees"?`, lines[20])
	assert.Equal(t, `and 980 more unknown names, none in more rows than those above`, lines[21])
}

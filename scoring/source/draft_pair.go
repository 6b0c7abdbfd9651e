package source

import (
	"sort"
	"strings"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/suggest"
	"github.com/leadscore/leadscore/rules"
)

// personal are columns that hold who a lead is rather than anything a rule
// reads: left out (under ignore:) unless the model has a field for them.
var personal = []string{"first_name", "last_name", "full_name", "name", "middle_name", "salutation",
	"phone", "phone_number", "mobile", "mobile_phone", "mobile_phone_number", "fax",
	"street", "street_address", "address", "mailing_street", "zip", "zip_code", "postal_code",
	"date_of_birth", "birthday", "birth_date", "linkedin_url", "twitter_username"}

// idNames are the names of id columns, most likely first.
var idNames = []string{"record_id", "id", "lead_id", "contact_id", "hs_object_id", "object_id", "vid", "contactid", "leadid", "person_id", "customer_id"}

// synonyms are names CRMs give to what models call by another name: a
// column and a field in one group match.
var synonyms = [][]string{
	{"unsubscribed", "opt_out", "email_opt_out", "opted_out", "do_not_email", "has_opted_out_of_email", "unsubscribed_from_all_email"},
	{"tech_stack", "technologies", "technology", "technographics"},
	{"employees", "employee_count", "number_of_employees", "no_of_employees", "num_employees", "company_size", "headcount"},
	{"created_at", "create_date", "created_date", "createdate", "created", "created_on", "date_created"},
	{"annual_revenue", "revenue"},
	{"title", "job_title"},
	{"country", "country_region"},
	{"source", "lead_source", "original_source"},
	{"email", "email_address"},
}

// matchScore says how well a column's name fits a field's name: 0 not at
// all, 100 the same name; why says how it was matched.
func matchScore(col, field string) (score int, why string) {
	nf := normalize(field)
	switch {
	case col == nf:
		return 100, "same name"
	case col == "":
		return 0, ""
	}
	for _, g := range synonyms {
		if contains(g, col) && contains(g, nf) {
			return 90, "a usual name for it"
		}
	}
	if suggest.Nearest(col, []string{nf}) != "" {
		return 80, "a near name"
	}
	cw, fw := strings.Split(col, "_"), strings.Split(nf, "_")
	matched, colMatched := 0, map[int]bool{}
	for _, f := range fw {
		for i, c := range cw {
			if wordsMatch(c, f) && !colMatched[i] {
				matched++
				colMatched[i] = true
				break
			}
		}
	}
	if matched == 0 {
		return 0, ""
	}
	return 40*matched/len(fw) + 10*matched/len(cw), "a word in common"
}

// wordsMatch: the same word, or one the start of the other (min, minutes).
func wordsMatch(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	return len(a) >= 3 && strings.HasPrefix(b, a)
}

// fits reports whether a column's cells can be read as typ.
func fits(g guess, typ dsl.FieldType) bool {
	switch typ {
	case dsl.TypeString, dsl.TypeList:
		return true
	case dsl.TypeBool:
		return g.typ == dsl.TypeBool
	case dsl.TypeInt:
		return g.typ == dsl.TypeInt || (g.typ == dsl.TypeBool && len(g.yes)+len(g.no) > 0 && allDigitsList(g.yes, g.no))
	case dsl.TypeFloat:
		return g.typ == dsl.TypeInt || g.typ == dsl.TypeFloat || (g.typ == dsl.TypeBool && allDigitsList(g.yes, g.no))
	case dsl.TypeTime:
		return g.typ == dsl.TypeTime
	}
	return false
}

func allDigitsList(lists ...[]string) bool {
	for _, l := range lists {
		for _, s := range l {
			if !allDigits(s) {
				return false
			}
		}
	}
	return true
}

// pairing is a column mapped to a field.
type pairing struct {
	col   *column
	field *rules.Field // nil without a model
	name  string
	why   string
}

// pair matches columns to fields by name, best first, each used once; a
// column whose cells cannot be read as the field's type matches only by
// the same name.
func pair(cols []*column, fields []*rules.Field) (pairs []pairing, unmatched []*column) {
	type cand struct {
		score int
		ci    int
		f     *rules.Field
		why   string
	}
	var cands []cand
	for ci, c := range cols {
		for _, f := range fields {
			s, why := matchScore(c.norm, f.Name)
			if s == 0 || (s < 100 && !fits(c.guess, f.Type)) {
				continue
			}
			if fits(c.guess, f.Type) && c.guess.typ == f.Type {
				s += 5
			}
			cands = append(cands, cand{s, ci, f, why})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	usedCol, usedField := map[int]bool{}, map[string]bool{}
	byCol := map[int]pairing{}
	for _, c := range cands {
		if usedCol[c.ci] || usedField[c.f.Name] {
			continue
		}
		usedCol[c.ci], usedField[c.f.Name] = true, true
		byCol[c.ci] = pairing{col: cols[c.ci], field: c.f, name: c.f.Name, why: c.why}
	}
	for ci, c := range cols {
		if p, ok := byCol[ci]; ok {
			pairs = append(pairs, p)
		} else {
			unmatched = append(unmatched, c)
		}
	}
	return pairs, unmatched
}

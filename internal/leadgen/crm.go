package leadgen

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the exports' zones, the same on every machine
)

// A CRM is the shape of one CRM's exports: a contacts (or leads) export and
// an activities export, with the CRM's column names, labels, number and
// time formats, written from the generated leads. Read back through the
// CRM's source mapping (testdata/crm/NAME.yaml), they are the leads of
// WriteNDJSON, lead by lead.
type CRM struct {
	Name string
	// RecordID is the CRM's id for the lead with the generated id.
	RecordID func(id string) string
	// Contacts and Activities are the exports' headers.
	Contacts, Activities []string
	contact              func(l Lead, n int) []string
	activity             func(l Lead, e Event, n int) []string
	// dupEvery: every dupEvery-th activity row is exported twice, as
	// overlapping exports do (its id makes it count once).
	dupEvery int
}

// CRMs are the bundled CRM shapes: hubspot and salesforce.
var CRMs = []*CRM{hubSpot, salesforce}

// Files are the names of the CRM's exports in testdata/crm.
func (c *CRM) Files() (contacts, activities string) {
	if c.Name == "salesforce" {
		return "salesforce-leads.csv", "salesforce-tasks.csv"
	}
	return c.Name + "-contacts.csv", c.Name + "-activities.csv"
}

var (
	firstNames = []string{"Ana", "Jay", "Mei", "Omar", "Lena", "Raj", "Sofia", "Tom", "Zoe", "Ivan", "Nia", "Paul"}
	lastNames  = []string{"Silva", "Park", "Chen", "Haddad", "Novak", "Patel", "Rossi", "Meyer", "Okafor", "Kim", "Berg", "Lopez"}

	newYork, _ = time.LoadLocation("America/New_York")
	london, _  = time.LoadLocation("Europe/London")

	hubSpotCountries = map[string]string{"US": "United States", "GB": "United Kingdom", "DE": "Germany", "CA": "Canada", "FR": "France",
		"NL": "Netherlands", "AU": "Australia", "IN": "India", "BR": "Brazil", "ES": "Spain", "JP": "Japan"}
	hubSpotIndustries = map[string]string{"Software": "Computer Software", "SaaS": "SaaS", "fintech": "Fintech", "Financial Services": "Financial Services",
		"retail": "Retail", "healthcare": "Hospital & Health Care", "manufacturing": "Manufacturing", "education": "Education Management",
		"media": "Media Production", "government": "Government Administration"}
	hubSpotSources = map[string]string{"paid_search": "Paid Search", "organic": "Organic Search", "webinar": "Webinar", "social": "Social Media",
		"referral": "Referrals", "event": "Events"}
	hubSpotTools = map[string]string{"salesforce": "Salesforce", "hubspot": "HubSpot", "pipedrive": "Pipedrive", "slack": "Slack", "jira": "Jira",
		"snowflake": "Snowflake", "zendesk": "Zendesk", "marketo": "Marketo"}
	hubSpotTypes = map[string]string{"email_open": "Email Open", "email_click": "Email Click", "page_view": "Page View",
		"content_download": "Content Download", "webinar_registered": "Webinar Registration", "webinar_attended": "Webinar Attended",
		"demo_request": "Demo Request", "trial_signup": "Free Trial Signup"}
	salesforceSources = map[string]string{"paid_search": "Paid Search", "organic": "Web", "webinar": "Webinar", "social": "Social",
		"referral": "Partner Referral", "event": "Trade Show"}
	salesforceTypes = map[string]string{"email_open": "Email - Opened", "email_click": "Email - Clicked", "page_view": "Web - Page View",
		"content_download": "Content - Download", "webinar_registered": "Webinar - Registered", "webinar_attended": "Webinar - Attended",
		"demo_request": "Demo Request", "trial_signup": "Trial Signup"}
)

// hubSpot: numeric record ids, full country names, labels for industries
// and sources, ";" between technologies, Yes/No, "$1,234.50", and times
// in New York without a zone.
var hubSpot = &CRM{
	Name:     "hubspot",
	RecordID: func(id string) string { return "5" + strings.TrimPrefix(id, "L") },
	Contacts: []string{"Record ID", "First Name", "Last Name", "Email", "Job Title", "Industry", "Number of Employees", "Annual Revenue",
		"Country/Region", "Original Source", "Technologies", "Create Date", "Unsubscribed from all email", "Lifecycle Stage"},
	Activities: []string{"Activity ID", "Record ID", "Activity Type", "Activity Date", "Campaign", "Channel", "URL", "Duration (min)"},
	contact: func(l Lead, n int) []string {
		var tech []string
		for _, t := range l.TechStack {
			tech = append(tech, hubSpotTools[t])
		}
		revenue := ""
		if l.AnnualRevenue != nil {
			revenue = dollars(*l.AnnualRevenue)
		}
		return []string{"5" + strings.TrimPrefix(l.ID, "L"), firstNames[n%len(firstNames)], lastNames[n/len(firstNames)%len(lastNames)], l.Email,
			str(l.Title), mapped(hubSpotIndustries, l.Industry), num(l.Employees), revenue, mapped(hubSpotCountries, l.Country),
			hubSpotSources[l.Source], strings.Join(tech, ";"), localTime(l.CreatedAt, newYork, "2006-01-02 15:04:05"), yesNo(l.Unsubscribed), "lead"}
	},
	activity: func(l Lead, e Event, n int) []string {
		return []string{strconv.Itoa(90000000 + n), "5" + strings.TrimPrefix(l.ID, "L"), hubSpotTypes[e.Type],
			localTime(e.At, newYork, "01/02/2006 15:04:05"), e.Campaign, e.Channel, e.URL, flt(e.Minutes)}
	},
	dupEvery: 97,
}

// salesforce: 15-character lead ids, day-first times in London without a
// zone, activity times in UTC with their zone, ISO country codes, "USD
// 1,234.56", employees with thousands separators, ", " between
// technologies, and 1/0 for the opt-out.
var salesforce = &CRM{
	Name:     "salesforce",
	RecordID: func(id string) string { return "00QDn000" + strings.TrimPrefix(id, "L") },
	Contacts: []string{"Lead ID", "First Name", "Last Name", "Title", "Company", "Email", "Industry", "No. of Employees", "Annual Revenue",
		"Country", "Lead Source", "Technologies__c", "Created Date", "Email Opt Out", "Lead Status"},
	Activities: []string{"Task ID", "Lead ID", "Type", "Date", "Campaign Name", "Channel__c", "Page URL", "Minutes__c"},
	contact: func(l Lead, n int) []string {
		employees, revenue := "", ""
		if l.Employees != nil {
			employees = thousands(strconv.Itoa(*l.Employees))
		}
		if l.AnnualRevenue != nil {
			revenue = "USD " + strings.TrimPrefix(dollars(*l.AnnualRevenue), "$")
		}
		company := strings.SplitN(strings.SplitN(l.Email, "@", 2)[1], ".", 2)[0]
		optOut := "0"
		if l.Unsubscribed {
			optOut = "1"
		}
		return []string{"00QDn000" + strings.TrimPrefix(l.ID, "L"), firstNames[(n+5)%len(firstNames)], lastNames[(n+3)%len(lastNames)], str(l.Title), company, l.Email,
			str(l.Industry), employees, revenue, str(l.Country), salesforceSources[l.Source], strings.Join(l.TechStack, ", "),
			localTime(l.CreatedAt, london, "02/01/2006 15:04:05"), optOut, "Open - Not Contacted"}
	},
	activity: func(l Lead, e Event, n int) []string {
		return []string{fmt.Sprintf("00TDn%010d", n), "00QDn000" + strings.TrimPrefix(l.ID, "L"), salesforceTypes[e.Type],
			localTime(e.At, time.UTC, "2006-01-02T15:04:05.000Z07:00"), e.Campaign, e.Channel, e.URL, flt(e.Minutes)}
	},
}

// Write writes n leads from g as the CRM's contacts and activities
// exports.
func (c *CRM) Write(contacts, activities io.Writer, g *Generator, n int) error {
	cw, aw := csv.NewWriter(contacts), csv.NewWriter(activities)
	if err := cw.Write(c.Contacts); err != nil {
		return err
	}
	if err := aw.Write(c.Activities); err != nil {
		return err
	}
	rows := 0
	for i := 0; i < n; i++ {
		l := g.Next()
		if err := cw.Write(c.contact(l, i)); err != nil {
			return err
		}
		for _, e := range l.Events {
			rows++
			row := c.activity(l, e, rows)
			if err := aw.Write(row); err != nil {
				return err
			}
			if c.dupEvery > 0 && rows%c.dupEvery == 0 {
				if err := aw.Write(row); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	aw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return aw.Error()
}

func mapped(m map[string]string, s *string) string {
	if s == nil {
		return ""
	}
	return m[*s]
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// localTime rewrites an RFC 3339 time in loc with layout.
func localTime(rfc3339 string, loc *time.Location, layout string) string {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		panic(err) // the generator writes RFC 3339
	}
	return t.In(loc).Format(layout)
}

// dollars writes an amount as "$1,234.50".
func dollars(f float64) string {
	s := strconv.FormatFloat(f, 'f', 2, 64)
	whole, cents, _ := strings.Cut(s, ".")
	return "$" + thousands(whole) + "." + cents
}

// thousands puts commas between groups of three digits.
func thousands(digits string) string {
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

package suggest

import "testing"

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "abc", 3}, {"kitten", "sitting", 3},
		{"form", "from", 1}, // a swap of two neighbours is one edit
		{"vaule", "value", 1}, {"totl", "total", 1}, {"café", "cafe", 1}, {"ca", "abc", 3},
	} {
		if got := EditDistance(c.a, c.b); got != c.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := EditDistance(c.b, c.a); got != c.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d (symmetric)", c.b, c.a, got, c.want)
		}
	}
}

func TestNearest(t *testing.T) {
	cands := []string{"total_conversions", "total_conversion_value", "total_null", "path"}
	for name, want := range map[string]string{
		"total_conversion_vaule": "total_conversion_value",
		"total_conversoins":      "total_conversions",
		"pth":                    "path",
		"path":                   "", // itself is no suggestion
		"revenue":                "", // too far from everything
		"x":                      "",
	} {
		if got := Nearest(name, cands); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestName(t *testing.T) {
	cands := []string{"job_title", "country", "demo_request", "email_click", "webinar_registered", "webinar_attended"}
	for name, want := range map[string]string{
		"title":        "job_title",    // the last word of a field
		"demo":         "demo_request", // the first word of an event type
		"JOB_TITLE":    "job_title",    // case
		"job-title":    "job_title",    // a dash for _
		"contry":       "country",      // a typo
		"countries":    "country",      // near enough by edit distance
		"lead_country": "country",      // a field's name in a longer one
		"click":        "email_click",
		"Job Title":    "job_title", // the same name but for case and a space
		"webinar":      "",          // the first word of two: a guess
		"at":           "",          // too short to match a word
		"revenue":      "",
	} {
		if got := Name(name, cands); got != want {
			t.Errorf("Name(%q) = %q, want %q", name, got, want)
		}
	}
}

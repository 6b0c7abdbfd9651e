package numfmt

import "testing"

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1234567: "1,234,567", -45000: "-45,000", 100000: "100,000"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestGroup(t *testing.T) {
	for s, want := range map[string]string{"0": "0", "999": "999", "1000": "1,000", "-1234567.25": "-1,234,567.25",
		"12345.678901": "12,345.678901", "0.5": "0.5", "-0.0": "-0.0", "": ""} {
		if got := Group(s); got != want {
			t.Errorf("Group(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n          int
		noun, want string
	}{
		{0, "training lead", "0 training leads"}, {1, "training lead", "1 training lead"}, {2, "training lead", "2 training leads"},
		{1, "more rule", "1 more rule"}, {5, "more rule", "5 more rules"}, {2, "entry", "2 entries"}, {2, "day", "2 days"},
		{3, "match", "3 matches"}, {1, "won deal", "1 won deal"}, {1200, "verdict", "1,200 verdicts"},
	} {
		if got := Count(c.n, c.noun); got != c.want {
			t.Errorf("Count(%d, %q) = %q, want %q", c.n, c.noun, got, c.want)
		}
	}
}

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

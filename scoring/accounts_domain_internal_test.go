package scoring

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/leadscore/leadscore/rules"
)

// readDomain's one-pass reading of a plain address gives what its steps
// give (addressOf, the checks for several addresses and for no name
// before the "@", domain), on random values built from the characters
// those steps look at: letters in both cases, "@", dots, brackets,
// commas, semicolons, spaces of ASCII and beyond, "www.", and an alias.
func TestPlainDomainIsTheStepsDomain(t *testing.T) {
	m, err := rules.CompileBytes("m.yaml", []byte(`leadscore: 1
model: m
fields:
  email: string
scores:
  s: {max: 10}
rules:
  - {id: r, score: s, points: 1, when: email != ""}
stages:
  - {id: hot, sales_ready: true, when: s > 5}
accounts:
  match:
    domain_from: email
    aliases: {acme.co.uk: acme.com}
  fields:
    domain: string
  scores:
    s: {max: 10}
  rules:
    - {id: a, score: s, points: 1, when: domain != ""}
  stages:
    - {id: ready, sales_ready: true, when: people() >= 1}
`))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewAccountScorer(m)
	if err != nil {
		t.Fatal(err)
	}
	parts := []string{"a", "B", "ann", "acme", "co", "uk", ".", "@", "@", "<", ">", ",", ";", " ", "\t", "\u00a0", "é", "www.", "acme.co.uk", "x.com", "-", "_", "0"}
	rng := rand.New(rand.NewPCG(7, 8))
	plain := 0
	for n := 0; n < 200000; n++ {
		var b strings.Builder
		for k := rng.IntN(9); k >= 0; k-- {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		v := b.String()
		if n%3 == 0 {
			// More plain addresses and near misses: parts of a plain
			// address around one "@", the alias among the domains.
			safe := []string{"a", "ann", "acme", ".", "-", "0", "x.com", "www.", "acme.co.uk", "B"}
			var l, d strings.Builder
			for k := rng.IntN(3); k >= 0; k-- {
				l.WriteString(safe[rng.IntN(len(safe))])
			}
			for k := rng.IntN(3); k >= 0; k-- {
				d.WriteString(safe[rng.IntN(len(safe))])
			}
			v = l.String() + "@" + d.String()
		}
		var got, want Person
		s.readDomain(&got, v)
		// The steps, as readDomain takes them for a value that is not plain.
		if t := addressOf(v); t != "" && !strings.Contains(t, "@") && !looksLikeDomain(t) {
			want.noDomain = t
		} else if severalAddresses(t) {
			want.several = t
		} else if noLocalPart(t) {
			want.noLocal = t
		} else {
			want.Domain = s.domain(t)
		}
		if got.Domain != want.Domain || got.noDomain != want.noDomain || got.several != want.several || got.noLocal != want.noLocal {
			t.Fatalf("%q: got domain %q (no domain %q, several %q, no name %q), the steps give %q (%q, %q, %q)", v,
				got.Domain, got.noDomain, got.several, got.noLocal, want.Domain, want.noDomain, want.several, want.noLocal)
		}
		if plainDomain(v) != "" {
			plain++
		}
	}
	if plain < 20000 {
		t.Fatalf("only %d plain addresses among the values: the one pass was hardly tried", plain)
	}
	if got := plainDomain("ann@acme.co.uk"); got != "acme.co.uk" {
		t.Fatalf("plainDomain(ann@acme.co.uk) = %q", got)
	}
}

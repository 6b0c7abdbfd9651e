package rules_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
)

func TestExprReadsClock(t *testing.T) {
	for src, want := range map[string]bool{
		`daysSince(created_at) < 30`:           true,
		`daysSinceLast("page_view") > 20`:      true,
		`title contains "know"`:                false, // "now" inside a string or a name is no reading
		`known_customer && events("demo") > 0`: false,
		`engagement >= 40`:                     false,
		`(`:                                    true, // one that does not parse is said to
	} {
		assert.Equal(t, want, rules.ExprReadsClock(src), src)
	}
}

func TestModelReadsClock(t *testing.T) {
	const head = `leadscore: 1
model: clock
fields: {title: string, created_at: time, known_customer: bool}
event_types: [demo]
scores:
  engagement: {max: 100}
rules:
  - {id: demo, score: engagement, event: demo, points: 40, within: 30d}
`
	for name, c := range map[string]struct {
		tail string
		want bool
	}{
		"no clock":        {"stages:\n  - {id: sql, sales_ready: true, when: engagement >= 40 && known_customer}\n", false},
		"stage reads it":  {"stages:\n  - {id: sql, sales_ready: true, when: engagement >= 40 && daysSince(created_at) < 90}\n", true},
		"define reads it": {"define:\n  fresh: daysSince(created_at) < 30\nstages:\n  - {id: sql, sales_ready: true, when: engagement >= 40}\n", true},
	} {
		m, err := rules.CompileBytes("clock.yaml", []byte(head+c.tail))
		require.NoError(t, err, name)
		assert.Equal(t, c.want, m.ReadsClock(), name)
	}
}

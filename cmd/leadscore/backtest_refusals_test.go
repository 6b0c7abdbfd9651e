package main

import (
	"bufio"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// backtest refuses the same leads whatever the flags that change how it
// replays a lead: --strict-data refuses a lead with undeclared event data
// with --capacity as without (a score at T0 taken from the capacity
// replay, which reads only the events rules read, once let such a lead
// through).
func TestBacktestStrictDataRefusesWithCapacity(t *testing.T) {
	f, err := os.Open(td("backtest/leads.ndjson"))
	require.NoError(t, err)
	defer f.Close()
	var b strings.Builder
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	altered := 0
	for n := 0; sc.Scan() && n < 400; n++ {
		var lead map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &lead))
		if n%10 == 0 { // an event of a type the model does not declare, before T0
			evs, _ := lead["events"].([]any)
			lead["events"] = append(evs, map[string]any{"type": "chat_started", "at": "2026-05-01T00:00:00Z"})
			altered++
		}
		line, err := json.Marshal(lead)
		require.NoError(t, err)
		b.Write(line)
		b.WriteByte('\n')
	}
	leads := writeTemp(t, "leads.ndjson", b.String())
	failed := regexp.MustCompile(`(\d+) failed`)
	counts := map[string]string{}
	for name, extra := range map[string][]string{"plain": nil, "capacity": {"--capacity", "40/week"}} {
		args := append([]string{"backtest", "--strict-data", "--model", td("b2b-saas.yaml"), "--outcomes", td("backtest/outcomes.csv"), "--at", "2026-07-01", "--until", "2026-10-01"}, extra...)
		code, _, stderr := leadscore(t, "", append(args, leads)...)
		require.Equal(t, 1, code, "%s: leads failed, so exit 1\n%s", name, stderr)
		m := failed.FindStringSubmatch(stderr)
		require.NotNil(t, m, "%s: a count of failed leads\n%s", name, stderr)
		counts[name] = m[1]
	}
	require.Equal(t, counts["plain"], counts["capacity"], "the same leads refused with --capacity as without")
	require.NotEqual(t, "0", counts["plain"])
	t.Logf("%d leads altered; %s refused", altered, counts["plain"])
}

package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// createdFieldInputs are an account whose CTO signed up (signed_up, a
// time field of the model) on 2026-12-01, after the as-of time
// 2026-10-01, but was active on 2026-09-21: read from --created-field
// signed_up, the CTO is not yet one of A1's people; without it (no
// created_at, so its first event) it is. Its VP signed up 2026-09-01.
func createdFieldInputs(t *testing.T) (model, accounts, leads string) {
	src, err := os.ReadFile(td("accounts/attribution/model.yaml"))
	require.NoError(t, err)
	require.Contains(t, string(src), "  country: string\n")
	model = writeTemp(t, "model.yaml", strings.Replace(string(src), "  country: string\n", "  country: string\n  signed_up: time\n", 1))
	accounts = writeTemp(t, "accounts.ndjson", `{"id":"A1","domain":"acme.com","industry":"Software","employees":1200}
`)
	leads = writeTemp(t, "leads.ndjson", `{"id":"L1","email":"ana@acme.com","title":"VP Engineering","country":"US","signed_up":"2026-09-01T00:00:00Z","events":[{"type":"demo_request","at":"2026-09-20T10:00:00Z"}]}
{"id":"L2","email":"cto@acme.com","title":"CTO","country":"US","signed_up":"2026-12-01T00:00:00Z","events":[{"type":"page_view","at":"2026-09-21T10:00:00Z","url":"/pricing"}]}
`)
	return model, accounts, leads
}

// --created-field is read by every command that applies the accounts'
// rule of membership, with the same meaning as backtest's: score
// --accounts, explain --account, diff --accounts and report --accounts
// leave out the CTO with it, and count it without it.
func TestCreatedFieldEverywhere(t *testing.T) {
	model, accounts, leads := createdFieldInputs(t)
	people := func(t *testing.T, out string) float64 {
		var r map[string]any
		require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(out)), &r), out)
		return r["people"].(float64)
	}
	base := []string{"--model", model, "--accounts", accounts, "--at", "2026-10-01"}
	for _, tc := range []struct {
		flags []string
		want  float64
	}{{nil, 2}, {[]string{"--created-field", "signed_up"}, 1}} {
		code, out, errOut := leadscore(t, "", append(append([]string{"score"}, base...), append(tc.flags, leads)...)...)
		require.Equal(t, exitOK, code, errOut)
		assert.Equal(t, tc.want, people(t, out), "score %v", tc.flags)
		assert.NotContains(t, errOut, "signed_up")

		code, out, errOut = leadscore(t, "", append(append([]string{"explain", "--account", "A1", "--format", "json"}, base...), append(tc.flags, leads)...)...)
		require.Equal(t, exitOK, code, errOut)
		assert.Equal(t, tc.want, people(t, out), "explain %v", tc.flags)

		code, out, errOut = leadscore(t, "", append([]string{"report", "--model", model, "--accounts", accounts, "--at", "2026-10-01", "--leads", leads, "--format", "json"}, tc.flags...)...)
		require.Equal(t, exitOK, code, errOut)
		var rep struct {
			Accounts struct {
				Top []struct {
					ID     string `json:"id"`
					People int    `json:"people"`
				}
			}
		}
		require.NoError(t, json.Unmarshal([]byte(out), &rep))
		require.Len(t, rep.Accounts.Top, 1)
		assert.EqualValues(t, tc.want, rep.Accounts.Top[0].People, "report %v", tc.flags)
		// The page's attribution leaves out the leads the flag says were
		// created after the as-of time, as attribute does: the CTO's
		// journey is not one of it with the flag (1 journey), is without
		// it (2).
		var page struct {
			Attribution struct {
				Total struct {
					Funnel struct {
						Touched int `json:"touched"`
					} `json:"funnel"`
				} `json:"total"`
			} `json:"attribution"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &page))
		assert.EqualValues(t, tc.want, page.Attribution.Total.Funnel.Touched, "report's attribution %v", tc.flags)
		code, aout, errOut := leadscore(t, "", append([]string{"attribute", "--model", model, "--leads", leads, "--at", "2026-10-01", "--format", "json"}, tc.flags...)...)
		require.Equal(t, exitOK, code, errOut)
		var alone struct {
			Total struct {
				Funnel json.RawMessage `json:"funnel"`
			} `json:"total"`
		}
		require.NoError(t, json.Unmarshal([]byte(aout), &alone))
		var pageFunnel struct {
			Attribution struct {
				Total struct {
					Funnel json.RawMessage `json:"funnel"`
				} `json:"total"`
			} `json:"attribution"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &pageFunnel))
		assert.JSONEq(t, string(alone.Total.Funnel), string(pageFunnel.Attribution.Total.Funnel), "report's attribution %v against attribute's", tc.flags)
	}
	code, _, errOut := leadscore(t, "", "score", "--model", model, "--accounts", accounts, "--at", "2026-10-01", "--created-field", "signed_up", leads)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "(1 lead of the matched created after the as-of time")

	// diff --accounts: the same model on both sides compares the same
	// people; the CTO is counted as not yet created only with the flag.
	code, _, errOut = leadscore(t, "", "diff", model, model, "--leads", leads, "--accounts", accounts, "--at", "2026-10-01", "--format", "json", "--created-field", "signed_up")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "1 lead of the matched created after the as-of time (2026-10-01T00:00:00Z), so not yet their account's people")
	code, _, errOut = leadscore(t, "", "diff", model, model, "--leads", leads, "--accounts", accounts, "--at", "2026-10-01", "--format", "json")
	require.Equal(t, exitOK, code, errOut)
	assert.NotContains(t, errOut, "created after the as-of time")
}

// --created-field is checked as backtest checks it: a field the model has,
// of type time, and only where it means something.
func TestCreatedFieldChecked(t *testing.T) {
	model, accounts, leads := createdFieldInputs(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"score", "--model", model, "--accounts", accounts, "--created-field", "signedup", leads}, `--created-field signedup: the model has no field "signedup"; did you mean "signed_up"?`},
		{[]string{"score", "--model", model, "--accounts", accounts, "--created-field", "country", leads}, "--created-field country: the field country is string, not a time"},
		{[]string{"score", "--model", model, "--accounts", accounts, "--created-field", "nope", leads}, `--created-field nope: the model has no field "nope"; the model's time fields are signed_up; name the one that holds when a lead was created`},
		{[]string{"score", "--model", model, "--created-field", "signed_up", leads}, "--created-field goes with --accounts"},
		{[]string{"explain", "--model", model, "--account", "A1", "--accounts", accounts, "--created-field", "signedup", leads}, `the model has no field "signedup"`},
		{[]string{"explain", "--model", model, "--id", "L1", "--created-field", "signed_up", leads}, "--created-field goes with --account"},
		{[]string{"diff", model, model, "--leads", leads, "--accounts", accounts, "--created-field", "country"}, "the field country is string, not a time"},
		{[]string{"diff", model, model, "--leads", leads, "--created-field", "signed_up"}, "--created-field goes with --accounts"},
		{[]string{"report", "--model", model, "--leads", leads, "--created-field", "signedup"}, `the model has no field "signedup"`},
		{[]string{"report", "--model", model, "--leads", leads, "--accounts", accounts, "--created-field", "signedup"}, `the model has no field "signedup"`},
	} {
		code, _, errOut := leadscore(t, "", tc.args...)
		assert.Equal(t, exitUsage, code, "%v: %s", tc.args, errOut)
		assert.Contains(t, errOut, tc.want, tc.args)
	}
	// --created-field created_at, named, is read as the default is, though
	// the model does not declare it (it was refused).
	for _, named := range [][]string{nil, {"--created-field", "created_at"}} {
		code, _, errOut := leadscore(t, "", append([]string{"score", "--model", model, "--accounts", accounts, "--at", "2026-10-01"}, append(named, leads)...)...)
		assert.Equal(t, exitOK, code, "%v: %s", named, errOut)
	}
}

// backtest --accounts --created-field reads people's creation from the
// field for the membership of the snapshot (the library's Person read
// created_at whatever the flag said).
func TestBacktestAccountsCreatedField(t *testing.T) {
	model, accounts, leads := createdFieldInputs(t)
	code, _, errOut := leadscore(t, "", "backtest", "--model", model, "--accounts", accounts, "--at", "2026-10-01", "--outcomes", td("accounts/outcomes.csv"),
		"--leads", leads, "--created-field", "signed_up", "--format", "json")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "(1 person at T0 + 1 created after T0)")
}

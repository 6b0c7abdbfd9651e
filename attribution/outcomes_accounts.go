package attribution

import (
	"io"
	"sort"
	"strings"
)

// ReadAccountOutcomes reads CRM outcomes of accounts, as ReadOutcomes reads
// those of leads: a CSV with account_id, opportunity, won, revenue and
// optionally lost, one row an account (the account's deal: won
// opportunities are account-level outcomes). A bad row, and an account's
// second row, is passed to onError with its line and left out; the error
// is for a file that cannot be read at all.
func ReadAccountOutcomes(r io.Reader, onError func(line int, err error)) (map[string]Outcome, Counts, error) {
	return readOutcomes(r, "account_id", "account", onError)
}

// NearAccountIDs finds, among ids (of outcome rows) that are not account
// ids, those that differ from one only in case or in spaces around or
// within them: they are most likely that account's, written another way.
// It returns them sorted, each with the account id it is near.
func NearAccountIDs(ids []string, accounts []string) []NearID {
	byKey := map[string]string{}
	is := map[string]bool{}
	for _, a := range accounts {
		byKey[idKey(a)] = a
		is[a] = true
	}
	var out []NearID
	for _, id := range ids {
		if is[id] {
			continue
		}
		if a, ok := byKey[idKey(id)]; ok {
			out = append(out, NearID{ID: id, Account: a})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// NearID is an outcome's account id near an account's (see NearAccountIDs).
type NearID struct {
	ID      string `json:"id"`
	Account string `json:"did_you_mean"`
}

func idKey(id string) string { return strings.ToLower(strings.Join(strings.Fields(id), "")) }

package attribution

import "io"

// ReadAccountOutcomes reads CRM outcomes of accounts, as ReadOutcomes reads
// those of leads: a CSV with account_id, opportunity, won, revenue and
// optionally lost, one row an account (the account's deal: won
// opportunities are account-level outcomes). A bad row, and an account's
// second row, is passed to onError with its line and left out; the error
// is for a file that cannot be read at all.
func ReadAccountOutcomes(r io.Reader, onError func(line int, err error)) (map[string]Outcome, Counts, error) {
	return readOutcomes(r, "account_id", "account", onError)
}

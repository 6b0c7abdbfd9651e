package review

import "encoding/json"

// AccountImpact is an Impact of accounts rather than leads: each of its
// counts is of accounts, a LeadChange is an account (its id, its line in
// the accounts file), and its JSON says so ("accounts" where an Impact of
// leads says "leads").
type AccountImpact struct {
	Impact *Impact
	// Leads counts the leads as the new version matched them, when known.
	Leads *AccountLeads
}

// AccountLeads reconcile the leads of an account impact under the new
// version: Added = ByID + ByDomain + Unmatched + Failed, and NotCreated of
// the matched were created after the as-of time, so are not yet their
// account's people. The keys are those of backtest --accounts' leads.
type AccountLeads struct {
	Added      int `json:"added"`
	Matched    int `json:"matched"`
	ByID       int `json:"matched_by_id"`
	ByDomain   int `json:"matched_by_domain"`
	Unmatched  int `json:"unmatched"`
	Failed     int `json:"failed"`
	People     int `json:"people"`
	NotCreated int `json:"not_created"`
}

// accountImpactJSON is an Impact's JSON with its counts named for accounts.
type accountImpactJSON struct {
	Accounts      int            `json:"accounts"`
	Failed        int            `json:"failed"`
	SalesReadyOld int            `json:"sales_ready_old"`
	SalesReadyNew int            `json:"sales_ready_new"`
	Moves         []accountMove  `json:"moves"`
	Started       []LeadChange   `json:"started"`
	Stopped       []LeadChange   `json:"stopped"`
	Distribution  []Distribution `json:"distribution"`
	Show          []string       `json:"show,omitempty"`
	Leads         *AccountLeads  `json:"leads,omitempty"`
}

type accountMove struct {
	From      string `json:"from"`
	To        string `json:"to"`
	Accounts  int    `json:"accounts"`
	Direction string `json:"direction"`
}

// MarshalJSON writes the impact with its counts named for accounts.
func (a AccountImpact) MarshalJSON() ([]byte, error) {
	im := a.Impact
	if im == nil {
		return []byte("null"), nil
	}
	out := accountImpactJSON{Accounts: im.Leads, Failed: im.Failed, SalesReadyOld: im.SalesReadyOld, SalesReadyNew: im.SalesReadyNew,
		Started: im.Started, Stopped: im.Stopped, Distribution: im.Distribution, Show: im.Show, Moves: []accountMove{}, Leads: a.Leads}
	for _, m := range im.Moves {
		out.Moves = append(out.Moves, accountMove{From: m.From, To: m.To, Accounts: m.Leads, Direction: m.Direction})
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (a *AccountImpact) UnmarshalJSON(data []byte) error {
	var in accountImpactJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	im := &Impact{Leads: in.Accounts, Failed: in.Failed, SalesReadyOld: in.SalesReadyOld, SalesReadyNew: in.SalesReadyNew,
		Started: in.Started, Stopped: in.Stopped, Distribution: in.Distribution, Show: in.Show}
	for _, m := range in.Moves {
		im.Moves = append(im.Moves, Move{From: m.From, To: m.To, Leads: m.Accounts, Direction: m.Direction})
	}
	a.Impact, a.Leads = im, in.Leads
	return nil
}

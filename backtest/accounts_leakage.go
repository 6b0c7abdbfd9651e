package backtest

import (
	"fmt"

	"github.com/leadscore/leadscore/rules"
)

// AccountRuleSignal is one account rule or gate against the outcome: on
// how many accounts of the backtest it fired at T0, won or not, and
// whether it is suspected of leakage.
type AccountRuleSignal struct {
	Rule string `json:"rule"`
	Gate bool   `json:"gate"`
	// Fired counts the accounts in the backtest it fired on at T0 (for a
	// gate: stopped), FiredWon those of them won in the window, WinRate
	// their ratio (nil when it fired on none).
	Fired    int      `json:"fired"`
	FiredWon int      `json:"fired_won"`
	WinRate  *float64 `json:"win_rate"`
	// Leakage says why it is suspected of reading values from after T0,
	// or is empty.
	Leakage string `json:"leakage,omitempty"`
	// Check, for a gate that stopped accounts that went on to win, too
	// few (under MinRuleWon) to suspect leakage, says what to check.
	Check string `json:"check,omitempty"`
}

// accountLeakWhy is what every account leakage warning says the cause may be.
const accountLeakWhy = "leakage suspected: the accounts file may hold values from after T0 (such as customer set when the deal was won)"

// accountSignals counts, for each account rule and gate, the accounts it
// fired on, won and not, and suspects leakage as the lead backtest does
// for rules (they fire nearly only on won accounts: LeakWinRate of those
// it fired on won, on at least MinRuleWon; or LeakShareWon of the won and
// at most 1-LeakShareWon of the rest) and, for a gate, when the accounts
// it stopped won at least as often as the backtest's (at least MinRuleWon
// won; with fewer, Check says what to look at):
// a gate stops accounts that should not be handed over, so accounts it
// stops going on to win suggest the field it reads was set by the win.
func accountSignals(am *rules.Model, recs []*accountRec, won int) []AccountRuleSignal {
	n := len(recs)
	var out []AccountRuleSignal
	add := func(id string, gate bool, fired func(*accountRec) bool) {
		s := AccountRuleSignal{Rule: id, Gate: gate}
		for _, l := range recs {
			if fired(l) {
				s.Fired++
				if l.won {
					s.FiredWon++
				}
			}
		}
		s.WinRate = ratio(float64(s.FiredWon), float64(s.Fired))
		notWon := n - won
		switch {
		case gate && s.FiredWon > 0 && s.FiredWon < MinRuleWon && float64(s.FiredWon)*float64(n) >= float64(won)*float64(s.Fired):
			s.Check = fmt.Sprintf("gate %s stopped %s at T0, %d of them won after (%s), where %s of all accounts won: too few won deals to suspect leakage (at least %d are needed), but a gate stops accounts that should not be sold to, so check that the fields it reads are as they stood at T0",
				id, plural(s.Fired, "account"), s.FiredWon, pct(s.WinRate), pct(ratio(float64(won), float64(n))), MinRuleWon)
		case gate && s.FiredWon >= MinRuleWon && float64(s.FiredWon)*float64(n) >= float64(won)*float64(s.Fired):
			s.Leakage = fmt.Sprintf("gate %s stopped %s at T0, %d of them won after (%s), where %s of all accounts won: %s",
				id, plural(s.Fired, "account"), s.FiredWon, pct(s.WinRate), pct(ratio(float64(won), float64(n))), accountLeakWhy)
		case !gate && s.FiredWon >= MinRuleWon && float64(s.FiredWon) >= LeakWinRate*float64(s.Fired):
			s.Leakage = fmt.Sprintf("rule %s fired on %s at T0, %d of them won after (%s), where %s of all accounts won: %s",
				id, plural(s.Fired, "account"), s.FiredWon, pct(s.WinRate), pct(ratio(float64(won), float64(n))), accountLeakWhy)
		case !gate && s.FiredWon >= MinRuleWon && float64(s.FiredWon) >= LeakShareWon*float64(won) && float64(s.Fired-s.FiredWon) <= (1-LeakShareWon)*float64(notWon):
			s.Leakage = fmt.Sprintf("rule %s fired on %d of the %d won accounts and on %d of the other %d: too clean a split for a sign before the sale; %s",
				id, s.FiredWon, won, s.Fired-s.FiredWon, notWon, accountLeakWhy)
		}
		out = append(out, s)
	}
	for _, r := range am.Rules {
		add(r.ID, false, func(l *accountRec) bool { return l.fired[r.ID] })
	}
	for _, r := range am.Gates {
		add(r.ID, true, func(l *accountRec) bool { return l.gates[r.ID] })
	}
	return out
}

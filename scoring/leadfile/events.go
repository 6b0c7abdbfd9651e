package leadfile

import (
	"errors"
	"fmt"

	"github.com/leadscore/leadscore/rules"
)

// MissingEventsError is the error of CSV leads read without an events file
// by a model that counts events: every lead would be scored as if it had
// done nothing, without a word.
type MissingEventsError struct {
	File     string // the leads file
	Model    string
	Rules    int // the model's event rules and gates
	Counters int // its event counters: events("type"), daysSinceLast("type")
	// Flag is the option that gives the events file, for the message
	// ("--events" when empty).
	Flag string
}

func (e *MissingEventsError) Error() string {
	where := plural(e.Rules, "rule")
	switch {
	case e.Rules == 0:
		where = plural(e.Counters, "expression")
	case e.Counters > 0:
		where += " and " + plural(e.Counters, "expression")
	}
	flag := e.Flag
	if flag == "" {
		flag = "--events"
	}
	return fmt.Sprintf("%s: CSV leads carry no events, and the model %s counts events in %s, so every lead would be scored as if it had done nothing; give the events file that goes with them (%s EVENTS.csv), or, if these leads truly have none, say so (--no-events)",
		e.File, e.Model, where, flag)
}

// EventReaders counts what of the model reads events: its event rules and
// gates, and its event counters (events("type"), daysSinceLast("type")).
func EventReaders(m *rules.Model) (eventRules, counters int) {
	for _, r := range m.Rules {
		if r.IsEvent() {
			eventRules++
		}
	}
	for _, r := range m.Gates {
		if r.IsEvent() {
			eventRules++
		}
	}
	return eventRules, len(m.EventAggregates())
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// ErrNoID fails a row without a lead id: its result could not be joined
// back to the CRM, nor its outcomes, verdicts or events found.
var ErrNoID = errors.New(`the lead has no id; give every row its id (the "id" key in JSON, the id column in CSV), so that its result can be joined back to the CRM`)

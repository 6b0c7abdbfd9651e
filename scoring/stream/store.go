package stream

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/leadscore/leadscore/scoring"
)

// Fingerprint returns the fingerprint of the model parts a stored state
// depends on (see Marshal): a store of states made under a Scorer with
// another fingerprint holds states Load refuses with ErrModelChanged.
func (sc *Scorer) Fingerprint() string { return sc.fingerprint }

// Store keeps leads' states, and what a consumer needs beside them to
// resume after a restart, in a database: a Go backend implements it on its
// own database, boltstore.Open keeps it in one file, NewMemoryStore in
// memory for tests.
//
// Everything an Update's function puts is committed together, or nothing
// is: a consumer puts the states an input changed, the sequence number of
// the changes it reports and how far it read in one transaction, and
// reports the changes after the commit, so that a restart neither loses
// nor doubles an event (see Lead.Applied and Meta).
type Store interface {
	// View runs fn in a read-only transaction.
	View(fn func(Tx) error) error
	// Update runs fn in a read-write transaction, committed when fn
	// returns nil and rolled back when it returns an error (returned).
	Update(fn func(Tx) error) error
	// Each calls fn with every lead kept, in order of lead id, in one
	// read-only transaction; an error from fn stops it and is returned.
	Each(fn func(Lead) error) error
	// Close releases the store.
	Close() error
}

// Tx is a transaction of a Store. It is valid only inside the function
// given to View or Update, and sees the puts made before it.
type Tx interface {
	// Lead returns the lead kept under id; ok is false when there is none.
	Lead(id string) (l Lead, ok bool, err error)
	// Put keeps l under l.ID, replacing what was kept.
	Put(l Lead) error
	// Meta returns the store's meta data (the zero Meta for a new store).
	Meta() (Meta, error)
	// SetMeta replaces the store's meta data.
	SetMeta(m Meta) error
	// Pending returns the reported changes not yet known to be written
	// (see Meta.Written), by sequence number.
	Pending() ([]Pending, error)
	// AddPending keeps a change to report, under its sequence number.
	AddPending(p Pending) error
	// DropPending forgets the pending changes up to seq (included).
	DropPending(seq uint64) error
}

// Lead is what a Store keeps of one lead.
type Lead struct {
	ID string `json:"id"`
	// State is the lead's State as Marshal writes it; nil before its
	// first event.
	State json.RawMessage `json:"state,omitempty"`
	// Fields is the lead's current fields, a JSON object in the shape of
	// a lead line without its id and events; nil when none were given.
	Fields json.RawMessage `json:"fields,omitempty"`
	// Dispositions are sales' verdicts on the lead.
	Dispositions []scoring.Disposition `json:"dispositions,omitempty"`
	// Applied holds the ids of the latest inputs applied to the lead
	// (events, and updates that carry an id), oldest first, at most a
	// window of them (see Apply): an input whose id is among them was
	// applied already.
	Applied []string `json:"applied,omitempty"`
	// Sums are the content sums (ContentSum) of the inputs in Applied, one
	// each, 0 where none was kept (an input applied by Apply, or by a
	// store written before sums were kept); nil when none was.
	Sums []uint64 `json:"sums,omitempty"`
	// Standing is where the lead stood when its result was last reported;
	// nil before that.
	Standing *Standing `json:"standing,omitempty"`
	// Next is the time of the lead's next re-check (State.NextChange); the
	// zero time when its stage and grade change with no new event no more.
	Next time.Time `json:"next,omitzero"`

	// What Accounts keeps of the lead as a person of an account.
	//
	// Active is the time of the lead's latest event of any type (see
	// SawEvent); the account's engaged and roll-up windows read it.
	Active time.Time `json:"active,omitzero"`
	// First is the time of the lead's earliest event (see SawEvent): when
	// it came, for a lead with no creation time, which a holdout with a
	// start reads. Zero for a lead stored with events by a version that
	// did not keep it.
	First time.Time `json:"first,omitzero"`
	// Account is the id of the account the lead was matched to, and
	// Matched how (scoring.MatchedByID or scoring.MatchedByDomain); when it
	// matched none, Account is empty and Unmatched says why.
	Account   string `json:"account,omitempty"`
	Matched   string `json:"matched,omitempty"`
	Unmatched string `json:"unmatched,omitempty"`
}

// SawEvent notes an event of the lead at the given time, of any type, for
// its latest activity (Active) and its earliest (First).
func (l *Lead) SawEvent(at time.Time) {
	if at.After(l.Active) {
		l.Active = at.UTC()
	}
	if !at.IsZero() && (l.First.IsZero() || at.Before(l.First)) {
		l.First = at.UTC()
	}
}

// Standing is what a change of a lead's result is judged on: its stage,
// grade and whether it is sales-ready.
type Standing struct {
	Stage      string `json:"stage"`
	Grade      string `json:"grade"`
	SalesReady bool   `json:"sales_ready"`
}

// StandingOf returns the standing of a result.
func StandingOf(r *scoring.Result) Standing {
	return Standing{Stage: r.Stage, Grade: r.Grade, SalesReady: r.SalesReady}
}

// DefaultWindow is how many applied ids a lead keeps unless a consumer
// says otherwise: an input delivered again after that many newer ones of
// the same lead is applied again.
const DefaultWindow = 1000

// Seen reports whether an input with this id was applied to the lead
// (within the window of ids kept).
func (l *Lead) Seen(id string) bool { return slices.Contains(l.Applied, id) }

// SeenAs reports whether an input with this id was applied to the lead
// (within the window of ids kept), and whether it came then with other
// content: its content sum was kept and is not sum.
func (l *Lead) SeenAs(id string, sum uint64) (seen, other bool) {
	i := slices.Index(l.Applied, id)
	if i < 0 {
		return false, false
	}
	if i < len(l.Sums) && l.Sums[i] != 0 && sum != 0 {
		return true, l.Sums[i] != sum
	}
	return true, false
}

// Apply records an input's id as applied, keeping the latest window ids
// (DefaultWindow when window <= 0).
func (l *Lead) Apply(id string, window int) { l.ApplySum(id, 0, window) }

// ApplySum records an input's id as applied with the sum of its content
// (ContentSum), keeping the latest window ids (DefaultWindow when window
// <= 0): an input of that id with other content is then told apart from
// the same input delivered again (SeenAs).
func (l *Lead) ApplySum(id string, sum uint64, window int) {
	if window <= 0 {
		window = DefaultWindow
	}
	if sum != 0 || l.Sums != nil {
		// The ids applied before sums were kept have none (0).
		for len(l.Sums) < len(l.Applied) {
			l.Sums = append(l.Sums, 0)
		}
		l.Sums = append(l.Sums[:len(l.Applied)], sum)
	}
	l.Applied = append(l.Applied, id)
	if n := len(l.Applied) - window; n > 0 {
		l.Applied = slices.Delete(l.Applied, 0, n)
		if l.Sums != nil {
			l.Sums = slices.Delete(l.Sums, 0, n)
		}
	}
}

// ContentSum is the sum of an input line's content, its object without
// its lead_id and id: the same event delivered again, its keys in any
// order, its times written in another zone or precision (RFC 3339), has
// the same sum; an event of that id with another type, time or field,
// another. Never 0.
func ContentSum(obj map[string]any) uint64 {
	rest := make(map[string]any, len(obj))
	for k, v := range obj {
		if k != "lead_id" && k != "id" {
			rest[k] = canonical(v)
		}
	}
	b, err := json.Marshal(rest) // keys sorted
	if err != nil {
		b = fmt.Appendf(nil, "%v", rest)
	}
	h := fnv.New64a()
	h.Write(b)
	if sum := h.Sum64(); sum != 0 {
		return sum
	}
	return 1
}

// canonical is v with every text that is an RFC 3339 time written as its
// instant in UTC, so that a time says the same however it is written.
func canonical(v any) any {
	switch v := v.(type) {
	case string:
		if len(v) >= 20 && v[4] == '-' {
			if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
				return t.UTC().Format(time.RFC3339Nano)
			}
		}
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = canonical(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = canonical(x)
		}
		return out
	}
	return v
}

// OtherContentError is the error of an input whose id was applied to its
// lead before with other content.
func OtherContentError(leadID, id string) error {
	return fmt.Errorf("lead %s: the line's id %s was applied before with other content (another type, time or field): an id names one input, and a stream cannot take back what it applied; give another input an id of its own, or, to correct the first, rescore the lead with leadscore score over its corrected history", leadID, id)
}

// Account is what a Store keeps of one account for Accounts: its people
// and where it stood when its result was last reported.
type Account struct {
	ID string `json:"id"`
	// People are the ids of the leads matched to the account, in order.
	People []string `json:"people"`
	// Standing is where the account stood when its result was last
	// reported; nil before that.
	Standing *AccountStanding `json:"standing,omitempty"`
	// Next is the time of the account's next re-check (Accounts.Recheck);
	// the zero time when nothing changes its stage or grade with no new line.
	Next time.Time `json:"next,omitzero"`
	// Fields are the account's own fields it was last scored with (its
	// row of the accounts given), so that a restart with an edited
	// accounts file can say what changed (Accounts.Edited); nil in a
	// store written before they were kept.
	Fields map[string]any `json:"fields,omitempty"`
}

// AccountStanding is what a change of an account's result is judged on
// (its stage, grade and whether it is sales-ready), with its score and
// the moment it became sales-ready.
type AccountStanding struct {
	Stage      string  `json:"stage"`
	Grade      string  `json:"grade"`
	Score      float64 `json:"score"`
	SalesReady bool    `json:"sales_ready"`
	// SalesReadyAt is when the account was found sales-ready: the time of
	// the change that made it so, the stream's clock then (a late event
	// that made it so does not back-date it); the zero time when it is not.
	SalesReadyAt time.Time `json:"sales_ready_at,omitzero"`
}

// AccountTx is a Tx that keeps accounts too: the transactions of
// NewMemoryStore and of boltstore are. Accounts needs one.
type AccountTx interface {
	Tx
	// Account returns the account kept under id; ok is false when there is none.
	Account(id string) (a Account, ok bool, err error)
	// PutAccount keeps a under a.ID, replacing what was kept.
	PutAccount(a Account) error
}

// AccountStore is a Store that keeps accounts too (its transactions are
// AccountTxs).
type AccountStore interface {
	Store
	// EachAccount calls fn with every account kept, in order of id, in
	// one read-only transaction; an error from fn stops it and is returned.
	EachAccount(fn func(Account) error) error
}

// Meta is what a consumer keeps beside the states, committed with them.
type Meta struct {
	// Model and Fingerprint name the model the states were stored under
	// (Scorer.Fingerprint): states of another fingerprint must be rebuilt.
	Model       string `json:"model,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	// Accounts is the fingerprint of the accounts the leads were matched
	// to (Accounts.Fingerprint); empty when they were matched to none.
	Accounts string `json:"accounts,omitempty"`
	// Seq is the sequence number of the latest change reported, and
	// Written the latest known to be written out: the changes in between
	// are pending and are written again after a restart.
	Seq     uint64 `json:"seq"`
	Written uint64 `json:"written"`
	// Offset and Line are how far the input was read: its bytes and lines
	// taken, for a restart from there.
	Offset int64 `json:"offset"`
	Line   int64 `json:"line"`
	// Clock is the latest event time seen (the event clock).
	Clock time.Time `json:"clock,omitzero"`
}

// Pending is a reported change, kept with the state change that made it
// until it is known to be written.
type Pending struct {
	Seq  uint64          `json:"seq"`
	Line json.RawMessage `json:"line"`
}

// MemoryStore is a Store in memory, for tests and for programs that keep
// states only while they run. It is safe for concurrent use.
type MemoryStore struct {
	mu       sync.RWMutex
	leads    map[string]Lead
	accounts map[string]Account
	meta     Meta
	pending  map[uint64]Pending
	closed   bool
}

// NewMemoryStore returns an empty store in memory.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{leads: map[string]Lead{}, accounts: map[string]Account{}, pending: map[uint64]Pending{}}
}

// memTx is a transaction of a MemoryStore: its puts sit in an overlay until
// the commit.
type memTx struct {
	s        *MemoryStore
	write    bool
	leads    map[string]Lead
	accounts map[string]Account
	meta     *Meta
	pending  map[uint64]Pending
	dropUpTo uint64
}

var errClosed = fmt.Errorf("the store is closed")

// View runs fn in a read-only transaction.
func (s *MemoryStore) View(fn func(Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errClosed
	}
	return fn(&memTx{s: s})
}

// Update runs fn in a transaction, committed when fn returns nil.
func (s *MemoryStore) Update(fn func(Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	tx := &memTx{s: s, write: true, leads: map[string]Lead{}, accounts: map[string]Account{}, pending: map[uint64]Pending{}}
	if err := fn(tx); err != nil {
		return err
	}
	maps.Copy(s.leads, tx.leads)
	maps.Copy(s.accounts, tx.accounts)
	if tx.meta != nil {
		s.meta = *tx.meta
	}
	maps.DeleteFunc(s.pending, func(seq uint64, _ Pending) bool { return seq <= tx.dropUpTo })
	for seq, p := range tx.pending {
		if seq > tx.dropUpTo {
			s.pending[seq] = p
		}
	}
	return nil
}

// Each calls fn with every lead, in order of lead id.
func (s *MemoryStore) Each(fn func(Lead) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errClosed
	}
	for _, id := range slices.Sorted(maps.Keys(s.leads)) {
		if err := fn(cloneLead(s.leads[id])); err != nil {
			return err
		}
	}
	return nil
}

// EachAccount calls fn with every account, in order of id.
func (s *MemoryStore) EachAccount(fn func(Account) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errClosed
	}
	for _, id := range slices.Sorted(maps.Keys(s.accounts)) {
		if err := fn(cloneAccount(s.accounts[id])); err != nil {
			return err
		}
	}
	return nil
}

// Close releases the store; it cannot be used after.
func (s *MemoryStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

func (tx *memTx) Lead(id string) (Lead, bool, error) {
	if l, ok := tx.leads[id]; ok {
		return cloneLead(l), true, nil
	}
	l, ok := tx.s.leads[id]
	return cloneLead(l), ok, nil
}

var errReadOnly = fmt.Errorf("a read-only transaction cannot write")

func (tx *memTx) Put(l Lead) error {
	if !tx.write {
		return errReadOnly
	}
	if l.ID == "" {
		return fmt.Errorf("a lead needs an id to be stored")
	}
	tx.leads[l.ID] = cloneLead(l)
	return nil
}

func (tx *memTx) Account(id string) (Account, bool, error) {
	if a, ok := tx.accounts[id]; ok {
		return cloneAccount(a), true, nil
	}
	a, ok := tx.s.accounts[id]
	return cloneAccount(a), ok, nil
}

func (tx *memTx) PutAccount(a Account) error {
	if !tx.write {
		return errReadOnly
	}
	if a.ID == "" {
		return fmt.Errorf("an account needs an id to be stored")
	}
	tx.accounts[a.ID] = cloneAccount(a)
	return nil
}

func (tx *memTx) Meta() (Meta, error) {
	if tx.meta != nil {
		return *tx.meta, nil
	}
	return tx.s.meta, nil
}

func (tx *memTx) SetMeta(m Meta) error {
	if !tx.write {
		return errReadOnly
	}
	tx.meta = &m
	return nil
}

func (tx *memTx) Pending() ([]Pending, error) {
	all := map[uint64]Pending{}
	for seq, p := range tx.s.pending {
		if seq > tx.dropUpTo {
			all[seq] = p
		}
	}
	for seq, p := range tx.pending {
		if seq > tx.dropUpTo {
			all[seq] = p
		}
	}
	out := make([]Pending, 0, len(all))
	for _, seq := range slices.Sorted(maps.Keys(all)) {
		out = append(out, all[seq])
	}
	return out, nil
}

func (tx *memTx) AddPending(p Pending) error {
	if !tx.write {
		return errReadOnly
	}
	p.Line = slices.Clone(p.Line)
	tx.pending[p.Seq] = p
	return nil
}

func (tx *memTx) DropPending(seq uint64) error {
	if !tx.write {
		return errReadOnly
	}
	tx.dropUpTo = max(tx.dropUpTo, seq)
	return nil
}

// cloneLead copies what a caller could change in place.
func cloneLead(l Lead) Lead {
	l.State = slices.Clone(l.State)
	l.Fields = slices.Clone(l.Fields)
	l.Dispositions = slices.Clone(l.Dispositions)
	l.Applied = slices.Clone(l.Applied)
	if l.Standing != nil {
		s := *l.Standing
		l.Standing = &s
	}
	return l
}

// cloneAccount copies what a caller could change in place.
func cloneAccount(a Account) Account {
	a.People = slices.Clone(a.People)
	a.Fields = maps.Clone(a.Fields)
	if a.Standing != nil {
		s := *a.Standing
		a.Standing = &s
	}
	return a
}

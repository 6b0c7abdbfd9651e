package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/leadscore/leadscore/internal/fieldpack"
	"github.com/leadscore/leadscore/internal/friend"
	"github.com/leadscore/leadscore/internal/idset"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/internal/pipeline"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// accountRun is what score --accounts and explain --account read and
// score: the accounts file and the leads matched to its accounts. Every
// lead is one of: matched (by id or by domain), unmatched (with the
// reason), or failed (with its row).
type accountRun struct {
	file     string // the accounts file's name
	accounts []scoring.Account
	lines    []int // each account's line in the accounts file

	// badAccounts are the rows of the accounts file that could not be
	// read, in file order.
	badAccounts []badAccount

	leads, byID, byDomain int
	// notCreated are the matched leads created after the as-of time
	// (scoring.Person.Created): not yet their account's people then.
	notCreated int
	// notYet are those of the account explained (scoreAccounts' only).
	notYet []notYetPerson
	// failedOf are the leads that failed (a field of the wrong type, a
	// bad event, a creation that is no time, an id given twice) though
	// matching read the account they would belong to, by its index.
	failedOf map[int][]failedPerson
	// ofBadAccounts are the unmatched leads whose account id is that of
	// an account row that could not be read (unreadableWhy).
	ofBadAccounts int
	// unmatched are the first maxShownErrors leads that match no account
	// (all of them are counted in unmatchedN and, when set, given to
	// onUnmatched as they come); badLeads the first maxShownErrors leads
	// that could not be read or scored (all of them with keepAll), counted
	// in badLeadsN. So memory does not grow with the leads.
	unmatched   []unmatchedLead
	unmatchedN  int
	onUnmatched func(unmatchedLead) error
	badLeads    []string
	badLeadsN   int
	onBadLead   func(id string, line int, err error) // when set, given every lead that could not be read or scored
	keepAll     bool
	// held is the most people held at once, waiting for their account to
	// be scored (what bounds the memory of a grouped run).
	held int
	// incomplete are the accounts (by index) --grouped wrote before a lead
	// of theirs came: their rows leave that lead out.
	incomplete map[int]bool
	// leadUnknown counts the data the leads scored carried that the model
	// does not declare, as score counts it.
	leadUnknown scoring.UnknownTally

	// matcher, when set (packAccounts), matches the leads to accounts;
	// packed then holds each account's fields (the accounts' Fields are
	// nil), read back by account.
	matcher *scoring.Matcher
	packed  *packedFields
}

// packAccountFields is false only in the test that checks that packed
// accounts score as their maps do.
var packAccountFields = true

// accountsGCPercent is the collector's GOGC while score --accounts runs
// with its accounts packed.
const accountsGCPercent = 200

// loosening counts the commands running with loosenGC in this process
// (tests run several at once): the first sets the collector's percent,
// the last puts it back.
var loosening struct {
	sync.Mutex
	n    int
	prev int
}

// loosenGC sets the collector's GOGC to percent until the returned stop is
// called, for a command whose live heap is large and stays (the packed
// accounts of score --accounts). A GOGC or GOMEMLIMIT in the environment
// is the user's choice, as for boundHeap, and turns it off.
func loosenGC(percent int) (stop func()) {
	if os.Getenv("GOMEMLIMIT") != "" || os.Getenv("GOGC") != "" {
		return func() {}
	}
	loosening.Lock()
	defer loosening.Unlock()
	if loosening.n++; loosening.n == 1 {
		loosening.prev = debug.SetGCPercent(percent)
	}
	return func() {
		loosening.Lock()
		defer loosening.Unlock()
		if loosening.n--; loosening.n == 0 {
			debug.SetGCPercent(loosening.prev)
		}
	}
}

// packedFields are the accounts' fields held packed (internal/fieldpack):
// by account index, where the store holds them, or the map itself for the
// rare account with a value the store does not pack.
type packedFields struct {
	store fieldpack.Store
	refs  []fieldpack.Ref
	maps  map[int]map[string]any
}

// packAccounts matches leads to run's accounts from here on (the
// matcher), and holds the accounts' fields packed in a few large byte
// slices instead of a map each: score --accounts holds every account
// while its leads are read, and the garbage collector traced their maps
// at each of its collections (about 51 MB of pointers at 100,000
// accounts, in each of 20 collections), where it does not look into bytes.
func (run *accountRun) packAccounts(s *scoring.AccountScorer) error {
	m, err := run.newMatcher(s)
	if err != nil {
		return err
	}
	run.matcher = m
	if !packAccountFields {
		return nil
	}
	p := &packedFields{refs: make([]fieldpack.Ref, len(run.accounts))}
	for i := range run.accounts {
		a := &run.accounts[i]
		ref, ok := p.store.Add(a.Fields)
		if !ok {
			if p.maps == nil {
				p.maps = map[int]map[string]any{}
			}
			p.maps[i] = a.Fields
		}
		p.refs[i] = ref
		a.Fields = nil
	}
	run.packed = p
	return nil
}

// account is the account of index i, with its fields.
func (run *accountRun) account(i int) (scoring.Account, error) {
	a := run.accounts[i]
	if run.packed == nil {
		return a, nil
	}
	if m, ok := run.packed.maps[i]; ok {
		a.Fields = m
		return a, nil
	}
	f, err := run.packed.store.Get(run.packed.refs[i])
	if err != nil {
		return a, fmt.Errorf("internal error (please report it): account %s's fields could not be read back: %w", a.ID, err)
	}
	a.Fields = f
	return a, nil
}

// newMatcher matches leads to run's accounts; its error names the
// accounts file's lines.
func (run *accountRun) newMatcher(s *scoring.AccountScorer) (*scoring.Matcher, error) {
	m, err := s.NewMatcher(run.accounts)
	if err != nil {
		// "line 3: ..." of the library is FILE:3: here, as every row error is.
		msg := lineRE.ReplaceAllString(err.Error(), run.file+":$1: ")
		return nil, fmt.Errorf("the accounts cannot be told apart, so leads cannot be matched to them:\n%s", msg)
	}
	return m, nil
}

// badAccount is a row of the accounts file that could not be read.
type badAccount struct {
	line int
	id   string
	err  error
}

// failedPerson is a lead of an account that failed, so is none of its
// people: explain --account names it.
type failedPerson struct {
	ID     string `json:"id"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// notYetPerson is a lead matched to an account but created after the
// as-of time: not yet one of its people.
type notYetPerson struct {
	ID      string    `json:"id"`
	Line    int       `json:"line"`
	Created time.Time `json:"created"`
	// FirstEvent says Created is its first event (it has no creation time).
	FirstEvent bool `json:"created_by_first_event,omitempty"`
}

// unmatchedLead is a lead that found no account.
type unmatchedLead struct {
	ID     string `json:"id"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// lineRE finds the library's "line N: " at the start of a message's line.
var lineRE = regexp.MustCompile(`(?m)^line (\d+): `)

// readAccountsFile reads the accounts file: NDJSON, or CSV when its name
// ends in .csv.
func readAccountsFile(run *accountRun, s *scoring.AccountScorer, name string, maxRow int, stderr io.Writer) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	format := leadfile.NDJSON
	if strings.EqualFold(filepath.Ext(name), ".csv") {
		format = leadfile.CSV
	}
	run.file = name
	opts := leadfile.Options{Input: f, InputName: name, InputFormat: format, MaxRow: maxRow,
		OnWarning: func(w string) { fmt.Fprintln(stderr, "warning: "+w) }}
	err = leadfile.ReadAccounts(opts, s, func(line int, a scoring.Account, err error) error {
		if err != nil {
			run.badAccounts = append(run.badAccounts, badAccount{line: line, id: a.ID, err: accountErr(a.ID, err)})
			return nil
		}
		run.accounts = append(run.accounts, a)
		run.lines = append(run.lines, line)
		return nil
	})
	if err == nil && len(run.accounts)+len(run.badAccounts) == 0 {
		// An accounts file with no account (empty, a byte-order mark
		// alone, blank lines, a CSV header alone) would leave every lead
		// unmatched: it is an error, in either format.
		how := `an NDJSON accounts file holds one account a line, such as {"id": "A-ACME", "domain": "acme.com"}`
		if format == leadfile.CSV {
			how = "a CSV accounts file has a header row, then one account a row"
		}
		return fmt.Errorf("%s holds no account; %s", name, how)
	}
	return err
}

func accountErr(id string, err error) error {
	if id == "" {
		return err
	}
	return fmt.Errorf("account %s: %w", id, err)
}

// member is one of an account's people as scoreAccounts holds it: the
// person, and its row of score --accounts when the run writes rows.
type member struct {
	p    *scoring.Person
	row  []byte
	line int // the lead's line
}

// personOut is what a worker of scoreAccounts makes of one lead.
type personOut struct {
	id      string
	m       member
	err     error
	index   int    // the account's index; -1 unmatched
	reason  string // why it is unmatched
	hash    uint64 // idHash of id, for a matched lead
	unknown []rules.Unknown
}

// rowChunkSize is the size of the chunks people's rows are kept in.
const rowChunkSize = 32 << 10

// rowChunk is where a scoring worker writes people's rows: one after
// another in a chunk of rowChunkSize, one allocation for a hundred rows
// (where each row was one), without pointers for the collector to trace.
// A chunk stays while one of its rows is held: every matched person's
// until the end of the leads. Only a run without --grouped writes them
// (with it, accountJob.score writes its people's rows).
type rowChunk struct{ buf []byte }

// rowChunks are the chunks being filled, about one a core.
var rowChunks = sync.Pool{New: func() any { return new(rowChunk) }}

// appendMemberRow writes the person's row in a chunk and returns it.
func appendMemberRow(p *scoring.Person) []byte {
	c := rowChunks.Get().(*rowChunk)
	tail := c.buf[len(c.buf):]
	row := appendMember(tail, p)
	if len(row) <= cap(tail) {
		// Written in place: the chunk keeps it.
		c.buf = c.buf[:len(c.buf)+len(row)]
	} else {
		// The chunk was full: the row is of its own array now; the
		// next ones go in a new chunk.
		c.buf = make([]byte, 0, rowChunkSize)
	}
	rowChunks.Put(c)
	return row[:len(row):len(row)]
}

// scoreAccounts matches the leads of opts to run's accounts on every core
// and calls flush with each account's index and people, once, in the
// accounts file's order (only the account with id only, when only is not
// ""). rows says to encode each person's row of score --accounts as it is
// scored, dropping its full result.
//
// Grouped says the leads come grouped by account, in the accounts file's
// order: an account is flushed as soon as a lead of a later account
// comes, so only one account's people are held at a time; a lead of an
// account already flushed then fails alone, with the line its account's
// leads ended at. Otherwise every matched person is held until the end of
// the leads.
func scoreAccounts(run *accountRun, s *scoring.AccountScorer, opts leadfile.Options, asOf time.Time, only string, rows, grouped bool, flush func(i int, people []member) error) error {
	m := run.matcher
	if m == nil {
		var err error
		if m, err = run.newMatcher(s); err != nil {
			return err
		}
	}
	onlyAt := -1
	for i, a := range run.accounts {
		if only != "" && a.ID == only {
			onlyAt = i
		}
	}
	people := make([][]member, len(run.accounts))
	lastLine := make([]int, len(run.accounts)) // the line of each account's latest lead
	// A second lead with the id of a matched lead fails rather than count
	// twice, in its account or in another: the matched leads' ids are
	// held, with their account and line, until the leads end (40 to 80
	// bytes a lead and its id's length, even with --grouped; see leadIDs).
	var seen leadIDs
	held := 0
	next := 0 // the first account not flushed
	cur := -1 // grouped: the account of the group being read
	flushTo := func(end int) error {
		for ; next < end; next++ {
			if only == "" || next == onlyAt {
				if err := flush(next, people[next]); err != nil {
					return err
				}
			}
			held -= len(people[next])
			people[next] = nil
		}
		return nil
	}
	name := opts.InputName
	err := leadfile.People(opts, s, asOf, func(line int, id string, p *scoring.Person, err error) personOut {
		out := personOut{id: id, err: err, index: -1}
		if err != nil {
			// A lead that failed (a field of the wrong type, a bad event,
			// a creation that is no time): what matching read of it says
			// which account it would belong to.
			if a, d, ok := scoring.WouldBelong(err); ok {
				out.index, _, _ = m.Match(&scoring.Person{AccountID: a, Domain: d})
			}
			return out
		}
		if p.Result != nil {
			out.unknown = p.Result.Unknown
		}
		out.index, p.Matched, out.reason = m.Match(p)
		if out.index >= 0 {
			out.hash = idset.Hash(id)
		}
		if out.index >= 0 && rows && !grouped {
			// Held until the leads end: the row, in a chunk, holds what
			// score --accounts writes of the person, not its result.
			// With --grouped the person is held only while its account
			// is in flight, and the account's worker writes its row
			// straight into the account's (accountJob.score).
			out.m.row = appendMemberRow(p)
			p.Result = nil
		}
		if out.index >= 0 && rows {
			p.AccountID, p.Domain = "", "" // matched already
		}
		out.m.p = p
		return out
	}, func(line int, out personOut) error {
		run.leads++
		if out.err == nil {
			run.leadUnknown.Add(out.unknown)
		}
		if out.err == nil && out.index >= 0 && out.index < next {
			// --grouped scored and wrote the account already.
			a := run.accounts[out.index].ID
			why := fmt.Sprintf("account %s's leads ended at line %d, and --grouped scored it then", a, lastLine[out.index])
			if lastLine[out.index] == 0 {
				why = fmt.Sprintf("leads of accounts after %s in %s came first, and --grouped scored %s then, with no people", a, run.file, a)
			}
			out.err = fmt.Errorf("%s, so this lead of it comes too late: with --grouped each account's leads come together, in the order of %s; sort the leads so, or score without --grouped", why, run.file)
			if run.incomplete == nil {
				run.incomplete = map[int]bool{}
			}
			run.incomplete[out.index] = true
		}
		if out.err == nil && out.index >= 0 {
			// Added here, when it is no duplicate: every matched lead
			// that passes this check is one of its account's people.
			if first, firstNotYet, ok, err := seen.add(out.hash, out.id, accountLead{out.index, line}, out.m.p.Created.After(asOf)); err != nil {
				out.err = err
			} else if ok {
				out.err = scoring.DuplicateLeadError{AccountID: run.accounts[out.index].ID, First: first.line, Line: true, FirstAccountID: run.accounts[first.account].ID, FirstNotYet: firstNotYet}
			}
		}
		if out.err != nil {
			if run.onBadLead != nil {
				run.onBadLead(out.id, line, out.err)
			}
			if run.badLeadsN++; run.keepAll || len(run.badLeads) < maxShownErrors {
				run.badLeads = append(run.badLeads, leadfile.RowError{File: name, Line: line, LeadID: out.id, Err: out.err}.Error())
			}
			if run.keepAll && out.index >= 0 {
				if run.failedOf == nil {
					run.failedOf = map[int][]failedPerson{}
				}
				run.failedOf[out.index] = append(run.failedOf[out.index], failedPerson{ID: out.id, Line: line, Reason: out.err.Error()})
			}
			return nil
		}
		i := out.index
		if i < 0 {
			reason, ofBad := run.unreadableWhy(out.m.p, out.reason)
			if ofBad {
				run.ofBadAccounts++
			}
			u := unmatchedLead{ID: out.id, Line: line, Reason: reason}
			if run.unmatchedN++; len(run.unmatched) < maxShownErrors {
				run.unmatched = append(run.unmatched, u)
			}
			if run.onUnmatched != nil {
				return run.onUnmatched(u)
			}
			return nil
		}
		if out.m.p.Matched == scoring.MatchedByID {
			run.byID++
		} else {
			run.byDomain++
		}
		if grouped && i != cur {
			if err := flushTo(i); err != nil {
				return err
			}
			cur = i
		}
		lastLine[i] = line
		if out.m.p.Created.After(asOf) {
			run.notCreated++
			if only != "" && i == onlyAt {
				run.notYet = append(run.notYet, notYetPerson{ID: out.id, Line: line, Created: out.m.p.Created, FirstEvent: out.m.p.CreatedByEvent})
			}
			return nil
		}
		if only != "" && i != onlyAt {
			return nil
		}
		out.m.line = line
		if people[i] == nil {
			people[i] = getMembers()
		}
		people[i] = append(people[i], out.m)
		held++
		run.held = max(run.held, held)
		return nil
	})
	if err != nil {
		return err
	}
	return flushTo(len(run.accounts))
}

// errWritingStopped stops the reading of score --accounts when the
// writing of its rows failed; the writer's error says why.
var errWritingStopped = errors.New("the rows could not be written")

// accountJob is an account of score --accounts on its way to be scored
// and written: its index and people, or a bad row of the accounts file
// (i -1, err set).
type accountJob struct {
	i      int
	bad    badAccount
	people []member

	// What score sets: the account's row, or its error; what the summary
	// counts of it. The row is row[:split], the people's rows (of
	// people, in their order, comma separated), then row[split:]: the
	// people's rows are copied once, into the output, not into the
	// account's row first. With inline (--grouped, whose people keep
	// their results until their account is scored) the people's rows
	// were written into row by score, and row is the whole of it.
	row          *[]byte // from rowBuffers
	split        int
	inline       bool
	err          error
	stage        string
	disqualified bool
	unknown      []rules.Unknown
}

// score scores the account and writes its row.
func (j *accountJob) score(s *scoring.AccountScorer, run *accountRun, asOf time.Time) {
	if j.i < 0 {
		return
	}
	people := j.people
	j.people = nil
	// ScoreAccount takes the people by lead id: so are their rows.
	slices.SortStableFunc(people, func(a, b member) int { return strings.Compare(a.p.LeadID, b.p.LeadID) })
	ps := make([]*scoring.Person, len(people))
	for k, m := range people {
		ps[k] = m.p
	}
	a, err := run.account(j.i)
	if err != nil {
		j.err = err
		return
	}
	r, err := s.ScoreAccount(a, ps, asOf)
	if err != nil {
		j.err = err
		return
	}
	for k, p := range r.Members {
		if p != people[k].p {
			j.err = fmt.Errorf("internal error (please report it): account %s's people came back in another order", r.LeadID)
			return
		}
	}
	j.people = people
	j.row = rowBuffers.Get().(*[]byte)
	buf := appendAccountHead((*j.row)[:0], r)
	if len(people) > 0 && people[0].row == nil {
		// The people's rows were not written yet (--grouped): written
		// here, in the account's row, by this worker.
		for k, m := range people {
			if k > 0 {
				buf = append(buf, ',')
			}
			buf = appendMember(buf, m.p)
		}
		j.inline = true
	}
	j.split = len(buf)
	*j.row = appendAccountTail(buf, r)
	j.stage, j.disqualified, j.unknown = r.Stage, r.Disqualified, r.Unknown
}

// write writes the account's row, and gives its buffers and its people
// (to s) back.
func (j *accountJob) write(w *bufio.Writer, s *scoring.AccountScorer) error {
	row := *j.row
	var err error
	if j.inline {
		_, err = w.Write(row)
	} else {
		w.Write(row[:j.split])
		for k, m := range j.people {
			if k > 0 {
				w.WriteByte(',')
			}
			w.Write(m.row)
		}
		_, err = w.Write(row[j.split:])
	}
	rowBuffers.Put(j.row)
	ps := make([]*scoring.Person, 0, 32)
	for _, m := range j.people {
		if ps = append(ps, m.p); len(ps) == cap(ps) {
			s.Recycle(friend.K(), ps)
			ps = ps[:0]
		}
	}
	s.Recycle(friend.K(), ps)
	putMembers(j.people)
	j.row, j.people, j.inline = nil, nil, false
	return err
}

// freeMembers are the slices of people of accounts written already, for
// scoreAccounts to hold the people of the next ones in; only slices of at
// most maxFreeMembers people are kept, so that one large account's does
// not stay alive for the rest of the run.
var freeMembers = make(chan []member, 256)

const maxFreeMembers = 256

func getMembers() []member {
	select {
	case ms := <-freeMembers:
		return ms
	default:
		return make([]member, 0, 8)
	}
}

func putMembers(ms []member) {
	if cap(ms) > maxFreeMembers {
		return
	}
	clear(ms)
	select {
	case freeMembers <- ms[:0]:
	default:
	}
}

// rowBuffers are the buffers of accountJob's rows.
var rowBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// failedAccountRow is the row of an account that could not be read or scored,
// as score writes a lead's.
type failedAccountRow struct {
	ID    string `json:"id"`
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// accountRow is one account's row of score --accounts.
type accountRow struct {
	ID           string              `json:"id"`
	Total        float64             `json:"total"`
	Scores       scoring.Scores      `json:"scores"`
	Grade        string              `json:"grade"`
	Stage        string              `json:"stage"`
	SalesReady   bool                `json:"sales_ready"`
	Disqualified bool                `json:"disqualified"`
	Gates        []string            `json:"gates"`
	Fired        []string            `json:"fired"`
	People       int                 `json:"people"`
	Engaged      int                 `json:"engaged"`
	Roles        []scoring.RoleCount `json:"roles"`
	Present      []string            `json:"present_roles"`
	Missing      []string            `json:"missing_roles"`
	// Members are the people's rows (appendMember): id, matched, roles,
	// engaged, then what a lead's row has from total to fired.
	Members json.RawMessage `json:"members"`

	Unknown []unknownJSON `json:"unknown,omitempty"`
}

type unknownJSON struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	DidYouMean string `json:"did_you_mean,omitempty"`
}

func scoresOf(r *scoring.Result) scoring.Scores {
	out := scoring.Scores{}
	for _, c := range r.Categories {
		out = append(out, scoring.NamedScore{Name: c.Name, Score: c.Score})
	}
	return out
}

func ruleIDs(r *scoring.Result) (gates, fired []string) {
	gates, fired = []string{}, []string{}
	for _, g := range r.Gates {
		gates = append(gates, g.Rule)
	}
	for _, f := range r.Fired {
		fired = append(fired, f.Rule)
	}
	return gates, fired
}

// newAccountRow is the row of an account's result; members are its
// people's rows, in the order of r.Members.
func newAccountRow(r *scoring.AccountResult, members [][]byte) accountRow {
	row := accountRow{ID: r.LeadID, Total: r.Total, Scores: scoresOf(&r.Result), Grade: r.Grade, Stage: r.Stage,
		SalesReady: r.SalesReady, Disqualified: r.Disqualified, People: r.People, Engaged: r.Engaged,
		Roles: r.Roles, Missing: r.Missing}
	size := 2
	for _, m := range members {
		size += len(m) + 1
	}
	row.Members = make(json.RawMessage, 0, size)
	row.Members = append(row.Members, '[')
	for i, m := range members {
		if i > 0 {
			row.Members = append(row.Members, ',')
		}
		row.Members = append(row.Members, m...)
	}
	row.Members = append(row.Members, ']')
	row.Gates, row.Fired = ruleIDs(&r.Result)
	if row.Roles == nil {
		row.Roles = []scoring.RoleCount{}
	}
	row.Present = []string{}
	for _, rc := range r.Roles {
		if rc.People > 0 {
			row.Present = append(row.Present, rc.Role)
		}
	}
	for _, u := range r.Unknown {
		row.Unknown = append(row.Unknown, unknownJSON{Kind: string(u.Kind), Name: u.Name, DidYouMean: u.DidYouMean})
	}
	return row
}

// runScoreAccounts is score --accounts: one NDJSON row per account of the
// accounts file, in its order; a bad account row gets a row with its
// error. The summary and the unmatched leads go to stderr. Each account
// is scored and written as soon as its people are known: at the end of
// the leads, or with grouped as soon as its group of leads ends.
func runScoreAccounts(c caller, s *scoring.AccountScorer, accountsFile string, opts leadfile.Options, asOf time.Time, unmatchedFile string, grouped, quiet bool, stderr io.Writer) int {
	run := &accountRun{}
	if err := readAccountsFile(run, s, accountsFile, opts.MaxRow, stderr); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", c.name, err)
		return exitUsage
	}
	if err := run.packAccounts(s); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", c.name, err)
		return exitUsage
	}
	if run.packed != nil && len(run.packed.maps) <= len(run.accounts)/10 {
		// The accounts held are most of what is live, and they stay,
		// packed in bytes the collector need not trace: it may let the
		// heap grow by twice what is live before it runs again, rather
		// than once, and runs half as often (loosenGC). At 1,000,000 leads
		// in 100,000 accounts, grouped, that takes 8% less time for 216
		// to 222 MB resident (the maps held 220 to 244 MB at the
		// default); at 20,000 accounts it holds a few MB more than the
		// maps did. See docs/bench/issue-30-accounts.txt.
		defer loosenGC(accountsGCPercent)()
	}
	var unmatched *unmatchedWriter
	if unmatchedFile != "" {
		unmatched = &unmatchedWriter{name: unmatchedFile}
		run.onUnmatched = unmatched.write
	}
	out := bufio.NewWriterSize(opts.Output, 1<<16)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	var failed []string // the accounts file's rows that failed, read or scored
	tally := map[string]int{}
	dq := 0
	var unknown scoring.UnknownTally

	// The accounts are scored and their rows written on every core, in
	// the accounts file's order, the bad rows of the accounts file among
	// them by line.
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	batches := make(chan []accountJob, workers)
	var batch []accountJob
	people := 0
	written := make(chan error, 1)
	stopped := make(chan struct{}) // closed when the writing stops, done or failed
	send := func() error {
		if len(batch) > 0 {
			select {
			case batches <- batch:
			case <-stopped:
				return errWritingStopped // the writer's own error is returned
			}
			batch, people = nil, 0
		}
		return nil
	}
	go func() {
		defer close(stopped)
		written <- pipeline.Ordered(workers, func() ([]accountJob, bool, bool) {
			b, ok := <-batches
			return b, ok, !ok
		}, func(b []accountJob) {
			for k := range b {
				b[k].score(s, run, asOf)
			}
		}, func(b []accountJob) error {
			for _, j := range b {
				if j.err != nil {
					line, id := j.bad.line, j.bad.id
					if j.i >= 0 {
						line, id = run.lines[j.i], run.accounts[j.i].ID
					}
					failed = append(failed, leadfile.RowError{File: accountsFile, Line: line, Err: j.err}.Error())
					if err := enc.Encode(failedAccountRow{ID: id, Line: line, Error: j.err.Error()}); err != nil {
						return err
					}
					continue
				}
				tally[j.stage]++
				if j.disqualified {
					dq++
				}
				unknown.Add(j.unknown)
				if err := j.write(out, s); err != nil {
					return err
				}
			}
			return nil
		})
	}()
	bad := run.badAccounts
	err := scoreAccounts(run, s, opts, asOf, "", true, grouped, func(i int, ms []member) error {
		for len(bad) > 0 && bad[0].line < run.lines[i] {
			batch = append(batch, accountJob{i: -1, bad: bad[0], err: bad[0].err})
			bad = bad[1:]
		}
		batch = append(batch, accountJob{i: i, people: ms})
		if people += len(ms); len(batch) >= 64 || people >= 256 {
			return send()
		}
		return nil
	})
	if err == nil {
		for _, b := range bad {
			batch = append(batch, accountJob{i: -1, bad: b, err: b.err})
		}
		err = send()
	}
	close(batches)
	if werr := <-written; werr != nil || errors.Is(err, errWritingStopped) {
		err = werr
	}
	if err == nil {
		err = out.Flush()
	}
	if unmatched != nil {
		if uerr := unmatched.close(err == nil); err == nil {
			err = uerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", c.name, err)
		return exitUsage
	}
	for _, list := range []struct {
		lines []string
		n     int
	}{{failed, len(failed)}, {run.badLeads, run.badLeadsN}} {
		for i, line := range list.lines {
			if i == maxShownErrors {
				break
			}
			fmt.Fprintln(stderr, line)
		}
		if list.n > maxShownErrors {
			fmt.Fprintf(stderr, "(%d more not shown)\n", list.n-maxShownErrors)
		}
	}
	if c.leadCounts != nil {
		*c.leadCounts = run.leadCounts()
	}
	if !quiet {
		n := len(run.accounts) + len(run.badAccounts)
		fmt.Fprintf(stderr, "%d %s in: %d scored, %d failed (as of %s)\n", n, numfmt.Noun(n, "account"),
			n-len(failed), len(failed), asOf.Format(time.RFC3339))
		if k := len(run.incomplete); k > 0 {
			ids := make([]string, 0, min(k, 10))
			for i := range run.accounts {
				if run.incomplete[i] && len(ids) < 10 {
					ids = append(ids, run.accounts[i].ID)
				}
			}
			more := ""
			if k > len(ids) {
				more = fmt.Sprintf(" and %d more", k-len(ids))
			}
			were := "accounts were"
			if k == 1 {
				were = "account was"
			}
			fmt.Fprintf(stderr, "warning: %d %s written before all of their leads came (%s%s): --grouped scores an account when its leads seem to end, so these rows leave the late leads out and do not stand for those accounts; sort the leads by account in the order of %s, or score without --grouped\n",
				k, were, strings.Join(ids, ", "), more, run.file)
		}
		m := s.AccountModel().Model
		var parts []string
		for i := len(m.Stages) - 1; i >= 0; i-- {
			st := m.Stages[i]
			label := st.ID
			if st.SalesReady {
				label += " (sales-ready)"
			}
			parts = append(parts, fmt.Sprintf("%s %d", label, tally[st.ID]))
		}
		parts = append(parts, fmt.Sprintf("no stage %d", tally[""]))
		fmt.Fprintf(stderr, "stages: %s; disqualified %d\n", strings.Join(parts, ", "), dq)
		fmt.Fprintf(stderr, "%d %s: %d matched by %s, %d by domain, %d unmatched, %d failed\n", run.leads, numfmt.Noun(run.leads, "lead"),
			run.byID, orText(s.AccountModel().IDField, "id"), run.byDomain, run.unmatchedN, run.badLeadsN)
		if run.notCreated > 0 {
			fmt.Fprintf(stderr, "(%s of the matched created after the as-of time, so not yet their account's people: as backtest --accounts counts them)\n", numfmt.Count(run.notCreated, "lead"))
		}
		run.unreadableHint(stderr)
		for _, u := range run.unmatched {
			fmt.Fprintf(stderr, "unmatched: %s:%d: lead %s: %s\n", displayName(opts.InputName), u.Line, u.ID, u.Reason)
		}
		if run.unmatchedN > maxShownErrors {
			fmt.Fprintf(stderr, "(%d more unmatched leads not shown; --unmatched FILE writes them all)\n", run.unmatchedN-maxShownErrors)
		}
	}
	// What is wrong in the input is said even with --quiet.
	if quiet {
		run.unreadableHint(stderr)
	}
	writeUnknown(stderr, unknown)
	writeLeadUnknown(stderr, run.leadUnknown)
	if len(failed)+run.badLeadsN > 0 {
		return exitProblem
	}
	return exitOK
}

// writeLeadUnknown prints what the leads carried that the model does not
// declare, as score does, each line saying it is of the leads (the
// accounts' own are said without).
func writeLeadUnknown(w io.Writer, t scoring.UnknownTally) {
	for _, line := range t.Lines() {
		fmt.Fprintln(w, "leads: "+line)
	}
	if len(t.Rows) > 0 {
		fmt.Fprintln(w, "(no rule reads data the model does not declare: rename it, or declare it under fields or events; --strict-data fails such rows)")
	}
}

func orText(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// unmatchedWriter writes --unmatched as the leads come, as NDJSON: id,
// line, reason. The file is made at the first unmatched lead, or at the
// end when there was none.
type unmatchedWriter struct {
	name string
	f    *os.File
	w    *bufio.Writer
	enc  *json.Encoder
}

func (u *unmatchedWriter) write(l unmatchedLead) error {
	if u.f == nil {
		f, err := os.Create(u.name)
		if err != nil {
			return err
		}
		u.f, u.w = f, bufio.NewWriter(f)
		u.enc = json.NewEncoder(u.w)
		u.enc.SetEscapeHTML(false)
	}
	return u.enc.Encode(l)
}

// close finishes the file, making it empty when no lead was unmatched
// and the run went through (ok).
func (u *unmatchedWriter) close(ok bool) error {
	if u.f == nil {
		if !ok {
			return nil
		}
		f, err := os.Create(u.name)
		if err != nil {
			return err
		}
		return f.Close()
	}
	err := u.w.Flush()
	if cerr := u.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// runExplainAccount is explain --account: the account's points, from its
// fields and from its people, matched from the leads of opts.
func runExplainAccount(s *scoring.AccountScorer, id, accountsFile string, opts leadfile.Options, asOf time.Time, asJSON bool, stdout, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "leadscore explain: "+format+"\n", a...)
		return exitUsage
	}
	run := &accountRun{keepAll: true} // explain lists every lead that failed
	if err := readAccountsFile(run, s, accountsFile, opts.MaxRow, stderr); err != nil {
		return fail("%v", err)
	}
	i := -1
	for j, a := range run.accounts {
		if a.ID == id {
			i = j
		}
	}
	if i < 0 {
		for _, b := range run.badAccounts {
			fmt.Fprintln(stderr, leadfile.RowError{File: accountsFile, Line: b.line, Err: b.err})
		}
		return fail("%s has no account with id %q; check the id, or name the file that holds that account", accountsFile, id)
	}
	var r *scoring.AccountResult
	var scoreErr error
	var members [][]byte
	err := scoreAccounts(run, s, opts, asOf, id, false, false, func(_ int, people []member) error {
		ps := make([]*scoring.Person, len(people))
		for k, m := range people {
			ps[k] = m.p
		}
		r, scoreErr = s.ScoreAccount(run.accounts[i], ps, asOf)
		if scoreErr != nil {
			return nil
		}
		for _, p := range r.Members {
			members = append(members, appendMember(nil, p))
		}
		return nil
	})
	if err != nil {
		return fail("%v", err)
	}
	for _, bad := range run.badLeads {
		fmt.Fprintln(stderr, bad)
	}
	writeLeadUnknown(stderr, run.leadUnknown) // as score --accounts warns
	if r == nil {
		return fail("%s:%d: %v", accountsFile, run.lines[i], scoreErr)
	}
	x, err := s.ExplainAccount(r)
	if err != nil {
		return fail("%v", err)
	}
	// A lead that failed fails the run, as in score --accounts: it may
	// be one of the account's people.
	status := exitOK
	if run.badLeadsN > 0 {
		status = exitProblem
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		out := struct {
			accountRow
			Points  []scoring.Fired        `json:"points"`
			Rollups []scoring.RollupPoints `json:"rollups"`
			// Explanation is the account's own model explained: its
			// rules, gates and stages, part by part, and the next stage.
			Explanation *scoring.Explanation `json:"explanation"`
			// NotYet are the leads matched to it but created after the
			// as-of time: not yet its people.
			NotYet []notYetPerson `json:"not_yet_created,omitempty"`
			// Failed are the leads of it that failed (a field of the
			// wrong type, a bad event, a creation that is no time, an id
			// given twice): none of its people.
			Failed []failedPerson `json:"failed,omitempty"`
		}{newAccountRow(r, members), r.Fired, r.Rollups, x, run.notYet, run.failedOf[i]}
		if err := enc.Encode(out); err != nil {
			return fail("%v", err)
		}
		return status
	}
	explainAccount(stdout, s, r, x, run.notYet, run.failedOf[i], displayName(opts.InputName))
	return status
}

// explainAccountCmd reads the flags of explain --account and explains it.
func explainAccountCmd(m *rules.Model, id, accountsFile, name, in, events, sourceFile, dispositionsFile, createdField string, noEvents, strict bool, maxRow int, asOf time.Time, asJSON bool, stdin io.Reader, stdout, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "leadscore explain: "+format+"\n", a...)
		return exitUsage
	}
	switch {
	case id == "":
		return fail("--accounts goes with --account ID: the account to explain")
	case accountsFile == "":
		return fail("--account needs --accounts FILE: the accounts file the account is in")
	case m.Accounts == nil:
		return fail("--account: %s has no accounts section; add accounts: (see the accounts section of docs/reference.md)", m.Name)
	}
	s, _ := newAccountScorer(m, strict, createdField)
	lo := leadfile.Options{Scorer: s.Leads(), NoEvents: noEvents, MaxRow: maxRow, OnError: func(e leadfile.RowError) { fmt.Fprintln(stderr, e.Error()) }}
	if name == "-" {
		if in == "csv" {
			return fail("CSV leads are read from a file, not standard input")
		}
		lo.Input, lo.InputName = stdin, "stdin"
	} else {
		closeLeads, err := openLeads(&lo, name, in, events)
		defer closeLeads()
		if err != nil {
			return fail("%v", err)
		}
	}
	if err := attachSource(&lo, sourceFile, m, stderr); err != nil {
		return fail("--source: %v", err)
	}
	if _, err := attachDispositions(&lo, dispositionsFile, m, stderr); err != nil {
		return exitUsage
	}
	return runExplainAccount(s, id, accountsFile, lo, asOf, asJSON, stdout, stderr)
}

// explainAccount writes which rules, roll-ups and people gave an account
// its points, its buying group, and its people's own results; then the
// leads matched to it but created after the as-of time (notYet, at their
// lines of the leads file leads), and those of it that failed (failed).
func explainAccount(w io.Writer, s *scoring.AccountScorer, r *scoring.AccountResult, x *scoring.Explanation, notYet []notYetPerson, failed []failedPerson, leads string) {
	am := s.AccountModel()
	var cats []string
	for _, c := range r.Categories {
		cats = append(cats, fmt.Sprintf("%s %s", c.Name, fnum(c.Score)))
	}
	fmt.Fprintf(w, "Account %s as of %s: total %s (%s)", r.LeadID, r.AsOf.Format(time.RFC3339), fnum(r.Total), strings.Join(cats, ", "))
	if r.Grade != "" {
		fmt.Fprintf(w, ", grade %s", r.Grade)
	}
	stage := r.Stage
	if stage == "" {
		stage = "none"
	}
	fmt.Fprintf(w, ", stage %s", stage)
	if r.SalesReady {
		fmt.Fprint(w, " (sales-ready)")
	}
	fmt.Fprintln(w)
	for _, g := range r.Gates {
		fmt.Fprintf(w, "Disqualified by %s: %s", g.Rule, g.Reason)
		if r.Blocked != "" {
			fmt.Fprintf(w, " (it would otherwise stand on %s)", r.Blocked)
		}
		fmt.Fprintln(w)
	}
	for _, c := range r.Categories {
		if c.Raw != c.Score {
			fmt.Fprintf(w, "%s: the rules give %s, clamped to %s\n", c.Name, fnum(c.Raw), fnum(c.Score))
		}
	}

	rollups := map[string]scoring.RollupPoints{}
	for _, rp := range r.Rollups {
		rollups[rp.Rule] = rp
	}
	fmt.Fprintln(w, "\nfrom the account's fields:")
	fired := false
	for _, f := range r.Fired {
		if _, ok := rollups[f.Rule]; ok {
			continue
		}
		fired = true
		fmt.Fprintf(w, "  %-28s %-12s %6s  %s\n", f.Rule, f.Category, signed(f.Points), f.Reason)
	}
	if !fired {
		fmt.Fprintln(w, "  (no rule fired)")
	}
	fmt.Fprintln(w, "\nfrom its people (roll-ups):")
	for _, x := range am.Rollups {
		rp := rollups[x.ID]
		how := x.Strategy
		switch x.Strategy {
		case "top":
			how = fmt.Sprintf("top %d", x.Top)
		case "count":
			how = fmt.Sprintf("count, %s each", fnum(x.Points))
		}
		if x.Of != nil {
			how += " of " + x.Of.Source
		}
		if x.When != nil {
			how += ", people with " + x.When.Source
		}
		if x.Within > 0 {
			how += ", active within " + x.WithinText
		}
		// A roll-up that gives nothing did not fire: "-", as explain
		// writes a lead's rules that did not fire.
		points := "-"
		if rp.Points != 0 {
			points = signed(rp.Points)
		}
		fmt.Fprintf(w, "  %-28s %-12s %6s  %s", x.ID, x.Category.Name, points, how)
		if rp.Uncapped != rp.Points {
			fmt.Fprintf(w, " (people give %s, capped at %s)", fnum(rp.Uncapped), fnum(x.Max))
		}
		fmt.Fprintln(w)
		if len(rp.From) == 0 {
			fmt.Fprintln(w, "      nobody counted")
		}
		var from []string
		for _, pp := range rp.From {
			from = append(from, fmt.Sprintf("%s %s", pp.LeadID, fnum(pp.Value)))
		}
		if len(from) > 0 {
			fmt.Fprintf(w, "      %s\n", strings.Join(from, ", "))
			if rp.Points == 0 {
				fmt.Fprintln(w, "      (they add up to 0 points: not fired)")
			}
		}
	}

	people := "people"
	if r.People == 1 {
		people = "person"
	}
	fmt.Fprintf(w, "\nbuying group: %d %s, %d engaged\n", r.People, people, r.Engaged)
	for _, rc := range r.Roles {
		var who []string
		for _, p := range r.Members {
			if p.HasRole(rc.Role) {
				who = append(who, p.LeadID)
			}
		}
		fmt.Fprintf(w, "  %-16s %d (%d engaged)", rc.Role, rc.People, rc.Engaged)
		if len(who) > 0 {
			fmt.Fprintf(w, ": %s", strings.Join(who, ", "))
		}
		fmt.Fprintln(w)
	}
	if len(r.Missing) > 0 {
		fmt.Fprintf(w, "  missing: %s\n", strings.Join(r.Missing, ", "))
	}
	x.WriteStages(w)

	fmt.Fprintln(w, "\npeople:")
	if len(r.Members) == 0 && len(notYet) == 0 && len(failed) == 0 {
		fmt.Fprintln(w, "  (no lead matched this account)")
	}
	for _, p := range failed {
		fmt.Fprintf(w, "  %s (%s:%d): failed, so not counted: %s\n", p.ID, leads, p.Line, p.Reason)
	}
	for _, p := range notYet {
		// To the nanosecond: a creation just after the as-of time must
		// not read as the as-of time itself.
		how := "created"
		if p.FirstEvent {
			how = "no creation time; first event at"
		}
		fmt.Fprintf(w, "  %s (%s:%d): not yet a person of this account: %s %s, after the as-of time\n",
			p.ID, leads, p.Line, how, p.Created.UTC().Format(time.RFC3339Nano))
	}
	for _, p := range r.Members {
		pr := p.Result
		var cats []string
		for _, c := range pr.Categories {
			cats = append(cats, fmt.Sprintf("%s %s", c.Name, fnum(c.Score)))
		}
		fmt.Fprintf(w, "  %s (by %s): total %s (%s)", p.LeadID, p.Matched, fnum(pr.Total), strings.Join(cats, ", "))
		if pr.Grade != "" {
			fmt.Fprintf(w, ", grade %s", pr.Grade)
		}
		if pr.Stage != "" {
			fmt.Fprintf(w, ", stage %s", pr.Stage)
		}
		if pr.SalesReady {
			fmt.Fprint(w, " (sales-ready)")
		}
		if p.Engaged {
			fmt.Fprint(w, ", engaged")
		} else {
			fmt.Fprint(w, ", not engaged")
		}
		if len(p.Roles) > 0 {
			fmt.Fprintf(w, ", %s", strings.Join(p.Roles, ", "))
		}
		fmt.Fprintln(w)
		for _, f := range pr.Fired {
			fmt.Fprintf(w, "      %-28s %-12s %6s  %s\n", f.Rule, f.Category, signed(f.Points), f.Reason)
		}
	}
}

// fnum writes a number as short as it reads back.
func fnum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func signed(v float64) string {
	if v >= 0 {
		return "+" + fnum(v)
	}
	return fnum(v)
}

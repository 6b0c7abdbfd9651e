package attribution

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Paths is a set of channel paths with their conversions, conversion value
// and nulls (journeys that did not convert), as data-driven models take
// them. Identical paths are counted once, so a Paths stays as small as the
// number of distinct paths. Paths from separate shards merge exactly
// (Merge): counts add up, so the work splits across cores or machines.
type Paths struct {
	channels []string
	index    map[string]int
	counts   map[string]*PathCount // by the path's channel ids as bytes

	mu    sync.Mutex   // guards order
	order []*PathCount // the canonical order, nil when paths changed since

	sep string // between channels, as read; ">" when empty

	// Notes say what a reader of the credit must know about how the paths
	// were read, such as a column the header lacks; RunPaths passes them
	// on to its report.
	Notes []string
}

// PathCount is one distinct path and what it led to. Conversions, value
// and nulls are kept as exact decimal sums of the amounts as given (see
// MaxAmount), so that they add up exactly in any order and shards merge to
// the bit; Conversions, Nulls and Value are those exact sums rounded once.
type PathCount struct {
	Path        []int // channel ids, see Paths.Channel
	Conversions float64
	Nulls       float64

	conv, value, nulls decimal
	valueF             float64
}

// Value is the conversion value of the path.
func (pc *PathCount) Value() float64 { return pc.valueF }

// credits reports whether the path has conversions or value to credit.
func (pc *PathCount) credits() bool { return !pc.conv.isZero() || !pc.value.isZero() }

// MaxChannels is the most distinct channels a Paths can hold: counted
// over all its paths, not per path. A path that would bring in more fails
// alone and adds nothing; group rare channels (campaigns into their
// channel, say) or split the paths into files of fewer channels.
const MaxChannels = 255

// Separator is what separates the channels of a path in the names Paths
// gives paths and Markov states (credit and transitions files): the
// separator the paths were read with (">" by default), with a space
// either side unless it is blank. A channel cannot hold it.
func (p *Paths) Separator() string {
	sep := p.sep
	if sep == "" {
		sep = ">"
	}
	if strings.TrimSpace(sep) == "" {
		return sep
	}
	return " " + strings.TrimSpace(sep) + " "
}

// join names a path: its channels joined by the separator.
func (p *Paths) join(names []string) string { return strings.Join(names, p.Separator()) }

// NewPaths returns an empty set of paths.
func NewPaths() *Paths {
	return &Paths{index: map[string]int{}, counts: map[string]*PathCount{}}
}

// Channel returns the name of a channel id.
func (p *Paths) Channel(id int) string { return p.channels[id] }

// Channels returns the channel names, by id.
func (p *Paths) Channels() []string { return p.channels }

// Len is the number of distinct paths.
func (p *Paths) Len() int { return len(p.counts) }

// ids writes the ids of channels into key, registering the new ones only
// when all fit: a path refused leaves nothing behind.
func (p *Paths) ids(channels []string, key []byte) error {
	var fresh []string
	for i, c := range channels {
		if id, ok := p.index[c]; ok {
			key[i] = byte(id)
			continue
		}
		if sep := strings.TrimSpace(p.Separator()); sep != "" && strings.Contains(c, sep) {
			return fmt.Errorf("the channel %q holds %q, which separates the channels of a path (in the credit and transitions files too); rename the channel, or read the paths with another separator (--path-separator)", c, sep)
		}
		if !slices.Contains(fresh, c) {
			fresh = append(fresh, c)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	if len(p.channels)+len(fresh) > MaxChannels {
		return fmt.Errorf("this path brings %d new channels (%s) to the %d already read: %d distinct channels, over the %d a report can hold (counted over the whole file, not per path); group rare channels into fewer (campaigns into their channel, say), or split the file so that each part has at most %d distinct channels",
			len(fresh), quoteSome(fresh, 3), len(p.channels), len(p.channels)+len(fresh), MaxChannels, MaxChannels)
	}
	for _, c := range fresh {
		p.index[c] = len(p.channels)
		p.channels = append(p.channels, c)
	}
	for i, c := range channels {
		key[i] = byte(p.index[c])
	}
	return nil
}

// quoteSome quotes up to n names, saying how many more there are.
func quoteSome(names []string, n int) string {
	var q []string
	for i, s := range names {
		if i == n {
			q = append(q, fmt.Sprintf("and %d more", len(names)-n))
			break
		}
		q = append(q, strconv.Quote(s))
	}
	return strings.Join(q, ", ")
}

// Add counts a path (its channels in order) with its conversions, value and
// nulls, each from 0 to MaxAmount (NaN and infinities are refused). Each
// amount counts as the shortest decimal that reads back as it (0.1 as 0.1,
// not as the binary fraction nearest to it); AddText keeps amounts of any
// precision as written.
func (p *Paths) Add(channels []string, conversions, value, nulls float64) error {
	var ds [3]decimal
	for i, v := range [3]float64{conversions, value, nulls} {
		if err := CheckAmount(v); err != nil {
			return fmt.Errorf("%s: %v", pathColumns[i+1], err)
		}
		ds[i] = decimalOf(v)
	}
	return p.add(channels, ds)
}

// AddText counts a path with its conversions, value and nulls written as
// decimals ("0.24400000000000001"), each from 0 to MaxAmount, keeping every
// digit: sums of amounts with any number of decimals stay exact.
func (p *Paths) AddText(channels []string, conversions, value, nulls string) error {
	var ds [3]decimal
	for i, s := range [3]string{conversions, value, nulls} {
		_, d, err := parseAmount(s)
		if err != nil {
			return fmt.Errorf("%s: %v", pathColumns[i+1], err)
		}
		ds[i] = d
	}
	return p.add(channels, ds)
}

func (p *Paths) add(channels []string, ds [3]decimal) error {
	if len(channels) == 0 {
		return errors.New("empty path")
	}

	key := make([]byte, len(channels))
	if err := p.ids(channels, key); err != nil {
		return err
	}
	p.addKey(string(key), ds[0], ds[1], ds[2])
	return nil
}

func (p *Paths) addKey(key string, conversions, value, nulls decimal) {
	p.order = nil
	pc, ok := p.counts[key]
	if !ok {
		path := make([]int, len(key))
		for i := range key {
			path[i] = int(key[i])
		}
		pc = &PathCount{Path: path}
		p.counts[key] = pc
	}
	pc.conv.add(conversions)
	pc.value.add(value)
	pc.nulls.add(nulls)
	pc.Conversions, pc.valueF, pc.Nulls = pc.conv.float(), pc.value.float(), pc.nulls.float()
}

// Merge adds other's paths into p. An empty p read with no separator
// takes other's. A channel of other that holds p's separator, or that
// would bring p over MaxChannels, fails the merge, and p is left as it was.
func (p *Paths) Merge(other *Paths) error {
	if len(p.channels) == 0 && p.sep == "" {
		p.sep = other.sep
	}
	remap := make([]byte, len(other.channels))
	if err := p.ids(other.channels, remap); err != nil {
		return err
	}
	for _, n := range other.Notes {
		if !slices.Contains(p.Notes, n) {
			p.Notes = append(p.Notes, n)
		}
	}
	for _, pc := range other.sorted() {
		key := make([]byte, len(pc.Path))
		for i, id := range pc.Path {
			key[i] = remap[id]
		}
		p.addKey(string(key), pc.conv, pc.value, pc.nulls)
	}
	return nil
}

// sorted returns the paths in a canonical order, by their channels' names
// (not ids, which depend on the order the paths were read in), so that every
// computation sums in the same order: the same paths, however read or
// merged, give the same bits.
func (p *Paths) sorted() []*PathCount {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.order == nil {
		p.order = p.canonical()
	}
	return p.order
}

func (p *Paths) canonical() []*PathCount {
	names := append([]string(nil), p.channels...)
	sort.Strings(names)
	rank := make([]byte, len(p.channels))
	for r, name := range names {
		rank[p.index[name]] = byte(r)
	}
	type entry struct {
		key string
		pc  *PathCount
	}
	entries := make([]entry, 0, len(p.counts))
	buf := make([]byte, 0, 64)
	for k, pc := range p.counts {
		buf = buf[:0]
		for i := 0; i < len(k); i++ {
			buf = append(buf, rank[k[i]])
		}
		entries = append(entries, entry{string(buf), pc})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	out := make([]*PathCount, len(entries))
	for i, e := range entries {
		out[i] = e.pc
	}
	return out
}

// Totals returns the conversions, value and nulls of all paths: exact sums,
// rounded once.
func (p *Paths) Totals() (conversions, value, nulls float64) {
	c, v, n := p.exactTotals()
	return c.float(), v.float(), n.float()
}

// exactTotals returns the exact sums of the conversions, value and nulls.
func (p *Paths) exactTotals() (c, v, n decimal) {
	for _, pc := range p.sorted() {
		c.add(pc.conv)
		v.add(pc.value)
		n.add(pc.nulls)
	}
	return c, v, n
}

// PathsOf makes paths from journeys: each journey's channels, in time
// order, within the options' lookback; a converting journey counts its
// conversions and revenue, another one null.
func PathsOf(journeys []*Journey, opts Options) (*Paths, error) {
	p := NewPaths()
	for _, j := range journeys {
		touches, _ := opts.path(j)
		if len(touches) == 0 {
			continue
		}
		ch := make([]string, len(touches))
		for i, t := range touches {
			ch[i] = t.Channel
		}
		var err error
		if conv, rev, ok := opts.converts(j); ok {
			err = p.Add(ch, conv, rev, 0)
		} else {
			err = p.Add(ch, 0, 0, 1)
		}
		if err != nil {
			return nil, fmt.Errorf("journey %s: %v", j.ID, err)
		}
	}
	return p, nil
}

// RuleBased runs a rule-based model over paths, crediting channels. A path
// has no times or milestones, so its touches are taken to be one day apart,
// the last one day before the conversion; milestone models then have only
// first_touch and last_touch to anchor on. A path's touches share its
// conversions and value exactly (see ChannelReport.WriteCredit), and a
// channel's credit is their exact sum, rounded once.
func RuleBased(p *Paths, m Model) []ChannelCredit {
	conv, value, _ := channelTotals(p, ruleCredit{m: m, p: p}) // rule credit has no error
	return channelCredits(p, conv, value)
}

func channelCredits(p *Paths, conv, value []decimal) []ChannelCredit {
	out := make([]ChannelCredit, len(p.channels))
	for i, c := range p.channels {
		out[i] = ChannelCredit{Channel: c, Conversions: conv[i].float(), Value: value[i].float()}
	}
	return out
}

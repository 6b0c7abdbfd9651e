package attribution

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/internal/suggest"
)

// Model shares a converting journey among its touches.
type Model interface {
	// Name is how reports and the command line call the model.
	Name() string
	// Weights returns a weight for each touch (in time order, all at or
	// before the conversion at conv); Attribute scales them to sum to one.
	Weights(touches []Touch, j *Journey, conv time.Time) []float64
}

// FirstTouchModel gives everything to the first touch.
type FirstTouchModel struct{}

// Name implements Model.
func (FirstTouchModel) Name() string { return "first_touch" }

// Weights implements Model.
func (FirstTouchModel) Weights(t []Touch, _ *Journey, _ time.Time) []float64 {
	w := make([]float64, len(t))
	w[0] = 1
	return w
}

// LastTouchModel gives everything to the last touch.
type LastTouchModel struct{}

// Name implements Model.
func (LastTouchModel) Name() string { return "last_touch" }

// Weights implements Model.
func (LastTouchModel) Weights(t []Touch, _ *Journey, _ time.Time) []float64 {
	w := make([]float64, len(t))
	w[len(t)-1] = 1
	return w
}

// LastNonDirectModel gives everything to the last touch on a channel that is
// not direct, or to the last touch when every touch is direct.
type LastNonDirectModel struct {
	Direct []string // channels that count as direct; default ["direct"]
}

// Name implements Model.
func (LastNonDirectModel) Name() string { return "last_non_direct" }

// Weights implements Model.
func (m LastNonDirectModel) Weights(t []Touch, _ *Journey, _ time.Time) []float64 {
	direct := m.Direct
	if len(direct) == 0 {
		direct = []string{"direct"}
	}
	w := make([]float64, len(t))
	for i := len(t) - 1; i >= 0; i-- {
		if !slices.Contains(direct, t[i].Channel) {
			w[i] = 1
			return w
		}
	}
	w[len(t)-1] = 1
	return w
}

// LinearModel gives every touch an equal share.
type LinearModel struct{}

// Name implements Model.
func (LinearModel) Name() string { return "linear" }

// Weights implements Model.
func (LinearModel) Weights(t []Touch, _ *Journey, _ time.Time) []float64 {
	w := make([]float64, len(t))
	for i := range w {
		w[i] = 1
	}
	return w
}

// TimeDecayModel gives each touch a weight that halves with every
// half-life of age, measured back from the conversion.
type TimeDecayModel struct {
	HalfLife time.Duration // default 7 days
}

// Name implements Model.
func (TimeDecayModel) Name() string { return "time_decay" }

// Weights implements Model.
func (m TimeDecayModel) Weights(t []Touch, _ *Journey, conv time.Time) []float64 {
	hl := m.HalfLife
	if hl <= 0 {
		hl = 7 * 24 * time.Hour
	}
	w := make([]float64, len(t))
	for i, x := range t {
		w[i] = math.Exp2(-float64(conv.Sub(x.At)) / float64(hl))
	}
	return w
}

// PositionBasedModel gives First to the first touch, Last to the last, and
// the rest in equal shares to the touches between. With two touches, they
// share in proportion First:Last; with one, it gets everything.
type PositionBasedModel struct {
	First, Last float64 // default 0.4 and 0.4
}

// Name implements Model.
func (PositionBasedModel) Name() string { return "position_based" }

// Weights implements Model.
func (m PositionBasedModel) Weights(t []Touch, _ *Journey, _ time.Time) []float64 {
	first, last := m.First, m.Last
	if first == 0 && last == 0 {
		first, last = 0.4, 0.4
	}
	w := make([]float64, len(t))
	switch n := len(t); n {
	case 1:
		w[0] = 1
	case 2:
		w[0], w[1] = first, last
	default:
		w[0], w[n-1] = first, last
		for i := 1; i < n-1; i++ {
			w[i] = (1 - first - last) / float64(n-2)
		}
	}
	return w
}

// Anchor is a milestone and the share its touch gets.
type Anchor struct {
	Milestone string
	Share     float64
}

// MilestoneModel gives each anchor's share to the touch of its milestone
// (the last touch at or before it; first_touch and last_touch name the
// first and last touches), and Between in equal shares to the touches
// strictly between the first and the last anchored touch. An anchor whose
// milestone the journey lacks, or has no touch at or before, gives its
// share to the other anchors' touches in proportion to theirs; the touches
// between keep Between. W-shaped, full path and custom weights are
// milestone models.
type MilestoneModel struct {
	Label   string
	Anchors []Anchor
	Between float64
}

// WShaped is the W-shaped model: 30% each to the first touch, the lead
// creation touch and the touch of second (sales_ready when empty), 10%
// shared by the touches between.
func WShaped(second string) MilestoneModel {
	if second == "" {
		second = SalesReady
	}
	return MilestoneModel{Label: "w_shaped", Anchors: []Anchor{{FirstTouch, 0.3}, {LeadCreated, 0.3}, {second, 0.3}}, Between: 0.1}
}

// FullPath is the full-path model: 22.5% each to the first touch, lead
// creation, opportunity and won touches, 10% shared by the touches between.
func FullPath() MilestoneModel {
	return MilestoneModel{Label: "full_path", Anchors: []Anchor{{FirstTouch, 0.225}, {LeadCreated, 0.225}, {Opportunity, 0.225}, {Won, 0.225}}, Between: 0.1}
}

// Name implements Model.
func (m MilestoneModel) Name() string {
	if m.Label != "" {
		return m.Label
	}
	return "custom"
}

// Weights implements Model.
func (m MilestoneModel) Weights(t []Touch, j *Journey, _ time.Time) []float64 {
	w := make([]float64, len(t))
	if len(t) == 1 {
		w[0] = 1
		return w
	}
	lo, hi := len(t), -1
	anchored := map[int]bool{}
	idx := m.anchorTouches(t, j)
	// A missed anchor's share goes to the other anchors' touches, in
	// proportion to their shares (equally when theirs are all zero), never
	// to the touches between: scale the anchors hit by all their shares
	// over those hit.
	all, hit, hits := 0.0, 0.0, 0
	for k, i := range idx {
		all += m.Anchors[k].Share
		if i >= 0 {
			hit += m.Anchors[k].Share
			hits++
		}
	}
	for k, i := range idx {
		if i < 0 {
			continue // missed: its share went into the others' (share)
		}
		share := all / float64(hits)
		if hit > 0 {
			share = m.Anchors[k].Share * all / hit
		}
		w[i] += share
		anchored[i] = true
		lo, hi = min(lo, i), max(hi, i)
	}
	if hi < 0 { // no milestone has a touch: share equally
		return LinearModel{}.Weights(t, j, time.Time{})
	}
	var between []int
	for i := lo + 1; i < hi; i++ {
		if !anchored[i] {
			between = append(between, i)
		}
	}
	for _, i := range between {
		w[i] += m.Between / float64(len(between))
	}
	return w
}

// anchorTouches are the indexes in t of each anchor's touch, -1 for an
// anchor whose milestone the journey lacks or has no touch at or before.
// Weights credits by it and Report counts the anchors it misses.
func (m MilestoneModel) anchorTouches(t []Touch, j *Journey) []int {
	out := make([]int, len(m.Anchors))
	for k, a := range m.Anchors {
		out[k] = touchOf(t, j, a.Milestone)
	}
	return out
}

// missed are the milestones whose share Weights gives to the other
// anchors for these touches, in the model's order: those the journey
// never reached or reached with no touch at or before them. A single
// touch takes all the credit, so it misses none.
func (m MilestoneModel) missed(t []Touch, j *Journey) []string {
	if len(t) < 2 {
		return nil
	}
	var out []string
	for k, i := range m.anchorTouches(t, j) {
		if a := m.Anchors[k].Milestone; i < 0 && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// touchOf returns the index of a milestone's touch, or -1.
func touchOf(t []Touch, j *Journey, milestone string) int {
	switch milestone {
	case FirstTouch:
		return 0
	case LastTouch:
		return len(t) - 1
	}
	at, ok := j.Milestones[milestone]
	if !ok {
		return -1
	}
	for i := len(t) - 1; i >= 0; i-- {
		if !t[i].At.After(at) {
			return i
		}
	}
	return -1
}

// ModelNames lists the models ParseModel knows, in the order of the docs.
var ModelNames = []string{"first_touch", "last_touch", "last_non_direct", "linear", "time_decay",
	"position_based", "w_shaped", "full_path", "custom"}

// ParseModel reads a model as the command line names it, with its settings
// after a colon:
//
//	time_decay:14d           half-life of 14 days
//	position_based:30/40     30% first, 40% last
//	last_non_direct:direct,organic
//	w_shaped:opportunity     the second milestone
//	custom:first_touch=0.5,sales_ready=0.3,between=0.2
//
// A model given settings is named with them (Name returns "time_decay:14d"),
// so that two models of one kind side by side keep apart in reports and
// credit files.
func ParseModel(spec string) (Model, error) {
	spec = strings.TrimSpace(spec)
	m, err := parseModel(spec)
	if err != nil {
		return nil, err
	}
	if name, arg, _ := strings.Cut(spec, ":"); arg != "" && m.Name() == name {
		if mm, ok := m.(MilestoneModel); ok {
			mm.Label = spec
			return mm, nil
		}
		return namedModel{m, spec}, nil
	}
	return m, nil
}

// namedModel is a model named with its settings.
type namedModel struct {
	Model
	name string
}

func (m namedModel) Name() string { return m.name }

func parseModel(spec string) (Model, error) {
	name, arg, _ := strings.Cut(spec, ":")
	switch name {
	case "first_touch":
		return FirstTouchModel{}, nil
	case "last_touch":
		return LastTouchModel{}, nil
	case "last_non_direct":
		m := LastNonDirectModel{}
		if arg != "" {
			m.Direct = strings.Split(arg, ",")
		}
		return m, nil
	case "linear":
		return LinearModel{}, nil
	case "time_decay":
		m := TimeDecayModel{}
		if arg != "" {
			d, err := parseDays(arg)
			if err != nil {
				return nil, fmt.Errorf("time_decay: %v", err)
			}
			m.HalfLife = d
		}
		return m, nil
	case "position_based":
		m := PositionBasedModel{}
		if arg != "" {
			a, b, ok := strings.Cut(arg, "/")
			f, err1 := numfmt.ParseDecimal(a)
			l, err2 := numfmt.ParseDecimal(b)
			if !ok || err1 != nil || err2 != nil || !(f >= 0 && l >= 0 && f+l <= 100) { // NaN fails too
				return nil, fmt.Errorf("position_based: write the first and last shares in percent, such as position_based:40/40")
			}
			m.First, m.Last = f/100, l/100
		}
		return m, nil
	case "w_shaped":
		return WShaped(arg), nil
	case "full_path":
		return FullPath(), nil
	case "custom":
		m := MilestoneModel{Label: "custom"}
		sum := 0.0
		for _, part := range strings.Split(arg, ",") {
			k, v, ok := strings.Cut(part, "=")
			share, err := numfmt.ParseDecimal(v)
			if !ok || err != nil || !(share >= 0 && share <= 1e6) { // not NaN, not infinite
				return nil, fmt.Errorf("custom: write milestone=share pairs, such as custom:first_touch=0.5,sales_ready=0.3,between=0.2")
			}
			if k != "between" && !slices.Contains(knownMilestones, k) {
				// between is no milestone, but a misspelling of it is
				// suspected as of one (bewteen, Between).
				if s := suggest.Name(k, append([]string{"between"}, knownMilestones...)); s != "" {
					return nil, fmt.Errorf("custom: no milestone is named %q; did you mean %q?", k, s)
				}
			}
			sum += share
			if k == "between" {
				m.Between = share
			} else {
				m.Anchors = append(m.Anchors, Anchor{Milestone: k, Share: share})
			}
		}
		if len(m.Anchors) == 0 {
			return nil, fmt.Errorf("custom: name at least one milestone, such as custom:first_touch=0.5,won=0.5")
		}
		if math.Abs(sum-1) > 1e-9 {
			return nil, fmt.Errorf("custom: the shares sum to %s, not 1; write them so that they sum to 1 (such as custom:first_touch=0.5,sales_ready=0.3,between=0.2)",
				strconv.FormatFloat(sum, 'f', -1, 64))
		}
		return m, nil
	case "markov", "shapley":
		if name == "markov" && arg == "" {
			return nil, fmt.Errorf("markov needs an order: write markov:K (K from 1 to %d, such as markov:2) or markov:auto", MaxOrder)
		}
		if name == "shapley" && arg != "" {
			return nil, fmt.Errorf("shapley takes no settings: write shapley, not %q", spec)
		}
		// Data-driven: RunPaths runs them, and the command line with any
		// input; a Model weighs one journey's touches alone.
		return nil, fmt.Errorf("%s is a data-driven model, credited over all the paths at once: RunPaths runs it; ParseModel reads the rule-based models, %s", spec, strings.Join(ModelNames, ", "))
	}
	list := strings.Join(ModelNames, ", ") + ", and the data-driven markov:K, markov:auto and shapley"
	if s := suggest.Name(name, append(slices.Clone(ModelNames), "markov", "shapley")); s != "" {
		return nil, fmt.Errorf("unknown model %q; did you mean %q? The models are %s", name, s, list)
	}
	return nil, fmt.Errorf("unknown model %q; the models are %s", name, list)
}

// conversionMilestones are the milestones leadscore's journeys use, which
// a conversion may name before any journey is read.
var conversionMilestones = []string{LeadCreated, SalesReady, SalesAccepted, Opportunity, Won}

// CheckConversion refuses a conversion milestone (Options.Conversion) that
// is a near miss of one of leadscore's milestones but not one, with a
// did-you-mean: a misspelt one would convert no journey. Any other name
// passes: journeys may carry milestones of their own.
func CheckConversion(name string) error {
	if slices.Contains(conversionMilestones, name) {
		return nil
	}
	if s := suggest.Name(name, conversionMilestones); s != "" {
		return fmt.Errorf("no milestone is named %q; did you mean %q?", name, s)
	}
	return nil
}

// CheckConversionReached refuses a conversion milestone (other than won)
// that none of the journeys added to r has, since then nothing converts;
// nil when r has no journey. Its message names the milestones they have.
func CheckConversionReached(name string, r *Report) error {
	if name == Won || r.milestones[name] || r.journeys == 0 {
		return nil
	}
	names := slices.Sorted(maps.Keys(r.milestones))
	have := "the journeys have no milestones"
	if len(names) > 0 {
		have = "theirs are " + strings.Join(names, ", ")
	}
	hint := "; " + have + "; name one of them, or leave out the flag for won"
	if s := suggest.Name(name, names); s != "" {
		hint = fmt.Sprintf("; did you mean %q?", s)
	}
	return fmt.Errorf("no journey has the milestone %q, so nothing would convert%s", name, hint)
}

// knownMilestones are the milestones a custom model names without a
// misspelling being suspected: the built-in touches and leadscore's
// milestones. Any other name works, unless it is a near miss of one of
// these (sales_readdy).
var knownMilestones = []string{FirstTouch, LastTouch, LeadCreated, SalesReady, SalesAccepted, Opportunity, Won}

// parseDays reads "14d", "36h" or "2w".
func parseDays(s string) (time.Duration, error) {
	if len(s) < 2 {
		return 0, fmt.Errorf("write a duration such as 7d")
	}
	n, err := numfmt.ParseDecimal(s[:len(s)-1])
	if err != nil || !(n > 0) { // NaN fails too
		return 0, fmt.Errorf("write a duration such as 7d, not %q", s)
	}
	unit := map[byte]time.Duration{'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 {
		return 0, fmt.Errorf("write a duration such as 7d, not %q", s)
	}
	if d := n * float64(unit); d < float64(time.Hour) || d > float64(100*365*24*time.Hour) {
		return 0, fmt.Errorf("write a duration from 1h to 100 years, such as 7d, not %q", s)
	}
	return time.Duration(n * float64(unit)), nil
}

// DefaultJourneyModels are the models run on journeys unless a list says
// otherwise; DefaultPathModels those run on bare paths. W-shaped and full
// path are not among the latter: they weigh touches by milestones, which
// bare paths do not carry.
const (
	DefaultJourneyModels = "first_touch,linear,w_shaped"
	DefaultPathModels    = "first_touch,last_touch,last_non_direct,linear,time_decay,position_based,markov:1,markov:2,markov:3,shapley"
)

// OnlyDataDrivenNote is what a report on journeys says when its list of
// models (the flag named) gives only data-driven ones: they credit
// channels in a table of their own, and the campaign and channel tables,
// which need a rule-based model, credit by linear. The command line and
// Beam put it first among the report's warnings.
func OnlyDataDrivenNote(flag string, dataDriven []string) string {
	return fmt.Sprintf("%s names only data-driven models (%s), which credit channels from the journeys' paths, in a table of their own at the end; the campaign and channel tables need a rule-based model and show linear: add one to %s to choose theirs (such as first_touch;%s)",
		flag, strings.Join(dataDriven, ", "), flag, strings.Join(dataDriven, ";"))
}

// SplitModels reads a list of model specs, as --models gives it: split at
// commas, or at semicolons when a model's settings hold commas
// (custom:first_touch=0.5,last_touch=0.5;linear). A model listed twice is
// refused: its columns would carry one name twice, and credit by model
// would count it twice. Two of one kind with different settings
// (time_decay:7d;time_decay:30d) are two models. Split at commas, a
// milestone=share after a custom model belongs to it, so
// linear,custom:first_touch=0.5,won=0.5 is two models.
func SplitModels(list string) ([]string, error) {
	sep := ","
	if strings.Contains(list, ";") {
		sep = ";"
	}
	var parts []string
	for _, spec := range strings.Split(list, sep) {
		spec = strings.TrimSpace(spec)
		// Split at commas, custom:first_touch=0.5,won=0.5 comes in
		// pieces: a milestone=share without a model name is the custom
		// model's before it.
		if n := len(parts); sep == "," && n > 0 && strings.HasPrefix(parts[n-1], "custom:") && strings.Contains(spec, "=") && !strings.Contains(spec, ":") {
			parts[n-1] += "," + spec
			continue
		}
		parts = append(parts, spec)
	}
	var out []string
	for _, spec := range parts {
		if spec == "" {
			continue
		}
		if slices.Contains(out, spec) {
			return nil, fmt.Errorf("--models lists %s twice; list each model once (two of one kind with different settings, such as time_decay:7d;time_decay:30d, are fine)", spec)
		}
		out = append(out, spec)
	}
	return out, nil
}

package dsl

import (
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Holdout is a holdout experiment of a rule file: a share of the leads,
// picked by a hash of the lead id and the seed, forms a control group
// that does not get what Withhold names.
//
//	holdout:
//	  share: 0.1            # 10% of the leads are the control group
//	  seed: q3-holdout      # fixes which leads; change it to draw a new group
//	  withhold: handoff     # control leads are never handed to sales
//	  starts: 2026-09-01    # optional: leads created before are in neither group
//
// or, for champion and challenger definitions on the same traffic:
//
//	holdout:
//	  share: 0.5
//	  seed: 2026-q4
//	  withhold: {challenger: challenger.yaml}   # control leads are judged by this rule file
//
// Only the root rule file may hold it.
type Holdout struct {
	Pos Pos // the holdout: key
	// Share is the control group's share of the leads, above 0 and below 1.
	Share *Number
	// Seed is the seed's text exactly as the file writes it (quotes
	// aside), so that what the file says is what is hashed: seed: "0x2A"
	// is 0x2A. A plain number written otherwise than in plain decimal
	// (0x2A, 0042) is refused, since YAML readers would make it 42.
	Seed String
	// Withhold is "handoff" or "challenger"; empty when missing or invalid.
	Withhold String
	// Challenger is the challenger's rule file, relative to this one, for
	// withhold: {challenger: ...}.
	Challenger String
	// Starts is when the experiment began, as the file writes it (empty
	// when the section has no starts: key); StartsAt is the time it reads
	// as, a date being midnight UTC (zero when absent or invalid). A lead
	// created before it is in neither group.
	Starts   String
	StartsAt time.Time
}

// The things a holdout's control group can go without.
const (
	WithholdHandoff    = "handoff"
	WithholdChallenger = "challenger"
)

var holdoutKeys = []string{"share", "seed", "withhold", "starts"}

// holdout decodes the holdout: section.
func (d *decoder) holdout(k, n *yaml.Node) *Holdout {
	h := &Holdout{Pos: d.pos(k)}
	seen := map[string]bool{}
	ok := d.mapping(n, "holdout", holdoutKeys, func(key string, k, v *yaml.Node) {
		seen[key] = true
		switch key {
		case "share":
			h.Share = d.number(v, "share")
			if h.Share != nil && !(h.Share.Value > 0 && h.Share.Value < 1) {
				d.errorf(v, "share is the control group's share of the leads, above 0 and below 1 (0.1 holds out one lead in ten), not %s", v.Value)
				h.Share = nil
			}
		case "seed":
			h.Seed = d.seed(v)
		case "withhold":
			d.withhold(h, v)
		case "starts":
			h.Starts, h.StartsAt = d.starts(v)
		}
	})
	if !ok {
		return h
	}
	// A key misspelt (sed: for seed:) is reported as unknown, with its
	// did-you-mean; the key it meant is not reported missing as well.
	for i := 0; i < len(n.Content); i += 2 {
		if meant := Suggest(n.Content[i].Value, holdoutKeys); meant != "" {
			seen[meant] = true
		}
	}
	for _, need := range []struct{ key, example string }{
		{"share", "share: 0.1 (one lead in ten is held out)"},
		{"seed", "seed: followed by a word or number that fixes which leads are held out, such as seed: q3-holdout"},
		{"withhold", "withhold: handoff (control leads are not handed to sales) or withhold: {challenger: FILE.yaml}"},
	} {
		if !seen[need.key] {
			d.errorf(k, "holdout has no %s; add %s", need.key, need.example)
		}
	}
	return h
}

// seed reads a seed: its text as written, a whole number's too.
func (d *decoder) seed(n *yaml.Node) String {
	s := d.text(n, "seed")
	switch {
	case s.Value == "" && n.Kind == yaml.ScalarNode && n.Tag != "!!null":
		d.errorf(n, "seed is empty; give a word or number, such as seed: q3-holdout")
	case n.Tag == "!!int" && plainWhole(n.Value):
		// a whole number in plain decimal: every reader writes it the same
	case n.Tag == "!!int" || (n.Tag == "!!float" && !strings.ContainsAny(n.Value, ".eE")):
		d.errorf(n, "seed %s is read as a number, which YAML readers and other systems may write differently (0x2A and 052 are both 42 to most); "+
			"quote it (seed: %q) so that the text as written is what is hashed, or write a word or a plain whole number", n.Value, n.Value)
	case n.Tag == "!!float" || n.Tag == "!!bool":
		d.errorf(n, "seed %s is read as a %s, whose text other systems may write differently; quote it (seed: %q) or use a word or a whole number", n.Value,
			map[string]string{"!!float": "number with a fraction", "!!bool": "true/false value"}[n.Tag], n.Value)
	}
	return s
}

// starts reads when the experiment began: a date (midnight UTC) or an RFC
// 3339 time with its offset.
func (d *decoder) starts(n *yaml.Node) (String, time.Time) {
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!null" || n.Value == "") {
		d.errorf(n, "starts is empty; give the day the experiment began, such as starts: 2026-09-01, or leave starts out to put every lead in the experiment")
		return String{Pos: d.pos(n)}, time.Time{}
	}
	s := d.text(n, "starts")
	if s.Value == "" {
		return s, time.Time{}
	}
	if t, err := time.Parse("2006-01-02", s.Value); err == nil {
		return s, t
	}
	if t, err := time.Parse(time.RFC3339Nano, s.Value); err == nil {
		return s, t
	}
	fix := "write the day the experiment began as starts: 2026-09-01 (midnight UTC), or a time with its offset as starts: 2026-09-01T09:00:00Z"
	if t, err := time.Parse("2006-01-02T15:04:05", strings.Replace(s.Value, " ", "T", 1)); err == nil {
		fix = "add its offset, such as starts: " + t.Format("2006-01-02T15:04:05") + "Z for UTC, so that every system reads the same moment"
	}
	d.errorf(n, "starts %q is not a date or a time; %s", s.Value, fix)
	return s, time.Time{}
}

// withhold reads withhold: handoff, or withhold: {challenger: FILE}.
func (d *decoder) withhold(h *Holdout, v *yaml.Node) {
	options := []string{WithholdHandoff, WithholdChallenger}
	if v.Kind == yaml.MappingNode {
		d.mapping(v, "withhold", []string{WithholdChallenger}, func(_ string, k, v *yaml.Node) {
			h.Withhold = String{Value: WithholdChallenger, Pos: d.pos(k)}
			h.Challenger = d.text(v, "challenger")
			if h.Challenger.Value != "" {
				if why := checkName(h.Challenger.Value); why != "" {
					d.errorf(v, "challenger %s: %s; name the challenger's rule file relative to this one, such as challenger.yaml", h.Challenger.Value, why)
				}
			}
		})
		if h.Withhold.Value == "" && len(v.Content) == 0 {
			d.errorf(v, "withhold is empty; write withhold: {challenger: FILE.yaml}, or withhold: handoff")
		}
		return
	}
	s := d.text(v, "withhold")
	switch s.Value {
	case "":
	case WithholdHandoff:
		h.Withhold = s
	case WithholdChallenger:
		d.errorf(v, "withhold: challenger needs the challenger's rule file; write withhold: {challenger: FILE.yaml}")
	default:
		d.errorf(v, "withhold: unknown %q%s", s.Value, DidYouMeanOr(s.Value, options,
			"write withhold: handoff (control leads are not handed to sales) or withhold: {challenger: FILE.yaml} (control leads are judged by another rule file)"))
	}
}

// plainWhole reports whether s is a whole number as every reader writes
// it: decimal digits, a minus sign at most, no leading zero.
func plainWhole(s string) bool {
	i, err := strconv.ParseInt(s, 10, 64)
	return err == nil && strconv.FormatInt(i, 10) == s
}

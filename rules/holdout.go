package rules

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"path/filepath"
	"time"

	"github.com/leadscore/leadscore/dsl"
)

// Holdout is a model's compiled holdout experiment (the rule file's
// holdout section): which leads form the control group, and what they
// do not get.
//
// # The assignment
//
// A lead is in the control group when
//
//	u = (first 8 bytes of SHA-256(seed + "\x00" + lead id), big-endian) >> 11
//	u / 2^53 < share
//
// where seed and id are their UTF-8 bytes and u / 2^53 is a number in [0, 1)
// that a float64 holds exactly. It depends on nothing but the seed, the id
// and the share: not on the order of the leads, the machine or the run,
// so another system recomputes it; in Python:
//
//	h = hashlib.sha256((seed + "\x00" + lead_id).encode()).digest()
//	control = (int.from_bytes(h[:8], "big") >> 11) / 2**53 < share
//
// Control compares integers (u with the least whole number not below
// share × 2^53, which is exact), never rounded fractions.
//
// # The start
//
// With a start (the section's starts:), a lead that came before it (was
// created before it, or, with no creation time, had its first event
// before it) is in neither group: it is scored and handed to sales as
// without a holdout, and the lift leaves it out. A lead that came at the
// start or after, or has no time at all, is in the experiment, and its
// group is the hash's, as without a start. In Python:
//
//	in_experiment = starts is None or came is None or came >= starts
//	control = in_experiment and held_out(seed, lead_id, share)
type Holdout struct {
	// Share is the control group's share of the leads, in (0, 1).
	Share float64
	// Seed is the seed's text, as the rule file writes it.
	Seed string
	// Withhold is dsl.WithholdHandoff or dsl.WithholdChallenger.
	Withhold string
	// Challenger is the challenger's rule file as the rule file writes it;
	// ChallengerPath the same, joined to the rule file's directory.
	Challenger, ChallengerPath string
	// Starts is when the experiment began; zero when it has no start, and
	// every lead is in it (see In).
	Starts time.Time

	threshold uint64 // u < threshold: control
}

// NewHoldout returns a holdout of the given share and seed that withholds
// the hand-off; share must be above 0 and below 1 (nil otherwise).
func NewHoldout(share float64, seed string) *Holdout {
	if !(share > 0 && share < 1) {
		return nil
	}
	return &Holdout{Share: share, Seed: seed, Withhold: dsl.WithholdHandoff, threshold: holdoutThreshold(share)}
}

// holdoutThreshold is the least whole number not below share × 2^53:
// u / 2^53 < share exactly when u < it (u a whole number).
func holdoutThreshold(share float64) uint64 {
	return uint64(math.Ceil(math.Ldexp(share, 53)))
}

// Control reports whether the lead with the given id is in the control
// group (false on a nil Holdout: without an experiment every lead is
// treated).
func (h *Holdout) Control(leadID string) bool {
	if h == nil {
		return false
	}
	return HoldoutDraw(h.Seed, leadID) < h.threshold
}

// In reports whether a lead that came at came (its creation time, or
// without one its first event; zero for neither) is in the experiment:
// the holdout has no start, came is zero, or came is not before the
// start. A lead not in it is in neither group. False on a nil Holdout.
func (h *Holdout) In(came time.Time) bool {
	return h != nil && (h.Starts.IsZero() || came.IsZero() || !came.Before(h.Starts))
}

// ControlAt reports whether the lead with the given id, which came at
// came (as for In), is in the control group: in the experiment, and held
// out by Control.
func (h *Holdout) ControlAt(leadID string, came time.Time) bool {
	return h.In(came) && h.Control(leadID)
}

// StartsText writes the experiment's start as the rule file may: the
// date (2026-09-01) for midnight UTC, RFC 3339 otherwise; "" for none.
func (h *Holdout) StartsText() string {
	switch u := h.Starts.UTC(); {
	case h.Starts.IsZero():
		return ""
	case u.Equal(u.Truncate(24 * time.Hour)):
		return u.Format("2006-01-02")
	}
	return h.Starts.Format(time.RFC3339Nano)
}

// HoldoutDraw is the lead's draw u in [0, 2^53): the first 8 bytes of
// SHA-256(seed + "\x00" + id), big-endian, shifted right by 11 bits. The
// lead is in the control group when u / 2^53 is below the share.
func HoldoutDraw(seed, leadID string) uint64 {
	h := sha256.New()
	h.Write([]byte(seed))
	h.Write([]byte{0})
	h.Write([]byte(leadID))
	var sum [sha256.Size]byte
	return binary.BigEndian.Uint64(h.Sum(sum[:0])[:8]) >> 11
}

// WithholdsHandoff reports whether control leads go without the hand-off
// (false on a nil Holdout).
func (h *Holdout) WithholdsHandoff() bool {
	return h != nil && h.Withhold == dsl.WithholdHandoff
}

// compileHoldout converts the holdout section; the decoder has checked it.
func (c *compiler) compileHoldout() {
	dh := c.doc.Holdout
	if dh == nil || dh.Share == nil || dh.Withhold.Value == "" {
		return
	}
	h := NewHoldout(dh.Share.Value, dh.Seed.Value)
	if h == nil {
		return
	}
	h.Withhold = dh.Withhold.Value
	h.Starts = dh.StartsAt
	if h.Withhold == dsl.WithholdChallenger {
		h.Challenger = dh.Challenger.Value
		h.ChallengerPath = filepath.FromSlash(dh.Challenger.Value)
		if len(c.doc.Files) > 0 {
			h.ChallengerPath = filepath.Join(filepath.Dir(c.doc.Files[0]), h.ChallengerPath)
		}
	}
	c.m.Holdout = h
}

// lintHoldout reports what a review of the holdout section should look at.
func (l *linter) lintHoldout() {
	h := l.doc.Holdout
	if h == nil || h.Share == nil {
		return
	}
	if h.Withhold.Value == dsl.WithholdHandoff && h.Share.Value > 0.5 {
		l.warn(h.Share.Pos, "share %v holds more than half the leads back from sales; a holdout is usually 0.05 to 0.2 of the leads (the control group only has to be large enough to measure the lift)", h.Share.Value)
	}
}

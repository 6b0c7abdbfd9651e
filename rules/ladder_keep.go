package rules

import (
	"encoding/binary"
	"math"

	"github.com/expr-lang/expr/ast"
)

// A lead's ladder phase (the total's expression, the grades, the stages)
// reads the scores it is given and, besides them, some of the lead's
// values: its fields and defines. SaveLadder keeps those values of a lead
// as evaluated, and LoadLadder sets them again in another evaluator of the
// model, so that the ladder can be run later under other scores (other
// points) without the lead: a backtest suggesting points replays each lead
// once and ranks it from what it kept.

// keepLadder works out which slots the ladder phase reads besides the
// scores, and whether SaveLadder can keep them: only when the ladder
// reads no function of the lead's events or presence (the frame) and
// every slot it reads holds a bool, a whole number, a number or a text.
func (c *compiler) keepLadder() {
	m := c.m
	var exprs []*Expr
	if m.Total != nil {
		exprs = append(exprs, m.Total)
	}
	for _, g := range m.Grades {
		exprs = append(exprs, g.When)
	}
	for _, s := range m.Stages {
		exprs = append(exprs, s.When)
	}
	given := map[int]bool{m.totalSlot: true, m.gradeSlot: true}
	for _, k := range m.categorySlots {
		given[k] = true
	}
	seen := map[int]bool{}
	var reads []int
	for _, x := range exprs {
		if x == nil {
			continue
		}
		if x.program == nil {
			return
		}
		// Every name the ladder reads of the lead must be a slot: the
		// frame (events, presence) and any variable without one are not
		// kept, but for the frame the compiler's own calls take only to
		// pay steps from the budget (see bound.go), which is kept.
		budgetOnly := map[ast.Node]bool{}
		ast.Find(x.program.Node(), func(n ast.Node) bool {
			if call, ok := n.(*ast.CallNode); ok && len(call.Arguments) > 0 {
				if f, ok := call.Callee.(*ast.IdentifierNode); ok && paysOnly[f.Value] {
					budgetOnly[call.Arguments[0]] = true
				}
			}
			return false
		})
		unkept := false
		ast.Find(x.program.Node(), func(n ast.Node) bool {
			if id, ok := n.(*ast.IdentifierNode); ok {
				_, slot := m.slots.index[id.Value]
				_, variable := c.scored[id.Value]
				if id.Value == frameVar && !budgetOnly[n] || id.Value != frameVar && variable && !slot {
					unkept = true
				}
			}
			return false
		})
		if unkept {
			return
		}
		for _, k := range x.reads {
			if given[k] || seen[k] {
				continue
			}
			switch m.slots.kinds[k] {
			case kindBool, kindInt, kindFloat, kindString:
			default:
				return
			}
			seen[k] = true
			reads = append(reads, k)
		}
	}
	m.ladderReads, m.ladderKept = reads, true
}

// paysOnly are the compiler's calls that read the frame only for its
// budget of steps (and the model's patterns).
var paysOnly = map[string]bool{tickFunc: true, growFunc: true, aheadFunc: true, rangeFunc: true, matchFunc: true,
	divFunc: true, divAnyFunc: true, modFunc: true, modAnyFunc: true, powFunc: true}

// SaveLadder appends to dst the values the ladder phase reads besides the
// scores (see keepLadder), as the lead's evaluation stands; false, and dst
// as it was, when they cannot be kept exactly: the model's ladder reads
// the lead's events or presence, or a value of the lead did not fit its
// slot's kind.
func (e *evaluator) SaveLadder(dst []byte) ([]byte, bool) {
	m := e.model
	if !m.ladderKept || e.mismatch {
		return dst, false
	}
	for _, k := range m.ladderReads {
		v := &e.vals[k]
		switch m.slots.kinds[k] {
		case kindBool:
			b := byte(0)
			if v.b {
				b = 1
			}
			dst = append(dst, b)
		case kindInt:
			dst = binary.AppendVarint(dst, int64(v.i))
		case kindFloat:
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v.f))
		case kindString:
			dst = binary.AppendUvarint(dst, uint64(len(v.s)))
			dst = append(dst, v.s...)
		}
	}
	return dst, true
}

// LoadLadder sets the values SaveLadder kept, from the front of src, and
// returns the rest of src; false when src is too short.
func (e *evaluator) LoadLadder(src []byte) ([]byte, bool) {
	m := e.model
	for _, k := range m.ladderReads {
		v := &e.vals[k]
		switch m.slots.kinds[k] {
		case kindBool:
			if len(src) < 1 {
				return nil, false
			}
			v.b, src = src[0] == 1, src[1:]
		case kindInt:
			n, w := binary.Varint(src)
			if w <= 0 {
				return nil, false
			}
			v.i, src = int(n), src[w:]
		case kindFloat:
			if len(src) < 8 {
				return nil, false
			}
			v.f, src = math.Float64frombits(binary.LittleEndian.Uint64(src)), src[8:]
		case kindString:
			n, w := binary.Uvarint(src)
			if w <= 0 || uint64(len(src)-w) < n {
				return nil, false
			}
			v.s, src = string(src[w:w+int(n)]), src[w+int(n):]
		}
		v.boxed, e.stale[k] = nil, true
	}
	e.mismatch = false
	return src, true
}

// LadderKept reports whether SaveLadder can keep what the model's ladder
// reads (see keepLadder).
func (e *evaluator) LadderKept() bool { return e.model.ladderKept }

package rules

// nameTable finds a value by name among a set of names fixed when a model
// is compiled, such as the event types, with one multiplication and one
// string comparison: the slot of a name is a hash of its length and five
// of its bytes, with a multiplier searched at compile time so that no two
// names share a slot. When no multiplier separates the names (two names
// of the same length alike in those bytes), it falls back to a Go map.
// A name outside the set finds nothing, whatever its hash.
type nameTable[V any] struct {
	mult  uint64
	shift uint64 // 64 - log2(len(slots))
	slots []nameSlot[V]
	other map[string]V // the fallback, nil when the slots separate every name
}

type nameSlot[V any] struct {
	name string
	v    V
	used bool
}

// maxTableNames is the most names a table takes slots for: the event
// types of a model are a few dozen at most; beyond, a map does as well.
const maxTableNames = 128

// nameKey packs what the hash reads of a name: its length and its first
// two, middle and last two bytes.
func nameKey(s string) uint64 {
	n := len(s)
	if n < 2 {
		if n == 0 {
			return 0
		}
		return 1 | uint64(s[0])<<8
	}
	return uint64(n) | uint64(s[0])<<8 | uint64(s[1])<<16 | uint64(s[n/2])<<24 |
		uint64(s[n-2])<<32 | uint64(s[n-1])<<40
}

// newNameTable builds the table of m's names and values.
func newNameTable[V any](m map[string]V) nameTable[V] {
	var t nameTable[V]
	if len(m) == 0 {
		return t
	}
	if len(m) > maxTableNames {
		return nameTable[V]{other: m}
	}
	for bits := uint64(1); bits <= 12; bits++ {
		size := 1 << bits
		if size < 2*len(m) {
			continue
		}
		t.slots = make([]nameSlot[V], size)
		t.shift = 64 - bits
		for mult := uint64(0x9e3779b97f4a7c15); mult < 0x9e3779b97f4a7c15+2*1024; mult += 2 {
			t.mult = mult
			if t.fill(m) {
				return t
			}
		}
	}
	return nameTable[V]{other: m}
}

// fill places every name in its slot, or reports a collision.
func (t *nameTable[V]) fill(m map[string]V) bool {
	clear(t.slots)
	for name, v := range m {
		s := &t.slots[t.slot(name)]
		if s.used {
			return false
		}
		*s = nameSlot[V]{name: name, v: v, used: true}
	}
	return true
}

func (t *nameTable[V]) slot(name string) uint64 { return (nameKey(name) * t.mult) >> t.shift }

// get returns the value of name, and whether name is in the table.
func (t *nameTable[V]) get(name string) (V, bool) {
	if t.slots == nil {
		v, ok := t.other[name]
		return v, ok
	}
	if s := &t.slots[t.slot(name)]; s.used && s.name == name {
		return s.v, true
	}
	var zero V
	return zero, false
}

// eventTypeInfo returns what the evaluator needs of an event type, nil for
// a type no rule, aggregate or event_types entry names.
func (m *Model) eventTypeInfo(t string) *eventTypeInfo {
	info, _ := m.eventTypes.get(t)
	return info
}

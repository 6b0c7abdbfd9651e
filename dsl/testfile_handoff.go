package dsl

import "go.yaml.in/yaml/v3"

// TestDisposition is a verdict of sales on a test case's lead, at a time or
// an age before the as-of time:
//
//	dispositions:
//	  - {status: recycled, reason: bad_timing, ago: 10d}
type TestDisposition struct {
	Pos    Pos
	Status String // accepted, rejected or recycled
	Reason String
	Owner  String
	At     *TimeValue
	Ago    *Duration
}

// testDispositions decodes a case's dispositions: list.
func (d *decoder) testDispositions(n *yaml.Node) []*TestDisposition {
	var out []*TestDisposition
	d.seq(n, "dispositions", func(item *yaml.Node) {
		t := &TestDisposition{Pos: d.pos(item)}
		times := 0
		ok := d.mapping(item, "a disposition", []string{"status", "reason", "owner", "at", "ago"}, func(key string, k, v *yaml.Node) {
			switch key {
			case "status":
				t.Status = d.text(v, "status")
			case "reason":
				t.Reason = d.text(v, "reason")
			case "owner":
				t.Owner = d.text(v, "owner")
			case "at":
				t.At, times = d.timeValue(v, "at"), times+1
			case "ago":
				t.Ago, times = d.duration(v, "ago"), times+1
			}
		})
		if !ok {
			return
		}
		if t.Status.Value == "" {
			d.errorf(item, "this disposition has no status; add status: accepted, rejected or recycled")
		}
		switch times {
		case 0:
			d.errorf(item, "this disposition has no time; add ago: (such as 2d, before the as-of time) or at: (a date)")
		case 2:
			d.errorf(item, "this disposition has both at: and ago:; keep one")
		}
		out = append(out, t)
	})
	return out
}

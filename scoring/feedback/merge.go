package feedback

import "fmt"

// Merge adds the leads other counted into b, as if b had been given them
// with Add: reports of shards of the leads, built on other cores or
// machines, merge into the report of all of them, the same to the byte
// (groups, owners and reasons are sorted, and the SLA's median and 90th
// percentile sort the waits). Both must be of the same model, with the
// same options.
func (b *Builder) Merge(other *Builder) error {
	if other.m != b.m && other.m.Name != b.m.Name {
		return fmt.Errorf("cannot merge a feedback report of the model %s into one of %s", other.m.Name, b.m.Name)
	}
	if other.opts != b.opts {
		return fmt.Errorf("cannot merge feedback reports with other options (as of %s and %s); run every shard with the same flags",
			other.opts.AsOf, b.opts.AsOf)
	}
	r, o := b.rep, other.rep
	r.Leads += o.Leads
	r.SalesReady += o.SalesReady
	r.Dispositioned += o.Dispositioned
	r.Accepted += o.Accepted
	r.Rejected += o.Rejected
	r.Recycled += o.Recycled
	r.NeverDispositioned += o.NeverDispositioned
	r.NotHandedOff += o.NotHandedOff
	r.Recycle.Leads += o.Recycle.Leads
	r.Recycle.SalesReadyAgain += o.Recycle.SalesReadyAgain
	r.Recycle.WonLater += o.Recycle.WonLater
	r.EarlyRecycles = append(r.EarlyRecycles, o.EarlyRecycles...)
	r.EarlyVerdicts = append(r.EarlyVerdicts, o.EarlyVerdicts...)
	r.LaterVerdicts += o.LaterVerdicts
	r.SLA.Measured += o.SLA.Measured
	r.SLA.Within += o.SLA.Within
	r.SLA.Breached += o.SLA.Breached
	r.SLA.Overdue += o.SLA.Overdue
	r.SLA.Waiting += o.SLA.Waiting
	b.tally.Merge(other.tally)
	for kind := range b.groups {
		for name, og := range other.groups[kind] {
			g := b.groups[kind][name]
			if g == nil {
				g = &Group{Name: name, order: og.order, reasons: map[string]int{}}
				b.groups[kind][name] = g
			}
			g.SalesReady += og.SalesReady
			g.Dispositioned += og.Dispositioned
			g.Accepted += og.Accepted
			g.Rejected += og.Rejected
			g.Recycled += og.Recycled
			for reason, n := range og.reasons {
				g.reasons[reason] += n
			}
		}
	}
	for reason, n := range other.overall {
		b.overall[reason] += n
	}
	b.waits = append(b.waits, other.waits...)
	for name, oo := range other.owners {
		w := b.owner(name)
		w.Verdicts += oo.Verdicts
		w.Breached += oo.Breached
		w.waits = append(w.waits, oo.waits...)
	}
	return nil
}

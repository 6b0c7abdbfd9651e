package attribution

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/leadscore/leadscore/internal/csvcell"
)

// CreditWriter writes each journey's credit per touch and model as CSV
// (CreditColumns: the journey id, the touch's position from 1, its campaign
// and channel, the model, and the exact decimals of the conversions and
// revenue credited). Summed by campaign or channel and model, the rows of
// the journeys added to a Report give its credit exactly (the report
// rounds each sum once); a journey's rows under one model add up to its
// conversions and revenue.
type CreditWriter struct {
	cw     *csv.Writer
	models []Model
	opts   Options
}

// NewCreditWriter writes the header and returns a writer for journeys
// credited under models with opts, as NewReport takes them.
func NewCreditWriter(w io.Writer, models []Model, opts Options) *CreditWriter {
	c := &CreditWriter{cw: csv.NewWriter(w), models: models, opts: opts}
	c.cw.Write(CreditColumns)
	return c
}

// Add writes a journey's rows (none for a journey that did not convert).
func (c *CreditWriter) Add(j *Journey) error {
	for _, m := range c.models {
		for _, cr := range Attribute(m, j, c.opts) {
			c.cw.Write([]string{csvcell.Text(j.ID), strconv.Itoa(cr.Position), csvcell.Text(cr.Touch.Campaign), csvcell.Text(cr.Touch.Channel), m.Name(), cr.conv.String(), cr.rev.String()})
		}
	}
	return c.cw.Error()
}

// AddPaths writes the rows of a channel report's models (data-driven
// models over the journeys' paths), as ChannelReport.WriteCredit does,
// without another header.
func (c *CreditWriter) AddPaths(r *ChannelReport) error {
	c.cw.Flush()
	return r.writeCredit(c.cw)
}

// Flush writes what is buffered and returns the first error.
func (c *CreditWriter) Flush() error {
	c.cw.Flush()
	return c.cw.Error()
}

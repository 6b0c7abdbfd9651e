package main

import (
	"io"

	"github.com/leadscore/leadscore/cmd/leadscore/internal/htmlreport"
)

// writeHTML writes a self-contained HTML page of report sections.
func writeHTML(w io.Writer, title, subtitle string, sections ...htmlreport.Section) error {
	page := &htmlreport.Page{Title: title, Subtitle: subtitle, Sections: sections}
	return page.Render(w)
}

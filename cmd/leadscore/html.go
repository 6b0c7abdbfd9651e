package main

import (
	"flag"
	"io"

	"github.com/leadscore/leadscore/cmd/leadscore/internal/htmlreport"
)

// writeHTML writes a self-contained HTML page of report sections, its
// summary (tiles and what to change) on the first screen; currency names
// the money's (--currency).
func writeHTML(w io.Writer, title, subtitle, currency string, summary *htmlreport.Summary, sections ...htmlreport.Section) error {
	page := &htmlreport.Page{Title: title, Subtitle: subtitle, Summary: summary, Sections: sections, Currency: currency}
	return page.Render(w)
}

// currencyFlag is --currency: the currency the HTML page names for money.
func currencyFlag(fs *flag.FlagSet) *string {
	return fs.String("currency", "", "with --format html, the currency of revenue and cost, such as USD or EUR, named beside every amount's column")
}

// summaryOf is a summary of one report's tiles and findings.
func summaryOf(tiles []htmlreport.Tile, findings []htmlreport.Finding) *htmlreport.Summary {
	s := &htmlreport.Summary{}
	s.Add(tiles, findings)
	return s
}

// withWarnings puts warnings on a summary's first screen.
func withWarnings(s *htmlreport.Summary, warnings []string) *htmlreport.Summary {
	s.Warnings = append(s.Warnings, warnings...)
	return s
}

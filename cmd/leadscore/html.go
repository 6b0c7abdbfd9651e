package main

import (
	"flag"
	"fmt"
	"io"
	"unicode"

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
	var code string
	fs.Func("currency", "with --format html, the currency of revenue and cost, such as USD or EUR, named beside every amount", func(v string) error {
		if !validCurrency(v) {
			return fmt.Errorf("%q is not a currency: give its code, such as USD or EUR, or its sign, such as €", v)
		}
		code = v
		return nil
	})
	return &code
}

// validCurrency accepts a currency's code or sign: one to eight letters or
// currency signs, nothing a page would have to escape.
func validCurrency(v string) bool {
	n := 0
	for _, r := range v {
		if n++; n > 8 || !unicode.IsLetter(r) && !unicode.Is(unicode.Sc, r) {
			return false
		}
	}
	return n > 0
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

package leadgen

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
)

// WriteNDJSON writes n leads from g, one JSON object per line.
func WriteNDJSON(w io.Writer, g *Generator, n int) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	for i := 0; i < n; i++ {
		if err := enc.Encode(g.Next()); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteCSV writes n leads from g as a leads table and an events table
// joined by lead id (tech_stack items separated by "|").
func WriteCSV(leads, events io.Writer, g *Generator, n int) error {
	lw, ew := csv.NewWriter(leads), csv.NewWriter(events)
	if err := lw.Write(LeadColumns); err != nil {
		return err
	}
	if err := ew.Write(EventColumns); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		l := g.Next()
		row := []string{l.ID, l.Email, str(l.Title), str(l.Industry), num(l.Employees), flt(l.AnnualRevenue),
			str(l.Country), l.Source, strings.Join(l.TechStack, "|"), l.CreatedAt, strconv.FormatBool(l.Unsubscribed)}
		if err := lw.Write(row); err != nil {
			return err
		}
		for _, e := range l.Events {
			if err := ew.Write([]string{l.ID, e.Type, e.At, e.Campaign, e.Channel, e.URL, flt(e.Minutes)}); err != nil {
				return err
			}
		}
	}
	lw.Flush()
	ew.Flush()
	if err := lw.Error(); err != nil {
		return err
	}
	return ew.Error()
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func num(i *int) string {
	if i == nil {
		return ""
	}
	return strconv.Itoa(*i)
}

func flt(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

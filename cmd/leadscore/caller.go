package main

import "github.com/leadscore/leadscore/cmd/leadscore/internal/htmlreport"

// caller is who runs a command, and so what its messages call it and its
// flags: the command itself, run from the command line, or report, which
// runs diff, backtest, feedback and attribute for its parts and fills
// their flags from flags of its own (backtest's --at is report's
// --backtest-at). A message names a flag through flag, never by hand, so
// that it names the flag the person typed.
type caller struct {
	cmd string // the command run: "backtest"
	// name starts each message: "leadscore backtest", or "leadscore report"
	// when report runs it.
	name string
	// flags maps a flag of cmd to the caller's flag that gives it, or to ""
	// when the caller has none; a flag not in it has the same name.
	flags map[string]string
	// leadCounts, when set, is where score --accounts leaves what it
	// counted of the leads (report's account view).
	leadCounts *htmlreport.LeadCounts
}

// commandLine is a command run from the command line: its flags are its own.
func commandLine(cmd string) caller { return caller{cmd: cmd, name: "leadscore " + cmd} }

// partOf is cmd run by the command parent, whose flags give cmd's flags
// as flags says.
func partOf(parent, cmd string, flags map[string]string) caller {
	return caller{cmd: cmd, name: "leadscore " + parent, flags: flags}
}

// flag names a flag of the command as the person who ran it calls it:
// "--at" from the command line, "--backtest-at" from report; a flag the
// caller does not have is named with its command, "leadscore backtest
// --on", for a message that advises it.
func (c caller) flag(name string) string {
	to, ok := c.flags[name]
	switch {
	case ok && to == "":
		return "leadscore " + c.cmd + " " + dashes(name)
	case ok:
		name = to
	}
	return dashes(name)
}

// dashes writes a flag as its command's help does: -o, --at.
func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

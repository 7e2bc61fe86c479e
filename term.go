package main

import (
	"os"

	"golang.org/x/term"
)

// terminal says, in one place, which standard streams are terminals, so
// every command behaves the same when piped.
type terminal struct {
	stdin  bool
	stdout bool
	stderr bool
}

func detectTerminal() terminal {
	return terminal{
		stdin:  term.IsTerminal(int(os.Stdin.Fd())),
		stdout: term.IsTerminal(int(os.Stdout.Fd())),
		stderr: term.IsTerminal(int(os.Stderr.Fd())),
	}
}

// interactive reports whether a TUI can run: input from a terminal and a
// terminal to draw on (the TUI draws on stderr).
func (t terminal) interactive() bool { return t.stdin && t.stderr }

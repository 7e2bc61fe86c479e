package main

import (
	"os"
	"strconv"

	"golang.org/x/term"
)

// terminal says, in one place, which standard streams are terminals, so
// every command behaves the same when piped.
type terminal struct {
	stdin  bool
	stdout bool
	stderr bool
	// cols is stdout's width when it is a terminal (0 when unknown).
	cols int
}

func detectTerminal() terminal {
	t := terminal{
		stdin:  term.IsTerminal(int(os.Stdin.Fd())),
		stdout: term.IsTerminal(int(os.Stdout.Fd())),
		stderr: term.IsTerminal(int(os.Stderr.Fd())),
	}
	if t.stdout {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			t.cols = w
		}
	}
	return t
}

// interactive reports whether a TUI can run: input from a terminal and a
// terminal to draw on (the TUI draws on stderr).
func (t terminal) interactive() bool { return t.stdin && t.stderr }

// canPrompt reports whether a question can be asked and answered: the
// question goes to stderr and the answer comes from stdin.
func (t terminal) canPrompt() bool { return t.stdin && t.stderr }

// width is the terminal's width for tables on stdout: its real width, else
// COLUMNS, else 80.
func (t terminal) width() int {
	if t.cols > 0 {
		return t.cols
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 80
}

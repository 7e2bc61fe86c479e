// Command teafloor is the idle floor for bench/run.sh: the smallest Bubble
// Tea v2 program, one static line and no commands, so the wake-ups it makes
// at rest are Bubble Tea's own (its frame ticker), not keypair's.
//
//	teafloor [-fps N]    N as tea.WithFPS takes it; 0 keeps Bubble Tea's default (60)
package main

import (
	"flag"
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"
)

type model struct{}

func (model) Init() tea.Cmd { return nil }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && (k.String() == "q" || k.String() == "ctrl+c") {
		return m, tea.Quit
	}
	return m, nil
}

func (model) View() tea.View { return tea.NewView("teafloor: at rest (q quits)") }

func main() {
	fps := flag.Int("fps", 0, "frames per second for tea.WithFPS (0: Bubble Tea's default)")
	flag.Parse()
	var opts []tea.ProgramOption
	if *fps > 0 {
		opts = append(opts, tea.WithFPS(*fps))
	}
	if _, err := tea.NewProgram(model{}, opts...).Run(); err != nil {
		fmt.Fprintln(os.Stderr, "teafloor:", err)
		os.Exit(1)
	}
}

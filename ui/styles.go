package ui

import (
	"image/color"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/keypair-dev/keypair/ui/internal/field"
)

// Styles is every style the app draws with, built once for a light or dark
// background and a colour profile (NewStyles) and shared by every screen
// through common. Under NO_COLOR or TERM=dumb (profile Ascii or below) no
// style carries a colour; emphasis is bold, faint and reverse only, and
// every state also shows as text (brackets, ✗, !, <placeholder>), so
// nothing depends on colour. Every foreground reaches WCAG AA (4.5:1) on
// the background it is built for (TestColoursReachWCAGAA).
type Styles struct {
	Plain bool // no colour: placeholders get angle brackets

	Header    lipgloss.Style // the top lines: profile, region, credentials
	Title     lipgloss.Style // a screen's title
	Label     lipgloss.Style // a field label
	Focused   lipgloss.Style // the label of the focused field
	Selected  lipgloss.Style // the chosen option of a choice
	Option    lipgloss.Style // an option not chosen
	Hint      lipgloss.Style // quiet explanations
	Error     lipgloss.Style // a broken rule or a failure
	Warning   lipgloss.Style // advice that does not block
	OK        lipgloss.Style // success
	Button    lipgloss.Style // the Create button, usable
	ButtonOff lipgloss.Style // the Create button while something is invalid
	ButtonOn  lipgloss.Style // the Create button, focused
	Value     lipgloss.Style // fingerprints, paths, IDs
	Art       lipgloss.Style // the randomart box
	HelpKey   lipgloss.Style // a key in the help
	HelpDesc  lipgloss.Style // what it does

	Input field.Styles
}

// palette is the colours of one background.
type palette struct {
	accent, red, yellow, green, faint, text string
}

// palettes are chosen for contrast: each colour is at least 4.5:1 against
// #000000 and #1e1e1e (dark) or #ffffff (light).
var (
	darkPalette  = palette{accent: "#B9A6FF", red: "#FF6B6B", yellow: "#F2C94C", green: "#6FCF97", faint: "#9A9A9A", text: "#E6E6E6"}
	lightPalette = palette{accent: "#5A3FC0", red: "#B00020", yellow: "#8A5A00", green: "#1B7F3B", faint: "#6B6B6B", text: "#1A1A1A"}
)

// NewStyles builds the styles for a dark or light background under the given
// colour profile. Profiles without colour (Ascii, NoTTY) get colourless styles.
func NewStyles(isDark bool, profile colorprofile.Profile) *Styles {
	colour := profile > colorprofile.ASCII
	p := lightPalette
	if isDark {
		p = darkPalette
	}
	fg := func(s lipgloss.Style, hex string) lipgloss.Style {
		if !colour {
			return s
		}
		return s.Foreground(lipgloss.Color(hex))
	}
	base := lipgloss.NewStyle()
	s := &Styles{
		Plain:     !colour,
		Header:    fg(base, p.faint),
		Title:     fg(base.Bold(true), p.accent),
		Label:     fg(base, p.text),
		Focused:   fg(base.Bold(true), p.accent),
		Selected:  fg(base.Bold(true), p.accent),
		Option:    fg(base, p.faint),
		Hint:      fg(base, p.faint),
		Error:     fg(base, p.red),
		Warning:   fg(base, p.yellow),
		OK:        fg(base.Bold(true), p.green),
		Button:    fg(base.Bold(true), p.text),
		ButtonOff: fg(base, p.faint),
		ButtonOn:  base.Bold(true).Reverse(true),
		Value:     fg(base, p.text),
		Art:       fg(base, p.faint),
		HelpKey:   fg(base.Bold(true), p.text),
		HelpDesc:  fg(base, p.faint),
	}
	if !colour {
		s.Hint = base.Faint(true)
		s.Option = base
		s.ButtonOff = base.Faint(true)
		s.HelpDesc = base
	}

	// Typed text keeps the terminal's own colour (field never styles it):
	// readable on any background, and each keystroke then writes no
	// colour codes.
	var in field.Styles
	in.Focused.Prompt = fg(base, p.accent)
	in.Focused.Placeholder = fg(base, p.faint)
	in.Blurred.Prompt = fg(base, p.faint)
	in.Blurred.Placeholder = fg(base, p.faint)
	if !colour {
		in.Focused.Placeholder = base.Faint(true)
		in.Blurred.Placeholder = base.Faint(true)
	} else {
		in.Cursor.Color = lipgloss.Color(p.accent)
	}
	in.Cursor.Shape = tea.CursorBlock
	in.Cursor.Blink = true
	s.Input = in
	return s
}

// placeholder is how an input's example text is shown: dim, and without
// colour also in angle brackets, so it cannot be taken for a typed value.
func (s *Styles) placeholder(text string) string {
	if s.Plain {
		return "<" + text + ">"
	}
	return text
}

// foregrounds lists the foreground colours of s, for the contrast test.
func (s *Styles) foregrounds() map[string]color.Color {
	out := map[string]color.Color{}
	for name, st := range map[string]lipgloss.Style{
		"Header": s.Header, "Title": s.Title, "Label": s.Label, "Focused": s.Focused,
		"Selected": s.Selected, "Option": s.Option, "Hint": s.Hint, "Error": s.Error,
		"Warning": s.Warning, "OK": s.OK, "Button": s.Button, "ButtonOff": s.ButtonOff,
		"Value": s.Value, "Art": s.Art, "HelpKey": s.HelpKey, "HelpDesc": s.HelpDesc,
	} {
		if c := st.GetForeground(); c != nil {
			if _, none := c.(lipgloss.NoColor); !none {
				out[name] = c
			}
		}
	}
	return out
}

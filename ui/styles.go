package ui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
)

// Styles is every style the app draws with, built once for a light or dark
// background and a colour profile (NewStyles). Under NO_COLOR (profile Ascii)
// no style carries a colour; emphasis is bold, faint and reverse only, and
// every state also shows as text (brackets, ✗, !), so nothing depends on colour.
type Styles struct {
	Header    lipgloss.Style // the top line: profile, region, credentials
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

	Input textinput.Styles
	Help  help.Styles
}

// NewStyles builds the styles for a dark or light background under the given
// colour profile. Profiles without colour (Ascii, NoTTY) get colourless styles.
func NewStyles(isDark bool, profile colorprofile.Profile) Styles {
	colour := profile > colorprofile.ASCII
	ld := lipgloss.LightDark(isDark)
	pick := func(light, dark string) color.Color {
		return ld(lipgloss.Color(light), lipgloss.Color(dark))
	}
	fg := func(s lipgloss.Style, c color.Color) lipgloss.Style {
		if !colour {
			return s
		}
		return s.Foreground(c)
	}
	accent := pick("#5A3FC0", "#B9A6FF")
	red := pick("#B00020", "#FF6B6B")
	yellow := pick("#8A5A00", "#F2C94C")
	green := pick("#1B7F3B", "#6FCF97")
	faint := pick("#6B6B6B", "#9A9A9A")
	text := pick("#1A1A1A", "#E6E6E6")

	base := lipgloss.NewStyle()
	s := Styles{
		Header:    fg(base, faint),
		Title:     fg(base.Bold(true), accent),
		Label:     fg(base, text),
		Focused:   fg(base.Bold(true), accent),
		Selected:  fg(base.Bold(true), accent),
		Option:    fg(base, faint),
		Hint:      fg(base, faint),
		Error:     fg(base, red),
		Warning:   fg(base, yellow),
		OK:        fg(base.Bold(true), green),
		Button:    fg(base.Bold(true), text),
		ButtonOff: fg(base, faint),
		ButtonOn:  base.Bold(true).Reverse(true),
		Value:     fg(base, text),
		Art:       fg(base, faint),
	}
	if !colour {
		s.Hint = base.Faint(true)
		s.Option = base
		s.ButtonOff = base.Faint(true)
	}

	in := textinput.Styles{}
	// Typed text keeps the terminal's own colour: readable on any
	// background, and each keystroke then writes no colour codes.
	in.Focused.Text = base
	in.Focused.Prompt = fg(base, accent)
	in.Focused.Placeholder = fg(base, faint)
	in.Blurred.Text = base
	in.Blurred.Prompt = fg(base, faint)
	in.Blurred.Placeholder = fg(base, faint)
	if colour {
		in.Cursor.Color = accent
	}
	in.Cursor.Shape = tea.CursorBlock
	in.Cursor.Blink = true
	s.Input = in

	if colour {
		s.Help = help.DefaultStyles(isDark)
	} else {
		plain := base
		s.Help = help.Styles{
			Ellipsis: plain, ShortKey: base.Bold(true), ShortDesc: plain, ShortSeparator: plain,
			FullKey: base.Bold(true), FullDesc: plain, FullSeparator: plain,
		}
	}
	return s
}

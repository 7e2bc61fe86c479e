package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
)

// KeyMap is every key the app answers to. The same bindings feed the short
// help line and the full help (?), so what is shown is what works.
type KeyMap struct {
	Next       key.Binding // next field
	Prev       key.Binding // previous field
	Left       key.Binding // previous option of a choice
	Right      key.Binding // next option of a choice
	Toggle     key.Binding // change a choice or the dry-run box
	Enter      key.Binding // move on; on the Create button, submit
	Submit     key.Binding // submit from anywhere in the form
	AddTag     key.Binding
	RemoveTag  key.Binding
	Back       key.Binding // go back or cancel; never quits
	Help       key.Binding
	Quit       key.Binding // ctrl+c: asks first while a private key is unsaved
	QuitQ      key.Binding // q on screens without text fields
	Complete   key.Binding // save dialog: complete a folder name
	Save       key.Binding // save dialog: write the file
	CopyPub    key.Binding
	CopyFP     key.Binding
	NewKey     key.Binding
	Yes        key.Binding
	No         key.Binding
	ScrollUp   key.Binding // screens without fields, when taller than the terminal
	ScrollDown key.Binding
}

// DefaultKeyMap returns the keys described in DESIGN.md "Interactive flow and keys".
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Next:       key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next")),
		Prev:       key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous")),
		Left:       key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "previous option")),
		Right:      key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "next option")),
		Toggle:     key.NewBinding(key.WithKeys("space"), key.WithHelp("←/→/space", "change")),
		Enter:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next / create")),
		Submit:     key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "create")),
		AddTag:     key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", "add tag")),
		RemoveTag:  key.NewBinding(key.WithKeys("ctrl+x"), key.WithHelp("ctrl+x", "remove tag")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more keys")),
		Quit:       key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		QuitQ:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		Complete:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete folder")),
		Save:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save")),
		CopyPub:    key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy public key")),
		CopyFP:     key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "copy EC2 fingerprint")),
		NewKey:     key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new key")),
		Yes:        key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		No:         key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n/esc", "no")),
		ScrollUp:   key.NewBinding(key.WithKeys("up", "k", "pgup"), key.WithHelp("↑", "scroll up")),
		ScrollDown: key.NewBinding(key.WithKeys("down", "j", "pgdown"), key.WithHelp("↓", "scroll down")),
	}
}

// screenHelp is the help of one screen: a short line and full columns.
type screenHelp struct {
	short []key.Binding
	full  [][]key.Binding
}

func (h screenHelp) ShortHelp() []key.Binding  { return h.short }
func (h screenHelp) FullHelp() [][]key.Binding { return h.full }

var _ help.KeyMap = screenHelp{}

// helpFor returns the bindings that work on screen s.
func (k KeyMap) helpFor(s screen) screenHelp {
	switch s {
	case screenForm:
		return screenHelp{
			short: []key.Binding{k.Next, k.Toggle, k.Submit, k.Help, k.Quit},
			full: [][]key.Binding{
				{k.Next, k.Prev, k.Enter},
				{k.Left, k.Right, k.Toggle},
				{k.Submit, k.AddTag, k.RemoveTag},
				{k.Back, k.Help, k.Quit},
			},
		}
	case screenWorking:
		cancel := k.Back
		cancel.SetHelp("esc", "cancel")
		return screenHelp{short: []key.Binding{cancel, k.Quit}, full: [][]key.Binding{{cancel, k.Quit}}}
	case screenResult:
		back := k.Back
		back.SetHelp("esc/enter", "back to the form")
		return screenHelp{short: []key.Binding{back, k.QuitQ, k.Quit}, full: [][]key.Binding{{back, k.QuitQ, k.Quit}, {k.ScrollUp, k.ScrollDown}}}
	case screenSave:
		back := k.Back
		back.SetHelp("esc", "back (discard key)")
		return screenHelp{
			short: []key.Binding{k.Save, k.Complete, back, k.Quit},
			full:  [][]key.Binding{{k.Save, k.Complete}, {back, k.Quit}},
		}
	case screenFingerprint:
		return screenHelp{
			short: []key.Binding{k.CopyPub, k.CopyFP, k.NewKey, k.QuitQ},
			full:  [][]key.Binding{{k.CopyPub, k.CopyFP}, {k.NewKey, k.QuitQ, k.Quit}, {k.ScrollUp, k.ScrollDown}},
		}
	}
	return screenHelp{short: []key.Binding{k.Quit}}
}

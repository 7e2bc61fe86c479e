package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
)

// KeyMap is every key the app answers to, grouped by the screen it works
// on (crush's internal/ui keys.go pattern): each screen's help is built
// from its own group only, so what is shown is what works there.
type KeyMap struct {
	Global      GlobalKeys
	Form        FormKeys
	Working     WorkingKeys
	Result      ResultKeys
	Save        SaveKeys
	Fingerprint FingerprintKeys
	Confirm     ConfirmKeys
	Inspector   InspectorKeys // inspector.go
	Pairs       PairsKeys
	Pair        PairKeys
	Import      ImportKeys
}

// GlobalKeys work on every screen.
type GlobalKeys struct {
	Quit key.Binding // ctrl+c: asks first while a private key is unsaved
	Help key.Binding // ?: more keys (only where ? does not type a character)
	// CloseHelp closes the full help.
	CloseHelp key.Binding
	// Inspect opens the request inspector (ctrl+t; inspector.go).
	Inspect key.Binding
}

// FormKeys work in the create form.
type FormKeys struct {
	Next, Prev        key.Binding // move between fields
	Left, Right       key.Binding // change a choice
	Toggle            key.Binding // change a choice or the dry-run box
	Enter             key.Binding // move on; on the Create button, submit
	Submit            key.Binding // submit from anywhere
	AddTag, RemoveTag key.Binding
	Back              key.Binding // the form has nothing to go back to: says so
	// Pairs opens the Pairs screen (the region's key pairs). ctrl+p types
	// nothing into a field, so it works from every field.
	Pairs key.Binding
}

// WorkingKeys work while EC2 or the key generator is busy.
type WorkingKeys struct {
	Cancel key.Binding
}

// ResultKeys work on a dry-run answer or a failure.
type ResultKeys struct {
	Back                 key.Binding
	Quit                 key.Binding
	ScrollUp, ScrollDown key.Binding
}

// SaveKeys work in the save dialog.
type SaveKeys struct {
	Save     key.Binding
	Complete key.Binding
	Back     key.Binding // asks, then discards the key
	Rename   key.Binding // after EC2 refused the import: give the same key another name
	Keep     key.Binding // where the key is kept: file, SSM parameter, or both
}

// FingerprintKeys work on the view of a saved pair.
type FingerprintKeys struct {
	CopyPub, CopyFP      key.Binding
	NewKey               key.Binding
	Quit                 key.Binding
	ScrollUp, ScrollDown key.Binding
	Import               key.Binding // import this key into other regions
}

// PairsKeys work in the list of the region's key pairs.
type PairsKeys struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Open                                  key.Binding // a pair's detail
	Filter                                key.Binding // start typing a filter
	FilterDone                            key.Binding // keep the filter, back to the list keys
	FilterClear                           key.Binding // drop the filter
	Sort                                  key.Binding // by name / by age
	Reload                                key.Binding
	Back                                  key.Binding // to the form (first clears a filter)
}

// PairKeys work in a pair's detail view and its delete confirmation.
type PairKeys struct {
	Back                 key.Binding
	CopyPub, CopyFP      key.Binding
	Delete               key.Binding
	Import               key.Binding // import the local key into regions
	Fetch                key.Binding // save the private key kept in SSM Parameter Store
	ScrollUp, ScrollDown key.Binding
	Yes, No              key.Binding // the first delete confirmation
	Confirm              key.Binding // the typed name: delete a pair in use
}

// ImportKeys work in the import-into-regions prompt and its results.
type ImportKeys struct {
	Run  key.Binding
	Back key.Binding
}

// ConfirmKeys answer a yes/no question.
type ConfirmKeys struct {
	Yes, No key.Binding
}

// DefaultKeyMap returns the keys described in DESIGN.md "Interactive flow and keys".
func DefaultKeyMap() KeyMap {
	nb := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	up := func() key.Binding { return nb([]string{"up", "k", "pgup"}, "↑", "scroll up") }
	down := func() key.Binding { return nb([]string{"down", "j", "pgdown"}, "↓", "scroll down") }
	return KeyMap{
		Global: GlobalKeys{
			Quit:      nb([]string{"ctrl+c"}, "ctrl+c", "quit"),
			Help:      nb([]string{"?"}, "?", "more keys"),
			CloseHelp: nb([]string{"?", "esc"}, "?/esc", "fewer keys"),
			Inspect:   inspectKeyBinding(),
		},
		Inspector: defaultInspectorKeys(),
		Form: FormKeys{
			Next:      nb([]string{"tab", "down"}, "tab/↓", "next"),
			Prev:      nb([]string{"shift+tab", "up"}, "shift+tab/↑", "previous"),
			Left:      nb([]string{"left"}, "←", "previous option"),
			Right:     nb([]string{"right"}, "→", "next option"),
			Toggle:    nb([]string{"space"}, "←/→/space", "change"),
			Enter:     nb([]string{"enter"}, "enter", "next / create"),
			Submit:    nb([]string{"ctrl+s"}, "ctrl+s", "create"),
			AddTag:    nb([]string{"ctrl+n"}, "ctrl+n", "add tag"),
			RemoveTag: nb([]string{"ctrl+x"}, "ctrl+x", "remove tag"),
			Back:      nb([]string{"esc"}, "esc", "back"),
			Pairs:     nb([]string{"ctrl+p"}, "ctrl+p", "key pairs"),
		},
		Working: WorkingKeys{Cancel: nb([]string{"esc"}, "esc", "cancel")},
		Result: ResultKeys{
			Back:     nb([]string{"esc", "enter"}, "esc/enter", "back to the form"),
			Quit:     nb([]string{"q"}, "q", "quit"),
			ScrollUp: up(), ScrollDown: down(),
		},
		Save: SaveKeys{
			Save:     nb([]string{"enter"}, "enter", "save"),
			Complete: nb([]string{"tab"}, "tab", "complete folder"),
			Back:     nb([]string{"esc"}, "esc", "back (discard key)"),
			Rename:   nb([]string{"ctrl+r"}, "ctrl+r", "rename and retry"),
			Keep:     nb([]string{"ctrl+o"}, "ctrl+o", "keep in"),
		},
		Fingerprint: FingerprintKeys{
			CopyPub:  nb([]string{"c"}, "c", "copy public key"),
			CopyFP:   nb([]string{"f"}, "f", "copy EC2 fingerprint"),
			NewKey:   nb([]string{"n"}, "n", "new key"),
			Quit:     nb([]string{"q"}, "q", "quit"),
			ScrollUp: up(), ScrollDown: down(),
			Import: nb([]string{"i"}, "i", "import into regions…"),
		},
		Pairs: PairsKeys{
			Up:          nb([]string{"up", "k"}, "↑", "up"),
			Down:        nb([]string{"down", "j"}, "↓", "down"),
			PageUp:      nb([]string{"pgup"}, "pgup", "page up"),
			PageDown:    nb([]string{"pgdown", "space"}, "pgdn", "page down"),
			Home:        nb([]string{"home", "g"}, "home", "first"),
			End:         nb([]string{"end", "G"}, "end", "last"),
			Open:        nb([]string{"enter"}, "enter", "open"),
			Filter:      nb([]string{"/"}, "/", "filter"),
			FilterDone:  nb([]string{"tab"}, "tab", "keep filter"),
			FilterClear: nb([]string{"esc"}, "esc", "clear filter"),
			Sort:        nb([]string{"s"}, "s", "sort"),
			Reload:      nb([]string{"r"}, "r", "reload"),
			Back:        nb([]string{"esc"}, "esc", "form"),
		},
		Pair: PairKeys{
			Back:     nb([]string{"esc"}, "esc", "list"),
			CopyPub:  nb([]string{"c"}, "c", "copy key"),
			CopyFP:   nb([]string{"f"}, "f", "copy EC2 fingerprint"),
			Delete:   nb([]string{"d"}, "d", "delete…"),
			Import:   nb([]string{"i"}, "i", "import into regions…"),
			Fetch:    nb([]string{"s"}, "s", "save key from SSM"),
			ScrollUp: up(), ScrollDown: down(),
			Yes:     nb([]string{"y", "Y"}, "y", "delete"),
			No:      nb([]string{"n", "N", "esc"}, "n/esc", "keep it"),
			Confirm: nb([]string{"enter"}, "enter", "delete (the name must match)"),
		},
		Import: ImportKeys{
			Run:  nb([]string{"enter"}, "enter", "import"),
			Back: nb([]string{"esc"}, "esc", "back"),
		},
		Confirm: ConfirmKeys{
			Yes: nb([]string{"y", "Y"}, "y", "yes"),
			No:  nb([]string{"n", "N", "esc"}, "n/esc", "no"),
		},
	}
}

// helpSet is what one screen offers: a short line and full groups.
type helpSet struct {
	short []key.Binding
	full  [][]key.Binding
}

// helpLayout lays the help out in lines for width cells: the short help
// is one line (cut if need be); the full help wraps, group by group, so
// nothing is cut with "…". It renders nothing, so it is cheap.
func helpLayout(h helpSet, full bool, width int) [][]key.Binding {
	if !full {
		var line []key.Binding
		for _, b := range h.short {
			if b.Enabled() {
				line = append(line, b)
			}
		}
		return [][]key.Binding{line}
	}
	var out [][]key.Binding
	for _, g := range h.full {
		var line []key.Binding
		w := 0
		for _, b := range g {
			if !b.Enabled() {
				continue
			}
			iw := len([]rune(b.Help().Key)) + 1 + len([]rune(b.Help().Desc))
			switch {
			case w == 0:
				line, w = []key.Binding{b}, iw
			case w+3+iw <= width:
				line, w = append(line, b), w+3+iw
			default:
				out = append(out, line)
				line, w = []key.Binding{b}, iw
			}
		}
		if w > 0 {
			out = append(out, line)
		}
	}
	return out
}

// helpCache keeps rendered help lines by what they show: a render cache
// keyed on every input (the bindings' texts and the width), dropped when
// the styles change, so it alters no behaviour.
type helpCache struct {
	styles *Styles
	lines  map[string]string
}

// render draws one laid-out help line in st, cut to width.
func (c *helpCache) render(st *Styles, line []key.Binding, width int) string {
	if c.styles != st || len(c.lines) > 256 {
		c.styles, c.lines = st, map[string]string{}
	}
	var k strings.Builder
	k.WriteString(itoa(width))
	for _, b := range line {
		k.WriteString("\x00" + b.Help().Key + "\x01" + b.Help().Desc)
	}
	if s, ok := c.lines[k.String()]; ok {
		return s
	}
	parts := make([]string, len(line))
	for i, b := range line {
		parts[i] = st.HelpKey.Render(b.Help().Key) + " " + st.HelpDesc.Render(b.Help().Desc)
	}
	s := truncate(strings.Join(parts, st.HelpDesc.Render(" · ")), width)
	c.lines[k.String()] = s
	return s
}

// Package field is the single-line text input of keypair's screens: the
// editing keys of bubbles' textinput, a limit in runes, horizontal
// scrolling, a placeholder, and the real terminal cursor.
//
// It replaces charm.land/bubbles/v2/textinput, whose dependency on
// github.com/atotto/clipboard probes for clipboard tools along every PATH
// entry when the program starts. keypair never reads a clipboard: ctrl+v
// does nothing, and a terminal paste arrives as a bracketed paste
// (tea.PasteMsg).
package field

import (
	"image/color"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Styles is how a field looks, focused and not.
type Styles struct {
	Focused, Blurred State
	Cursor           CursorStyle
}

// State holds the styles of one focus state. Typed text is never styled:
// it keeps the terminal's own colour, readable on any background.
type State struct {
	Prompt      lipgloss.Style
	Placeholder lipgloss.Style
}

// CursorStyle is the real terminal cursor's look while the field has the
// focus.
type CursorStyle struct {
	Color color.Color // nil: the terminal's own cursor colour
	Shape tea.CursorShape
	Blink bool
}

// Model is one single-line input; the zero value is an empty field without
// a limit or a width. It is not a tea.Model: its owner routes messages to
// Update and draws View, and takes CursorAt where it drew it. A Model holds
// slices: edit one copy only.
type Model struct {
	// Prompt is drawn before the text, in the state's Prompt style.
	Prompt string
	// Placeholder is drawn, in the state's Placeholder style, while the
	// value is empty.
	Placeholder string

	limit  int // most runes the value holds; 0: no limit
	width  int // cells of text shown; 0: no limit, no scrolling
	styles Styles

	value []rune
	pos   int // the cursor, a rune index in [0, len(value)]
	first int // the first cluster shown when the value is wider than width
	focus bool

	// The value's grapheme clusters (see relayout) when it has more than
	// ASCII: where each starts (a rune index) and the cells before it,
	// both with an entry for the end.
	clustered     bool
	starts, cells []int
}

// New returns an empty, blurred field holding at most limit runes and
// showing width cells of text (0 for either: no limit).
func New(limit, width int) Model {
	return Model{limit: max(0, limit), width: max(0, width)}
}

// SetStyles sets how the field looks.
func (m *Model) SetStyles(s Styles) { m.styles = s }

// SetWidth sets how many cells of text show; a wider value scrolls so that
// the cursor stays in view. The view is one cell wider, for the cursor
// after the last character.
func (m *Model) SetWidth(w int) {
	m.width = max(0, w)
	m.scroll()
}

// Value returns the text.
func (m *Model) Value() string { return string(m.value) }

// SetValue replaces the text, cleaned as a paste is and cut to the limit,
// and puts the cursor at its end.
func (m *Model) SetValue(s string) {
	m.value = m.limited(sanitize([]rune(s)))
	m.pos = len(m.value)
	m.relayout()
	m.scroll()
}

// Focus makes the field take keys and show the cursor.
func (m *Model) Focus() { m.focus = true }

// Blur makes the field ignore keys and hide the cursor.
func (m *Model) Blur() { m.focus = false }

// Focused reports whether the field has the focus.
func (m *Model) Focused() bool { return m.focus }

// Update edits the text for a key press or a paste while the field has the
// focus; anything else is ignored. The keys are those of bubbles'
// textinput, except that ctrl+v reads no clipboard and nothing is
// suggested.
func (m *Model) Update(msg tea.Msg) {
	if !m.focus {
		return
	}
	switch msg := msg.(type) {
	case tea.PasteMsg:
		m.insert(msg.Content)
	case tea.KeyPressMsg:
		m.key(msg)
	}
}

func (m *Model) key(msg tea.KeyPressMsg) {
	n := len(m.value)
	switch msg.String() {
	case "left", "ctrl+b":
		m.pos = max(0, m.pos-1)
	case "right", "ctrl+f":
		m.pos = min(len(m.value), m.pos+1)
	case "alt+left", "ctrl+left", "alt+b":
		m.pos = m.wordStart()
	case "alt+right", "ctrl+right", "alt+f":
		m.pos = m.wordEnd()
	case "home", "ctrl+a":
		m.pos = 0
	case "end", "ctrl+e":
		m.pos = len(m.value)
	case "backspace", "ctrl+h":
		if m.pos > 0 {
			m.value = slices.Delete(m.value, m.pos-1, m.pos)
			m.pos--
		}
	case "delete", "ctrl+d":
		if m.pos < len(m.value) {
			m.value = slices.Delete(m.value, m.pos, m.pos+1)
		}
	case "alt+backspace", "ctrl+w", "ctrl+backspace":
		start := m.wordStart()
		m.value = slices.Delete(m.value, start, m.pos)
		m.pos = start
	case "alt+delete", "alt+d", "ctrl+delete":
		m.value = slices.Delete(m.value, m.pos, m.wordEnd())
	case "ctrl+u":
		m.value = slices.Delete(m.value, 0, m.pos)
		m.pos = 0
	case "ctrl+k":
		m.value = m.value[:m.pos]
	default:
		// Text, if the key has any. ctrl+v has none: no clipboard is
		// read (textinput read the one of the machine running keypair,
		// which over SSH is the server's).
		m.insert(msg.Text)
		return
	}
	if len(m.value) != n {
		m.relayout()
	}
	m.scroll()
}

// wordStart is where a word move to the left stops: back over spaces,
// then over the word before them.
func (m *Model) wordStart() int {
	i := m.pos
	for i > 0 && unicode.IsSpace(m.value[i-1]) {
		i--
	}
	for i > 0 && !unicode.IsSpace(m.value[i-1]) {
		i--
	}
	return i
}

// wordEnd is where a word move to the right stops: over spaces, then to
// the end of the word after them.
func (m *Model) wordEnd() int {
	i := m.pos
	for i < len(m.value) && unicode.IsSpace(m.value[i]) {
		i++
	}
	for i < len(m.value) && !unicode.IsSpace(m.value[i]) {
		i++
	}
	return i
}

// insert puts typed or pasted text at the cursor, cleaned, and as much of
// it as the limit leaves room for.
func (m *Model) insert(s string) {
	if s == "" {
		return
	}
	in := sanitize([]rune(s))
	if m.limit > 0 {
		in = in[:min(len(in), max(0, m.limit-len(m.value)))]
	}
	if len(in) == 0 {
		return
	}
	m.value = slices.Insert(m.value, m.pos, in...)
	m.pos += len(in)
	m.relayout()
	m.scroll()
}

func (m *Model) limited(rs []rune) []rune {
	if m.limit > 0 && len(rs) > m.limit {
		return rs[:m.limit]
	}
	return rs
}

// sanitize makes text fit one line the way textinput's sanitizer does:
// each CR, LF and tab becomes a space; other control characters, invalid
// UTF-8 and U+FFFD are dropped.
func sanitize(rs []rune) []rune {
	out := rs[:0]
	for _, r := range rs {
		switch {
		case r == '\r' || r == '\n' || r == '\t':
			out = append(out, ' ')
		case r == utf8.RuneError || unicode.IsControl(r):
		default:
			out = append(out, r)
		}
	}
	return out
}

// The terminal draws the value as grapheme clusters (a letter and its
// accents, an emoji sequence), each one or two cells wide, so the window
// and the cursor are worked out in clusters, measured as lipgloss.Width
// measures them. The cursor itself moves by runes, as in textinput; one
// inside a cluster is drawn on it.

// relayout measures the value after a change. A value of printable ASCII
// (control characters never get in) is one cell a rune and needs no table.
func (m *Model) relayout() {
	m.clustered, m.starts, m.cells = false, nil, nil
	if !slices.ContainsFunc(m.value, func(r rune) bool { return r >= utf8.RuneSelf }) {
		return
	}
	m.clustered = true
	s := string(m.value)
	at, w := 0, 0
	for s != "" {
		c, cw := ansi.FirstGraphemeCluster(s, ansi.GraphemeWidth)
		m.starts = append(m.starts, at)
		m.cells = append(m.cells, w)
		at += utf8.RuneCountInString(c)
		w += cw
		s = s[len(c):]
	}
	m.starts = append(m.starts, at)
	m.cells = append(m.cells, w)
}

// clusters is how many clusters the value has.
func (m *Model) clusters() int {
	if !m.clustered {
		return len(m.value)
	}
	return len(m.starts) - 1
}

// start is the rune index where cluster k starts (the value's length for
// k == clusters()).
func (m *Model) start(k int) int {
	if !m.clustered {
		return k
	}
	return m.starts[k]
}

// before is the width of the clusters before cluster k.
func (m *Model) before(k int) int {
	if !m.clustered {
		return k
	}
	return m.cells[k]
}

// clusterOf is the cluster holding rune i, or clusters() for the end.
func (m *Model) clusterOf(i int) int {
	if !m.clustered {
		return i
	}
	k, found := slices.BinarySearch(m.starts, i)
	if !found {
		k-- // inside cluster k-1
	}
	return k
}

// cursorCell is the width of the cell the cursor covers: the cluster it is
// on, or the blank after the last one.
func (m *Model) cursorCell() int {
	c := m.clusterOf(m.pos)
	if c >= m.clusters() {
		return 1
	}
	return max(1, m.before(c+1)-m.before(c))
}

// shows reports whether, with the window starting at cluster first, the
// cell under the cursor is wholly inside the width+1 cells shown.
func (m *Model) shows(first int) bool {
	return m.before(m.clusterOf(m.pos))-m.before(first)+m.cursorCell() <= m.width+1
}

// scroll moves the window as little as keeps the cursor in view, and never
// leaves room at the right while text is hidden at the left. A value that
// fits is never scrolled.
func (m *Model) scroll() {
	n := m.clusters()
	if m.width == 0 || m.before(n) <= m.width {
		m.first = 0
		return
	}
	c := m.clusterOf(m.pos)
	m.first = min(m.first, c)
	if !m.shows(m.first) {
		// The first start that shows the cursor; later ones all do.
		m.first += sort.Search(c-m.first, func(i int) bool { return m.shows(m.first + i) })
	}
	// The first start from which the rest of the value, and the cursor
	// after it, fit.
	fill := sort.Search(n, func(k int) bool { return m.before(n)-m.before(k) <= m.width })
	m.first = min(m.first, fill)
}

// last is the end of the clusters shown from the window's start: as many
// as fit in width+1 cells.
func (m *Model) last() int {
	n := m.clusters()
	if m.width == 0 {
		return n
	}
	limit := m.before(m.first) + m.width + 1
	return m.first + sort.Search(n-m.first, func(i int) bool { return m.before(m.first+i+1) > limit })
}

func (m *Model) state() *State {
	if m.focus {
		return &m.styles.Focused
	}
	return &m.styles.Blurred
}

// View draws the prompt and the field: width+1 cells after the prompt (the
// extra one for the cursor after the last character), or the whole value
// and a blank cell without a width.
func (m *Model) View() string {
	st := m.state()
	prompt := ""
	if m.Prompt != "" {
		prompt = st.Prompt.Render(m.Prompt)
	}
	cells := m.width + 1
	if len(m.value) == 0 && m.Placeholder != "" {
		p := m.Placeholder
		if m.width > 0 {
			p = ansi.Truncate(p, cells, "")
			p += strings.Repeat(" ", cells-ansi.StringWidth(p))
		}
		return prompt + st.Placeholder.Render(p)
	}
	end := m.last()
	shown := m.value[m.start(m.first):m.start(end)]
	w := m.before(end) - m.before(m.first)
	if m.width == 0 {
		cells = w + 1
	}
	var b strings.Builder
	b.Grow(len(prompt) + len(shown) + cells - w)
	b.WriteString(prompt)
	b.WriteString(string(shown))
	b.WriteString(strings.Repeat(" ", max(0, cells-w)))
	return b.String()
}

// CursorAt returns the real terminal cursor for a View drawn with its first
// cell at column x of screen line y: on line y, at the column where the
// cursor is drawn (after the prompt). It is nil while the field has not the
// focus.
func (m *Model) CursorAt(x, y int) *tea.Cursor {
	if !m.focus {
		return nil
	}
	x += ansi.StringWidth(m.Prompt) + m.before(m.clusterOf(m.pos)) - m.before(m.first)
	c := tea.NewCursor(x, y)
	c.Color = m.styles.Cursor.Color
	c.Shape = m.styles.Cursor.Shape
	c.Blink = m.styles.Cursor.Blink
	return c
}

// CursorEnd moves the cursor after the last character.
func (m *Model) CursorEnd() {
	m.pos = len(m.value)
	m.scroll()
}

package field

import (
	"strings"
	"testing"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// keyCodes maps the names the field matches to the key codes a terminal
// sends for them.
var keyCodes = map[string]rune{
	"left": tea.KeyLeft, "right": tea.KeyRight, "home": tea.KeyHome, "end": tea.KeyEnd,
	"backspace": tea.KeyBackspace, "delete": tea.KeyDelete, "up": tea.KeyUp, "down": tea.KeyDown,
	"tab": tea.KeyTab, "enter": tea.KeyEnter, "esc": tea.KeyEscape,
}

// press is the key press a terminal reports as name ("ctrl+w", "alt+left",
// "x"); it fails the test if Bubble Tea would name it otherwise.
func press(t testing.TB, name string) tea.KeyPressMsg {
	t.Helper()
	var k tea.KeyPressMsg
	rest := name
	for {
		switch {
		case strings.HasPrefix(rest, "ctrl+") && len(rest) > 5:
			k.Mod |= tea.ModCtrl
			rest = rest[5:]
			continue
		case strings.HasPrefix(rest, "alt+") && len(rest) > 4:
			k.Mod |= tea.ModAlt
			rest = rest[4:]
			continue
		}
		break
	}
	if c, ok := keyCodes[rest]; ok {
		k.Code = c
	} else {
		r, n := utf8.DecodeRuneInString(rest)
		if n != len(rest) {
			t.Fatalf("no key %q", name)
		}
		k.Code = r
		if k.Mod == 0 {
			k.Text = rest
		}
	}
	if got := k.String(); got != name {
		t.Fatalf("the key built for %q is named %q", name, got)
	}
	return k
}

// marked builds a focused field from "text|more": the value with the
// cursor at the bar.
func marked(t testing.TB, s string, limit, width int) Model {
	t.Helper()
	i := strings.Index(s, "|")
	if i < 0 {
		t.Fatalf("no cursor in %q", s)
	}
	m := New(limit, width)
	m.SetValue(s[:i] + s[i+1:])
	m.pos = utf8.RuneCountInString(s[:i])
	m.scroll()
	m.Focus()
	return m
}

// mark writes the value with a bar at the cursor.
func mark(m *Model) string {
	return string(m.value[:m.pos]) + "|" + string(m.value[m.pos:])
}

func TestKeys(t *testing.T) {
	tests := []struct {
		keys     []string
		from, to string
	}{
		{[]string{"left", "ctrl+b"}, "ab|c", "a|bc"},
		{[]string{"left", "ctrl+b"}, "|abc", "|abc"},
		{[]string{"right", "ctrl+f"}, "a|bc", "ab|c"},
		{[]string{"right", "ctrl+f"}, "abc|", "abc|"},
		{[]string{"home", "ctrl+a"}, "ab|c", "|abc"},
		{[]string{"end", "ctrl+e"}, "a|bc", "abc|"},
		{[]string{"backspace", "ctrl+h"}, "ab|c", "a|c"},
		{[]string{"backspace", "ctrl+h"}, "|abc", "|abc"},
		{[]string{"delete", "ctrl+d"}, "a|bc", "a|c"},
		{[]string{"delete", "ctrl+d"}, "abc|", "abc|"},

		// A word back: the spaces before the cursor, then the word.
		{[]string{"alt+backspace", "ctrl+w", "ctrl+backspace"}, "foo bar|", "foo |"},
		{[]string{"alt+backspace", "ctrl+w", "ctrl+backspace"}, "foo bar  |", "foo |"},
		{[]string{"alt+backspace", "ctrl+w", "ctrl+backspace"}, "foo ba|r", "foo |r"},
		{[]string{"alt+backspace", "ctrl+w", "ctrl+backspace"}, "foo |bar", "|bar"},
		{[]string{"alt+backspace", "ctrl+w", "ctrl+backspace"}, " ab|", " |"},
		{[]string{"alt+backspace", "ctrl+w", "ctrl+backspace"}, "|foo", "|foo"},
		// A word forward: the spaces after the cursor, then the word.
		{[]string{"alt+d", "alt+delete", "ctrl+delete"}, "|foo bar", "| bar"},
		{[]string{"alt+d", "alt+delete", "ctrl+delete"}, "foo| bar", "foo|"},
		{[]string{"alt+d", "alt+delete", "ctrl+delete"}, "fo|o bar", "fo| bar"},
		{[]string{"alt+d", "alt+delete", "ctrl+delete"}, "|a b", "| b"},
		{[]string{"alt+d", "alt+delete", "ctrl+delete"}, "ab|c", "ab|"}, // textinput panicked here
		{[]string{"alt+d", "alt+delete", "ctrl+delete"}, "abc|", "abc|"},

		{[]string{"ctrl+u"}, "foo b|ar", "|ar"},
		{[]string{"ctrl+k"}, "foo b|ar", "foo b|"},

		{[]string{"alt+left", "alt+b", "ctrl+left"}, "foo bar|", "foo |bar"},
		{[]string{"alt+left", "alt+b", "ctrl+left"}, "foo  |bar", "|foo  bar"},
		{[]string{"alt+left", "alt+b", "ctrl+left"}, "foo ba|r", "foo |bar"},
		{[]string{"alt+left", "alt+b", "ctrl+left"}, "|foo", "|foo"},
		{[]string{"alt+right", "alt+f", "ctrl+right"}, "|foo bar", "foo| bar"},
		{[]string{"alt+right", "alt+f", "ctrl+right"}, "foo|  bar", "foo  bar|"},
		{[]string{"alt+right", "alt+f", "ctrl+right"}, "f|oo bar", "foo| bar"},
		{[]string{"alt+right", "alt+f", "ctrl+right"}, "foo|", "foo|"},

		// ctrl+v reads no clipboard; keys that are not text type nothing.
		{[]string{"ctrl+v", "up", "down", "tab", "enter", "esc", "ctrl+x"}, "a|b", "a|b"},
		{[]string{"x"}, "a|b", "ax|b"},
		{[]string{"世"}, "a|b", "a世|b"},
		{[]string{"x"}, "|", "x|"},
	}
	for _, tt := range tests {
		for _, k := range tt.keys {
			m := marked(t, tt.from, 0, 40)
			m.Update(press(t, k))
			if got := mark(&m); got != tt.to {
				t.Errorf("%q then %s: %q, want %q", tt.from, k, got, tt.to)
			}
		}
	}
}

// TestCtrlVReadsNoClipboard: ctrl+v inserts nothing (textinput read the
// clipboard of the machine running keypair); a terminal paste arrives as
// a tea.PasteMsg and goes in.
func TestCtrlVReadsNoClipboard(t *testing.T) {
	m := marked(t, "a|b", 0, 40)
	m.Update(press(t, "ctrl+v"))
	if got := mark(&m); got != "a|b" {
		t.Errorf("ctrl+v: %q", got)
	}
	m.Update(tea.PasteMsg{Content: "pasted"})
	if got := mark(&m); got != "apasted|b" {
		t.Errorf("bracketed paste: %q", got)
	}
}

func TestSpaceTypesASpace(t *testing.T) {
	m := marked(t, "a|b", 0, 40)
	m.Update(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
	if got := mark(&m); got != "a |b" {
		t.Errorf("space: %q, want %q", got, "a |b")
	}
}

func TestBlurredIgnoresInput(t *testing.T) {
	m := marked(t, "ab|", 0, 40)
	m.Blur()
	if m.Focused() {
		t.Fatal("Focused after Blur")
	}
	m.Update(press(t, "x"))
	m.Update(press(t, "backspace"))
	m.Update(tea.PasteMsg{Content: "pasted"})
	if got := mark(&m); got != "ab|" {
		t.Errorf("blurred field changed to %q", got)
	}
	if c := m.CursorAt(0, 0); c != nil {
		t.Errorf("blurred field has a cursor at %v", c.Position)
	}
	m.Focus()
	if !m.Focused() || m.CursorAt(0, 0) == nil {
		t.Error("focused field has no cursor")
	}
}

func TestCharLimit(t *testing.T) {
	m := New(3, 40)
	m.Focus()
	for _, k := range []string{"a", "b", "c", "d", "世"} {
		m.Update(press(t, k))
	}
	if got := mark(&m); got != "abc|" {
		t.Errorf("typed past a limit of 3: %q", got)
	}
	m.Update(press(t, "home"))
	m.Update(press(t, "x"))
	if got := mark(&m); got != "|abc" {
		t.Errorf("typed into a full field: %q", got)
	}

	// A paste is cut to the room left, in runes, and the cursor follows
	// what was inserted.
	m = marked(t, "ab|z", 6, 40)
	m.Update(tea.PasteMsg{Content: "世界12345"})
	if got := mark(&m); got != "ab世界1|z" {
		t.Errorf("paste into 3 runes of room: %q, want %q", got, "ab世界1|z")
	}
	m.Update(tea.PasteMsg{Content: "more"})
	if got := mark(&m); got != "ab世界1|z" {
		t.Errorf("paste into a full field: %q", got)
	}

	// Without a limit, everything goes in.
	m = New(0, 10)
	m.Focus()
	long := strings.Repeat("k", 5000)
	m.Update(tea.PasteMsg{Content: long})
	if m.Value() != long {
		t.Errorf("no limit: kept %d of 5000 runes", len(m.Value()))
	}
}

func TestSetValue(t *testing.T) {
	m := New(5, 40)
	m.SetValue("abcdefgh")
	if got := mark(&m); got != "abcde|" {
		t.Errorf("SetValue past the limit: %q, want %q", got, "abcde|")
	}
	m.SetValue("世界世界世界")
	if got := mark(&m); got != "世界世界世|" {
		t.Errorf("SetValue counts runes: %q", got)
	}
	// The cursor goes to the end whatever it was.
	m.pos = 1
	m.SetValue("xyz")
	if got := mark(&m); got != "xyz|" {
		t.Errorf("SetValue: %q, want the cursor at the end", got)
	}
	m.SetValue("a\tb\nc")
	if got := m.Value(); got != "a b c" {
		t.Errorf("SetValue keeps tabs and newlines: %q", got)
	}
	m.SetValue("")
	if got := mark(&m); got != "|" {
		t.Errorf("SetValue empty: %q", got)
	}
	m = marked(t, "a|bc", 0, 40)
	m.CursorEnd()
	if got := mark(&m); got != "abc|" {
		t.Errorf("CursorEnd: %q", got)
	}
}

// TestPasteSanitized: a paste (or typed text) becomes one line the way
// textinput's sanitizer makes it: CR, LF and tab each become a space;
// other control characters, invalid UTF-8 and U+FFFD are dropped.
func TestPasteSanitized(t *testing.T) {
	for in, want := range map[string]string{
		"pasted\tvalue\n":      "pasted value ",
		"a\r\nb":               "a  b",
		"a\x01b\x1b[31mc\x7fd": "ab[31mcd",
		"a\xffb\uFFFDc":        "abc",
		"\u0085next\u200bzero": "next\u200bzero",
		"ssh-ed25519 AAAA c\n": "ssh-ed25519 AAAA c ",
		"\n":                   " ",
		"\x00\x01":             "",
		"e\u0301 (U+0301)\t世界": "e\u0301 (U+0301) 世界",
	} {
		m := New(0, 40)
		m.Focus()
		m.Update(tea.PasteMsg{Content: in})
		if got := m.Value(); got != want {
			t.Errorf("paste %q: %q, want %q", in, got, want)
		}
		m = New(0, 40)
		m.Focus()
		m.Update(tea.KeyPressMsg{Code: 'x', Text: in})
		if got := m.Value(); got != want {
			t.Errorf("typed %q: %q, want %q", in, got, want)
		}
	}
	// A paste of nothing but control characters changes nothing.
	m := marked(t, "a|b", 0, 40)
	m.Update(tea.PasteMsg{Content: "\x00\x07"})
	if got := mark(&m); got != "a|b" {
		t.Errorf("empty paste: %q", got)
	}
}

// view is what the field shows, without styles.
func view(m *Model) string { return ansi.Strip(m.View()) }

func cursorX(t *testing.T, m *Model) int {
	t.Helper()
	c := m.CursorAt(0, 0)
	if c == nil {
		t.Fatal("no cursor")
	}
	if c.Y != 0 {
		t.Fatalf("cursor row %d", c.Y)
	}
	return c.X
}

func TestViewFits(t *testing.T) {
	m := marked(t, "ab|c", 0, 6)
	if got := view(&m); got != "abc    " {
		t.Errorf("view %q, want the value padded to width+1", got)
	}
	if x := cursorX(t, &m); x != 2 {
		t.Errorf("cursor x %d, want 2", x)
	}
	m = marked(t, "abcdef|", 0, 6)
	if got := view(&m); got != "abcdef " {
		t.Errorf("a value of exactly the width: %q", got)
	}
	if x := cursorX(t, &m); x != 6 {
		t.Errorf("cursor x %d, want 6 (the cell after the text)", x)
	}
	// Typed text is not styled, focused or not.
	m.Blur()
	if got := m.View(); got != "abcdef " {
		t.Errorf("blurred view %q", got)
	}
	// No width: no padding and no scrolling, a cell for the cursor.
	m = marked(t, "a long value that goes on|", 0, 0)
	if got := view(&m); got != "a long value that goes on " {
		t.Errorf("view without a width %q", got)
	}
}

// TestScrolling: a value wider than the field scrolls as little as keeps
// the cursor in view, with the cursor at the last cell while typing.
func TestScrolling(t *testing.T) {
	m := New(0, 5)
	m.Focus()
	type step struct {
		key  string
		view string
		x    int
	}
	steps := []step{
		{"a", "a     ", 1}, {"b", "ab    ", 2}, {"c", "abc   ", 3}, {"d", "abcd  ", 4}, {"e", "abcde ", 5},
		{"f", "bcdef ", 5}, {"g", "cdefg ", 5}, {"h", "defgh ", 5},
		// Left within the window: the window stays.
		{"left", "defgh ", 4}, {"left", "defgh ", 3}, {"left", "defgh ", 2}, {"left", "defgh ", 1}, {"left", "defgh ", 0},
		// Past its left edge: the window starts at the cursor.
		{"left", "cdefgh", 0}, {"left", "bcdefg", 0}, {"left", "abcdef", 0}, {"left", "abcdef", 0},
		{"right", "abcdef", 1}, {"right", "abcdef", 2}, {"right", "abcdef", 3}, {"right", "abcdef", 4}, {"right", "abcdef", 5},
		// Past its right edge: the character under the cursor shows.
		{"right", "bcdefg", 5}, {"right", "cdefgh", 5},
		{"right", "defgh ", 5}, {"right", "defgh ", 5},
		{"home", "abcdef", 0}, {"end", "defgh ", 5},
		// Deleting at the end pulls the text back in.
		{"backspace", "cdefg ", 5}, {"backspace", "bcdef ", 5}, {"backspace", "abcde ", 5}, {"backspace", "abcd  ", 4},
	}
	for i, s := range steps {
		m.Update(press(t, s.key))
		if got, x := view(&m), cursorX(t, &m); got != s.view || x != s.x {
			t.Fatalf("step %d (%s): view %q x %d, want %q x %d", i, s.key, got, x, s.view, s.x)
		}
	}
}

// TestScrollingFillsTheWindow: deleting while scrolled never leaves room
// at the right while text is hidden at the left.
func TestScrollingFillsTheWindow(t *testing.T) {
	m := marked(t, "abcdefghij|", 0, 5)
	for range 3 {
		m.Update(press(t, "left"))
	}
	if got := view(&m); got != "fghij " {
		t.Fatalf("view %q", got)
	}
	m.Update(press(t, "ctrl+k"))
	if got, x := view(&m), cursorX(t, &m); got != "cdefg " || x != 5 {
		t.Errorf("after ctrl+k: view %q x %d, want %q x 5", got, x, "cdefg ")
	}
	m = marked(t, "abcdefghij|", 0, 5)
	for range 2 {
		m.Update(press(t, "left"))
	}
	m.Update(press(t, "delete"))
	if got, x := view(&m), cursorX(t, &m); got != "efghj " || x != 4 {
		t.Errorf("after delete: view %q x %d, want %q x 4", got, x, "efghj ")
	}
	// Narrowing the field keeps the cursor in view.
	m = marked(t, "abcdefghij|", 0, 20)
	m.SetWidth(4)
	if got, x := view(&m), cursorX(t, &m); got != "ghij " || x != 4 {
		t.Errorf("after SetWidth(4): view %q x %d", got, x)
	}
	m.SetWidth(20)
	if got := view(&m); got != "abcdefghij           " {
		t.Errorf("after SetWidth(20): view %q", got)
	}
}

func TestWideRunes(t *testing.T) {
	m := marked(t, "a世界|b", 0, 10)
	if x := cursorX(t, &m); x != 5 {
		t.Errorf("cursor after a世界: x %d, want 5 cells", x)
	}
	m.Update(press(t, "left"))
	if x := cursorX(t, &m); x != 3 {
		t.Errorf("cursor after a世: x %d, want 3", x)
	}
	if got := view(&m); got != "a世界b"+strings.Repeat(" ", 5) || ansi.StringWidth(got) != 11 {
		t.Errorf("view %q (%d cells)", got, ansi.StringWidth(got))
	}

	// Scrolled: the cursor after wide runes stays within the field.
	m = marked(t, "世界世界|", 0, 5)
	if got, x := view(&m), cursorX(t, &m); got != "世界  " || x != 4 {
		t.Errorf("end of 世界世界 in 5 cells: view %q x %d, want %q x 4", got, x, "世界  ")
	}
	// A wide rune under the cursor shows whole at the right edge.
	m = marked(t, "|abcde世f", 0, 5)
	for range 5 {
		m.Update(press(t, "right"))
	}
	if got, x := view(&m), cursorX(t, &m); got != "bcde世" || x != 4 {
		t.Errorf("cursor on 世 at the edge: view %q x %d, want %q x 4", got, x, "bcde世")
	}
	// One that does not fit at the right edge is not cut in half.
	m = marked(t, "|abcde世", 0, 5)
	if got := view(&m); got != "abcde " {
		t.Errorf("view %q, want the wide rune left out", got)
	}
	m.Update(press(t, "end"))
	if got, x := view(&m), cursorX(t, &m); got != "cde世 " || x != 5 {
		t.Errorf("end: view %q x %d", got, x)
	}
}

// TestGraphemeClusters: a letter with its accent, or an emoji sequence,
// takes the cells the terminal gives the whole cluster; the cursor moves
// by runes (as in textinput) and, inside a cluster, is drawn on it.
func TestGraphemeClusters(t *testing.T) {
	m := marked(t, "ae\u0301b|", 0, 10)
	for _, want := range []int{2, 1, 1, 0} { // before b, inside é, before é, start
		m.Update(press(t, "left"))
		if x := cursorX(t, &m); x != want {
			t.Errorf("at rune %d of %q: x %d, want %d", m.pos, m.Value(), x, want)
		}
	}
	if got := view(&m); got != "ae\u0301b"+strings.Repeat(" ", 8) {
		t.Errorf("view %q", got)
	}

	// A woman technologist is one cluster of two cells, made of three runes.
	m = marked(t, "a👩\u200d💻b|", 0, 10)
	if x := cursorX(t, &m); x != 4 {
		t.Errorf("after a👩‍💻b: x %d, want 4", x)
	}
	if w := ansi.StringWidth(m.View()); w != 11 {
		t.Errorf("view %q is %d cells, want 11", m.View(), w)
	}
	// Scrolled, the window never starts or ends inside a cluster.
	m = marked(t, strings.Repeat("👩\u200d💻", 6)+"|", 0, 5)
	if got, x := view(&m), cursorX(t, &m); got != "👩\u200d💻👩\u200d💻  " || x != 4 {
		t.Errorf("scrolled emoji: view %q x %d", got, x)
	}
}

func TestPlaceholder(t *testing.T) {
	st := Styles{
		Focused: State{Prompt: lipgloss.NewStyle().Bold(true), Placeholder: lipgloss.NewStyle().Faint(true)},
		Blurred: State{Prompt: lipgloss.NewStyle().Italic(true), Placeholder: lipgloss.NewStyle().Underline(true)},
	}
	m := New(0, 12)
	m.SetStyles(st)
	m.Placeholder = "type here"
	m.Focus()
	want := st.Focused.Placeholder.Render("type here    ")
	if got := m.View(); got != want {
		t.Errorf("placeholder view %q, want %q", got, want)
	}
	if x := cursorX(t, &m); x != 0 {
		t.Errorf("cursor on a placeholder at x %d", x)
	}
	m.Blur()
	if got, want := m.View(), st.Blurred.Placeholder.Render("type here    "); got != want {
		t.Errorf("blurred placeholder view %q, want %q", got, want)
	}
	m.Focus()
	m.Update(press(t, "x"))
	if got := m.View(); got != "x"+strings.Repeat(" ", 12) {
		t.Errorf("after typing: %q, want no placeholder", got)
	}
	m.Update(press(t, "backspace"))
	if got := m.View(); got != want {
		t.Errorf("emptied: %q, want the placeholder again", got)
	}

	// Longer than the field: cut to width+1 cells.
	m = New(0, 5)
	m.Placeholder = "paste a public key: ssh-ed25519 AAAA…"
	if got := view(&m); got != "paste " {
		t.Errorf("long placeholder %q", got)
	}
	m.Placeholder = "世界世界"
	if got := view(&m); got != "世界世" {
		t.Errorf("wide placeholder %q", got)
	}
	// No placeholder: blank cells.
	m.Placeholder = ""
	if got := m.View(); got != strings.Repeat(" ", 6) {
		t.Errorf("empty view %q", got)
	}
}

func TestPromptAndCursorStyle(t *testing.T) {
	st := Styles{
		Focused: State{Prompt: lipgloss.NewStyle().Bold(true)},
		Blurred: State{Prompt: lipgloss.NewStyle().Faint(true)},
		Cursor:  CursorStyle{Color: lipgloss.Color("#ff00ff"), Shape: tea.CursorBar, Blink: true},
	}
	m := marked(t, "ab|", 0, 10)
	m.SetStyles(st)
	m.Prompt = "name: "
	if got, want := m.View(), st.Focused.Prompt.Render("name: ")+"ab"+strings.Repeat(" ", 9); got != want {
		t.Errorf("view %q, want %q", got, want)
	}
	c := m.CursorAt(0, 0)
	if c.X != 8 || c.Y != 0 {
		t.Errorf("cursor at %v, want (8,0) after the prompt", c.Position)
	}
	if c.Shape != tea.CursorBar || !c.Blink || c.Color != st.Cursor.Color {
		t.Errorf("cursor style %+v", *c)
	}
	m.Blur()
	if got, want := m.View(), st.Blurred.Prompt.Render("name: ")+"ab"+strings.Repeat(" ", 9); got != want {
		t.Errorf("blurred view %q, want %q", got, want)
	}
}

func TestZeroValue(t *testing.T) {
	var m Model
	m.Focus()
	m.Update(tea.PasteMsg{Content: "世界 ok"})
	if got, x := m.View(), cursorX(t, &m); got != "世界 ok " || x != 7 {
		t.Errorf("zero value: view %q x %d", got, x)
	}
}

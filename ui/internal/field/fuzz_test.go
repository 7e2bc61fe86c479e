package field

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// fuzzKeys are the keys the fuzzer presses: every binding, a few keys
// the field ignores, and text of every width.
var fuzzKeys = []string{
	"left", "right", "ctrl+b", "ctrl+f", "home", "end", "ctrl+a", "ctrl+e",
	"backspace", "ctrl+h", "delete", "ctrl+d", "alt+backspace", "ctrl+w", "ctrl+backspace",
	"alt+d", "alt+delete", "ctrl+delete", "ctrl+u", "ctrl+k",
	"alt+left", "alt+b", "ctrl+left", "alt+right", "alt+f", "ctrl+right",
	"ctrl+v", "up", "tab", "enter",
	"a", "b", "世", "é", "z",
}

// fuzzPastes are pieces of text a paste may hold: control characters,
// invalid UTF-8, wide and zero-width runes, combining marks, emoji.
var fuzzPastes = []string{
	"", " ", "word", "two words", "a\tb\nc\r\n", "\x00\x1b[31m\x7f", "\xff\xfe", "\uFFFD",
	"世界", "e\u0301", "\u200b", "👩\u200d💻", "🇩🇪", "☺\uFE0F", "ｗｉｄｅ", "x y  z   ",
}

// FuzzField drives a field with random keys, pastes, values and widths and
// checks what must always hold: the value within the limit and clean, the
// cursor within it, the view exactly the field's width and a piece of the
// value, the cursor cell inside the view.
func FuzzField(f *testing.F) {
	f.Add(uint8(10), uint8(5), []byte{30, 30, 30, 30, 30, 30, 30, 0, 0, 0, 0, 1, 1, 1})
	f.Add(uint8(0), uint8(4), []byte{200, 201, 202, 203, 32, 4, 4, 12, 13})
	f.Add(uint8(3), uint8(1), []byte{32, 32, 32, 200, 16, 17})
	f.Add(uint8(255), uint8(0), []byte{208, 209, 210, 211, 212, 213, 6, 14, 15, 18, 19})
	f.Add(uint8(8), uint8(6), []byte{250, 251, 252, 253, 254, 255, 2, 2, 2, 3, 3, 3})
	f.Fuzz(func(t *testing.T, limit, width uint8, ops []byte) {
		m := New(int(limit%64), int(width%24))
		m.Focus()
		for i, op := range ops {
			switch {
			case op < 200:
				k := fuzzKeys[int(op)%len(fuzzKeys)]
				m.Update(press(t, k))
			case op < 240:
				m.Update(tea.PasteMsg{Content: strings.Repeat(fuzzPastes[int(op)%len(fuzzPastes)], 1+i%3)})
			case op < 250:
				m.SetValue(fuzzPastes[int(op)%len(fuzzPastes)] + "abc")
			default:
				m.SetWidth(int(op-250) * 3)
			}
			check(t, &m, ops[:i+1])
		}
	})
}

func check(t *testing.T, m *Model, ops []byte) {
	t.Helper()
	v := m.Value()
	n := utf8.RuneCountInString(v)
	if m.limit > 0 && n > m.limit {
		t.Fatalf("%v: value of %d runes, limit %d", ops, n, m.limit)
	}
	if m.pos < 0 || m.pos > len(m.value) {
		t.Fatalf("%v: cursor %d outside [0,%d]", ops, m.pos, len(m.value))
	}
	if !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }) {
		t.Fatalf("%v: value %q holds what sanitizing drops", ops, v)
	}
	view := m.View()
	if m.width == 0 {
		return
	}
	if w := ansi.StringWidth(view); w != m.width+1 {
		t.Fatalf("%v: view %q is %d cells, want width+1 = %d (value %q, cursor %d)", ops, view, w, m.width+1, v, m.pos)
	}
	if shown := strings.TrimRight(view, " "); !strings.Contains(v, shown) {
		t.Fatalf("%v: view %q is not a piece of the value %q", ops, view, v)
	}
	c := m.CursorAt(0, 0)
	if c == nil {
		t.Fatalf("%v: focused field without a cursor", ops)
	}
	if c.X < 0 || c.X+m.cursorCell() > m.width+1 {
		t.Fatalf("%v: cursor cell at x %d (+%d) outside the %d cells of %q (value %q, cursor %d)", ops, c.X, m.cursorCell(), m.width+1, view, v, m.pos)
	}
	if m.clusterOf(m.pos) < m.first {
		t.Fatalf("%v: cursor %d left of the window at cluster %d", ops, m.pos, m.first)
	}
}

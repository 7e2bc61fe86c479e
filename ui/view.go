package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/keypair-dev/keypair/pair"
)

// View draws the header, the current screen's body (scrolled to fit) and
// the footer. It changes nothing.
func (m *Model) View() tea.View {
	var v tea.View
	v.AltScreen = true
	c := m.c
	w, h := c.width, c.height
	if m.quitting {
		return v
	}
	if w < minWidth || h < minHeight {
		v.SetContent(truncate("terminal too small ("+itoa(w)+"x"+itoa(h)+"), need at least "+itoa(minWidth)+"x"+itoa(minHeight), w))
		return v
	}
	src, title := m.form.src(), "Create"
	switch m.screen.(type) {
	case *pairsScreen, *pairScreen, *importScreen:
		src = pair.SourceAWS // these always call EC2
		title = "Pairs"
	case *saveScreen:
		title = "Save"
	case *fingerprintScreen:
		title = "Fingerprint"
	}
	head := c.header(src, title)
	var b body
	if m.confirm != nil {
		b.lines = append(b.lines, c.styles.Warning.Bold(true).Render("Are you sure?"), "")
		for _, q := range m.question() {
			b.lines = append(b.lines, wrap(q, w)...)
		}
	} else if m.insp != nil {
		b = m.insp.view()
	} else {
		b = m.screen.view()
	}
	var foot []string
	if m.notice != "" {
		foot = append(foot, wrapStyled(c.styles.Warning, m.notice, w)...)
	}
	if m.status != "" {
		foot = append(foot, wrapStyled(c.styles.Warning, m.status, w)...)
	}
	for _, l := range helpLayout(m.helpSet(), m.fullHelp, w) {
		foot = append(foot, c.help.render(c.styles, l, w))
	}

	lines, cursor := fit(b, max(1, h-len(head)-len(foot)-1), c.styles.Hint.Render("↓ more below (↓ scrolls)"))
	if cursor != nil {
		cursor.Y += len(head)
	}
	var sb strings.Builder
	sb.Grow(w * h)
	for _, l := range head {
		sb.WriteString(l)
		sb.WriteByte('\n')
	}
	for _, l := range lines {
		sb.WriteString(truncate(l, w))
		sb.WriteByte('\n')
	}
	for i := len(head) + len(lines) + len(foot); i < h; i++ {
		sb.WriteByte('\n')
	}
	sb.WriteString(strings.Join(foot, "\n"))
	v.SetContent(sb.String())
	v.Cursor = cursor
	return v
}

// fit cuts b to avail lines: screens that scroll start at their scroll
// line; others keep the focused line (and what belongs with it) in view.
func fit(b body, avail int, more string) ([]string, *tea.Cursor) {
	lines, off := b.lines, 0
	if len(lines) > avail {
		if b.scrolls {
			off = max(0, min(len(lines)-avail, b.scroll))
		} else {
			off = max(0, min(len(lines)-avail, b.focusEnd+1-avail))
			off = min(off, b.focusLine)
		}
		total := len(lines)
		lines = append([]string(nil), lines[off:off+avail]...)
		if b.scrolls && off+avail < total {
			lines[avail-1] = more
		}
	}
	cursor := b.cursor
	if cursor != nil {
		cp := *cursor
		cp.Y -= off
		cursor = &cp
		if cp.Y < 0 || cp.Y >= len(lines) {
			cursor = nil
		}
	}
	return lines, cursor
}

// question is the confirm's text for the current state.
func (m *Model) question() []string {
	if m.confirm.discard {
		if d, ok := m.screen.(*saveScreen); ok {
			return append(d.discardQuestion(), "Discard? y/n")
		}
	}
	q := m.screen.quitQuestion()
	if q == nil {
		q = []string{"Nothing would be lost now."}
	}
	return append(q, "Quit anyway? y/n")
}

// helpSet is the current screen's keys, plus the root's: the question's
// answers, and ? only where it does not type a character.
func (m *Model) helpSet() helpSet {
	k := m.c.keys
	if m.confirm != nil {
		return helpSet{short: []key.Binding{k.Confirm.Yes, k.Confirm.No}}
	}
	if m.insp != nil {
		h := m.insp.help()
		if m.fullHelp {
			h.full = append(h.full, []key.Binding{k.Global.CloseHelp})
		}
		return h
	}
	h := m.screen.help()
	switch {
	case m.fullHelp:
		closeKey := k.Global.CloseHelp
		if m.screen.typing() {
			closeKey.SetHelp("esc", "fewer keys")
		}
		h.full = append(h.full, []key.Binding{closeKey, k.Global.Inspect})
	case !m.screen.typing():
		h.short = append(h.short, k.Global.Help)
	}
	return h
}

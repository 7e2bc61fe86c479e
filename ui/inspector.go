package ui

import (
	"context"
	"strings"
	"sync"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
)

// The request inspector (DESIGN.md "Inspector"): ctrl+t on any screen
// opens a panel over it listing this session's AWS requests in the layout
// of keypair --trace (awsapi.Trace.String), newest first; opened from the
// form it starts with the exact request Create would send with the fields
// as they are, serialized by the SDK and stopped before signing. The panel
// is recomputed each time it opens, so it always shows the current fields,
// and costs the form nothing while it is closed.
//
// Traces reach the panel through the context every command of the app
// runs under (awsapi.WithTrace), so each app (each served SSH session) sees
// its own requests. They are added from the commands' goroutines; each such
// command ends in a message, so the screen is redrawn after every trace.

// maxTraces is how many requests the panel keeps.
const maxTraces = 200

// InspectorKeys work in the request inspector.
type InspectorKeys struct {
	Close                key.Binding
	ScrollUp, ScrollDown key.Binding
	PageUp, PageDown     key.Binding
	Top, Bottom          key.Binding
}

func defaultInspectorKeys() InspectorKeys {
	nb := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return InspectorKeys{
		Close:      nb([]string{"esc", "ctrl+t", "f2", "q"}, "esc", "close"),
		ScrollUp:   nb([]string{"up", "k"}, "↑", "scroll up"),
		ScrollDown: nb([]string{"down", "j"}, "↓", "scroll down"),
		PageUp:     nb([]string{"pgup"}, "pgup", "page up"),
		PageDown:   nb([]string{"pgdown", "space"}, "pgdown", "page down"),
		Top:        nb([]string{"home", "g"}, "home", "newest"),
		Bottom:     nb([]string{"end", "G"}, "end", "oldest"),
	}
}

// inspectKeyBinding is the one key that opens the inspector on every screen.
func inspectKeyBinding() key.Binding {
	return key.NewBinding(key.WithKeys("ctrl+t", "f2"), key.WithHelp("ctrl+t", "requests"))
}

// traceLog keeps the session's last maxTraces traces; safe for concurrent use.
type traceLog struct {
	mu    sync.Mutex
	list  []awsapi.Trace
	total int // every trace ever added
}

func (l *traceLog) add(t awsapi.Trace) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.list) == maxTraces {
		copy(l.list, l.list[1:])
		l.list = l.list[:maxTraces-1]
	}
	l.list = append(l.list, t)
	l.total++
}

func (l *traceLog) snapshot() ([]awsapi.Trace, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]awsapi.Trace(nil), l.list...), l.total
}

// inspector is the panel while it is open.
type inspector struct {
	c       *common
	log     *traceLog
	preview []string // the preview's lines (opened from the form), else nil
	scroll  int

	cacheKey cacheKey
	cache    []string
}

type cacheKey struct {
	total, width int
	styles       *Styles
}

// openInspector opens the panel over the current screen.
func (m *Model) openInspector() {
	in := &inspector{c: m.c, log: m.traces}
	if m.screen == screen(m.form) {
		in.preview = previewLines(m.c.ctx, m.c.opts.Client, m.form.request())
	}
	m.insp = in
	m.fullHelp = false
}

// inspectKey handles a key while the panel is open (or the key that opens it).
func (m *Model) inspectKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.insp == nil {
		m.openInspector()
		return nil
	}
	k, g := m.c.keys.Inspector, m.c.keys.Global
	in := m.insp
	page := max(1, m.bodyHeight()-1)
	last := max(0, len(in.lines())-m.bodyHeight())
	switch {
	case m.fullHelp && (msg.String() == "esc" || key.Matches(msg, g.CloseHelp)):
		m.fullHelp = false
	case key.Matches(msg, g.Help):
		m.fullHelp = true
	case key.Matches(msg, k.Close):
		m.insp, m.fullHelp = nil, false
	case key.Matches(msg, k.ScrollDown):
		in.scroll = min(in.scroll+1, last)
	case key.Matches(msg, k.ScrollUp):
		in.scroll = max(0, in.scroll-1)
	case key.Matches(msg, k.PageDown):
		in.scroll = min(in.scroll+page, last)
	case key.Matches(msg, k.PageUp):
		in.scroll = max(0, in.scroll-page)
	case key.Matches(msg, k.Top):
		in.scroll = 0
	case key.Matches(msg, k.Bottom):
		in.scroll = last
	}
	return nil
}

func (in *inspector) view() body {
	return body{lines: in.lines(), scroll: in.scroll, scrolls: true}
}

func (in *inspector) help() helpSet {
	k, g := in.c.keys.Inspector, in.c.keys.Global
	return helpSet{
		short: []key.Binding{k.Close, k.ScrollDown, k.PageDown, g.Help, g.Quit},
		full:  [][]key.Binding{{k.Close, g.Quit}, {k.ScrollUp, k.ScrollDown, k.PageUp, k.PageDown, k.Top, k.Bottom}},
	}
}

// lines renders the panel: the preview, then the requests newest first.
// Lines wider than the terminal wrap (at spaces where they have them),
// their continuations indented.
func (in *inspector) lines() []string {
	traces, total := in.log.snapshot()
	ck := cacheKey{total: total, width: in.c.width, styles: in.c.styles}
	if in.cache != nil && in.cacheKey == ck {
		return in.cache
	}
	st, w := in.c.styles, in.c.width
	var out []string
	add := func(style func(...string) string, text string) {
		for i, l := range traceWrap(text, w) {
			if i > 0 {
				l = contIndent + l
			}
			out = append(out, style(l))
		}
	}
	if in.preview != nil {
		out = append(out, st.Title.Render("Create would send"), "")
		for _, l := range in.preview {
			add(traceStyle(st, l), l)
		}
		out = append(out, "")
	}
	title := "Requests to AWS in this session"
	switch {
	case total == 0:
		out = append(out, st.Title.Render(title), "", st.Hint.Render("None yet."))
	case total > len(traces):
		out = append(out, st.Title.Render(title+": "+itoa(total)+", newest first, the last "+itoa(len(traces))+" shown"), "")
	default:
		out = append(out, st.Title.Render(title+": "+itoa(total)+", newest first"), "")
	}
	for i := len(traces) - 1; i >= 0; i-- {
		for _, l := range traces[i].Lines() {
			add(traceStyle(st, l), l)
		}
		if i > 0 {
			out = append(out, "")
		}
	}
	in.cacheKey, in.cache = ck, out
	return out
}

// contIndent starts the continuation of a wrapped trace line.
const contIndent = "      "

// traceWrap cuts a trace line to w cells a line: the first and last lines
// of a block between their "  "-separated fields, parameters anywhere
// (base64 has no spaces); continuations are contIndent narrower.
func traceWrap(text string, w int) []string {
	if lipgloss.Width(text) <= w {
		return []string{text}
	}
	cw := max(10, w-len(contIndent))
	limit := func(n int) int {
		if n == 0 {
			return w
		}
		return cw
	}
	var out []string
	push := func(piece string) {
		for lipgloss.Width(piece) > limit(len(out)) {
			cut := hardWrap(piece, limit(len(out)))
			out = append(out, cut[0])
			piece = strings.Join(cut[1:], "")
		}
		if piece != "" {
			out = append(out, piece)
		}
	}
	if !strings.HasPrefix(text, "-> ") && !strings.HasPrefix(text, "<- ") {
		push(text)
		return out
	}
	line := ""
	for _, f := range strings.Split(text, "  ") {
		switch {
		case line == "":
			line = f
		case lipgloss.Width(line)+2+lipgloss.Width(f) <= limit(len(out)):
			line += "  " + f
		default:
			push(line)
			line = f
		}
	}
	push(line)
	return out
}

// traceStyle picks the style of one trace line.
func traceStyle(st *Styles, l string) func(...string) string {
	switch {
	case strings.HasPrefix(l, "-> "):
		return st.Value.Render
	case strings.HasPrefix(l, "<- not sent"):
		return st.Hint.Render
	case strings.HasPrefix(l, "<- "):
		if strings.Contains(l, "  code=") || strings.HasPrefix(l, "<- no answer") || strings.HasPrefix(l, "<- 5") || strings.HasPrefix(l, "<- 4") {
			return st.Error.Render
		}
		return st.OK.Render
	case strings.HasPrefix(l, "   error: "):
		return st.Error.Render
	}
	return func(s ...string) string { return strings.Join(s, "") }
}

// placeholderPublicKey stands for the public key the local source makes
// when Create is pressed; the preview shows previewPublicKey in its place.
var placeholderPublicKey = []byte("ssh-ed25519 PLACEHOLDER")

const previewPublicKey = "<the public key, made on this machine when Create is pressed>"

// previewLines is the request Create would send for the form's request:
// the trace of the SDK-serialized request, or why there is none.
func previewLines(ctx context.Context, client AWSClient, req pair.Request) []string {
	req = maker.Normalize(req)
	action := maker.ActionFor(req.Source)
	if action == maker.ActionNone {
		return []string{"Nothing: source " + string(req.Source) + " makes the key on this machine, with no AWS request."}
	}
	p, ok := client.(awsapi.Previewer)
	if !ok || p == nil {
		return []string{"No preview: this session has no AWS client."}
	}
	var t awsapi.Trace
	var err error
	if action == maker.ActionCreate {
		t, err = p.PreviewCreate(ctx, maker.CreateInput(req))
	} else {
		t, err = p.PreviewImport(ctx, maker.ImportInput(req, placeholderPublicKey))
		for i := range t.Params {
			if t.Params[i].Name == "PublicKeyMaterial" {
				t.Params[i].Value = previewPublicKey
			}
		}
	}
	if err != nil {
		return []string{"No preview: " + sentence(errText(err))}
	}
	out := t.Lines()
	if errs := req.Validate(); len(errs) > 0 {
		out = append(out, "Create is refused until the form's problems are fixed: "+cleanText(errs[0].Error())+".")
	}
	return out
}

package ui

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/keypair-dev/keypair/fleet"
	"github.com/keypair-dev/keypair/pair"
	"github.com/keypair-dev/keypair/ui/internal/field"
)

// importScreen puts one public key into many regions (fleet.Import):
// a prompt for the regions ("all", or a comma list), a spinner while the
// regions are worked on, then one line per region. It is opened from a
// pair's detail (the local key that is the pair) and from the fingerprint
// view of a key made here; esc returns there.
type importScreen struct {
	c         *common
	name      string
	publicKey string
	tags      []pair.Tag
	from      string // where the key is: a path, or "made here"
	back      screen // the screen to return to

	input   field.Model
	running bool
	done    bool
	seq     int
	cancel  context.CancelFunc
	spin    spinner.Model
	regions []string
	results []fleet.ImportResult
	err     error
}

func newImportScreen(c *common, a importAction) (*importScreen, tea.Cmd) {
	s := &importScreen{c: c, name: a.name, publicKey: a.publicKey, tags: a.tags, from: a.from, back: a.back, seq: c.nextSeq()}
	s.input = newInput(c.styles, "all, or a list such as eu-west-1,us-east-1", 2000, 50)
	s.input.Prompt = "Regions  "
	s.restyle()
	s.resize()
	s.input.Focus()
	return s, nil
}

func (s *importScreen) start() tea.Cmd {
	spec := strings.TrimSpace(s.input.Value())
	if spec == "" {
		return nil
	}
	ctx, cancel := context.WithCancel(s.c.ctx)
	s.cancel = cancel
	s.running, s.done, s.err, s.results = true, false, nil, nil
	s.input.Blur()
	req := fleet.ImportRequest{Name: s.name, PublicKey: []byte(s.publicKey), Tags: s.tags}
	return tea.Batch(s.spin.Tick, importCmd(ctx, s.c.deps(), s.c.opts.Connect, s.c.opts.Regions, spec, req, s.seq))
}

func (s *importScreen) stop() {
	if s.cancel != nil {
		s.cancel()
	}
}

func (s *importScreen) update(msg tea.Msg) (tea.Cmd, action) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if !s.running {
			return nil, nil
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return cmd, nil
	case importedMsg:
		if msg.seq != s.seq {
			return nil, nil
		}
		s.stop()
		s.running, s.done = false, true
		s.regions, s.results, s.err = msg.regions, msg.results, msg.err
		if s.err != nil {
			s.done = false
			s.input.Focus()
			return nil, nil
		}
		return nil, nil
	case tea.PasteMsg:
		if !s.running && !s.done {
			s.input.Update(msg)
			return nil, nil
		}
	case tea.KeyPressMsg:
		k := s.c.keys.Import
		switch {
		case key.Matches(msg, k.Back):
			if s.running {
				// Regions already asked may still import the key; the
				// rest are not started.
				s.stop()
				return nil, statusAction{"Import cancelled: regions already asked may hold the key now; list them to see."}
			}
			return nil, closeAction{to: s.back}
		case s.running:
		case s.done:
			if key.Matches(msg, k.Run) {
				return nil, closeAction{to: s.back}
			}
		case key.Matches(msg, k.Run):
			return s.start(), nil
		default:
			s.input.Update(msg)
			return nil, nil
		}
	}
	return nil, nil
}

// summary counts the regions by how they ended.
func (s *importScreen) summary() (ok bool, text string) {
	n := map[string]int{}
	for _, r := range s.results {
		n[r.Status]++
	}
	good := n[fleet.StatusImported] + n[fleet.StatusPresent]
	var parts []string
	for _, st := range []string{fleet.StatusImported, fleet.StatusPresent, fleet.StatusConflict, fleet.StatusFailed} {
		if n[st] > 0 {
			parts = append(parts, itoa(n[st])+" "+st)
		}
	}
	if good == len(s.results) && len(s.results) > 0 {
		return true, "✓ " + quote(s.name) + " is in all " + itoa(len(s.results)) + " regions: " + strings.Join(parts, ", ")
	}
	return false, "✗ " + quote(s.name) + " is in " + itoa(good) + " of " + itoa(len(s.results)) + " regions: " + strings.Join(parts, ", ")
}

func (s *importScreen) view() body {
	st, w := s.c.styles, s.c.width
	var b body
	add := func(l ...string) { b.lines = append(b.lines, l...) }
	add(st.Title.Render(truncate("Import "+quote(s.name)+" into regions", w)))
	add(wrapStyled(st.Hint, "The public key of "+s.from+" is imported under the name "+quote(s.name)+" where that name is free. A region whose pair of that name holds another key is a conflict and is never overwritten.", w)...)
	add("")
	if !s.running && !s.done {
		b.cursor = s.input.CursorAt(0, len(b.lines))
		add(s.input.View())
		if s.err != nil {
			add(wrapStyled(st.Error, "✗ "+sentence(errText(s.err)), w)...)
		}
		b.focusLine = len(b.lines) - 1
		return b
	}
	if s.running {
		add(s.spin.View() + " " + st.Label.Render("Importing into "+cleanText(s.input.Value())+"…"))
		return b
	}
	ok, sum := s.summary()
	if ok {
		add(st.OK.Render(truncate(sum, w)))
	} else {
		add(wrapStyled(st.Error, sum, w)...)
	}
	add("")
	regW := len("REGION")
	for _, r := range s.results {
		regW = max(regW, len(cleanText(r.Region)))
	}
	const statusW, idW = 9, 21
	msgW := max(0, w-regW-statusW-idW-3)
	add(st.Hint.Render(strings.TrimRight(padCell("REGION", regW)+" "+padCell("STATUS", statusW)+" "+padCell("KEY PAIR ID", idW)+" "+padCell("MESSAGE", msgW), " ")))
	for _, r := range s.results {
		line := padCell(cleanText(r.Region), regW) + " " + padCell(cleanText(r.Status), statusW) + " " + padCell(cleanText(r.KeyPairID), idW) + " " + padCell(cleanText(r.Message), msgW)
		line = strings.TrimRight(line, " ")
		switch r.Status {
		case fleet.StatusImported, fleet.StatusPresent:
			add(line)
		default:
			add(st.Error.Render(line))
		}
	}
	b.scrolls = true
	return b
}

func (s *importScreen) help() helpSet {
	k, g := s.c.keys.Import, s.c.keys.Global
	switch {
	case s.running:
		cancel := k.Back
		cancel.SetHelp("esc", "cancel")
		return helpSet{short: []key.Binding{cancel, g.Quit}, full: [][]key.Binding{{cancel, g.Quit}}}
	case s.done:
		back := k.Run
		back.SetHelp("enter/esc", "back")
		return helpSet{short: []key.Binding{back, g.Quit}, full: [][]key.Binding{{back, g.Quit}}}
	}
	return helpSet{short: []key.Binding{k.Run, k.Back, g.Quit}, full: [][]key.Binding{{k.Run, k.Back, g.Quit}}}
}

func (s *importScreen) typing() bool           { return !s.running && !s.done }
func (s *importScreen) held() *heldKey         { return nil }
func (s *importScreen) quitQuestion() []string { return nil }

func (s *importScreen) restyle() {
	s.spin = spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(s.c.styles.Title))
	s.input.SetStyles(s.c.styles.Input)
}

func (s *importScreen) resize() { s.input.SetWidth(max(10, min(60, s.c.width-12))) }

package ui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
)

// The smallest terminal the screens are laid out for.
const (
	minWidth  = 60
	minHeight = 20
)

// nameCheckDelay is how long typing must pause before the name is looked up.
const nameCheckDelay = 300 * time.Millisecond

// Model is the app's one Bubble Tea model. It only routes: messages go to
// the current screen (or to the form, for its name check), screens answer
// with actions, and the model picks the next screen. The form lives on
// while other screens show, so going back keeps what the user chose.
type Model struct {
	c       *common
	form    *formScreen
	pairs   *pairsScreen // the Pairs list once opened; it lives on like the form
	screen  screen       // the screen shown now (may be form)
	confirm *confirm     // a yes/no question over the screen, or nil
	insp    *inspector   // the request inspector over the screen, or nil (inspector.go)
	traces  *traceLog    // this session's AWS requests, for the inspector

	fullHelp bool
	status   string // a one-line notice, cleared by the next key
	notice   string // a notice from outside (NoticeMsg), kept until the end
	profile  colorprofile.Profile
	isDark   bool
	result   Result
	quitting bool
}

// confirm is a yes/no question; its text is asked of the screen when drawn,
// so it follows the state (a key that arrived meanwhile).
type confirm struct{ discard bool }

var _ tea.Model = (*Model)(nil)

// NoticeMsg puts a notice in the footer that stays until the program ends
// (keypair serve: the server is shutting down).
type NoticeMsg string

// New builds the model Run runs; tests drive it directly.
func New(ctx context.Context, opts Options) *Model {
	if ctx == nil {
		ctx = context.Background()
	}
	m := &Model{isDark: true, profile: colorprofile.Env(opts.Env), traces: &traceLog{}}
	ctx = awsapi.WithTrace(ctx, m.traces.add) // every command runs under ctx
	m.c = &common{ctx: ctx, opts: opts, keys: DefaultKeyMap(), width: 80, height: 24, debounce: nameCheckDelay, help: &helpCache{}}
	m.c.setEnv(func(k string) string { return getenv(opts.Env, k) })
	m.c.styles = NewStyles(m.isDark, m.profile)
	m.c.creds.checking = opts.Client != nil
	m.c.bodyLines = m.bodyHeight
	m.form = newForm(m.c, opts.Request)
	m.screen = m.form
	return m
}

// Init asks for the background colour and resolves credentials in the background.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor}
	if m.c.opts.Client != nil {
		cmds = append(cmds, credsCmd(m.c.ctx, m.c.opts.Client))
	}
	return tea.Batch(cmds...)
}

// Result is what the session did so far.
func (m *Model) Result() *Result {
	r := m.result
	r.Saved = append([]Saved(nil), m.result.Saved...)
	r.Notes = append([]string(nil), m.result.Notes...)
	return &r
}

// held is the private key in memory, if any.
func (m *Model) held() *heldKey { return m.screen.held() }

// unsaved reports whether quitting now would lose a private key.
func (m *Model) unsaved() bool { return m.screen.quitQuestion() != nil }

func (m *Model) restyle() {
	m.c.styles = NewStyles(m.isDark, m.profile)
	m.form.restyle()
	if m.pairs != nil && m.screen != screen(m.pairs) {
		m.pairs.restyle()
	}
	if m.screen != screen(m.form) {
		m.screen.restyle()
	}
}

// Update routes one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.width, m.c.height = msg.Width, msg.Height
		m.form.resize()
		if m.pairs != nil && m.screen != screen(m.pairs) {
			m.pairs.resize()
		}
		m.screen.resize()
		return m, nil
	case tea.BackgroundColorMsg:
		m.isDark = msg.IsDark()
		m.restyle()
		return m, nil
	case tea.ColorProfileMsg:
		m.profile = msg.Profile
		m.restyle()
		return m, nil
	case tea.EnvMsg:
		m.c.setEnv(msg.Getenv)
		return m, nil
	case NoticeMsg:
		m.notice = string(msg)
		return m, nil
	case credsMsg:
		m.c.creds = credState{done: true, info: msg.info, err: msg.err}
		return m, m.form.credsChanged()
	case nameTickMsg, nameCheckMsg:
		cmd, _ := m.form.update(msg)
		return m, cmd
	case pairsLoadedMsg:
		// The list loads (after a delete, say) while a detail may show.
		if m.pairs != nil {
			cmd, _ := m.pairs.update(msg)
			return m, cmd
		}
		return m, nil
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case tea.PasteMsg:
		if m.confirm != nil || m.insp != nil {
			return m, nil
		}
	}
	cmd, act := m.screen.update(msg)
	return m, tea.Batch(cmd, m.do(act))
}

// key handles the keys that are the root's (quit, help, a question) and
// passes the rest to the screen.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	m.status = ""
	k := m.c.keys
	if m.confirm != nil {
		switch {
		case key.Matches(msg, k.Confirm.Yes):
			c := m.confirm
			m.confirm = nil
			return m.confirmed(c)
		case key.Matches(msg, k.Confirm.No):
			m.confirm = nil
		}
		return nil
	}
	if key.Matches(msg, k.Global.Quit) {
		return m.do(quitAction{})
	}
	if m.c.width < minWidth || m.c.height < minHeight {
		return nil
	}
	if m.insp != nil || key.Matches(msg, k.Global.Inspect) {
		return m.inspectKey(msg)
	}
	typing := m.screen.typing()
	switch {
	case m.fullHelp && (msg.String() == "esc" || (!typing && key.Matches(msg, k.Global.CloseHelp))):
		m.fullHelp = false
		return nil
	case !typing && key.Matches(msg, k.Global.Help):
		m.fullHelp = true
		return nil
	}
	m.c.avail = m.bodyHeight()
	cmd, act := m.screen.update(msg)
	return tea.Batch(cmd, m.do(act))
}

// bodyHeight is how many lines the body gets below the header and above
// the footer, as View lays them out now.
func (m *Model) bodyHeight() int {
	foot := len(helpLayout(m.helpSet(), m.fullHelp, m.c.width))
	if m.status != "" {
		foot += len(wrap(m.status, m.c.width))
	}
	if m.notice != "" {
		foot += len(wrap(m.notice, m.c.width))
	}
	return max(1, m.c.height-3-foot-1)
}

// do follows a screen's action: the flow between screens, nothing more.
func (m *Model) do(act action) tea.Cmd {
	switch a := act.(type) {
	case nil:
		return nil
	case statusAction:
		m.status = a.text
	case submitAction:
		path := m.proposedPath(a.req)
		if path == maker.NoFile {
			path = "" // no file (create --out none): the save step chooses
		}
		w, cmd := newMaking(m.c, a.req, path)
		m.show(w)
		return cmd
	case refusedAction:
		m.form.refused(a.err)
		return m.toForm()
	case failedAction:
		m.show(failedResult(m.c, a))
	case dryRunAction:
		d := *a.res
		m.result.DryRun = &d
		m.show(dryRunResult(m.c, &d))
	case madeAction:
		if a.key.made.Imported() {
			// A login key imported: no private key, nothing to save.
			return m.do(savedAction{made: a.key.made})
		}
		m.show(newSaveScreen(m.c, a.key, m.proposedPath(a.key.made.Request), a.late))
	case savedAction:
		m.result.Saved = append(m.result.Saved, a.made.Summary())
		for _, w := range a.made.Warnings {
			m.result.Notes = append(m.result.Notes, a.made.Request.Name+": "+cleanText(w))
		}
		if a.warning != "" {
			m.result.Notes = append(m.result.Notes, a.made.Request.Name+": "+a.warning)
		}
		if a.unconfirmed {
			m.result.Unconfirmed = true
		}
		m.show(newFingerprintScreen(m.c, a.made, a.warning))
	case askDiscardAction:
		m.confirm = &confirm{discard: true}
	case discardedAction:
		note, ok := discardNote(a.d)
		m.result.Notes = append(m.result.Notes, note)
		if a.quit {
			return m.quit()
		}
		m.show(discardedResult(m.c, note, ok))
	case backAction:
		return m.toForm()
	case newKeyAction:
		m.show(m.form)
		return m.form.newKey()
	case openPairsAction:
		if m.c.opts.Pairs == nil {
			m.status = "The Pairs screen needs AWS: this session has no EC2 client (check the region and profile, then restart)."
			return nil
		}
		if m.pairs == nil {
			m.pairs = newPairsScreen(m.c)
		}
		m.show(m.pairs)
		return m.pairs.load()
	case openPairAction:
		d, cmd := newPairScreen(m.c, a.row)
		m.show(d)
		return cmd
	case pairsListAction:
		m.stopScreen()
		return m.showPairs()
	case pairDeletedAction:
		m.stopScreen()
		if a.gone {
			m.status = "EC2 has no key pair named " + quote(a.name) + " in " + regionOr(a.region) + " any more: nothing was deleted."
		} else {
			m.status = "✓ Deleted the key pair " + quote(a.name) + " from " + regionOr(a.region) + "."
		}
		m.show(m.pairs)
		return m.pairs.load()
	case importAction:
		s, cmd := newImportScreen(m.c, a)
		m.show(s)
		return cmd
	case closeAction:
		m.stopScreen()
		if a.to == nil {
			return m.toForm()
		}
		m.show(a.to)
		if a.to == screen(m.pairs) {
			return m.showPairs()
		}
	case quitAction:
		if !m.unsaved() {
			return m.quit()
		}
		m.confirm = &confirm{}
	}
	return nil
}

// confirmed follows a yes: drop the key (deleting its pair from EC2 where
// maker says the pair would be left without it), then quit or go back.
func (m *Model) confirmed(c *confirm) tea.Cmd {
	if d, ok := m.screen.(*saveScreen); ok && d.saving {
		// A write is under way: discarding now would delete the pair of a
		// key that is landing on disk.
		m.status = "The key is being saved; ask again when the save has ended."
		return nil
	}
	h := m.held()
	if m.unsaved() {
		m.result.Discarded = true
	}
	if _, discarding := m.screen.(*workingScreen); h != nil && h.made.Orphan() && !discarding {
		w, cmd := newDiscarding(m.c, *h, !c.discard)
		m.show(w)
		return cmd
	}
	if c.discard {
		return m.toForm()
	}
	return m.quit()
}

// discardNote says what Discard did, for the screen and the exit summary.
func discardNote(d *maker.Discarded) (string, bool) {
	if d.MayStillExist() {
		return "The private key of " + quote(d.Name) + " was discarded, and deleting the pair from EC2 (" + regionOr(d.Region) + ") failed: " +
			sentence(errText(d.Err)) + " Delete the pair " + quote(d.Name) + " in EC2.", false
	}
	return "The private key of " + quote(d.Name) + " was discarded, so the pair was deleted from EC2 (" + regionOr(d.Region) + ") again: nothing is left behind.", true
}

// proposedPath is where the save dialog will propose to save req's key:
// --out for the first key, else the default path in the save folder.
func (m *Model) proposedPath(req pair.Request) string {
	if m.c.opts.SavePath != "" && len(m.result.Saved) == 0 {
		return m.c.opts.SavePath
	}
	return maker.DefaultPath(m.c.opts.Config.SaveDir, req)
}

func (m *Model) show(s screen) {
	m.screen = s
	m.fullHelp = false
	s.resize()
}

// showPairs shows the list again, its spinner turning if it still loads.
func (m *Model) showPairs() tea.Cmd {
	m.show(m.pairs)
	if m.pairs.state == pairsLoading {
		return m.pairs.spin.Tick
	}
	return nil
}

// stopScreen cancels what the screen shown now runs in the background.
func (m *Model) stopScreen() {
	switch s := m.screen.(type) {
	case *pairScreen:
		s.stop()
	case *importScreen:
		s.stop()
	}
}

func (m *Model) toForm() tea.Cmd {
	m.show(m.form)
	return m.form.enter()
}

// stopAll cancels every running command.
func (m *Model) stopAll() {
	m.form.stop()
	if w, ok := m.screen.(*workingScreen); ok {
		w.stop()
	}
	if m.pairs != nil {
		m.pairs.stop()
	}
	m.stopScreen()
}

func (m *Model) quit() tea.Cmd {
	m.stopAll()
	m.quitting = true
	return tea.Quit
}

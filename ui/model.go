package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
)

// screen is which screen the app shows.
type screen int

const (
	screenForm        screen = iota
	screenWorking            // a spinner while Make or Import runs
	screenResult             // a dry-run answer or a failure
	screenSave               // the save dialog
	screenFingerprint        // the saved pair
)

// The smallest terminal the screens are laid out for.
const (
	minWidth  = 60
	minHeight = 20
)

// nameCheckDelay is how long typing must pause before the name is looked up.
const nameCheckDelay = 300 * time.Millisecond

// credState is what is known about the credentials.
type credState struct {
	checking bool
	done     bool
	info     awsapi.CredentialInfo
	err      error
}

// confirm is a yes/no question over the current screen.
type confirm struct {
	question []string
	yes      func() tea.Cmd
}

// Model is the app's one Bubble Tea model. Sub-models (form, saveDialog,
// fingerprintView, working, outcome) only render strings; all I/O runs in
// the commands of commands.go.
type Model struct {
	ctx    context.Context
	opts   Options
	keys   KeyMap
	styles Styles
	help   help.Model

	isDark   bool
	profile  colorprofile.Profile
	fullHelp bool
	width    int
	height   int
	sshConn  string // SSH_CONNECTION of the terminal's environment
	user     string // USER or LOGNAME

	screen screen
	form   *form
	creds  credState

	nameCancel context.CancelFunc // the running name lookup
	debounce   time.Duration

	mk      *maker.Pipeline // built by NewPipeline, kept for the next key
	keyMk   *maker.Pipeline // the pipeline of the key in memory
	work    *working
	outcome outcome
	made    *maker.Made // the key pair in memory; nil when none
	save    *saveDialog
	fp      *fingerprintView
	confirm *confirm
	status  string // a one-line notice, cleared by the next key

	result          Result
	quitting        bool
	quitAfterDelete bool // quit once the discard's DeleteKeyPair ends

	scroll   int     // first body line shown on screens that scroll
	helpKey  helpKey // what helpView was rendered for
	helpView string
}

// helpKey is what the help line depends on.
type helpKey struct {
	screen        screen
	full, confirm bool
	width, gen    int
}

var _ tea.Model = (*Model)(nil)

// New builds the model Run runs; tests drive it directly.
func New(ctx context.Context, opts Options) *Model {
	if ctx == nil {
		ctx = context.Background()
	}
	m := &Model{
		ctx:      ctx,
		opts:     opts,
		keys:     DefaultKeyMap(),
		isDark:   true,
		profile:  colorprofile.Env(opts.Env),
		width:    80,
		height:   24,
		debounce: nameCheckDelay,
		help:     help.New(),
	}
	m.setEnv(func(k string) string { return getenv(opts.Env, k) })
	m.styles = NewStyles(m.isDark, m.profile)
	m.help.Styles = m.styles.Help
	m.form = newForm(m.styles, opts.Config, opts.Request, m.region())
	m.form.setWidth(m.width)
	if opts.Client != nil {
		m.creds.checking = true
	}
	return m
}

func getenv(env []string, k string) string {
	v := ""
	for _, kv := range env {
		if strings.HasPrefix(kv, k+"=") {
			v = kv[len(k)+1:]
		}
	}
	return v
}

func (m *Model) setEnv(get func(string) string) {
	m.sshConn = get("SSH_CONNECTION")
	m.user = get("USER")
	if m.user == "" {
		m.user = get("LOGNAME")
	}
}

func (m *Model) region() string {
	if m.opts.Request.Region != "" {
		return m.opts.Request.Region
	}
	if m.opts.Client != nil && m.opts.Client.Region() != "" {
		return m.opts.Client.Region()
	}
	return m.opts.Config.Region
}

// Init asks for the background colour and resolves credentials in the background.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor}
	if m.opts.Client != nil {
		cmds = append(cmds, credsCmd(m.ctx, m.opts.Client))
	}
	return tea.Batch(cmds...)
}

// Result is what the session did so far.
func (m *Model) Result() *Result {
	r := m.result
	r.Saved = append([]Saved(nil), m.result.Saved...)
	return &r
}

// stopAll cancels every running command.
func (m *Model) stopAll() {
	if m.nameCancel != nil {
		m.nameCancel()
	}
	if m.work != nil && m.work.cancel != nil {
		m.work.cancel()
	}
}

func (m *Model) restyle() {
	m.helpKey = helpKey{}
	m.styles = NewStyles(m.isDark, m.profile)
	m.help.Styles = m.styles.Help
	m.form.restyle(m.styles)
	if m.save != nil {
		m.save.path.SetStyles(m.styles.Input)
	}
	if m.work != nil {
		m.work.spin.Style = m.styles.Title
	}
}

// unsaved reports whether a private key exists only in memory (or is
// being made), so quitting would lose it.
func (m *Model) unsaved() bool {
	if m.screen == screenWorking && m.work != nil && m.work.job != jobDryRun && m.work.job != jobDelete {
		return true
	}
	return m.made.Unsaved()
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.form.setWidth(m.width)
		m.help.SetWidth(m.width)
		if m.save != nil {
			m.save.setWidth(m.width)
		}
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
		m.setEnv(msg.Getenv)
		return m, nil
	case credsMsg:
		m.creds = credState{done: true, info: msg.info, err: msg.err}
		return m, m.scheduleNameCheck()
	case nameTickMsg:
		return m, m.startNameCheck(msg.seq)
	case nameCheckMsg:
		m.nameChecked(msg)
		return m, nil
	case madeMsg:
		return m, m.made_(msg)
	case savedMsg:
		return m, m.saved(msg)
	case deletedMsg:
		return m, m.deleted(msg)
	case completeMsg:
		if m.save != nil && msg.seq == m.save.compSeq && msg.input == m.save.path.Value() {
			m.save.completed(msg)
		}
		return m, nil
	case spinner.TickMsg:
		if m.screen == screenWorking && m.work != nil {
			var cmd tea.Cmd
			m.work.spin, cmd = m.work.spin.Update(msg)
			return m, cmd
		}
		return m, nil
	case tea.PasteMsg:
		return m, m.paste(msg)
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

// key handles a key press on any screen.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	m.status = ""
	if m.confirm != nil {
		switch {
		case key.Matches(msg, m.keys.Yes):
			c := m.confirm
			m.confirm = nil
			return c.yes()
		case key.Matches(msg, m.keys.No):
			m.confirm = nil
		}
		return nil
	}
	if key.Matches(msg, m.keys.Quit) {
		return m.askQuit()
	}
	if m.width < minWidth || m.height < minHeight {
		return nil
	}
	switch m.screen {
	case screenForm:
		return m.formKey(msg)
	case screenWorking:
		if key.Matches(msg, m.keys.Back) && m.work != nil && !m.work.cancelling {
			m.work.cancelling = true
			m.work.cancel()
		}
	case screenResult:
		switch {
		case key.Matches(msg, m.keys.ScrollDown):
			m.scroll++
		case key.Matches(msg, m.keys.ScrollUp):
			m.scroll = max(0, m.scroll-1)
		case key.Matches(msg, m.keys.Back, m.keys.Enter):
			return m.toForm(false)
		case key.Matches(msg, m.keys.QuitQ):
			return m.askQuit()
		case key.Matches(msg, m.keys.Help):
			m.fullHelp = !m.fullHelp
		}
	case screenSave:
		return m.saveKey(msg)
	case screenFingerprint:
		return m.fingerprintKey(msg)
	}
	return nil
}

// askQuit quits, asking first while a private key would be lost.
func (m *Model) askQuit() tea.Cmd {
	if !m.unsaved() {
		return m.quit()
	}
	q := []string{"The private key is not saved and cannot be made again."}
	if m.screen == screenWorking {
		q = []string{"A key is being made; quitting now discards it."}
		if m.work != nil && m.work.req.Source != pair.SourceOffline {
			q = []string{"EC2 is being asked to make or import the pair; quitting now may leave it in EC2 without its private key."}
		}
	} else if m.inEC2Unsaved() {
		q = append(q, "The pair "+m.made.Request.Name+" exists in EC2 ("+regionOr(m.made.Region)+"): quitting deletes it there again, so nothing is left behind.")
	}
	m.confirm = &confirm{question: append(q, "Quit anyway? y/n"), yes: func() tea.Cmd { return m.discard(true) }}
	return nil
}

// inEC2Unsaved reports whether the key in memory belongs to a pair EC2
// made: discarding the key must then delete the pair, or EC2 keeps a pair
// whose private key nobody has.
func (m *Model) inEC2Unsaved() bool {
	return m.made.Orphan()
}

// discard drops the unsaved key in memory, deleting its pair from EC2 where
// EC2 made it, then quits (quit) or returns to the form.
func (m *Model) discard(quit bool) tea.Cmd {
	m.result.Discarded = true
	if m.screen != screenWorking && m.inEC2Unsaved() {
		ctx, cancel := context.WithCancel(m.ctx)
		req := m.made.Request
		req.Region = m.made.Region
		m.work = newWorking(jobDelete, req, cancel, m.styles)
		m.quitAfterDelete = quit
		cmd := deleteCmd(ctx, m.keyMk, m.made)
		m.made, m.save, m.fp = nil, nil, nil
		m.screen = screenWorking
		return tea.Batch(m.work.spin.Tick, cmd)
	}
	if quit {
		return m.quit()
	}
	return m.toForm(true)
}

// sentence ends s with a full stop unless it already ends a sentence.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

// deleted handles the end of the delete that follows a discard.
func (m *Model) deleted(msg deletedMsg) tea.Cmd {
	if m.work == nil || m.work.job != jobDelete {
		return nil
	}
	m.work.cancel()
	m.work = nil
	var note string
	if msg.err != nil {
		note = "The private key of " + msg.name + " was discarded, and deleting the pair from EC2 (" + regionOr(msg.region) + ") failed: " +
			sentence(errText(msg.err)) + " Delete it with keypair delete " + msg.name + "."
		m.outcome = outcome{title: "✗ The pair is still in EC2", body: []string{note}}
	} else {
		note = "The private key of " + msg.name + " was discarded, so the pair was deleted from EC2 (" + regionOr(msg.region) + ") again: nothing is left behind."
		m.outcome = outcome{ok: true, title: "✓ Nothing left behind", body: []string{note}}
	}
	m.result.Notes = append(m.result.Notes, note)
	if m.quitAfterDelete {
		return m.quit()
	}
	m.screen, m.scroll = screenResult, 0
	return nil
}

func (m *Model) quit() tea.Cmd {
	m.stopAll()
	m.quitting = true
	return tea.Quit
}

// toForm returns to the form; discard drops a key held in memory.
func (m *Model) toForm(discard bool) tea.Cmd {
	if discard && m.unsaved() {
		m.result.Discarded = true
	}
	m.made, m.save, m.fp, m.work = nil, nil, nil, nil
	m.screen = screenForm
	return m.form.setFocus(m.form.focus)
}

func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	f, k := m.form, m.keys
	switch {
	case key.Matches(msg, k.Submit):
		return m.submit()
	case key.Matches(msg, k.Next):
		return f.moveFocus(1)
	case key.Matches(msg, k.Prev):
		return f.moveFocus(-1)
	case key.Matches(msg, k.AddTag):
		return f.addTag(m.styles)
	case key.Matches(msg, k.RemoveTag):
		return f.removeTag()
	case key.Matches(msg, k.Back):
		if m.fullHelp {
			m.fullHelp = false
		} else {
			m.status = "Nothing to go back to: ctrl+c quits."
		}
		return nil
	case key.Matches(msg, k.Enter):
		switch f.focus.kind {
		case fieldCreate:
			return m.submit()
		case fieldTags:
			return f.addTag(m.styles)
		}
		return f.moveFocus(1)
	}
	if in := f.input(); in != nil {
		before, src := f.name.Value(), f.src()
		var cmd tea.Cmd
		*in, cmd = in.Update(msg)
		f.touch()
		f.validate()
		if f.name.Value() != before || f.src() != src {
			return tea.Batch(cmd, m.scheduleNameCheck())
		}
		return cmd
	}
	src := f.src()
	switch {
	case key.Matches(msg, k.Help):
		m.fullHelp = !m.fullHelp
	case key.Matches(msg, k.Left):
		f.change(-1)
	case key.Matches(msg, k.Right, k.Toggle):
		if f.focus.kind == fieldTags {
			return f.addTag(m.styles)
		}
		f.change(1)
	case msg.Text == "+" && f.focus.kind == fieldTags:
		return f.addTag(m.styles)
	}
	if f.src() != src {
		return m.scheduleNameCheck()
	}
	return nil
}

func (m *Model) paste(msg tea.PasteMsg) tea.Cmd {
	switch {
	case m.confirm != nil:
		return nil
	case m.screen == screenForm:
		f := m.form
		if in := f.input(); in != nil {
			before := f.name.Value()
			var cmd tea.Cmd
			*in, cmd = in.Update(msg)
			f.touch()
			f.validate()
			if f.name.Value() != before {
				return tea.Batch(cmd, m.scheduleNameCheck())
			}
			return cmd
		}
	case m.screen == screenSave && m.save != nil && !m.save.saving:
		var cmd tea.Cmd
		m.save.path, cmd = m.save.path.Update(msg)
		return cmd
	}
	return nil
}

// canCheckNames reports whether the name can be looked up in the region now.
func (m *Model) canCheckNames() bool {
	f := m.form
	return m.opts.Client != nil && m.creds.done && m.creds.err == nil &&
		f.src() != pair.SourceOffline && f.name.Value() != "" && f.errs["name"] == ""
}

// scheduleNameCheck starts the debounce after the name (or source)
// changed; the lookup runs only if nothing changes for m.debounce.
func (m *Model) scheduleNameCheck() tea.Cmd {
	f := m.form
	f.nameSeq++
	f.nameChecking, f.nameCheckErr = "", ""
	if m.nameCancel != nil {
		m.nameCancel()
		m.nameCancel = nil
	}
	if !m.canCheckNames() {
		return nil
	}
	seq := f.nameSeq
	return tea.Tick(m.debounce, func(time.Time) tea.Msg { return nameTickMsg{seq: seq} })
}

func (m *Model) startNameCheck(seq int) tea.Cmd {
	f := m.form
	if seq != f.nameSeq || !m.canCheckNames() {
		return nil
	}
	if m.nameCancel != nil {
		m.nameCancel()
	}
	ctx, cancel := context.WithCancel(m.ctx)
	m.nameCancel = cancel
	f.nameChecking = f.name.Value()
	return checkNameCmd(ctx, m.opts.Client, seq, f.nameChecking)
}

func (m *Model) nameChecked(msg nameCheckMsg) {
	f := m.form
	if msg.seq != f.nameSeq {
		return // a lookup for a name since changed
	}
	f.nameChecking = ""
	if m.nameCancel != nil {
		m.nameCancel()
		m.nameCancel = nil
	}
	switch {
	case msg.err != nil:
		if !errors.Is(msg.err, context.Canceled) {
			f.nameCheckErr = errText(msg.err)
		}
	case msg.exists:
		f.nameTaken = msg.name
	default:
		f.nameFree = msg.name
		if f.nameTaken == msg.name {
			f.nameTaken = ""
		}
	}
}

// submit starts making the key pair, unless something is invalid.
func (m *Model) submit() tea.Cmd {
	f := m.form
	f.validate()
	if probs := f.problems(); len(probs) > 0 {
		f.showAll = true
		m.status = "Cannot create yet: " + probs[0]
		return nil
	}
	req := f.request()
	j := jobCreate
	if req.DryRun {
		j = jobDryRun
	}
	ctx, cancel := context.WithCancel(m.ctx)
	m.work = newWorking(j, req, cancel, m.styles)
	m.screen = screenWorking
	m.fullHelp = false
	return tea.Batch(m.work.spin.Tick, makeCmd(ctx, m.mk, m.opts.NewPipeline, req))
}

// made_ handles the end of Make.
func (m *Model) made_(msg madeMsg) tea.Cmd {
	w := m.work
	if w == nil || w.job == jobImport {
		return nil
	}
	w.cancel()
	if msg.pipe != nil && msg.keep {
		m.mk = msg.pipe
	}
	m.keyMk = msg.pipe
	if m.keyMk == nil {
		m.keyMk = &maker.Pipeline{}
	}
	switch {
	case msg.err != nil:
		m.outcome = errorOutcome(msg.err, w.req, w.cancelling, w)
		m.screen, m.scroll = screenResult, 0
	case msg.dry != nil:
		d := *msg.dry
		m.result.DryRun = &d
		m.outcome = dryRunOutcome(&d, w.req)
		m.screen, m.scroll = screenResult, 0
	default:
		// A key exists now, even if esc came too late: never drop it.
		m.made = msg.made
		if m.made.Region == "" && m.made.Request.Source != pair.SourceOffline {
			m.made.Region = w.req.Region
		}
		m.screen = screenSave
		path := maker.DefaultPath(m.opts.Config.SaveDir, m.made.Request)
		if m.opts.SavePath != "" && len(m.result.Saved) == 0 {
			path = m.opts.SavePath
		}
		m.save = newSaveDialog(m.styles, path, m.width)
		if w.cancelling {
			m.save.note = "The cancel came too late: the key pair was made. Save it now."
		}
	}
	m.work = nil
	return nil
}

func (m *Model) saveKey(msg tea.KeyPressMsg) tea.Cmd {
	d, k := m.save, m.keys
	if d.saving {
		return nil
	}
	switch {
	case key.Matches(msg, k.Save):
		p := strings.TrimSpace(d.path.Value())
		switch p {
		case "":
			d.err = "Type a path for the private key file."
			return nil
		case "-":
			d.err = "To write the key to stdout, use keypair create --out - instead."
			return nil
		}
		d.err, d.matches = "", nil
		d.saving = true
		return saveCmd(m.ctx, m.keyMk, m.made, p)
	case key.Matches(msg, k.Complete):
		d.compSeq++
		d.err = ""
		return completeCmd(d.compSeq, d.path.Value())
	case key.Matches(msg, k.Back):
		name := m.made.Request.Name
		q := []string{"Go back and discard the private key of " + name + "? It cannot be made again."}
		if m.inEC2Unsaved() {
			q = append(q, "The pair exists in EC2 ("+regionOr(m.made.Region)+"): discarding deletes it there again, so nothing is left behind.")
		}
		m.confirm = &confirm{question: append(q, "Discard? y/n"), yes: func() tea.Cmd { return m.discard(false) }}
		return nil
	}
	var cmd tea.Cmd
	d.path, cmd = d.path.Update(msg)
	d.matches = nil
	return cmd
}

// saved handles the end of a save.
func (m *Model) saved(msg savedMsg) tea.Cmd {
	if m.save == nil || m.made == nil {
		return nil
	}
	m.save.saving = false
	var ierr *maker.ImportFailedError
	if errors.As(msg.err, &ierr) {
		return m.importFailed(msg, ierr)
	}
	if msg.err != nil {
		m.save.err = saveError(msg.err, msg.path)
		return nil
	}
	m.made = msg.made
	m.save.note = ""
	return m.finish("")
}

// importFailed handles a save whose import (source local) failed.
func (m *Model) importFailed(msg savedMsg, ierr *maker.ImportFailedError) tea.Cmd {
	why := errText(msg.err)
	m.made = msg.made
	if !ierr.Removed {
		return m.finish("The private key is saved, but EC2 did not confirm the import: " + why)
	}
	m.screen = screenSave
	m.save.path.SetValue(msg.path)
	m.save.path.CursorEnd()
	m.save.note = "EC2 did not import the public key: " + why + " The key is still in memory: enter saves and imports again; esc discards it."
	if awsapi.KindOf(msg.err) == awsapi.Duplicate {
		m.save.note += " The name is taken in " + regionOr(m.made.Region) + ": go back and choose another."
	}
	return nil
}

// finish shows the fingerprint view of the saved pair and records it.
func (m *Model) finish(warning string) tea.Cmd {
	md := m.made
	m.result.Saved = append(m.result.Saved, md.Summary())
	m.fp = &fingerprintView{made: md, warning: warning}
	m.scroll = 0
	m.save = nil
	m.screen = screenFingerprint
	return nil
}

func (m *Model) fingerprintKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.ScrollDown):
		m.scroll++
	case key.Matches(msg, k.ScrollUp):
		m.scroll = max(0, m.scroll-1)
	case key.Matches(msg, k.CopyPub):
		m.status = "Copied the public key (OSC 52; your terminal must allow it)."
		return tea.SetClipboard(strings.TrimSpace(m.fp.made.PublicKey))
	case key.Matches(msg, k.CopyFP):
		m.status = "Copied the EC2 fingerprint (OSC 52; your terminal must allow it)."
		return tea.SetClipboard(m.fp.made.KeyFingerprint)
	case key.Matches(msg, k.NewKey):
		m.made, m.fp = nil, nil
		m.form = newForm(m.styles, m.opts.Config, pair.Request{Region: m.form.region, Profile: m.form.profile}, m.form.region)
		m.form.setWidth(m.width)
		m.screen = screenForm
		return m.scheduleNameCheck()
	case key.Matches(msg, k.QuitQ):
		return m.askQuit()
	case key.Matches(msg, k.Help):
		m.fullHelp = !m.fullHelp
	}
	return nil
}

// header is the top two lines: who and where, and whether credentials resolved.
func (m *Model) header() (string, string) {
	top := "keypair"
	if m.opts.Version != "" {
		top += " " + m.opts.Version
	}
	profile := m.form.profile
	if profile == "" {
		profile = "default"
	}
	top += " · profile " + profile + " · region " + orDash(m.form.region)
	var creds string
	switch {
	case m.form.src() == pair.SourceOffline:
		creds = "offline: no credentials needed"
	case m.opts.Client == nil:
		creds = "credentials: not checked"
	case m.creds.checking && !m.creds.done:
		creds = "credentials: checking…"
	case m.creds.err != nil:
		creds = "credentials: " + credErrText(m.creds.err)
	default:
		src := termtext.Clean(m.creds.info.Source)
		if i := strings.IndexByte(src, ':'); i > 0 {
			src = src[:i]
		}
		creds = "credentials: ok (" + src + ")"
	}
	return top, creds
}

func orDash(s string) string {
	if s == "" {
		return "(SDK default)"
	}
	return s
}

func credErrText(err error) string {
	switch awsapi.KindOf(err) {
	case awsapi.NoCredentials:
		return "none found"
	case awsapi.BadCredentials:
		return "rejected"
	case awsapi.ClockSkew:
		return "clock skew"
	case awsapi.Network:
		return "network error"
	case awsapi.Canceled:
		return "cancelled"
	}
	return "error"
}

// View draws the current screen, sized to the terminal.
func (m *Model) View() tea.View {
	var v tea.View
	v.AltScreen = true
	if m.quitting {
		return v
	}
	if m.width < minWidth || m.height < minHeight {
		v.SetContent(truncate("terminal too small ("+itoa(m.width)+"x"+itoa(m.height)+"), need at least "+itoa(minWidth)+"x"+itoa(minHeight), m.width))
		return v
	}
	w := m.width
	top, creds := m.header()
	credStyle := m.styles.Header
	if m.creds.err != nil && m.form.src() != pair.SourceOffline {
		credStyle = m.styles.Error
	}
	head := []string{m.styles.Header.Render(truncate(top, w)), credStyle.Render(truncate(creds, w)), ""}

	var body []string
	var cursor *tea.Cursor
	focusLine := 0
	switch {
	case m.confirm != nil:
		body = append(body, m.styles.Warning.Bold(true).Render("Are you sure?"), "")
		for _, q := range m.confirm.question {
			body = append(body, wrap(q, w)...)
		}
	case m.screen == screenForm:
		fv := m.form.view(w, m.styles, m.creds.done && m.creds.err == nil, m.canCheckNames())
		body, cursor, focusLine = fv.lines, fv.cursor, fv.focusLine
	case m.screen == screenWorking && m.work != nil:
		body = m.work.view(w, m.styles)
	case m.screen == screenResult:
		body = m.outcome.view(w, m.styles)
	case m.screen == screenSave && m.save != nil:
		body, cursor = m.save.view(w, m.styles, m.made)
		if cursor != nil {
			focusLine = cursor.Y
		}
	case m.screen == screenFingerprint && m.fp != nil:
		body = m.fp.view(w, m.styles, m.sshConn, m.user)
	}

	foot := []string{}
	if m.status != "" {
		foot = append(foot, m.styles.Warning.Render(truncate(m.status, w)))
	}
	foot = append(foot, strings.Split(m.helpLine(), "\n")...)

	// Scroll the body so the focused line (and the line after it) shows.
	avail := max(1, m.height-len(head)-len(foot)-1)
	off := 0
	if len(body) > avail {
		scrolls := m.confirm == nil && (m.screen == screenFingerprint || m.screen == screenResult)
		if scrolls {
			// Screens without fields scroll with ↑/↓; clamp here, where the height is known.
			m.scroll = max(0, min(len(body)-avail, m.scroll))
			off = m.scroll
		} else {
			off = max(0, min(len(body)-avail, focusLine+2-avail))
		}
		total := len(body)
		body = body[off : off+avail]
		if scrolls && off+avail < total {
			body[avail-1] = m.styles.Hint.Render("↓ more below (↓ scrolls)")
		}
	}
	if cursor != nil {
		cursor.Y += len(head) - off
		if cursor.Y < len(head) || cursor.Y >= len(head)+len(body) {
			cursor = nil
		}
	}
	for i, l := range body {
		body[i] = truncate(l, w)
	}

	var b strings.Builder
	b.Grow(w * m.height)
	for _, l := range head {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	for _, l := range body {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	for i := len(head) + len(body) + len(foot); i < m.height; i++ {
		b.WriteByte('\n')
	}
	for i, l := range foot {
		foot[i] = truncate(l, w)
	}
	b.WriteString(strings.Join(foot, "\n"))
	v.SetContent(b.String())
	v.Cursor = cursor
	return v
}

// helpLine renders the help for the screen, reusing the last rendering
// while nothing it depends on changed.
func (m *Model) helpLine() string {
	k := helpKey{screen: m.screen, full: m.fullHelp, confirm: m.confirm != nil, width: m.width, gen: 1}
	if k == m.helpKey {
		return m.helpView
	}
	m.help.ShowAll = m.fullHelp
	var s string
	if m.confirm == nil {
		s = m.help.View(m.keys.helpFor(m.screen))
	} else {
		s = m.help.View(screenHelp{short: []key.Binding{m.keys.Yes, m.keys.No}})
	}
	var out []string
	for _, l := range strings.Split(s, "\n") {
		out = append(out, truncate(l, m.width))
	}
	m.helpKey, m.helpView = k, strings.Join(out, "\n")
	return m.helpView
}

// truncate cuts s (which may hold styles) to w cells.
func truncate(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

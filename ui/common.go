package ui

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
)

// common is what every screen shares (soft-serve's common.Common): the
// options, one *Styles, the KeyMap, the terminal's size and environment,
// and what is known of the credentials. The root model owns it; screens
// read it.
type common struct {
	ctx    context.Context
	opts   Options
	styles *Styles
	keys   KeyMap

	width, height int
	sshConn       string // SSH_CONNECTION of the terminal's environment
	user          string // USER or LOGNAME
	debounce      time.Duration
	avail         int // lines the body got at the last key (screens that scroll clamp to it)

	creds credState
	help  *helpCache
	// pipe is the pipeline NewPipeline built, kept for the next key.
	pipe *maker.Pipeline
	// bodyLines is how many lines the body gets as the root lays it out now.
	bodyLines func() int
	lines     struct { // see styled
		styles *Styles
		m      map[string]string
	}
	// seq numbers the views that start background work, so an answer
	// meant for a view since closed is dropped by the next one.
	seq int
}

func (c *common) nextSeq() int { c.seq++; return c.seq }

// credState is what is known about the credentials.
type credState struct {
	checking bool
	done     bool
	info     awsapi.CredentialInfo
	err      error
}

// region is where requests that need AWS go, "" when none is configured.
func (c *common) region() string {
	if c.opts.Request.Region != "" {
		return c.opts.Request.Region
	}
	if c.opts.Client != nil {
		return c.opts.Client.Region()
	}
	return ""
}

// noAWS reports whether this session has no way to reach AWS at all.
func (c *common) noAWS() bool { return c.opts.Client == nil && c.opts.NewPipeline == nil }

// credsMissing reports whether the credentials are known to be unusable.
func (c *common) credsMissing() bool {
	if !c.creds.done || c.creds.err == nil {
		return false
	}
	k := awsapi.KindOf(c.creds.err)
	return k == awsapi.NoCredentials || k == awsapi.BadCredentials
}

// header is the top two lines: who and where, and whether credentials resolved.
func (c *common) header(src pair.Source, title string) []string {
	w, st := c.width, c.styles
	top := "keypair"
	if c.opts.Version != "" {
		top += " " + c.opts.Version
	}
	if title != "" {
		top += " · " + title
	}
	profile := c.opts.Request.Profile
	if profile == "" {
		profile = c.opts.Config.Profile
	}
	if profile == "" {
		profile = "default"
	}
	top += " · profile " + profile
	if r := c.region(); r != "" {
		top += " · region " + r
	} else {
		top += " · no region set"
	}
	var creds string
	bad := false
	switch {
	case !maker.NeedsAWS(src):
		creds = "offline: no credentials needed"
	case c.opts.Client == nil:
		creds = "credentials: not checked"
	case !c.creds.done:
		creds = "credentials: checking…"
	case c.creds.err != nil:
		creds, bad = "credentials: "+credErrText(c.creds.err), true
	default:
		creds = "credentials: ok"
		if k := c.creds.info.AccessKey; k != "" {
			creds += " (access key " + cleanText(k) + ")"
		}
	}
	style := st.Header
	if bad {
		style = st.Error
	}
	credsTag := "header"
	if bad {
		credsTag = "header-bad"
	}
	return []string{c.styled("header", st.Header, truncate(top, w)), c.styled(credsTag, style, truncate(creds, w)), ""}
}

// styled is s.Render(text), cached under tag (which names the style) and
// text: Lip Gloss rendering is most of a frame's cost and most lines do
// not change between frames. The cache is dropped when the styles change
// or it grows, so it alters no behaviour.
func (c *common) styled(tag string, s lipgloss.Style, text string) string {
	if c.lines.styles != c.styles || len(c.lines.m) > 512 {
		c.lines.styles, c.lines.m = c.styles, map[string]string{}
	}
	k := tag + "\x00" + text
	if out, ok := c.lines.m[k]; ok {
		return out
	}
	out := s.Render(text)
	c.lines.m[k] = out
	return out
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

func (c *common) setEnv(get func(string) string) {
	c.sshConn = get("SSH_CONNECTION")
	c.user = get("USER")
	if c.user == "" {
		c.user = get("LOGNAME")
	}
}

func getenv(env []string, k string) string {
	v := ""
	for _, kv := range env {
		if s, ok := strings.CutPrefix(kv, k+"="); ok {
			v = s
		}
	}
	return v
}

// screen is one page of the app (soft-serve's common.Component): it owns
// its update, its view and its keys, and tells the root what happened by
// returning an action. Screens never switch screens themselves.
type screen interface {
	// update handles a message meant for this screen.
	update(msg tea.Msg) (tea.Cmd, action)
	// view renders the body below the header; it changes nothing.
	view() body
	// help lists the keys that work on this screen now.
	help() helpSet
	// typing reports whether keys type into a text field now.
	typing() bool
	// held is the private key in memory on this screen, if any.
	held() *heldKey
	// quitQuestion says what quitting now would lose, in the current
	// state; nil means quitting loses nothing.
	quitQuestion() []string
	// restyle and resize follow the terminal.
	restyle()
	resize()
}

// body is a rendered screen body.
type body struct {
	lines     []string
	cursor    *tea.Cursor // the real cursor, relative to the body; nil hides it
	focusLine int         // the line to keep visible when the body is too tall
	focusEnd  int         // ... and the last line that should show with it
	scroll    int         // for screens that scroll: the first line to show
	scrolls   bool
}

// heldKey is a private key in memory with the pipeline that made it.
type heldKey struct {
	made *maker.Made
	pipe *maker.Pipeline
}

// action is what a screen tells the root model; the root decides which
// screen comes next.
type action interface{ isAction() }

type (
	// submitAction: the form's request is valid; make it.
	submitAction struct{ req pair.Request }
	// madeAction: Make returned a key in memory.
	madeAction struct {
		key  heldKey
		late bool // esc came after the key was made
	}
	// dryRunAction: EC2 answered a dry run.
	dryRunAction struct {
		res *maker.DryRunResult
		req pair.Request
	}
	// refusedAction: Plan refused the request before anything was made.
	refusedAction struct{ err error }
	// failedAction: making failed (or was cancelled).
	failedAction struct {
		err         error
		req         pair.Request
		cancelled   bool
		mayHaveDone string
	}
	// askDiscardAction: the user wants to drop the key in memory.
	askDiscardAction struct{}
	// discardedAction: Discard ended.
	discardedAction struct {
		d    *maker.Discarded
		quit bool
	}
	// savedAction: the key is saved (and imported where the source says so).
	savedAction struct {
		made        *maker.Made
		warning     string // saved, but something is not as it should be
		unconfirmed bool   // saved, but EC2 did not confirm the import
	}
	// backAction: return to the form, its values kept.
	backAction struct{}
	// newKeyAction: start another key with the same choices.
	newKeyAction struct{}
	// quitAction: the user asked to quit (the root asks first if a key would be lost).
	quitAction struct{}
	// statusAction: a one-line notice for the footer.
	statusAction struct{ text string }
	// openPairsAction: show the Pairs list (the form asked).
	openPairsAction struct{}
	// openPairAction: show one pair's detail.
	openPairAction struct{ row *pairRow }
	// pairsListAction: back from a pair's detail to the list.
	pairsListAction struct{}
	// pairDeletedAction: a pair was deleted (or was gone already).
	pairDeletedAction struct {
		name, region string
		gone         bool
	}
	// importAction: put this public key into regions; back is where esc returns.
	importAction struct {
		name, publicKey string
		tags            []pair.Tag
		from            string
		back            screen
	}
	// closeAction: return to the screen to.
	closeAction struct{ to screen }
)

func (submitAction) isAction()      {}
func (madeAction) isAction()        {}
func (dryRunAction) isAction()      {}
func (refusedAction) isAction()     {}
func (failedAction) isAction()      {}
func (askDiscardAction) isAction()  {}
func (discardedAction) isAction()   {}
func (savedAction) isAction()       {}
func (backAction) isAction()        {}
func (newKeyAction) isAction()      {}
func (quitAction) isAction()        {}
func (statusAction) isAction()      {}
func (openPairsAction) isAction()   {}
func (openPairAction) isAction()    {}
func (pairsListAction) isAction()   {}
func (pairDeletedAction) isAction() {}
func (importAction) isAction()      {}
func (closeAction) isAction()       {}

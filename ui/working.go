package ui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
)

// workingScreen is shown while a command runs: Make (or a dry run), or the
// Discard that deletes the pair of a dropped key. A spinner, what is
// happening, and esc to cancel where that can still help.
type workingScreen struct {
	c          *common
	req        pair.Request
	discarding *heldKey // the key being discarded; nil while making
	quit       bool     // quit once the discard ends
	spin       spinner.Model
	cancel     context.CancelFunc
	cancelling bool
}

// newMaking starts Plan and Make (or DryRun) of req.
func newMaking(c *common, req pair.Request, path string) (*workingScreen, tea.Cmd) {
	ctx, cancel := context.WithCancel(c.ctx)
	w := &workingScreen{c: c, req: req, cancel: cancel}
	w.restyle()
	return w, tea.Batch(w.spin.Tick, makeCmd(ctx, c.pipe, c.opts.NewPipeline, req, path))
}

// newDiscarding starts the Discard of k, whose pair EC2 made.
func newDiscarding(c *common, k heldKey, quit bool) (*workingScreen, tea.Cmd) {
	ctx, cancel := context.WithCancel(c.ctx)
	req := k.made.Request
	req.Region = k.made.Region
	w := &workingScreen{c: c, req: req, discarding: &k, quit: quit, cancel: cancel}
	w.restyle()
	return w, tea.Batch(w.spin.Tick, discardCmd(ctx, k.pipe, k.made))
}

func (w *workingScreen) what() string {
	region := regionOr(w.req.Region)
	switch {
	case w.discarding != nil:
		return fmt.Sprintf("Deleting the key pair %q from EC2 in %s, since its private key was discarded…", w.req.Name, region)
	case w.req.DryRun:
		return fmt.Sprintf("Asking EC2 in %s whether %s of %q is permitted (dry run)…", region, maker.ActionFor(w.req.Source), w.req.Name)
	case maker.ActionFor(w.req.Source) == maker.ActionCreate:
		return fmt.Sprintf("EC2 is creating the key pair %q in %s…", w.req.Name, region)
	case w.req.Source == pair.SourceLogin:
		return fmt.Sprintf("Importing the key you logged in with as %q into EC2 in %s…", w.req.Name, region)
	case w.req.Source == pair.SourcePublicKey:
		return fmt.Sprintf("Importing the pasted public key as %q into EC2 in %s…", w.req.Name, region)
	}
	return fmt.Sprintf("Generating the %s key %q on this machine…", strings.ToUpper(string(w.req.Type)), w.req.Name)
}

// mayHaveDone says what a cancelled job may have left behind.
func (w *workingScreen) mayHaveDone() string {
	switch {
	case w.discarding != nil:
		return "The pair may still be in EC2 without its private key: look for " + quote(w.req.Name) + " in EC2 and delete it there."
	case !w.req.DryRun && maker.ActionFor(w.req.Source) == maker.ActionCreate:
		return "EC2 may have created the pair: look for " + quote(w.req.Name) + " in EC2 (" + regionOr(w.req.Region) + ") and delete it if it is there."
	case !w.req.DryRun && pair.GivenKey(w.req.Source):
		return "EC2 may have imported the key: look for " + quote(w.req.Name) + " in EC2 (" + regionOr(w.req.Region) + "); no private key was made, so nothing is lost either way."
	}
	return "Nothing was created."
}

func (w *workingScreen) update(msg tea.Msg) (tea.Cmd, action) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		var cmd tea.Cmd
		w.spin, cmd = w.spin.Update(msg)
		return cmd, nil
	case tea.KeyPressMsg:
		// The delete of a discarded key runs under its own timeout and is
		// not cancelled: stopping it would leave the pair behind.
		if key.Matches(msg, w.c.keys.Working.Cancel) && w.discarding == nil && !w.cancelling {
			w.cancelling = true
			w.cancel()
		}
		return nil, nil
	case madeMsg:
		return nil, w.made(msg)
	case deletedMsg:
		w.cancel()
		return nil, discardedAction{d: msg.d, quit: w.quit}
	}
	return nil, nil
}

func (w *workingScreen) made(msg madeMsg) action {
	w.cancel()
	if msg.pipe != nil && msg.keep {
		w.c.pipe = msg.pipe
	}
	switch {
	case msg.refused:
		return refusedAction{err: msg.err}
	case msg.err != nil:
		return failedAction{err: msg.err, req: w.req, cancelled: w.cancelling || cancelled(msg.err), mayHaveDone: w.mayHaveDone()}
	case msg.dry != nil:
		return dryRunAction{res: msg.dry, req: w.req}
	}
	// A key exists now, even if esc came too late: never drop it.
	pipe := msg.pipe
	if pipe == nil {
		pipe = &maker.Pipeline{}
	}
	return madeAction{key: heldKey{made: msg.made, pipe: pipe}, late: w.cancelling}
}

func (w *workingScreen) view() body {
	st, width := w.c.styles, w.c.width
	lines := []string{w.spin.View() + " " + st.Label.Render(w.what()), ""}
	switch {
	case w.cancelling:
		lines = append(lines, wrapStyled(st.Warning, "Cancelling… "+w.mayHaveDone(), width)...)
	case w.discarding == nil:
		lines = append(lines, st.Hint.Render("esc cancels"))
	}
	return body{lines: lines}
}

func (w *workingScreen) help() helpSet {
	k := w.c.keys
	if w.discarding != nil {
		return helpSet{short: []key.Binding{k.Global.Quit}, full: [][]key.Binding{{k.Global.Quit}}}
	}
	return helpSet{short: []key.Binding{k.Working.Cancel, k.Global.Quit}, full: [][]key.Binding{{k.Working.Cancel, k.Global.Quit}}}
}

// held: a key being made is not in memory yet, but quitting loses it.
func (w *workingScreen) typing() bool { return false }

func (w *workingScreen) held() *heldKey { return w.discarding }

func (w *workingScreen) quitQuestion() []string {
	switch {
	case w.discarding != nil:
		return []string{"The pair " + quote(w.req.Name) + " is being deleted from EC2, since its private key was discarded; quitting now may leave it there."}
	case w.req.DryRun, pair.GivenKey(w.req.Source):
		return nil // no private key exists to lose
	case maker.NeedsAWS(w.req.Source) && maker.ActionFor(w.req.Source) == maker.ActionCreate:
		return []string{"EC2 is being asked to make the pair; quitting now may leave it in EC2 without its private key."}
	}
	return []string{"A key is being made; quitting now discards it."}
}

func (w *workingScreen) restyle() {
	w.spin = spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(w.c.styles.Title))
}
func (w *workingScreen) resize() {}

// stop cancels the running command.
func (w *workingScreen) stop() { w.cancel() }

package ui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/maker"
)

// resultScreen ends a job without a key to save: a dry-run answer, a
// failure, or what a discard did. esc or enter returns to the form with
// its values kept.
type resultScreen struct {
	c      *common
	ok     bool
	title  string
	body   []string // already cleaned of control bytes
	scroll int
}

func dryRunResult(c *common, d *maker.DryRunResult) *resultScreen {
	op := "ec2:" + string(d.Action)
	region := regionOr(d.Region)
	r := &resultScreen{c: c}
	if d.Permitted {
		r.ok, r.title = true, "✓ Dry run: permitted"
		r.body = []string{
			fmt.Sprintf("EC2 would allow %s of %q in %s.", op, d.KeyName, region),
			"Nothing was created. Turn off Dry run in the form to create the key pair.",
		}
	} else {
		r.title = "✗ Dry run: denied"
		r.body = []string{fmt.Sprintf("EC2 would refuse %s of %q in %s.", op, d.KeyName, region)}
	}
	if msg := cleanText(d.Message); msg != "" {
		r.body = append(r.body, "EC2 said: "+msg)
	}
	if !d.Permitted {
		r.body = append(r.body, "Nothing was created. Ask an administrator for "+op+" in "+region+", or "+nextProfile+".")
	}
	return r
}

func failedResult(c *common, a failedAction) *resultScreen {
	kind := awsapi.KindOf(a.err)
	if a.cancelled {
		kind = awsapi.Canceled
	}
	r := &resultScreen{c: c, title: "✗ " + kindTitle(kind), body: []string{sentence(errText(a.err))}}
	if a.cancelled {
		r.body = append(r.body, a.mayHaveDone)
		return r
	}
	r.body = append(r.body, nextStep(kind, a.req))
	return r
}

func discardedResult(c *common, note string, ok bool) *resultScreen {
	r := &resultScreen{c: c, ok: ok, title: "✗ The pair is still in EC2", body: []string{note}}
	if ok {
		r.title = "✓ Nothing left behind"
	}
	return r
}

func kindTitle(k awsapi.Kind) string {
	switch k {
	case awsapi.Duplicate:
		return "The name is taken"
	case awsapi.NotFound:
		return "Not found"
	case awsapi.BadPublicKey:
		return "EC2 refused the public key"
	case awsapi.Unauthorized:
		return "Not permitted"
	case awsapi.BadCredentials:
		return "Credentials rejected"
	case awsapi.ClockSkew:
		return "Clock skew"
	case awsapi.Throttled:
		return "Throttled by EC2"
	case awsapi.LimitExceeded:
		return "Key pair limit reached"
	case awsapi.Network:
		return "Network error"
	case awsapi.NoCredentials:
		return "No credentials"
	case awsapi.LostAnswer:
		return "The answer was lost"
	case awsapi.Canceled:
		return "Cancelled"
	case awsapi.Server:
		return "EC2 server error"
	case awsapi.InvalidParameter:
		return "EC2 refused a value"
	}
	return "Failed"
}

func (r *resultScreen) update(msg tea.Msg) (tea.Cmd, action) {
	m, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, nil
	}
	k := r.c.keys.Result
	switch {
	case key.Matches(m, k.ScrollDown):
		r.scroll = min(r.scroll+1, max(0, len(r.lines())-r.c.avail))
	case key.Matches(m, k.ScrollUp):
		r.scroll = max(0, r.scroll-1)
	case key.Matches(m, k.Back):
		return nil, backAction{}
	case key.Matches(m, k.Quit):
		return nil, quitAction{}
	}
	return nil, nil
}

func (r *resultScreen) lines() []string {
	st, w := r.c.styles, r.c.width
	title := st.Error.Bold(true).Render(r.title)
	if r.ok {
		title = st.OK.Render(r.title)
	}
	lines := []string{title, ""}
	for _, b := range r.body {
		lines = append(lines, wrap(b, w)...)
		lines = append(lines, "")
	}
	return lines
}

func (r *resultScreen) view() body { return body{lines: r.lines(), scroll: r.scroll, scrolls: true} }

func (r *resultScreen) help() helpSet {
	k, g := r.c.keys.Result, r.c.keys.Global
	return helpSet{short: []key.Binding{k.Back, k.Quit, g.Quit}, full: [][]key.Binding{{k.Back, k.Quit, g.Quit}, {k.ScrollUp, k.ScrollDown}}}
}

func (r *resultScreen) typing() bool { return false }

func (r *resultScreen) held() *heldKey         { return nil }
func (r *resultScreen) quitQuestion() []string { return nil }
func (r *resultScreen) restyle()               {}
func (r *resultScreen) resize()                {}

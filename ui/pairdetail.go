package ui

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/fleet"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/localkeys"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
	"github.com/keypair-dev/keypair/ui/internal/field"
)

// pairStage is where a detail view is in a delete.
type pairStage int

const (
	pairViewing  pairStage = iota
	pairAsking             // "delete? y/n", with what uses the pair
	pairTyping             // the pair is in use: type its name to delete it anyway
	pairDeleting           // DeleteKeyPair is running
)

// pairScreen is one pair's detail: every fingerprint computed from its
// public key, labelled as the fingerprint view labels them; the public
// key (c copies it); the tags; the local keys that are this pair; and
// what uses it, loaded when the view opens. Delete asks first, listing
// the users; a pair in use needs its name typed as a second confirmation.
type pairScreen struct {
	c   *common
	row *pairRow

	pub    ssh.PublicKey // nil when EC2 returned no public key
	fps    keys.Fingerprints
	pubErr string // the public key EC2 returned does not parse

	seq    int
	cancel context.CancelFunc
	spin   spinner.Model

	checking bool
	check    *fleet.DeleteCheck
	checkErr error

	// SSM Parameter Store (Options.Custody): whether the pair's private key
	// is kept there, and a fetch of it.
	paramChecking bool
	param         *awsapi.ParameterInfo
	paramErr      error
	fetching      bool
	fetched       string // the path the fetched key was saved to
	fetchErr      error

	stage     pairStage
	name      field.Model
	deleteErr error
	note      string // a notice from the last delete attempt (e.g. in use now)
	scroll    int
}

func newPairScreen(c *common, row *pairRow) (*pairScreen, tea.Cmd) {
	d := &pairScreen{c: c, row: row, seq: c.nextSeq()}
	d.name = newInput(c.styles, "the pair's name", 300, 40)
	d.name.Prompt = "name: "
	if pk := strings.TrimSpace(row.p.PublicKey); pk != "" {
		pub, _, err := keys.ParsePublicKey([]byte(pk))
		if err == nil {
			d.fps, err = keys.FingerprintsOf(pub, nil)
		}
		if err != nil {
			d.pubErr = errText(err)
		} else {
			d.pub = pub
		}
	}
	d.restyle()
	cmd := d.loadUsers()
	if d.custody() {
		d.paramChecking = true
		ctx, cancel := context.WithCancel(d.c.ctx)
		prev := d.cancel
		d.cancel = func() { cancel(); prev() }
		cmd = tea.Batch(cmd, pairParamCmd(ctx, d.c.opts.Custody, row.p.KeyPairID, d.seq))
	}
	return d, cmd
}

// custody reports whether SSM can be asked for this pair's key: a client,
// and a pair id to name the parameter by. A served session without a keys
// folder never fetches: the key would land on the server's disk.
func (d *pairScreen) custody() bool {
	return d.c.opts.Custody != nil && d.row.p.KeyPairID != "" && (!d.c.opts.Served || d.c.opts.SaveRoot != "")
}

// fetchDir is where a fetched key is saved: the session's own folder when
// served, else the configured save folder (~/.ssh by default).
func (d *pairScreen) fetchDir() string {
	if d.c.opts.SaveRoot != "" {
		return d.c.opts.SaveRoot
	}
	return d.c.opts.Config.SaveDir
}

// loadUsers asks (again) what uses the pair.
func (d *pairScreen) loadUsers() tea.Cmd {
	if d.cancel != nil {
		d.cancel()
	}
	ctx, cancel := context.WithCancel(d.c.ctx)
	d.cancel = cancel
	d.checking, d.checkErr = true, nil
	return tea.Batch(d.spin.Tick, usedByCmd(ctx, d.c.deps(), d.c.opts.Pairs, d.row.p.KeyName, d.seq))
}

func (d *pairScreen) stop() {
	if d.cancel != nil {
		d.cancel()
	}
}

// ec2Kind says which of EC2's fingerprints the pair's is (the pipeline's rule).
func (d *pairScreen) ec2Kind() maker.FingerprintKind {
	return maker.FingerprintKindOfPair(d.row.p.KeyType, d.row.p.KeyFingerprint)
}

// localKeys are the local keys that are this pair.
func (d *pairScreen) localKeys() []localkeys.Key { return d.row.p.LocalKeys }

// canImport reports whether "import into regions" is offered: a local
// key is this pair and the session can reach other regions.
func (d *pairScreen) canImport() bool {
	return d.c.opts.Connect != nil && len(d.localKeys()) > 0 && d.importKey() != ""
}

// importKey is the public key to import: the local key's.
func (d *pairScreen) importKey() string {
	for _, k := range d.localKeys() {
		if k.PublicKey != nil {
			return keys.AuthorizedKey(k.PublicKey, d.row.p.KeyName)
		}
	}
	return ""
}

func (d *pairScreen) update(msg tea.Msg) (tea.Cmd, action) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if !d.checking && !d.paramChecking && !d.fetching && d.stage != pairDeleting {
			return nil, nil
		}
		var cmd tea.Cmd
		d.spin, cmd = d.spin.Update(msg)
		return cmd, nil
	case usedByMsg:
		if msg.seq != d.seq {
			return nil, nil
		}
		d.checking = false
		d.check, d.checkErr = msg.check, msg.err
		return nil, nil
	case pairDeletedMsg:
		if msg.seq != d.seq {
			return nil, nil
		}
		return d.deleted(msg)
	case pairParamMsg:
		if msg.seq == d.seq {
			d.paramChecking = false
			d.param, d.paramErr = msg.info, msg.err
		}
		return nil, nil
	case pairFetchedMsg:
		if msg.seq != d.seq {
			return nil, nil
		}
		d.fetching = false
		d.fetched, d.fetchErr = msg.path, msg.err
		if msg.err != nil {
			return nil, statusAction{"The private key was not fetched: " + sentence(errText(msg.err))}
		}
		return nil, statusAction{"Saved the private key from SSM to " + cleanText(msg.path) + " (mode 0600)."}
	case tea.PasteMsg:
		if d.stage == pairTyping {
			d.name.Update(msg)
			return nil, nil
		}
	case tea.KeyPressMsg:
		return d.key(msg)
	}
	return nil, nil
}

func (d *pairScreen) key(msg tea.KeyPressMsg) (tea.Cmd, action) {
	k := d.c.keys.Pair
	switch d.stage {
	case pairDeleting:
		return nil, nil
	case pairAsking:
		switch {
		case key.Matches(msg, k.Yes):
			if d.checking {
				return nil, statusAction{"Still checking what uses the pair; answer once the list shows."}
			}
			if d.inUse() {
				d.stage = pairTyping
				d.name.SetValue("")
				d.name.Focus()
				return nil, nil
			}
			return d.startDelete(false), nil
		case key.Matches(msg, k.No):
			d.stage = pairViewing
		}
		return nil, nil
	case pairTyping:
		switch {
		case msg.String() == "esc":
			d.stage = pairViewing
			d.name.Blur()
			return nil, nil
		case key.Matches(msg, k.Confirm):
			if d.name.Value() != d.row.p.KeyName {
				return nil, statusAction{"The name typed is not " + quote(d.row.p.KeyName) + ": nothing was deleted."}
			}
			d.name.Blur()
			return d.startDelete(true), nil
		}
		d.name.Update(msg)
		return nil, nil
	}
	switch {
	case key.Matches(msg, k.Back):
		return nil, pairsListAction{}
	case key.Matches(msg, k.ScrollDown):
		d.scroll = min(d.scroll+1, max(0, len(d.lines())-d.c.bodyLines()))
	case key.Matches(msg, k.ScrollUp):
		d.scroll = max(0, d.scroll-1)
	case key.Matches(msg, k.CopyPub):
		if d.pub == nil {
			return nil, statusAction{"EC2 returned no public key for this pair: nothing to copy."}
		}
		return tea.SetClipboard(d.pubLine()), statusAction{"Copied the public key (OSC 52; your terminal must allow it)."}
	case key.Matches(msg, k.CopyFP):
		return tea.SetClipboard(d.row.fp), statusAction{"Copied the EC2 fingerprint (OSC 52; your terminal must allow it)."}
	case key.Matches(msg, k.Delete):
		if d.c.opts.NoDelete {
			return nil, statusAction{"Deleting key pairs is not allowed in this session."}
		}
		d.stage, d.deleteErr, d.note = pairAsking, nil, ""
		if d.checkErr != nil && !d.checking {
			return d.loadUsers(), nil
		}
	case key.Matches(msg, k.Fetch):
		switch {
		case !d.custody():
			return nil, statusAction{"SSM Parameter Store cannot be asked for this pair's key in this session."}
		case d.fetching:
			return nil, statusAction{"Already fetching the private key."}
		case d.param == nil && !d.paramChecking:
			return nil, statusAction{"No private key of this pair is kept in SSM Parameter Store (" + awsapi.KeyParameterName(cleanText(d.row.p.KeyPairID)) + ")."}
		}
		d.fetching, d.fetchErr = true, nil
		ctx, cancel := context.WithCancel(d.c.ctx)
		prev := d.cancel
		d.cancel = func() { cancel(); prev() }
		return pairFetchCmd(ctx, d.c.opts.Pairs, d.c.opts.Custody, d.c.region(), d.row.p.KeyPairID, d.fetchDir(), d.seq), nil
	case key.Matches(msg, k.Import):
		if !d.canImport() {
			return nil, statusAction{d.noImportReason()}
		}
		return nil, importAction{name: d.row.p.KeyName, publicKey: d.importKey(), tags: d.row.p.Tags, from: cleanText(d.localKeys()[0].Path), back: d}
	}
	return nil, nil
}

func (d *pairScreen) noImportReason() string {
	switch {
	case len(d.localKeys()) == 0:
		return "No local key is this pair, so there is no key here to import into other regions."
	case d.c.opts.Connect == nil:
		return "This session cannot reach other regions."
	}
	return "The local key's public half could not be read."
}

// inUse reports whether the pair must be confirmed twice: something uses
// it, or what uses it could not be checked.
func (d *pairScreen) inUse() bool {
	return d.checkErr != nil || (d.check != nil && len(d.check.UsedBy) > 0)
}

func (d *pairScreen) startDelete(force bool) tea.Cmd {
	d.stage = pairDeleting
	ctx, cancel := context.WithCancel(d.c.ctx)
	prev := d.cancel
	d.cancel = func() { cancel(); prev() }
	return tea.Batch(d.spin.Tick, deletePairCmd(ctx, d.c.deps(), d.c.opts.Pairs, d.row.p.KeyName, force, d.seq))
}

func (d *pairScreen) deleted(msg pairDeletedMsg) (tea.Cmd, action) {
	switch {
	case msg.err != nil:
		d.stage, d.deleteErr = pairViewing, msg.err
	case msg.gone:
		return nil, pairDeletedAction{name: msg.name, region: d.c.region(), gone: true}
	case msg.inUse:
		// Something started using the pair since the list was shown: ask
		// again, with the list as it is now.
		d.check, d.checkErr = msg.check, nil
		d.stage = pairTyping
		d.name.SetValue("")
		d.note = "Something uses the pair now that did not when you were asked; nothing was deleted."
		d.name.Focus()
		return nil, nil
	default:
		return nil, pairDeletedAction{name: msg.name, region: d.c.region()}
	}
	return nil, nil
}

func (d *pairScreen) pubLine() string {
	if d.pub == nil {
		return ""
	}
	return strings.TrimSpace(keys.AuthorizedKey(d.pub, d.row.p.KeyName))
}

// useLine describes one thing that uses the pair.
func useLine(u awsapi.Use) string {
	kind := map[string]string{
		awsapi.UseInstance: "instance", awsapi.UseLaunchTemplate: "launch template",
		awsapi.UseLaunchConfiguration: "launch configuration", awsapi.UseSpotRequest: "Spot request",
	}[u.Kind]
	if kind == "" {
		kind = cleanText(u.Kind)
	}
	s := kind + " " + cleanText(u.ID)
	if det := cleanText(u.Detail); det != "" {
		s += " (" + det + ")"
	}
	return s
}

// usersLines is the "used by" part, for the view and the confirmation.
func (d *pairScreen) usersLines(w int) []string {
	st := d.c.styles
	switch {
	case d.checking:
		return []string{"  " + d.spin.View() + " " + st.Hint.Render("checking instances, launch templates, launch configurations and Spot requests…")}
	case d.checkErr != nil:
		return wrapStyled(st.Warning, "  ! could not check what uses the pair: "+sentence(errText(d.checkErr)), w)
	case d.check == nil:
		return nil
	case !d.check.Exists:
		return wrapStyled(st.Warning, "  ! EC2 has no key pair of this name any more (deleted meanwhile?).", w)
	case len(d.check.UsedBy) == 0:
		return []string{"  " + st.OK.Render("nothing uses it")}
	}
	var out []string
	for _, u := range d.check.UsedBy {
		out = append(out, wrap("  • "+useLine(u), w)...)
	}
	return out
}

func (d *pairScreen) lines() []string {
	st, w := d.c.styles, d.c.width
	p := d.row.p
	var out []string
	add := func(s ...string) { out = append(out, s...) }
	field := func(label, value string) {
		if value == "" {
			return
		}
		add(st.Hint.Render(truncate(label, w)), "  "+st.Value.Render(truncate(cleanText(value), w-2)))
	}
	add(st.Title.Render(truncate("Key pair "+d.row.name, w)))
	facts := []string{cleanText(p.KeyPairID), regionOr(d.c.region()), strings.ToUpper(d.row.typ)}
	if d.fps.Bits > 0 && d.fps.Type == keys.RSA {
		facts[2] += " " + itoa(d.fps.Bits)
	}
	if !p.CreateTime.IsZero() {
		c := "created " + p.CreateTime.UTC().Format("2006-01-02 15:04 UTC")
		if a := ageText(p.CreateTime, time.Now()); a != "" {
			c += " (" + a + ")"
		}
		facts = append(facts, c)
	}
	add(wrapStyled(st.Value, cleanJoin(facts, " · "), w)...)
	if d.deleteErr != nil {
		add("")
		add(wrapStyled(st.Error, "✗ The pair was not deleted: "+sentence(errText(d.deleteErr)), w)...)
		add(wrapStyled(st.Hint, deleteNextStep(awsapi.KindOf(d.deleteErr)), w)...)
	}
	// What a user came for first: tags, which local key, what uses it;
	// then the fingerprints and the public key.
	tags := make([]string, 0, len(p.Tags))
	for _, t := range p.Tags {
		tags = append(tags, cleanText(t.Key)+"="+cleanText(t.Value))
	}
	if len(tags) == 0 {
		add(st.Hint.Render("Tags: none"))
	} else {
		add(wrap(st.Hint.Render("Tags: ")+strings.Join(tags, " · "), w)...)
	}
	add(st.Hint.Render("Local keys that are this pair"))
	if len(d.localKeys()) == 0 {
		add("  " + st.Hint.Render("none found here"))
	}
	for _, k := range d.localKeys() {
		what := "file"
		if k.Source == localkeys.SourceAgent {
			what = "ssh-agent"
		}
		if k.Encrypted {
			what += ", passphrase-protected"
		}
		for _, l := range hardWrap(cleanText(k.Path)+" ("+what+")", w-2) {
			add("  " + st.Value.Render(l))
		}
	}
	if d.canImport() {
		add("  " + st.Hint.Render("i imports this local key into other regions…"))
	}
	add(st.Hint.Render("Used by"))
	add(d.usersLines(w)...)
	if d.custody() {
		add(st.Hint.Render("Private key in SSM Parameter Store"))
		add(d.paramLines(w)...)
	}
	field("EC2: "+d.ec2Kind().String(), d.row.fp)
	if d.pub != nil {
		if d.ec2Kind() != maker.FingerprintImportedRSA && d.fps.Type == keys.RSA {
			field("EC2 once imported: "+maker.FingerprintImportedRSA.String(), d.fps.AWSImported)
		}
		field("OpenSSH SHA256", d.fps.SHA256)
		field("OpenSSH MD5", d.fps.MD5)
		add(st.Hint.Render("Public key (c copies it)"), "  "+st.Value.Render(truncate(cleanText(d.pubLine()), w-2)))
	} else if d.pubErr != "" {
		add(wrapStyled(st.Warning, "! EC2's public key for this pair does not parse: "+d.pubErr, w)...)
	} else {
		add(st.Hint.Render("EC2 returned no public key for this pair, so only its EC2 fingerprint is known."))
	}
	return out
}

// paramLines say whether the pair's private key is kept in SSM, and what
// a fetch did.
func (d *pairScreen) paramLines(w int) []string {
	st := d.c.styles
	name := awsapi.KeyParameterName(cleanText(d.row.p.KeyPairID))
	var out []string
	switch {
	case d.paramChecking:
		out = append(out, "  "+d.spin.View()+" "+st.Hint.Render("looking for "+name+"…"))
	case d.paramErr != nil:
		out = append(out, wrapStyled(st.Warning, "  ! could not look for "+name+": "+sentence(errText(d.paramErr)), w)...)
	case d.param == nil:
		out = append(out, wrap("  "+st.Hint.Render("none ("+name+" does not exist)"), w)...)
	default:
		out = append(out, wrap("  "+st.Value.Render(cleanText(d.param.Name))+st.Hint.Render("  (s saves it into "+
			cleanText(filepath.Dir(maker.DefaultPath(d.fetchDir(), pair.Request{Name: d.row.p.KeyName})))+")"), w)...)
	}
	switch {
	case d.fetching:
		out = append(out, "  "+d.spin.View()+" "+st.Hint.Render("fetching and checking the key…"))
	case d.fetchErr != nil:
		out = append(out, wrapStyled(st.Error, "  ✗ not fetched: "+sentence(errText(d.fetchErr)), w)...)
	case d.fetched != "":
		out = append(out, wrap("  "+st.OK.Render("✓ saved to "+cleanText(d.fetched)+" (mode 0600)"), w)...)
	}
	return out
}

// deleteNextStep is what to do when DeleteKeyPair failed.
func deleteNextStep(k awsapi.Kind) string {
	switch k {
	case awsapi.Unauthorized:
		return "Ask an administrator for ec2:DeleteKeyPair, or " + nextProfile + "."
	case awsapi.Network, awsapi.Throttled, awsapi.Server:
		return "Press d to try again."
	}
	return "Press d to try again, or esc to go back to the list."
}

// confirmLines is the delete question.
func (d *pairScreen) confirmLines() []string {
	st, w := d.c.styles, d.c.width
	var out []string
	add := func(s ...string) { out = append(out, s...) }
	add(st.Warning.Bold(true).Render(truncate("Delete the key pair "+quote(d.row.p.KeyName)+" from "+regionOr(d.c.region())+"?", w)), "")
	if d.note != "" {
		add(wrapStyled(st.Warning, "! "+d.note, w)...)
	}
	switch {
	case d.checking || d.check == nil && d.checkErr == nil:
		add("What uses it:")
		add(d.usersLines(w)...)
	case d.checkErr != nil:
		add(d.usersLines(w)...)
		add(wrap("What uses it is not known, so deleting needs a second confirmation.", w)...)
	case len(d.check.UsedBy) > 0:
		add(st.Error.Render("It is in use by:"))
		add(d.usersLines(w)...)
		add("")
		add(wrap("Running instances keep working, but launching from what names the pair will fail, and a deleted key pair cannot be restored.", w)...)
	default:
		add(wrap("Nothing uses it (instances, launch templates, launch configurations, Spot requests).", w)...)
	}
	add("")
	switch d.stage {
	case pairAsking:
		add("y deletes it · n/esc keeps it")
	case pairTyping:
		add(wrapStyled(st.Error, "It is in use: to delete it anyway, type its name "+quote(d.row.p.KeyName)+" and press enter (esc keeps it).", w)...)
	case pairDeleting:
		add(d.spin.View() + " Deleting " + quote(d.row.p.KeyName) + "…")
	}
	return out
}

func (d *pairScreen) view() body {
	if d.stage == pairViewing {
		return body{lines: d.lines(), scroll: d.scroll, scrolls: true}
	}
	b := body{lines: d.confirmLines()}
	if d.stage == pairTyping {
		b.cursor = d.name.CursorAt(0, len(b.lines))
		b.lines = append(b.lines, d.name.View())
	}
	b.focusLine = len(b.lines) - 1
	b.focusEnd = b.focusLine
	return b
}

func (d *pairScreen) help() helpSet {
	k, g := d.c.keys.Pair, d.c.keys.Global
	switch d.stage {
	case pairAsking:
		return helpSet{short: []key.Binding{k.Yes, k.No}, full: [][]key.Binding{{k.Yes, k.No}}}
	case pairTyping:
		back := k.No
		back.SetHelp("esc", "keep it")
		return helpSet{short: []key.Binding{k.Confirm, back}, full: [][]key.Binding{{k.Confirm, back}}}
	case pairDeleting:
		return helpSet{short: []key.Binding{g.Quit}, full: [][]key.Binding{{g.Quit}}}
	}
	imp, del, fetch := k.Import, k.Delete, k.Fetch
	imp.SetEnabled(d.canImport())
	del.SetEnabled(!d.c.opts.NoDelete)
	fetch.SetEnabled(d.param != nil)
	return helpSet{
		short: []key.Binding{k.Back, k.CopyPub, del, imp, fetch, g.Quit},
		full:  [][]key.Binding{{k.Back, k.ScrollUp, k.ScrollDown}, {k.CopyPub, k.CopyFP}, {del, imp, fetch}, {g.Quit}},
	}
}

func (d *pairScreen) typing() bool           { return d.stage == pairTyping }
func (d *pairScreen) held() *heldKey         { return nil }
func (d *pairScreen) quitQuestion() []string { return nil }

func (d *pairScreen) restyle() {
	d.spin = spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(d.c.styles.Title))
	d.name.SetStyles(d.c.styles.Input)
}

func (d *pairScreen) resize() { d.name.SetWidth(max(10, min(60, d.c.width-8))) }

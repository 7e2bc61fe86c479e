package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
	"github.com/keypair-dev/keypair/ui/internal/field"
	"golang.org/x/crypto/ssh"
)

// fieldKind names a focusable place in the form.
type fieldKind int

const (
	fieldName fieldKind = iota
	fieldType
	fieldFormat
	fieldPPK
	fieldSource
	fieldPubKey // the pasted public key (source public-key)
	fieldTags   // the tags header: add a row
	fieldTagKey
	fieldTagValue
	fieldDryRun
	fieldCreate
)

// focusID is where the focus is; tag is the row for fieldTagKey/fieldTagValue.
type focusID struct {
	kind fieldKind
	tag  int
}

// labelCol is where inputs and choices start: a 2-cell focus marker and a
// 9-cell label.
const labelCol = 11

// choice is a small left/right selector (a list widget is too heavy for 2-3 options).
type choice struct {
	values []string
	labels []string
	idx    int
}

func (c *choice) value() string { return c.values[c.idx] }
func (c *choice) move(d int)    { c.idx = (c.idx + d + len(c.values)) % len(c.values) }
func (c *choice) set(v string) {
	for i, x := range c.values {
		if x == v {
			c.idx = i
		}
	}
}

func (c *choice) view(st *Styles) string {
	parts := make([]string, len(c.values))
	for i, l := range c.labels {
		if i == c.idx {
			parts[i] = st.Selected.Render("(•) " + l)
		} else {
			parts[i] = st.Option.Render("( ) " + l)
		}
	}
	return strings.Join(parts, "  ")
}

// problem is one thing that blocks Create, and the field to fix it in.
type problem struct {
	at   focusID
	key  string // the field, as pair.FieldError.Key names it
	text string
}

// formScreen is the create form: its fields, the live validation of the
// request they describe, and the duplicate-name check.
type formScreen struct {
	c *common

	name   field.Model
	typ    choice
	format choice
	ppk    choice
	source choice
	tags   tagList
	dryRun bool
	focus  focusID

	// The public key pasted for source public-key, parsed on every change.
	pubKey    field.Model
	pasted    ssh.PublicKey
	pastedErr string

	// Carried from the request: not edited in the form.
	bits            int
	region, profile string

	// errs and warns are keyed by pair.FieldError.Key(); recomputed on every change.
	errs  map[string]string
	warns map[string]string
	probs []problem

	// The duplicate-name check against the region.
	nameSeq      int    // bumped on every change of the name or source
	nameChecking string // the name being looked up, "" when idle
	nameTaken    string // the name found to exist
	nameFree     string // the name found not to exist
	nameCheckErr string // why the last check could not run
	nameCancel   context.CancelFunc

	planErr       string // why the last submit was refused before anything was made
	sourceNote    string // why the source was changed for the user
	sourceTouched bool

	cache map[string][]string // rendered lines (see cached)

	// An empty name nobody has typed into does not shout "required";
	// after a submit attempt every message shows. The rules apply regardless.
	nameTouched bool
	showAll     bool
}

// newInput builds a text field holding at most limit runes and showing
// width cells. It reads no clipboard (ctrl+v does nothing; a terminal
// paste arrives as a bracketed paste) and offers no suggestions (tab, up
// and down belong to the screen).
func newInput(st *Styles, placeholder string, limit, width int) field.Model {
	in := field.New(limit, width)
	in.Placeholder = st.placeholder(placeholder)
	in.SetStyles(st.Input)
	return in
}

const namePlaceholder = "name of the key pair, e.g. web-prod"

const pubKeyPlaceholder = "paste a public key: ssh-ed25519 AAAA… or ssh-rsa AAAA…"

// maxPastedKey is far above an RSA 4096 public key line (about 740 bytes).
const maxPastedKey = 16 << 10

// newForm builds the form from the request, which the caller built
// complete (defaults < config file < environment < flags).
func newForm(c *common, req pair.Request) *formScreen {
	st := c.styles
	bits := req.Bits // 0: the pipeline's default for the type chosen
	req = maker.Normalize(req)
	req.Bits = bits
	f := &formScreen{
		c: c,
		// One rune over EC2's 255 so an over-long paste or prefill shows
		// the rule beside the field instead of being cut silently.
		name:    newInput(st, namePlaceholder, pair.MaxNameLen+1, 40),
		typ:     choice{values: []string{string(keys.RSA), string(keys.ED25519)}, labels: []string{"RSA", "ED25519"}},
		format:  choice{values: []string{string(keys.PEM), string(keys.PPK)}},
		ppk:     choice{values: []string{"3", "2"}, labels: []string{"3", "2  PuTTY 0.74 and older"}},
		source:  sourceChoice(c.opts),
		region:  c.region(),
		profile: req.Profile,
		pubKey:  newInput(st, pubKeyPlaceholder, maxPastedKey, 40),
	}
	f.name.SetValue(req.Name)
	f.typ.set(string(req.Type))
	f.format.set(string(req.Format))
	if req.PPKVersion != 0 {
		f.ppk.set(strconv.Itoa(req.PPKVersion))
	}
	f.source.set(string(req.Source))
	if !f.offers(req.Source) {
		f.source.idx = 0 // a source this session does not offer
	}
	for _, t := range req.Tags {
		f.tags.add(st, t.Key, t.Value)
	}
	f.dryRun = req.DryRun
	f.bits = req.Bits
	if maker.NeedsAWS(f.src()) && f.offers(pair.SourceOffline) && f.region == "" && (c.noAWS() || c.opts.Client == nil) {
		f.toOffline("no AWS client and no region are configured")
	}
	f.focus = focusID{kind: fieldName}
	f.name.Focus()
	f.resize()
	f.validate()
	return f
}

// sourceLabels name the sources in the form.
var sourceLabels = map[pair.Source]string{
	pair.SourceAWS: "aws", pair.SourceLocal: "local", pair.SourceOffline: "offline", pair.SourceLogin: "login key",
	pair.SourcePublicKey: "paste",
}

// sourceChoice is the source selector for what this session offers.
func sourceChoice(o Options) choice {
	srcs := o.Sources
	if srcs == nil {
		srcs = []pair.Source{pair.SourceAWS, pair.SourceLocal, pair.SourceOffline}
		if o.LoginKey != nil {
			srcs = append(srcs, pair.SourceLogin)
		}
	}
	var c choice
	for _, s := range srcs {
		c.values = append(c.values, string(s))
		c.labels = append(c.labels, sourceLabels[s])
	}
	if len(c.values) == 0 {
		c.values, c.labels = []string{string(pair.SourceLogin)}, []string{sourceLabels[pair.SourceLogin]}
	}
	return c
}

// offers reports whether the source choice has s.
func (f *formScreen) offers(s pair.Source) bool {
	for _, v := range f.source.values {
		if v == string(s) {
			return true
		}
	}
	return false
}

// login reports whether the source imports a key that exists (the login
// key or a pasted one): no type or format to choose.
func (f *formScreen) login() bool { return pair.GivenKey(f.src()) }

// parsePasted reads the pasted public key; a private key is refused, so
// none is ever sent (or kept) by mistake.
func (f *formScreen) parsePasted() {
	f.pasted, f.pastedErr = nil, ""
	v := strings.TrimSpace(f.pubKey.Value())
	if v == "" {
		return
	}
	if strings.Contains(v, "PRIVATE KEY") || strings.HasPrefix(v, "PuTTY-User-Key-File") {
		f.pastedErr = "this is a private key: paste only its public half (the line of the .pub file); clear the field now"
		return
	}
	pub, _, err := keys.ParsePublicKey([]byte(v))
	if err != nil {
		f.pastedErr = "not a public key (" + errText(err) + "); paste one line such as ssh-ed25519 AAAA… comment"
		return
	}
	f.pasted = pub
}

// toOffline selects source offline for the user, saying why.
func (f *formScreen) toOffline(why string) {
	f.source.set(string(pair.SourceOffline))
	f.sourceNote = "Source offline was chosen because " + why + "; a key made offline needs no AWS."
	f.cache = nil
}

func (f *formScreen) src() pair.Source { return pair.Source(f.source.value()) }

func (f *formScreen) showDryRun() bool { return maker.NeedsAWS(f.src()) }

// request is the pair.Request the form describes now.
func (f *formScreen) request() pair.Request {
	r := pair.Request{
		Name:    f.name.Value(),
		Type:    keys.Type(f.typ.value()),
		Bits:    f.bits,
		Format:  keys.Format(f.format.value()),
		Tags:    f.tags.tags(),
		DryRun:  f.dryRun && f.showDryRun(),
		Source:  f.src(),
		Region:  f.region,
		Profile: f.profile,
	}
	if pair.GivenKey(r.Source) {
		r.PublicKey = f.c.opts.LoginKey
		if r.Source == pair.SourcePublicKey {
			r.PublicKey = f.pasted
		}
		if r.PublicKey != nil {
			r.Type = pair.TypeOf(r.PublicKey)
		}
		r.Bits, r.Format = 0, ""
		return r
	}
	if r.Type != keys.RSA {
		r.Bits = 0 // a size given for RSA (--bits) means nothing for another type
	}
	if r.Format == keys.PPK {
		r.PPKVersion, _ = strconv.Atoi(f.ppk.value())
	}
	return r
}

// formatLabels names the formats truthfully for the chosen type: RSA PEM
// is PKCS#1 ("BEGIN RSA PRIVATE KEY"); ED25519 PEM is the OpenSSH format.
func (f *formScreen) formatLabels() []string {
	pem := ".pem  PKCS#1"
	if keys.Type(f.typ.value()) == keys.ED25519 {
		pem = ".pem  OpenSSH"
	}
	return []string{pem, ".ppk  PuTTY"}
}

// validate checks every rule against the current request, and what AWS
// needs for a source that calls it.
func (f *formScreen) validate() {
	f.errs = map[string]string{}
	f.warns = map[string]string{}
	f.probs = f.probs[:0]
	f.format.labels = f.formatLabels()
	add := func(at focusID, key, msg string) {
		if old, ok := f.errs[key]; ok {
			f.errs[key] = old + "; " + msg
		} else {
			f.errs[key] = msg
		}
		f.probs = append(f.probs, problem{at: at, key: key, text: key + ": " + msg})
	}
	for _, e := range f.request().Validate() {
		if e != nil && !(e.Field == "public-key" && f.pastedErr != "") {
			add(f.focusOf(e), e.Key(), e.Msg)
		}
	}
	if f.src() == pair.SourcePublicKey && f.pastedErr != "" {
		add(focusID{kind: fieldPubKey}, "public-key", f.pastedErr)
	}
	if maker.NeedsAWS(f.src()) {
		src := focusID{kind: fieldSource}
		switch {
		case f.c.noAWS():
			add(src, "source", "AWS is not set up for this session: "+nextOffline)
		case f.region == "":
			add(src, "source", "no AWS region is configured: "+nextRegion+", or "+nextOffline)
		case f.c.credsMissing():
			add(src, "source", "the AWS credentials cannot be used ("+credErrText(f.c.creds.err)+"): set them up, or "+nextProfile+", or "+nextOffline)
		}
		if f.nameTaken != "" && f.nameTaken == f.name.Value() {
			add(focusID{kind: fieldName}, "name", f.takenMsg())
		}
	}
	if f.planErr != "" {
		add(focusID{kind: fieldName}, "save path", f.planErr)
	}
	for i, r := range f.tags.rows {
		if w := pair.TagWarning(r.key.Value()); w != "" {
			f.warns[tagField(i, "key")] = w
		}
		if w := pair.TagWarning(r.value.Value()); w != "" {
			f.warns[tagField(i, "value")] = w
		}
	}
}

// focusOf is the field where the user fixes e.
func (f *formScreen) focusOf(e *pair.FieldError) focusID {
	switch e.Field {
	case "name":
		return focusID{kind: fieldName}
	case "type", "bits":
		return focusID{kind: fieldType}
	case "format":
		return focusID{kind: fieldFormat}
	case "ppk-version":
		return focusID{kind: fieldPPK}
	case "source":
		return focusID{kind: fieldSource}
	case "dry-run":
		return focusID{kind: fieldDryRun}
	case "public-key":
		return focusID{kind: fieldPubKey}
	case "tag":
		if e.Tag >= 1 && e.Tag <= len(f.tags.rows) {
			if e.Part == "value" {
				return focusID{kind: fieldTagValue, tag: e.Tag - 1}
			}
			return focusID{kind: fieldTagKey, tag: e.Tag - 1}
		}
	}
	return focusID{kind: fieldTags}
}

// tagField is the Validate field name of row i (0-based) of the tags editor.
func tagField(i int, part string) string { return fmt.Sprintf("tag[%d].%s", i+1, part) }

func (f *formScreen) takenMsg() string {
	return "a key pair of this name already exists in " + regionOr(f.region)
}

// quiet reports whether the message for field should wait: only the
// name, empty and untouched, before a submit was tried. Tag rows the user
// added show their problems at once.
func (f *formScreen) quiet(field string) bool {
	if field == "public-key" {
		return !f.showAll && f.pubKey.Value() == ""
	}
	return field == "name" && !f.showAll && !f.nameTouched && f.name.Value() == ""
}

// focusables lists the places the focus can be, top to bottom.
func (f *formScreen) focusables() []focusID {
	ids := []focusID{{kind: fieldName}}
	if !f.login() {
		ids = append(ids, focusID{kind: fieldType}, focusID{kind: fieldFormat})
	}
	if !f.login() && keys.Format(f.format.value()) == keys.PPK {
		ids = append(ids, focusID{kind: fieldPPK})
	}
	ids = append(ids, focusID{kind: fieldSource})
	if f.src() == pair.SourcePublicKey {
		ids = append(ids, focusID{kind: fieldPubKey})
	}
	ids = append(ids, focusID{kind: fieldTags})
	for i := range f.tags.rows {
		ids = append(ids, focusID{kind: fieldTagKey, tag: i}, focusID{kind: fieldTagValue, tag: i})
	}
	if f.showDryRun() {
		ids = append(ids, focusID{kind: fieldDryRun})
	}
	return append(ids, focusID{kind: fieldCreate})
}

// input returns the text input that has the focus, or nil.
func (f *formScreen) input() *field.Model {
	switch f.focus.kind {
	case fieldName:
		return &f.name
	case fieldPubKey:
		return &f.pubKey
	case fieldTagKey:
		return f.tags.input(f.focus.tag, false)
	case fieldTagValue:
		return f.tags.input(f.focus.tag, true)
	}
	return nil
}

// setFocus moves the focus to id, blurring and focusing text inputs.
func (f *formScreen) setFocus(id focusID) tea.Cmd {
	if in := f.input(); in != nil {
		in.Blur()
	}
	f.focus = id
	if in := f.input(); in != nil {
		in.Focus()
	}
	return nil
}

// moveFocus moves d places through focusables, stopping at the ends.
func (f *formScreen) moveFocus(d int) tea.Cmd {
	ids := f.focusables()
	at := f.focusIndex(ids)
	to := max(0, min(len(ids)-1, at+d))
	return f.setFocus(ids[to])
}

// focusIndex finds the focus in ids; a focus that vanished (a hidden row)
// maps to the nearest place before it.
func (f *formScreen) focusIndex(ids []focusID) int {
	best := 0
	for i, id := range ids {
		if id == f.focus {
			return i
		}
		if id.kind < f.focus.kind || (id.kind == f.focus.kind && id.tag < f.focus.tag) {
			best = i
		}
	}
	return best
}

// fixFocus re-homes the focus after a change hid the focused place.
func (f *formScreen) fixFocus() {
	ids := f.focusables()
	at := f.focusIndex(ids)
	if ids[at] != f.focus {
		f.setFocus(ids[at])
	}
}

// addTag adds an empty row and focuses its key.
func (f *formScreen) addTag() tea.Cmd {
	i := f.tags.add(f.c.styles, "", "")
	f.validate()
	return f.setFocus(focusID{kind: fieldTagKey, tag: i})
}

// removeTag removes the focused row, if a row has the focus.
func (f *formScreen) removeTag() tea.Cmd {
	if f.focus.kind != fieldTagKey && f.focus.kind != fieldTagValue {
		return nil
	}
	i := f.focus.tag
	f.focus = focusID{kind: fieldTags}
	f.tags.remove(i)
	f.validate()
	if len(f.tags.rows) == 0 {
		return nil
	}
	return f.setFocus(focusID{kind: fieldTagKey, tag: min(i, len(f.tags.rows)-1)})
}

// change moves the focused choice by d (or toggles dry run).
func (f *formScreen) change(d int) {
	switch f.focus.kind {
	case fieldType:
		f.typ.move(d)
	case fieldFormat:
		f.format.move(d)
	case fieldPPK:
		f.ppk.move(d)
	case fieldSource:
		f.source.move(d)
		f.sourceTouched, f.sourceNote = true, ""
	case fieldDryRun:
		f.dryRun = !f.dryRun
	default:
		return
	}
	f.fixFocus()
	f.changed()
}

// changed follows any edit: a refused plan is stale, the rules rerun.
func (f *formScreen) changed() {
	f.planErr = ""
	f.validate()
}

// textFocused reports whether a text input has the focus (so ? types).
func (f *formScreen) textFocused() bool { return f.input() != nil }

func (f *formScreen) update(msg tea.Msg) (tea.Cmd, action) {
	switch msg := msg.(type) {
	case nameTickMsg:
		return f.startNameCheck(msg.seq), nil
	case nameCheckMsg:
		f.nameChecked(msg)
		return nil, nil
	case tea.PasteMsg:
		return f.typed(msg), nil
	case tea.KeyPressMsg:
		return f.key(msg)
	}
	return nil, nil
}

func (f *formScreen) key(msg tea.KeyPressMsg) (tea.Cmd, action) {
	k := f.c.keys.Form
	switch {
	case key.Matches(msg, k.Submit):
		return f.submit()
	case key.Matches(msg, k.Next):
		return f.moveFocus(1), nil
	case key.Matches(msg, k.Prev):
		return f.moveFocus(-1), nil
	case key.Matches(msg, k.AddTag):
		return f.addTag(), nil
	case key.Matches(msg, k.RemoveTag):
		return f.removeTag(), nil
	case key.Matches(msg, k.Back):
		return nil, statusAction{"Nothing to go back to: ctrl+c quits."}
	case key.Matches(msg, k.Pairs):
		return nil, openPairsAction{}
	case key.Matches(msg, k.Enter):
		switch f.focus.kind {
		case fieldCreate:
			return f.submit()
		case fieldTags:
			return f.addTag(), nil
		}
		return f.moveFocus(1), nil
	}
	if f.textFocused() {
		return f.typed(msg), nil
	}
	src := f.src()
	switch {
	case key.Matches(msg, k.Left):
		f.change(-1)
	case key.Matches(msg, k.Right, k.Toggle):
		if f.focus.kind == fieldTags {
			return f.addTag(), nil
		}
		f.change(1)
	case msg.Text == "+" && f.focus.kind == fieldTags:
		return f.addTag(), nil
	}
	if f.src() != src {
		return f.scheduleNameCheck(), nil
	}
	return nil, nil
}

// typed passes a key or paste to the focused text input.
func (f *formScreen) typed(msg tea.Msg) tea.Cmd {
	in := f.input()
	if in == nil {
		return nil
	}
	before := f.name.Value()
	in.Update(msg)
	switch f.focus.kind {
	case fieldName:
		f.nameTouched = true
	case fieldPubKey:
		f.parsePasted()
	case fieldTagKey, fieldTagValue:
		f.tags.rows[f.focus.tag].touched = true
	}
	if f.name.Value() != before {
		f.changed()
		return f.scheduleNameCheck()
	}
	f.changed()
	return nil
}

// submit asks the root to make the key pair, unless something is invalid:
// then every problem shows and the focus moves to the first.
func (f *formScreen) submit() (tea.Cmd, action) {
	f.validate()
	if len(f.probs) > 0 {
		f.showAll = true
		n := len(f.probs)
		s := "Cannot create yet: " + itoa(n) + " problem"
		if n > 1 {
			s += "s"
		}
		return f.setFocus(f.probs[0].at), statusAction{s + " (shown beside the fields; the first has the focus)."}
	}
	return nil, submitAction{req: f.request()}
}

// refused shows why Plan refused the request; nothing was made.
func (f *formScreen) refused(err error) {
	var target *maker.TargetError
	var inv *maker.InvalidRequestError
	switch {
	case errors.As(err, &target):
		what := cleanText(target.Path)
		switch {
		case errIsExists(err):
			f.planErr = what + " exists (keypair never overwrites a file): choose another name"
		default:
			f.planErr = "the private key could not be saved to " + what + " (" + errText(target.Err) + "): choose another name"
		}
	case errors.As(err, &inv):
		f.showAll = true
		f.planErr = ""
	default:
		f.planErr = ""
		f.sourceNote = errText(err)
	}
	f.validate()
}

// enter is called when the form shows again: answers about the name may
// be stale (a pair may have been made or deleted), so it is checked again.
func (f *formScreen) enter() tea.Cmd {
	f.nameFree, f.nameTaken = "", ""
	return tea.Batch(f.setFocus(f.focus), f.scheduleNameCheck())
}

// newKey resets the form for another key: the user's choices stay, the
// name is new and empty.
func (f *formScreen) newKey() tea.Cmd {
	f.name.SetValue("")
	f.nameTouched, f.showAll, f.planErr = false, false, ""
	f.validate()
	f.setFocus(focusID{kind: fieldName})
	return f.enter()
}

// credsChanged follows the credentials answer: with neither credentials
// nor a region, a source the user did not choose moves to offline.
func (f *formScreen) credsChanged() tea.Cmd {
	if maker.NeedsAWS(f.src()) && f.offers(pair.SourceOffline) && !f.sourceTouched && f.region == "" && f.c.credsMissing() {
		f.toOffline("no AWS credentials and no region are configured")
		f.fixFocus()
	}
	f.validate()
	return f.scheduleNameCheck()
}

// canCheckNames reports whether the name can be looked up in the region
// now: only for a source that calls EC2 (offline never consults it).
func (f *formScreen) canCheckNames() bool {
	c := f.c
	return c.opts.Client != nil && c.creds.done && c.creds.err == nil && f.region != "" &&
		maker.NeedsAWS(f.src()) && f.name.Value() != "" && f.errs["name"] == ""
}

// scheduleNameCheck starts the debounce after the name (or source)
// changed; the lookup runs only if nothing changes for the debounce.
func (f *formScreen) scheduleNameCheck() tea.Cmd {
	f.nameSeq++
	f.nameChecking, f.nameCheckErr = "", ""
	if f.nameCancel != nil {
		f.nameCancel()
		f.nameCancel = nil
	}
	if !f.canCheckNames() {
		return nil
	}
	seq := f.nameSeq
	return tea.Tick(f.c.debounce, func(time.Time) tea.Msg { return nameTickMsg{seq: seq} })
}

func (f *formScreen) startNameCheck(seq int) tea.Cmd {
	if seq != f.nameSeq || !f.canCheckNames() {
		return nil
	}
	if f.nameCancel != nil {
		f.nameCancel()
	}
	ctx, cancel := context.WithCancel(f.c.ctx)
	f.nameCancel = cancel
	f.nameChecking = f.name.Value()
	return checkNameCmd(ctx, f.c.opts.Client, seq, f.nameChecking)
}

func (f *formScreen) nameChecked(msg nameCheckMsg) {
	if msg.seq != f.nameSeq {
		return // a lookup for a name since changed
	}
	f.nameChecking = ""
	if f.nameCancel != nil {
		f.nameCancel()
		f.nameCancel = nil
	}
	switch {
	case msg.err != nil:
		if !cancelled(msg.err) {
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
	f.validate()
}

// stop cancels a running name lookup.
func (f *formScreen) stop() {
	if f.nameCancel != nil {
		f.nameCancel()
	}
}

func (f *formScreen) help() helpSet {
	k, g := f.c.keys.Form, f.c.keys.Global
	k.Pairs.SetEnabled(f.c.opts.Pairs != nil)
	// The short line fits 80 cells: while a field takes typing it names
	// ctrl+p; otherwise the root offers "? more keys" there, and the full
	// help names it.
	short := []key.Binding{k.Next, k.Toggle, k.Submit, g.Quit}
	if f.typing() {
		short = []key.Binding{k.Next, k.Toggle, k.Submit, k.Pairs, g.Quit}
	}
	return helpSet{
		short: short,
		full:  [][]key.Binding{{k.Next, k.Prev, k.Enter}, {k.Left, k.Right, k.Toggle}, {k.Submit, k.AddTag, k.RemoveTag}, {k.Pairs, g.Quit}},
	}
}

// typing reports whether keys type into a text field now (so ? is a character).
func (f *formScreen) typing() bool { return f.textFocused() }

func (f *formScreen) held() *heldKey         { return nil }
func (f *formScreen) quitQuestion() []string { return nil }

func (f *formScreen) restyle() {
	st := f.c.styles
	f.cache = nil
	f.name.SetStyles(st.Input)
	f.name.Placeholder = st.placeholder(namePlaceholder)
	f.pubKey.SetStyles(st.Input)
	f.pubKey.Placeholder = st.placeholder(pubKeyPlaceholder)
	f.tags.restyle(st)
}

func (f *formScreen) resize() {
	f.cache = nil
	f.name.SetWidth(max(10, min(60, f.c.width-labelCol-2)))
	f.pubKey.SetWidth(max(10, f.c.width-labelCol-2))
}

// cached returns the lines cached under key, rendering them on a miss.
// Lip Gloss rendering dominates a keystroke; most lines do not change
// between keystrokes. The cache is a pure function of its key (every
// input of the rendering is in the key), dropped on restyle, resize and
// when it grows, so it changes no behaviour.
func (f *formScreen) cached(key string, render func() []string) []string {
	if ls, ok := f.cache[key]; ok {
		return ls
	}
	if f.cache == nil || len(f.cache) > 512 {
		f.cache = map[string][]string{}
	}
	ls := render()
	f.cache[key] = ls
	return ls
}

// view renders the form.
func (f *formScreen) view() body {
	st, w := f.c.styles, f.c.width
	var v body
	add := func(s string) { v.lines = append(v.lines, s) }
	label := func(id focusID, text string) string {
		if f.focus == id {
			v.focusLine = len(v.lines)
			return f.cached("L>"+text, func() []string {
				return []string{st.Focused.Render("> " + fmt.Sprintf("%-9s", text))}
			})[0]
		}
		return f.cached("L "+text, func() []string {
			return []string{"  " + st.Label.Render(fmt.Sprintf("%-9s", text))}
		})[0]
	}
	block := func(indent int, tag string, style lipgloss.Style, text string) {
		ls := f.cached(fmt.Sprintf("B%s|%d|%d|%s", tag, indent, w, text), func() []string {
			var out []string
			for _, l := range wrap(text, w-indent) {
				out = append(out, strings.Repeat(" ", indent)+style.Render(l))
			}
			return out
		})
		v.lines = append(v.lines, ls...)
	}
	msgs := func(indent int, field string) {
		if e, ok := f.errs[field]; ok && !f.quiet(field) {
			block(indent, "E", st.Error, "✗ "+field+": "+e)
		}
		if wn, ok := f.warns[field]; ok {
			block(indent, "W", st.Warning, "! "+wn)
		}
	}
	note := func(tag string, style lipgloss.Style, text string) { block(labelCol, tag, style, text) }
	choiceView := func(name string, c *choice) string {
		return f.cached(fmt.Sprintf("C%s|%d|%s", name, c.idx, strings.Join(c.labels, "|")), func() []string { return []string{c.view(st)} })[0]
	}

	line := label(focusID{kind: fieldName}, "Name") + f.name.View()
	if f.focus.kind == fieldName {
		v.cursor = f.name.CursorAt(labelCol, len(v.lines))
	}
	add(line)
	msgs(labelCol, "name")
	switch {
	case f.errs["name"] != "":
	case f.nameCheckErr != "":
		note("W", st.Warning, "! could not check the name: "+f.nameCheckErr)
	case !f.canCheckNames():
	case f.nameFree != "" && f.nameFree == f.name.Value():
		note("H", st.Hint, "✓ no key pair of this name in "+regionOr(f.region))
	default:
		note("H", st.Hint, "checking "+regionOr(f.region)+"…")
	}
	if f.planErr != "" {
		note("E", st.Error, "✗ save path: "+f.planErr)
	}

	if !f.login() {
		add(label(focusID{kind: fieldType}, "Type") + choiceView("typ", &f.typ))
		msgs(labelCol, "type")
		msgs(labelCol, "bits")
		if keys.Type(f.typ.value()) == keys.ED25519 {
			note("W", st.Warning, "! Windows instances cannot use ED25519 keys, and Windows password retrieval needs RSA .pem")
		}

		add(label(focusID{kind: fieldFormat}, "Format") + choiceView("format", &f.format))
		msgs(labelCol, "format")
		if keys.Format(f.format.value()) == keys.PPK {
			add(label(focusID{kind: fieldPPK}, "PPK") + choiceView("ppk", &f.ppk))
			msgs(labelCol, "ppk-version")
		}
	}

	add(label(focusID{kind: fieldSource}, "Source") + choiceView("source", &f.source))
	switch f.src() {
	case pair.SourceAWS:
		note("H", st.Hint, "EC2 makes the key and returns the private key once")
	case pair.SourceLocal:
		note("H", st.Hint, "made here, saved, then the public key is imported to EC2")
	case pair.SourceOffline:
		note("H", st.Hint, "made here and saved; no AWS, no credentials")
	case pair.SourcePublicKey:
		note("H", st.Hint, "imports a public key you paste (its private key stays wherever it is)")
	case pair.SourceLogin:
		note("H", st.Hint, "imports the public key you logged in with; its private key never leaves your machine, and none is made here")
		if k := f.c.opts.LoginKey; k != nil {
			note("H", st.Hint, "key "+keys.FingerprintSHA256(k)+" ("+k.Type()+")")
		}
	}
	if f.sourceNote != "" {
		note("W", st.Warning, "! "+f.sourceNote)
	}
	msgs(labelCol, "source")
	if f.src() == pair.SourcePublicKey {
		line := label(focusID{kind: fieldPubKey}, "Key") + f.pubKey.View()
		if f.focus.kind == fieldPubKey {
			v.cursor = f.pubKey.CursorAt(labelCol, len(v.lines))
		}
		add(line)
		msgs(labelCol, "public-key")
		if f.pasted != nil {
			note("H", st.Hint, "key "+keys.FingerprintSHA256(f.pasted)+" ("+f.pasted.Type()+")")
		}
	}

	hdr := fmt.Sprintf("%d/%d", len(f.tags.rows), pair.MaxTags)
	addBtn := "[+ add]"
	if f.focus.kind == fieldTags {
		addBtn = st.ButtonOn.Render(addBtn)
	} else {
		addBtn = st.Option.Render(addBtn)
	}
	add(label(focusID{kind: fieldTags}, "Tags") + hdr + "  " + addBtn + st.Hint.Render("  ctrl+n add · ctrl+x remove"))
	msgs(labelCol, "tags")
	for i := range f.tags.rows {
		focused := (f.focus.kind == fieldTagKey || f.focus.kind == fieldTagValue) && f.focus.tag == i
		row, kc, vc := f.tags.rowView(i, focused, st)
		if focused {
			v.focusLine = len(v.lines)
			in, col := f.tags.input(i, false), kc
			if f.focus.kind == fieldTagValue {
				in, col = f.tags.input(i, true), vc
			}
			v.cursor = in.CursorAt(col, len(v.lines))
		}
		add(row)
		msgs(tagRowIndent+3, tagField(i, "key"))
		msgs(tagRowIndent+3, tagField(i, "value"))
	}

	if f.showDryRun() {
		box := "[ ] "
		if f.dryRun {
			box = "[x] "
		}
		add(label(focusID{kind: fieldDryRun}, "Dry run") + box + st.Hint.Render("ask EC2 whether it would be permitted; create nothing"))
		msgs(labelCol, "dry-run")
	}

	add("")
	text := "[ Create key pair ]"
	switch f.src() {
	case pair.SourceLogin:
		text = "[ Import login key ]"
	case pair.SourcePublicKey:
		text = "[ Import public key ]"
	}
	if f.request().DryRun {
		text = "[ Ask EC2 (dry run) ]"
	}
	var btn string
	switch {
	case f.focus.kind == fieldCreate:
		btn = st.ButtonOn.Render(text)
	case len(f.probs) > 0:
		btn = st.ButtonOff.Render(text)
	default:
		btn = st.Button.Render(text)
	}
	add(label(focusID{kind: fieldCreate}, "") + btn)
	// The list holds what is shown beside the fields: an empty name nobody
	// typed into waits, here too, for a submit attempt.
	var shown []problem
	for _, p := range f.probs {
		if !f.quiet(p.key) {
			shown = append(shown, p)
		}
	}
	if n := len(shown); n > 0 {
		why := "✗ cannot create yet: " + itoa(n) + " problem"
		if n > 1 {
			why += "s"
		}
		block(labelCol, "E", st.Error, why+":")
		for _, p := range shown {
			block(labelCol+2, "E", st.Error, "• "+p.text)
		}
	}
	v.focusEnd = v.focusLine + 1
	if f.focus.kind == fieldCreate {
		v.focusEnd = len(v.lines) - 1
	}
	return v
}

package ui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/keypair-dev/keypair/config"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// fieldKind names a focusable place in the form.
type fieldKind int

const (
	fieldName fieldKind = iota
	fieldType
	fieldFormat
	fieldPPK
	fieldSource
	fieldTags // the tags header: add a row
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

func (c *choice) view(st Styles) string {
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

// form is the create form: its fields, the live validation of the request
// they describe, and the state of the duplicate-name check.
type form struct {
	name   textinput.Model
	typ    choice
	format choice
	ppk    choice
	source choice
	tags   tagList
	dryRun bool
	focus  focusID

	// Carried from the prefill: not edited in the form.
	bits            int
	region, profile string

	// errs and warns are keyed by pair.FieldError.Field; recomputed on every change.
	errs  map[string]string
	warns map[string]string
	order []string // fields of errs in keys' order

	// The duplicate-name check against the region (see model.go).
	nameSeq      int    // bumped on every change of the name
	nameChecking string // the name being looked up, "" when idle
	nameTaken    string // the name found to exist
	nameFree     string // the name found not to exist
	nameCheckErr string // why the last check could not run

	cache map[string][]string // rendered lines (see cached)

	// A field nobody has typed into yet does not shout "required"; after
	// a submit attempt every message shows. The rules apply regardless.
	nameTouched bool
	showAll     bool
}

// quiet reports whether the message for field should wait: the field is
// empty and untouched, and no submit was tried.
func (f *form) quiet(field string) bool {
	if f.showAll {
		return false
	}
	if field == "name" {
		return !f.nameTouched && f.name.Value() == ""
	}
	var i int
	var part string
	if n, _ := fmt.Sscanf(field, "tag[%d].%s", &i, &part); n == 2 && i >= 1 && i <= len(f.tags.rows) {
		r := f.tags.rows[i-1]
		return !r.touched && r.key.Value() == "" && r.value.Value() == ""
	}
	return false
}

func newInput(st Styles, placeholder string, limit, width int) textinput.Model {
	ti := textinput.New()
	ti.Prompt = ""
	ti.Placeholder = placeholder
	ti.CharLimit = limit
	ti.SetVirtualCursor(false)
	ti.SetStyles(st.Input)
	// ctrl+v would read the clipboard of the machine running keypair (the
	// server, over SSH); terminal paste still arrives as bracketed paste.
	ti.KeyMap.Paste.SetEnabled(false)
	// Tab, up and down belong to the form, not to suggestions.
	ti.KeyMap.AcceptSuggestion.SetEnabled(false)
	ti.KeyMap.NextSuggestion.SetEnabled(false)
	ti.KeyMap.PrevSuggestion.SetEnabled(false)
	ti.SetWidth(width)
	return ti
}

// newForm builds the form from the configuration defaults, then the prefill.
func newForm(st Styles, cfg config.Config, pre pair.Request, region string) *form {
	f := &form{
		// One rune over EC2's 255 so an over-long paste or prefill shows
		// the rule beside the field instead of being cut silently.
		name:   newInput(st, "name of the key pair, e.g. web-prod", pair.MaxNameLen+1, 40),
		typ:    choice{values: []string{string(keys.RSA), string(keys.ED25519)}, labels: []string{"RSA", "ED25519"}},
		format: choice{values: []string{string(keys.PEM), string(keys.PPK)}, labels: []string{".pem  OpenSSH", ".ppk  PuTTY"}},
		ppk:    choice{values: []string{"3", "2"}, labels: []string{"3", "2  PuTTY 0.74 and older"}},
		source: choice{values: []string{string(pair.SourceAWS), string(pair.SourceLocal), string(pair.SourceOffline)}, labels: []string{"aws", "local", "offline"}},
		region: region,
	}
	f.typ.set(cfg.Type)
	f.format.set(cfg.Format)
	if cfg.PPKVersion != 0 {
		f.ppk.set(strconv.Itoa(cfg.PPKVersion))
	}
	f.source.set(cfg.Source)
	f.profile = cfg.Profile
	for _, t := range cfg.Tags {
		f.tags.add(st, t.Key, t.Value)
	}

	f.name.SetValue(pre.Name)
	if pre.Type != "" {
		f.typ.set(string(pre.Type))
	}
	if pre.Format != "" {
		f.format.set(string(pre.Format))
	}
	if pre.PPKVersion != 0 {
		f.ppk.set(strconv.Itoa(pre.PPKVersion))
	}
	if pre.Source != "" {
		f.source.set(string(pre.Source))
	}
	if len(pre.Tags) > 0 {
		f.tags = tagList{}
		for _, t := range pre.Tags {
			f.tags.add(st, t.Key, t.Value)
		}
	}
	f.dryRun = pre.DryRun
	f.bits = pre.Bits
	if pre.Region != "" {
		f.region = pre.Region
	}
	if pre.Profile != "" {
		f.profile = pre.Profile
	}
	f.focus = focusID{kind: fieldName}
	f.name.Focus()
	f.validate()
	return f
}

func (f *form) src() pair.Source { return pair.Source(f.source.value()) }

// madeHere reports whether the private key is made on this machine.
func (f *form) madeHere() bool { return f.src() != pair.SourceAWS }

func (f *form) showPPK() bool {
	return keys.Format(f.format.value()) == keys.PPK && f.madeHere()
}

func (f *form) showDryRun() bool { return f.src() != pair.SourceOffline }

// request is the pair.Request the form describes now.
func (f *form) request() pair.Request {
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
	if f.showPPK() {
		r.PPKVersion, _ = strconv.Atoi(f.ppk.value())
	}
	return r
}

// validate checks every rule of keys against the current request.
func (f *form) validate() {
	f.errs = map[string]string{}
	f.warns = map[string]string{}
	f.order = f.order[:0]
	for _, e := range f.request().Validate() {
		if e == nil {
			continue
		}
		if old, ok := f.errs[e.Key()]; ok {
			f.errs[e.Key()] = old + "; " + e.Msg
			continue
		}
		f.errs[e.Key()] = e.Msg
		f.order = append(f.order, e.Key())
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

// tagField is the Validate field name of row i (0-based) of the tags editor.
func tagField(i int, part string) string { return fmt.Sprintf("tag[%d].%s", i+1, part) }

// problems lists what blocks submitting, in field order.
func (f *form) problems() []string {
	var out []string
	for _, fld := range f.order {
		out = append(out, fld+": "+f.errs[fld])
	}
	if f.nameTaken != "" && f.nameTaken == f.name.Value() {
		out = append(out, "name: "+f.takenMsg())
	}
	return out
}

func (f *form) takenMsg() string {
	region := f.region
	if region == "" {
		region = "this region"
	}
	return "already exists in " + region
}

// focusables lists the places the focus can be, top to bottom.
func (f *form) focusables() []focusID {
	ids := []focusID{{kind: fieldName}, {kind: fieldType}, {kind: fieldFormat}}
	if f.showPPK() {
		ids = append(ids, focusID{kind: fieldPPK})
	}
	ids = append(ids, focusID{kind: fieldSource}, focusID{kind: fieldTags})
	for i := range f.tags.rows {
		ids = append(ids, focusID{kind: fieldTagKey, tag: i}, focusID{kind: fieldTagValue, tag: i})
	}
	if f.showDryRun() {
		ids = append(ids, focusID{kind: fieldDryRun})
	}
	return append(ids, focusID{kind: fieldCreate})
}

// input returns the text input that has the focus, or nil.
func (f *form) input() *textinput.Model {
	switch f.focus.kind {
	case fieldName:
		return &f.name
	case fieldTagKey:
		return f.tags.input(f.focus.tag, false)
	case fieldTagValue:
		return f.tags.input(f.focus.tag, true)
	}
	return nil
}

// setFocus moves the focus to id, blurring and focusing text inputs.
func (f *form) setFocus(id focusID) tea.Cmd {
	if in := f.input(); in != nil {
		in.Blur()
	}
	f.focus = id
	if in := f.input(); in != nil {
		return in.Focus()
	}
	return nil
}

// moveFocus moves d places through focusables, stopping at the ends.
func (f *form) moveFocus(d int) tea.Cmd {
	ids := f.focusables()
	at := f.focusIndex(ids)
	to := max(0, min(len(ids)-1, at+d))
	return f.setFocus(ids[to])
}

// focusIndex finds the focus in ids; a focus that vanished (a hidden row)
// maps to the nearest place before it.
func (f *form) focusIndex(ids []focusID) int {
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
func (f *form) fixFocus() {
	ids := f.focusables()
	at := f.focusIndex(ids)
	if ids[at] != f.focus {
		f.setFocus(ids[at])
	}
}

// touch records that the focused text field was typed into.
func (f *form) touch() {
	switch f.focus.kind {
	case fieldName:
		f.nameTouched = true
	case fieldTagKey, fieldTagValue:
		if i := f.focus.tag; i < len(f.tags.rows) {
			f.tags.rows[i].touched = true
		}
	}
}

// addTag adds an empty row and focuses its key.
func (f *form) addTag(st Styles) tea.Cmd {
	i := f.tags.add(st, "", "")
	f.validate()
	return f.setFocus(focusID{kind: fieldTagKey, tag: i})
}

// removeTag removes the focused row, if a row has the focus.
func (f *form) removeTag() tea.Cmd {
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
func (f *form) change(d int) bool {
	switch f.focus.kind {
	case fieldType:
		f.typ.move(d)
	case fieldFormat:
		f.format.move(d)
	case fieldPPK:
		f.ppk.move(d)
	case fieldSource:
		f.source.move(d)
	case fieldDryRun:
		f.dryRun = !f.dryRun
	default:
		return false
	}
	f.fixFocus()
	f.validate()
	return true
}

// cached returns the lines cached under key, rendering them on a miss.
// Lip Gloss rendering dominates a keystroke; most lines do not change
// between keystrokes. The cache is dropped on restyle and when it grows.
func (f *form) cached(key string, render func() []string) []string {
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

func (f *form) restyle(st Styles) {
	f.cache = nil
	f.name.SetStyles(st.Input)
	f.tags.restyle(st)
}

func (f *form) setWidth(w int) {
	f.name.SetWidth(max(10, min(60, w-labelCol-2)))
}

// formView is the rendered form: its lines, the line of the focused field
// and the real cursor (nil when no text input has the focus).
type formView struct {
	lines     []string
	focusLine int
	cursor    *tea.Cursor
}

// view renders the form for a terminal w cells wide.
// credsOK says credentials resolved; canCheck that the name is looked up
// in the region (so a check is pending until its answer arrives).
func (f *form) view(w int, st Styles, credsOK, canCheck bool) formView {
	var v formView
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
	// block adds text wrapped at w-indent, indented, in style (cached).
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
	note := func(tag string, style lipgloss.Style, text string) {
		block(labelCol, tag, style, text)
	}
	choiceView := func(name string, c *choice) string {
		return f.cached(fmt.Sprintf("C%s|%d", name, c.idx), func() []string { return []string{c.view(st)} })[0]
	}

	// Name.
	line := label(focusID{kind: fieldName}, "Name") + f.name.View()
	if f.focus.kind == fieldName {
		if c := f.name.Cursor(); c != nil {
			c.X += labelCol
			c.Y = len(v.lines)
			v.cursor = c
		}
	}
	add(line)
	msgs(labelCol, "name")
	switch {
	case f.nameTaken != "" && f.nameTaken == f.name.Value():
		note("E", st.Error, "✗ name: "+f.takenMsg())
	case f.nameCheckErr != "":
		note("W", st.Warning, "! could not check the name: "+f.nameCheckErr)
	case !canCheck:
	case f.nameFree != "" && f.nameFree == f.name.Value():
		note("H", st.Hint, "✓ no key pair of this name in "+regionOr(f.region))
	default:
		note("H", st.Hint, "checking "+regionOr(f.region)+"…")
	}

	add(label(focusID{kind: fieldType}, "Type") + choiceView("typ", &f.typ))
	msgs(labelCol, "type")
	msgs(labelCol, "bits")
	if keys.Type(f.typ.value()) == keys.ED25519 {
		note("W", st.Warning, "! Windows instances cannot use ED25519 keys, and Windows password retrieval needs RSA .pem")
	}

	add(label(focusID{kind: fieldFormat}, "Format") + choiceView("format", &f.format))
	msgs(labelCol, "format")
	if f.showPPK() {
		add(label(focusID{kind: fieldPPK}, "PPK") + choiceView("ppk", &f.ppk))
		msgs(labelCol, "ppk-version")
	}

	add(label(focusID{kind: fieldSource}, "Source") + choiceView("source", &f.source))
	switch f.src() {
	case pair.SourceAWS:
		note("H", st.Hint, "EC2 makes the key and returns the private key once")
	case pair.SourceLocal:
		note("H", st.Hint, "made here, saved, then the public key is imported to EC2")
	case pair.SourceOffline:
		note("H", st.Hint, "made here and saved; no AWS, no credentials")
	}
	msgs(labelCol, "source")

	// Tags.
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
			if c := in.Cursor(); c != nil {
				c.X += col
				c.Y = len(v.lines)
				v.cursor = c
			}
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

	// The button, and why it cannot be used yet.
	add("")
	text := "[ Create key pair ]"
	if f.request().DryRun {
		text = "[ Ask EC2 (dry run) ]"
	}
	probs := f.problems()
	var btn string
	switch {
	case f.focus.kind == fieldCreate:
		btn = st.ButtonOn.Render(text)
	case len(probs) > 0:
		btn = st.ButtonOff.Render(text)
	default:
		btn = st.Button.Render(text)
	}
	line = label(focusID{kind: fieldCreate}, "") + btn
	if f.showDryRun() && !credsOK {
		line += st.Hint.Render("  (credentials not confirmed)")
	}
	add(line)
	if len(probs) > 0 {
		why := fmt.Sprintf("✗ cannot create yet: %d problem", len(probs))
		if len(probs) > 1 {
			why += "s"
		}
		why += " — " + probs[0]
		for _, l := range wrap(why, w-labelCol) {
			add(strings.Repeat(" ", labelCol) + st.Error.Render(l))
		}
	}
	return v
}

// wrap breaks s into lines of at most w cells, on spaces where it can.
func wrap(s string, w int) []string {
	if w < 10 {
		w = 10
	}
	if lipgloss.Width(s) <= w {
		return []string{s}
	}
	if !strings.Contains(s, " ") {
		return hardWrap(s, w)
	}
	lines := strings.Split(lipgloss.NewStyle().Width(w).Render(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return lines
}

// hardWrap cuts s, which has no spaces to break at (a path), every w cells.
func hardWrap(s string, w int) []string {
	var out []string
	r := []rune(s)
	for len(r) > 0 {
		n := 0
		cells := 0
		for n < len(r) {
			cw := lipgloss.Width(string(r[n]))
			if cells+cw > w {
				break
			}
			cells += cw
			n++
		}
		if n == 0 {
			n = 1
		}
		out = append(out, string(r[:n]))
		r = r[n:]
	}
	return out
}

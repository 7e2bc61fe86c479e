package ui

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/fleet"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/localkeys"
	"github.com/keypair-dev/keypair/ui/internal/field"
)

// pairRow is one pair of the list with everything a keystroke needs
// computed once, when the list arrives: the cleaned cells and the
// lowercased text the filter searches.
type pairRow struct {
	p      fleet.Pair
	name   string // cleaned
	typ    string
	fp     string
	tags   string // "k=v, k=v", cleaned
	local  bool
	search string // lowercased name, ID, type, fingerprints, tags, local paths

	nameIdx, ageIdx int // place in each order

	line    string // the rendered cells for layout lineGen (a render cache)
	lineGen int
}

func newPairRow(p fleet.Pair) *pairRow {
	// Names, tags and paths are drawn in cells: only their control bytes
	// go (termtext.Clean), nothing is reworded.
	clean := termtext.Clean
	r := &pairRow{p: p, name: clean(p.KeyName), typ: clean(p.KeyType), fp: clean(p.KeyFingerprint), local: len(p.LocalKeys) > 0}
	if len(p.Tags) > 0 {
		var tags strings.Builder
		for i, t := range p.Tags {
			if i > 0 {
				tags.WriteString(", ")
			}
			tags.WriteString(clean(t.Key) + "=" + clean(t.Value))
		}
		r.tags = tags.String()
	}
	// One lowercased text per row, built once: a keystroke of the filter
	// is then one strings.Contains per row.
	buf := make([]byte, 0, len(r.name)+len(p.KeyPairID)+len(r.typ)+len(r.fp)+len(p.SHA256Fingerprint)+len(r.tags)+8)
	ascii := true
	for _, part := range [...]string{r.name, clean(p.KeyPairID), r.typ, r.fp, clean(p.SHA256Fingerprint), r.tags} {
		for i := 0; i < len(part); i++ {
			c := part[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			ascii = ascii && c < 0x80
			buf = append(buf, c)
		}
		buf = append(buf, '\n')
	}
	for _, k := range p.LocalKeys {
		buf = append(buf, clean(k.Path)...)
		buf = append(buf, '\n')
		ascii = false // paths go through strings.ToLower below
	}
	r.search = string(buf)
	if !ascii {
		r.search = strings.ToLower(r.search)
	}
	return r
}

// pairCols are the widths of the list's columns for one terminal width.
type pairCols struct{ name, typ, fp, created, local, tags int }

// The list's fixed columns and what the others need at least.
const (
	colMarker  = 2 // "> " before the selected row
	colType    = 7 // "ed25519"
	colCreated = 10
	colLocal   = 5 // "local"
	minName    = 12
	minFP      = 16
	minTags    = 8
)

// layoutCols fits the columns into width: the name gets what the longest
// name needs (up to a quarter of the width), the fingerprint what the
// longest needs, and the tags the rest; when that does not fit, the
// fingerprint and then the name give way.
func layoutCols(width, maxName, maxFP int) pairCols {
	c := pairCols{typ: colType, created: colCreated, local: colLocal}
	free := width - colMarker - c.typ - c.created - c.local - 5 // five one-cell gaps
	c.name = max(minName, min(maxName, width/4))
	c.fp = max(minFP, maxFP)
	c.tags = free - c.name - c.fp
	if c.tags < minTags {
		c.fp = max(minFP, c.fp-(minTags-c.tags))
		c.tags = free - c.name - c.fp
	}
	if c.tags < minTags {
		c.name = max(minName, c.name-(minTags-c.tags))
		c.tags = free - c.name - c.fp
	}
	c.tags = max(0, c.tags)
	return c
}

// sortOrder is how the list is sorted.
type sortOrder int

const (
	sortByName sortOrder = iota
	sortByAge            // newest first
)

// pairsState is where the list is in its life.
type pairsState int

const (
	pairsLoading pairsState = iota
	pairsFailed
	pairsReady
)

// pairsScreen lists the region's key pairs (one DescribeKeyPairs with the
// public keys, through fleet), marks those a local key matches, filters as
// the user types, sorts by name or age, and draws only the rows in view.
// It lives on while a pair's detail shows, so going back keeps the place.
type pairsScreen struct {
	c      *common
	region string
	state  pairsState
	spin   spinner.Model
	cancel context.CancelFunc
	seq    int
	err    error

	byName, byAge []*pairRow
	order         sortOrder
	shown         []*pairRow // the current order, filtered
	query         string     // the filter, lowercased, that shown was made for
	steps         []filterStep
	cursor, top   int

	filter    field.Model
	filtering bool

	found    *localkeys.Found
	foundErr error
	loaded   bool // a load has finished once (rows may be kept while reloading)

	cols   pairCols
	colGen int // bumped when cols change: row line caches die
	// selOn and selOff put the selected row in Styles.ButtonOn (bold,
	// reverse: no colour), taken from one rendering at restyle, so a
	// frame does not run Lip Gloss over a whole row.
	selOn, selOff string
	helps         [2]helpSet // the help without and with the filter open
	maxW          [2]int
}

func newPairsScreen(c *common) *pairsScreen {
	p := &pairsScreen{c: c, region: c.region()}
	p.filter = newInput(c.styles, "type to filter: name, ID, fingerprint, tag, path", 200, 40)
	p.filter.Prompt = "/ "
	p.restyle()
	p.resize()
	return p
}

// load starts (or restarts) listing the region.
func (p *pairsScreen) load() tea.Cmd {
	if p.cancel != nil {
		p.cancel()
	}
	ctx, cancel := context.WithCancel(p.c.ctx)
	p.cancel = cancel
	p.seq++
	p.state, p.err = pairsLoading, nil
	return tea.Batch(p.spin.Tick, loadPairsCmd(ctx, p.c.deps(), p.c.opts.Pairs, p.region, p.c.opts.LocalKeys, p.seq))
}

func (p *pairsScreen) stop() {
	if p.cancel != nil {
		p.cancel()
	}
}

func (p *pairsScreen) loadedMsg(msg pairsLoadedMsg) {
	if msg.seq != p.seq {
		return
	}
	p.cancel()
	p.found, p.foundErr = msg.found, msg.foundErr
	if msg.err != nil {
		p.state, p.err = pairsFailed, msg.err
		return
	}
	var keep *pairRow
	if p.cursor < len(p.shown) {
		keep = p.shown[p.cursor]
	}
	p.state, p.loaded = pairsReady, true
	p.byName, p.byAge = msg.rows, msg.byAge
	p.maxW = [2]int{}
	for _, r := range p.byName {
		p.maxW[0] = max(p.maxW[0], cellWidth(r.name))
		p.maxW[1] = max(p.maxW[1], len(r.fp))
	}
	p.resize()
	p.refilter(true)
	if keep != nil {
		p.selectName(keep.p.KeyName)
	}
}

// ordered is every row in the current order.
func (p *pairsScreen) ordered() []*pairRow {
	if p.order == sortByAge {
		return p.byAge
	}
	return p.byName
}

// filterStep is the rows one filter text keeps, for going back on backspace.
type filterStep struct {
	q    string
	rows []*pairRow
}

// refilter recomputes the rows shown for the filter's text. The rows kept
// by each shorter text typed so far are remembered (steps): a text that
// grew searches the rows of the last step, a backspace goes back a step
// without searching. full forgets the steps (a new order, a new list).
func (p *pairsScreen) refilter(full bool) {
	q := strings.ToLower(strings.TrimSpace(p.filter.Value()))
	var sel *pairRow
	if p.cursor < len(p.shown) {
		sel = p.shown[p.cursor]
	}
	if full {
		p.steps = p.steps[:0]
	}
	for len(p.steps) > 0 && !strings.HasPrefix(q, p.steps[len(p.steps)-1].q) {
		p.steps = p.steps[:len(p.steps)-1]
	}
	switch {
	case q == "":
		p.shown = p.ordered()
	case len(p.steps) > 0 && p.steps[len(p.steps)-1].q == q:
		p.shown = p.steps[len(p.steps)-1].rows
	default:
		from := p.ordered()
		if len(p.steps) > 0 {
			from = p.steps[len(p.steps)-1].rows
		}
		out := make([]*pairRow, 0, len(from))
		for _, r := range from {
			if strings.Contains(r.search, q) {
				out = append(out, r)
			}
		}
		p.shown = out
		p.steps = append(p.steps, filterStep{q: q, rows: out})
	}
	p.query = q
	p.cursor, p.top = 0, 0
	if sel != nil {
		for i, r := range p.shown {
			if r == sel {
				p.cursor = i
				break
			}
		}
	}
	p.clamp()
}

func (p *pairsScreen) selectName(name string) {
	for i, r := range p.shown {
		if r.p.KeyName == name {
			p.cursor = i
			p.clamp()
			return
		}
	}
}

// listLines are the lines above the rows: title, local keys, filter, column heads.
const listLines = 4

// rowsInView is how many rows fit in the body now.
func (p *pairsScreen) rowsInView() int { return max(1, p.c.bodyLines()-listLines) }

// clamp keeps the cursor on a row and in view.
func (p *pairsScreen) clamp() {
	n := len(p.shown)
	p.cursor = max(0, min(p.cursor, n-1))
	h := p.rowsInView()
	if p.cursor < p.top {
		p.top = p.cursor
	}
	if p.cursor >= p.top+h {
		p.top = p.cursor - h + 1
	}
	p.top = max(0, min(p.top, n-h))
}

func (p *pairsScreen) move(d int) {
	p.cursor += d
	p.clamp()
}

func (p *pairsScreen) update(msg tea.Msg) (tea.Cmd, action) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if p.state != pairsLoading {
			return nil, nil
		}
		var cmd tea.Cmd
		p.spin, cmd = p.spin.Update(msg)
		return cmd, nil
	case pairsLoadedMsg:
		p.loadedMsg(msg)
		return nil, nil
	case tea.PasteMsg:
		if p.filtering {
			return p.typed(msg), nil
		}
	case tea.KeyPressMsg:
		return p.key(msg)
	}
	return nil, nil
}

func (p *pairsScreen) key(msg tea.KeyPressMsg) (tea.Cmd, action) {
	k := p.c.keys.Pairs
	if p.filtering {
		switch {
		case msg.String() == "esc":
			p.filtering = false
			p.filter.Blur()
			p.filter.SetValue("")
			p.refilter(true)
			return nil, nil
		case msg.String() == "tab":
			p.filtering = false
			p.filter.Blur()
			return nil, nil
		case key.Matches(msg, k.Open):
			p.filtering = false
			p.filter.Blur()
			return nil, p.open()
		case msg.String() == "up" || msg.String() == "down" || msg.String() == "pgup" || msg.String() == "pgdown":
			// The list moves while the filter keeps the keys that type.
		default:
			return p.typed(msg), nil
		}
	}
	h := p.rowsInView()
	switch {
	case key.Matches(msg, k.Back):
		if p.filter.Value() != "" {
			p.filter.SetValue("")
			p.refilter(true)
			return nil, nil
		}
		return nil, backAction{}
	case key.Matches(msg, k.Filter):
		if p.state != pairsReady {
			return nil, nil
		}
		p.filtering = true
		p.filter.Focus()
		return nil, nil
	case key.Matches(msg, k.Reload):
		return p.load(), nil
	case p.state != pairsReady:
		return nil, nil
	case key.Matches(msg, k.Sort):
		p.order = 1 - p.order
		p.refilter(true)
	case key.Matches(msg, k.Open):
		return nil, p.open()
	case key.Matches(msg, k.PageDown):
		p.move(h)
	case key.Matches(msg, k.PageUp):
		p.move(-h)
	case key.Matches(msg, k.Down):
		p.move(1)
	case key.Matches(msg, k.Up):
		p.move(-1)
	case key.Matches(msg, k.Home):
		p.move(-len(p.shown))
	case key.Matches(msg, k.End):
		p.move(len(p.shown))
	}
	return nil, nil
}

// typed gives a key or paste to the filter and filters again if it changed.
func (p *pairsScreen) typed(msg tea.Msg) tea.Cmd {
	before := p.filter.Value()
	p.filter.Update(msg)
	if p.filter.Value() != before {
		p.refilter(false)
	}
	return nil
}

func (p *pairsScreen) open() action {
	if p.state != pairsReady || len(p.shown) == 0 {
		return nil
	}
	return openPairAction{row: p.shown[p.cursor]}
}

func (p *pairsScreen) regionName() string { return regionOr(p.region) }

// localLine says what the search for local keys found.
func (p *pairsScreen) localLine() string {
	switch {
	case p.foundErr != nil:
		return "! could not look for local keys: " + errText(p.foundErr)
	case p.found == nil:
		return "local keys: looking…"
	}
	f := p.found
	s := "local keys: " + itoa(len(f.Keys)) + " found"
	if dirs := p.c.opts.LocalKeys.Dirs; len(dirs) > 0 && f.AgentError == nil {
		s += " in " + cleanJoin(dirs, ", ")
		if p.c.opts.LocalKeys.AgentSocket != "" {
			s += " and the agent"
		}
	}
	if f.Skipped > 0 {
		s += " (" + itoa(f.Skipped) + " files skipped)"
	}
	if f.AgentError != nil {
		s += " · ! agent: " + errText(f.AgentError)
	}
	return s
}

// rowLine renders one row's cells (the cache is keyed by the layout).
func (p *pairsScreen) rowLine(r *pairRow) string {
	if r.lineGen == p.colGen && r.line != "" {
		return r.line
	}
	c := p.cols
	mark := "  ✓  "
	if !r.local {
		mark = "     "
	}
	var b strings.Builder
	b.Grow(p.c.width + 8)
	b.WriteString(padCell(r.name, c.name))
	b.WriteByte(' ')
	b.WriteString(padCell(r.typ, c.typ))
	b.WriteByte(' ')
	b.WriteString(padCell(r.fp, c.fp))
	b.WriteByte(' ')
	created := ""
	if !r.p.CreateTime.IsZero() {
		created = r.p.CreateTime.UTC().Format("2006-01-02")
	}
	b.WriteString(padCell(created, c.created))
	b.WriteByte(' ')
	b.WriteString(mark)
	b.WriteByte(' ')
	if c.tags > 0 {
		b.WriteString(padCell(r.tags, c.tags))
	}
	r.line, r.lineGen = strings.TrimRight(b.String(), " "), p.colGen
	return r.line
}

// padCell cuts s to w cells (with "…") or pads it with spaces to w.
func padCell(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := len(s)
	if !isASCII(s) {
		sw = cellWidth(s)
	}
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func (p *pairsScreen) view() body {
	st, w := p.c.styles, p.c.width
	var b body
	add := func(s string) { b.lines = append(b.lines, s) }
	switch {
	case p.state == pairsFailed:
		add(st.Error.Bold(true).Render("✗ Could not list the key pairs of " + p.regionName()))
		add("")
		for _, l := range wrap(sentence(errText(p.err)), w) {
			add(l)
		}
		add("")
		for _, l := range wrap(pairsNextStep(awsapi.KindOf(p.err)), w) {
			add(l)
		}
		return b
	case !p.loaded:
		add(p.spin.View() + " " + st.Label.Render("Listing the key pairs of "+p.regionName()+" and looking for local keys…"))
		add("")
		add(st.Hint.Render("esc goes back to the form"))
		return b
	}
	title := "Key pairs in " + p.regionName() + " · "
	if p.query != "" {
		title += itoa(len(p.shown)) + " of "
	}
	title += itoa(len(p.byName)) + " · by "
	if p.order == sortByAge {
		title += "age, newest first"
	} else {
		title += "name"
	}
	if p.state == pairsLoading {
		title = p.spin.View() + " " + title + " · reloading…"
	}
	add(p.c.styled("title", st.Title, truncate(title, w)))
	local := p.localLine()
	if p.foundErr != nil || (p.found != nil && p.found.AgentError != nil) {
		add(p.c.styled("warning", st.Warning, truncate(local, w)))
	} else {
		add(p.c.styled("hint", st.Hint, truncate(local, w)))
	}
	if p.filtering || p.filter.Value() != "" {
		line := p.filter.View()
		if p.filtering {
			b.cursor = p.filter.CursorAt(0, len(b.lines))
		}
		add(line)
	} else {
		add(p.c.styled("hint", st.Hint, "/ filters · s sorts by "+map[sortOrder]string{sortByName: "age", sortByAge: "name"}[p.order]+" · enter opens"))
	}
	c := p.cols
	head := "  " + padCell("NAME", c.name) + " " + padCell("TYPE", c.typ) + " " + padCell("EC2 FINGERPRINT", c.fp) + " " +
		padCell("CREATED", c.created) + " " + "LOCAL" + " " + padCell("TAGS", c.tags)
	add(p.c.styled("hint", st.Hint, truncate(strings.TrimRight(head, " "), w)))
	if len(p.shown) == 0 {
		if p.query != "" {
			add("  No key pair matches " + quote(p.filter.Value()) + ". esc clears the filter.")
		} else {
			add("  No key pairs in " + p.regionName() + ".")
		}
		return b
	}
	h := p.rowsInView()
	// The status line may have taken rows since the last key: keep the
	// cursor in view without moving p.top (View changes nothing).
	top := p.top
	if p.cursor >= top+h {
		top = p.cursor - h + 1
	}
	top = max(0, min(top, p.cursor))
	end := min(len(p.shown), top+h)
	for i := top; i < end; i++ {
		r := p.shown[i]
		if i == p.cursor {
			add(p.selOn + "> " + truncate(p.rowLine(r), w-colMarker) + p.selOff)
		} else {
			add("  " + p.rowLine(r))
		}
	}
	return b
}

// pairsNextStep is what to do when the region cannot be listed.
func pairsNextStep(k awsapi.Kind) string {
	switch k {
	case awsapi.Unauthorized:
		return "Ask an administrator for ec2:DescribeKeyPairs, or " + nextProfile + ". r tries again; esc goes back to the form."
	case awsapi.BadCredentials:
		return "Refresh the credentials (for SSO: aws sso login), or " + nextProfile + ". Then press r to try again."
	case awsapi.NoCredentials:
		return "Set up credentials (aws configure, aws sso login) or " + nextProfile + ". esc goes back to the form, where source offline needs none."
	case awsapi.NoRegion:
		return "Key pairs live in one region: " + nextRegion + "."
	case awsapi.ClockSkew:
		return "Fix this machine's clock (for example: timedatectl set-ntp true), then press r to try again."
	case awsapi.Network:
		return "Check the network and proxy, then press r to try again."
	}
	return "Press r to try again, or esc to go back to the form."
}

func (p *pairsScreen) help() helpSet {
	// Built once: rowsInView asks for the help's height on every key and frame.
	if p.helps[0].short == nil {
		k, g := p.c.keys.Pairs, p.c.keys.Global
		p.helps[0] = helpSet{
			short: []key.Binding{k.Open, k.Filter, k.Sort, k.Back, g.Quit},
			full:  [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}, {k.Open, k.Filter, k.Sort, k.Reload}, {k.Back, g.Quit}},
		}
		p.helps[1] = helpSet{
			short: []key.Binding{k.Open, k.FilterDone, k.FilterClear, g.Quit},
			full:  [][]key.Binding{{k.Open, k.FilterDone, k.FilterClear}, {k.Up, k.Down}, {g.Quit}},
		}
	}
	h := p.helps[0]
	if p.filtering {
		h = p.helps[1]
	}
	// Callers append to these: give them slices they cannot write into.
	return helpSet{short: h.short[:len(h.short):len(h.short)], full: h.full[:len(h.full):len(h.full)]}
}

func (p *pairsScreen) typing() bool           { return p.filtering }
func (p *pairsScreen) held() *heldKey         { return nil }
func (p *pairsScreen) quitQuestion() []string { return nil }

func (p *pairsScreen) restyle() {
	p.selOn, p.selOff, _ = strings.Cut(p.c.styles.ButtonOn.Render("\x00"), "\x00")
	p.spin = spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(p.c.styles.Title))
	p.filter.SetStyles(p.c.styles.Input)
	p.filter.Placeholder = p.c.styles.placeholder("type to filter: name, ID, fingerprint, tag, path")
}

func (p *pairsScreen) resize() {
	cols := layoutCols(p.c.width, p.maxW[0], p.maxW[1])
	if cols != p.cols {
		p.cols = cols
		p.colGen++
	}
	p.filter.SetWidth(max(10, p.c.width-4))
	p.clamp()
}

// ageText is how long ago t was, for the detail view.
func ageText(t time.Time, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return ""
	case d < 2*time.Minute:
		return "just now"
	case d < 2*time.Hour:
		return itoa(int(d.Minutes())) + " minutes ago"
	case d < 48*time.Hour:
		return itoa(int(d.Hours())) + " hours ago"
	case d < 60*24*time.Hour:
		return itoa(int(d.Hours()/24)) + " days ago"
	case d < 730*24*time.Hour:
		return itoa(int(d.Hours()/24/30)) + " months ago"
	}
	return itoa(int(d.Hours()/24/365)) + " years ago"
}

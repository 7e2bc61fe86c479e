package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
)

// fingerprintScreen shows a saved key pair: the fingerprint EC2 shows
// (labelled by maker), the OpenSSH ones, the randomart, the public key,
// the key pair ID, region and path, every warning of the pipeline, and in
// an SSH session an scp line.
type fingerprintScreen struct {
	c       *common
	made    *maker.Made
	warning string // e.g. saved but the import was not confirmed
	scroll  int
}

func newFingerprintScreen(c *common, made *maker.Made, warning string) *fingerprintScreen {
	return &fingerprintScreen{c: c, made: made, warning: warning}
}

// scpLine is the command that fetches path from this host over SSH, or ""
// outside an SSH session. sshConn is SSH_CONNECTION: "client port server port".
func scpLine(sshConn, user, path string) string {
	f := strings.Fields(sshConn)
	if len(f) < 4 || path == "" {
		return ""
	}
	host := f[2]
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	target := host + ":" + path
	if user != "" {
		target = user + "@" + target
	}
	cmd := "scp "
	if f[3] != "22" {
		cmd += "-P " + f[3] + " "
	}
	return cmd + termtext.ShellQuote(target) + " ."
}

func (v *fingerprintScreen) update(msg tea.Msg) (tea.Cmd, action) {
	m, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, nil
	}
	k := v.c.keys.Fingerprint
	switch {
	case key.Matches(m, k.ScrollDown):
		v.scroll = min(v.scroll+1, max(0, len(v.lines())-v.c.avail))
	case key.Matches(m, k.ScrollUp):
		v.scroll = max(0, v.scroll-1)
	case key.Matches(m, k.CopyPub):
		return tea.SetClipboard(strings.TrimSpace(v.made.PublicKey)), statusAction{"Copied the public key (OSC 52; your terminal must allow it)."}
	case key.Matches(m, k.CopyFP):
		return tea.SetClipboard(v.made.KeyFingerprint), statusAction{"Copied the EC2 fingerprint (OSC 52; your terminal must allow it)."}
	case key.Matches(m, k.NewKey):
		return nil, newKeyAction{}
	case key.Matches(m, k.Import):
		if !v.canImport() {
			return nil, statusAction{"This session cannot reach other regions: importing into regions needs AWS."}
		}
		return nil, importAction{name: v.made.Request.Name, publicKey: v.made.PublicKey, tags: v.made.Request.Tags, from: "the key made here (" + cleanText(v.made.Path) + ")", back: v}
	case key.Matches(m, k.Quit):
		return nil, quitAction{}
	}
	return nil, nil
}

func (v *fingerprintScreen) lines() []string {
	st, width := v.c.styles, v.c.width
	m := v.made
	fp := m.Fingerprints
	var left []string
	field := func(label, value string) {
		if value == "" {
			return
		}
		left = append(left, st.Hint.Render(label), "  "+st.Value.Render(termtext.Clean(value)))
	}
	art := termtext.CleanMultiline(fp.Randomart)
	artW := lipgloss.Width(art)
	side := art != "" && width >= 60+artW
	leftW := width
	if side {
		leftW = width - artW - 2
	}
	// The EC2 fingerprint goes full width (the SHA-1 form is 59 cells);
	// the OpenSSH ones sit beside the randomart.
	var top []string
	label := "EC2: " + m.KeyFingerprintKind().String()
	if !m.InEC2 {
		label += " (once imported)"
	}
	if m.KeyFingerprint != "" {
		top = append(top, wrapStyled(st.Hint, label, width)...)
		top = append(top, "  "+st.Value.Render(termtext.Clean(m.KeyFingerprint)))
	}
	field("OpenSSH SHA256", fp.SHA256)
	field("OpenSSH MD5", fp.MD5)
	id := m.KeyPairID
	if id == "" && !maker.NeedsAWS(m.Request.Source) {
		id = "(offline: not in EC2)"
	}
	if line := strings.TrimSuffix(id+" · "+m.Region, " · "); line != "" {
		left = append(left, st.Hint.Render("ID ")+st.Value.Render(termtext.Clean(line)))
	}
	for i, l := range left {
		left[i] = truncate(l, leftW)
	}
	title := "✓ Saved " + termtext.Clean(m.Request.Name)
	switch {
	case m.Request.Source == pair.SourceLogin:
		title = "✓ Imported " + termtext.Clean(m.Request.Name) + " into EC2: the key you logged in with, so its private key is already yours"
	case m.Imported():
		title = "✓ Imported " + termtext.Clean(m.Request.Name) + " into EC2 from the pasted public key"
	}
	lines := wrapStyled(st.OK, title, width)
	for _, w := range m.Warnings {
		lines = append(lines, wrapStyled(st.Warning, "! "+cleanText(w), width)...)
	}
	if v.warning != "" {
		lines = append(lines, wrapStyled(st.Warning, "! "+v.warning, width)...)
	}
	lines = append(lines, top...)
	if side {
		b := lipgloss.JoinHorizontal(lipgloss.Top, strings.Join(left, "\n"), "  ", st.Art.Render(art))
		lines = append(lines, strings.Split(b, "\n")...)
	} else {
		lines = append(lines, left...)
		if art != "" {
			lines = append(lines, strings.Split(st.Art.Render(art), "\n")...)
		}
	}
	if m.Path != "" {
		for _, l := range hardWrap("Saved to "+termtext.Clean(m.Path), width) {
			lines = append(lines, st.Value.Render(l))
		}
	}
	if m.Parameter != "" {
		for _, l := range hardWrap("Kept in SSM Parameter Store: "+termtext.Clean(m.Parameter), width) {
			lines = append(lines, st.Value.Render(l))
		}
	}
	s := scpLine(v.c.sshConn, v.c.user, m.Path)
	if fc := v.c.opts.FetchCommand; fc != nil {
		s = ""
		if m.Path != "" && m.Path != "-" {
			s = fc(m.Path)
		}
	}
	if s != "" {
		for _, l := range hardWrap("Fetch: "+termtext.Clean(s), width) {
			lines = append(lines, st.Value.Render(l))
		}
	}
	pub := strings.TrimSpace(termtext.Clean(m.PublicKey))
	lines = append(lines, st.Hint.Render("Public key (c copies it)"), st.Value.Render(truncate(pub, width)))
	return lines
}

func (v *fingerprintScreen) view() body {
	return body{lines: v.lines(), scroll: v.scroll, scrolls: true}
}

// canImport reports whether "import into regions" is offered: the
// session can reach other regions and the key has a public half.
func (v *fingerprintScreen) canImport() bool {
	return v.c.opts.Connect != nil && strings.TrimSpace(v.made.PublicKey) != ""
}

func (v *fingerprintScreen) help() helpSet {
	k, g := v.c.keys.Fingerprint, v.c.keys.Global
	k.Import.SetEnabled(v.canImport())
	return helpSet{
		short: []key.Binding{k.CopyPub, k.CopyFP, k.NewKey, k.Quit},
		full:  [][]key.Binding{{k.CopyPub, k.CopyFP, k.Import}, {k.NewKey, k.Quit, g.Quit}, {k.ScrollUp, k.ScrollDown}},
	}
}

func (v *fingerprintScreen) typing() bool           { return false }
func (v *fingerprintScreen) held() *heldKey         { return nil }
func (v *fingerprintScreen) quitQuestion() []string { return nil }
func (v *fingerprintScreen) restyle()               {}
func (v *fingerprintScreen) resize()                {}

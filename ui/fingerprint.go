package ui

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
)

// fingerprintView shows a saved key pair: the fingerprint EC2 shows (named
// by its algorithm), the OpenSSH ones, the randomart, the public key, the
// key pair ID, region and path, and in an SSH session an scp line.
type fingerprintView struct {
	made    *maker.Made
	warning string // e.g. saved but the import did not happen
}

// ec2Label names the algorithm of the fingerprint the EC2 console shows.
func ec2Label(made *maker.Made) string {
	t := made.Request.Type
	if made.Key != nil {
		t = made.Key.Type()
	}
	switch {
	case t == keys.ED25519:
		return "EC2 (SHA-256)"
	case made.Request.Source == pair.SourceAWS:
		return "EC2 (SHA-1 of private key, as the console shows for keys EC2 created)"
	default:
		return "EC2 (MD5 of public key, imported)"
	}
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

func (v *fingerprintView) view(width int, st Styles, sshConn, user string) []string {
	m := v.made
	fp := m.Fingerprints
	var left []string
	field := func(label, value string) {
		if value == "" {
			return
		}
		left = append(left, st.Hint.Render(label))
		left = append(left, "  "+st.Value.Render(termtext.Clean(value)))
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
	label := ec2Label(m)
	if m.Request.Source == pair.SourceOffline {
		label += ", once imported"
	}
	if m.KeyFingerprint != "" {
		top = append(top, wrapStyled(st.Hint, label, width)...)
		top = append(top, "  "+st.Value.Render(termtext.Clean(m.KeyFingerprint)))
	}
	field("OpenSSH SHA256", fp.SHA256)
	field("OpenSSH MD5", fp.MD5)
	id := m.KeyPairID
	if id == "" && m.Request.Source == pair.SourceOffline {
		id = "(offline: not in EC2)"
	}
	if line := strings.TrimSuffix(id+" · "+m.Region, " · "); line != "" {
		left = append(left, st.Hint.Render("ID ")+st.Value.Render(termtext.Clean(line)))
	}
	for i, l := range left {
		if lipgloss.Width(l) > leftW {
			left[i] = truncate(l, leftW)
		}
	}
	lines := []string{st.OK.Render("✓ Saved " + termtext.Clean(m.Request.Name))}
	lines = append(lines, top...)
	if side {
		body := lipgloss.JoinHorizontal(lipgloss.Top, strings.Join(left, "\n"), "  ", st.Art.Render(art))
		lines = append(lines, strings.Split(body, "\n")...)
	} else {
		lines = append(lines, left...)
		if art != "" {
			lines = append(lines, strings.Split(st.Art.Render(art), "\n")...)
		}
	}
	for _, l := range hardWrap("Saved to "+termtext.Clean(m.Path), width) {
		lines = append(lines, st.Value.Render(l))
	}
	if s := scpLine(sshConn, user, m.Path); s != "" {
		for _, l := range hardWrap("Fetch: "+termtext.Clean(s), width) {
			lines = append(lines, st.Value.Render(l))
		}
	}
	pub := strings.TrimSpace(termtext.Clean(m.PublicKey))
	lines = append(lines, st.Hint.Render("Public key (c copies it)"))
	lines = append(lines, st.Value.Render(truncate(pub, width)))
	if v.warning != "" {
		lines = append(lines, wrapStyled(st.Warning, "! "+v.warning, width)...)
	}
	return lines
}

package ui

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
)

// The app's own words for failures: what happened comes from the error
// (cleaned of control bytes and of package prefixes such as "keys:"); the
// next step is the app's, in fields and keys, never command-line flags.

// Next steps shared by several messages.
const (
	nextProfile = "choose another profile in ~/.aws/config or set AWS_PROFILE and restart"
	nextOffline = "choose source offline above"
	nextRegion  = "set a region in ~/.aws/config or set AWS_REGION and restart"
)

// errText is err's text on one line for the user: control bytes removed,
// package prefixes dropped (anywhere a wrapped error starts one). An
// *awsapi.Error is described from its fields (awsText), never by the
// SDK's error chain.
func errText(err error) string {
	if err == nil {
		return ""
	}
	var ae *awsapi.Error
	if errors.As(err, &ae) && !errors.As(err, new(*maker.ImportFailedError)) {
		return awsText(ae)
	}
	return cleanText(err.Error())
}

// cleanText removes control bytes and internal prefixes from s and folds
// it onto one line.
func cleanText(s string) string { return termtext.ForUser(s) }

// awsText says what happened in an EC2 call in awsapi's own words, which
// speak of no front end (what EC2 said, what may have changed, what was
// kept safe); the app adds its next step (nextStep).
func awsText(e *awsapi.Error) string { return termtext.ForUser(e.Error()) }

// nextStep is what the user can do about a failure of kind k, in the
// app's own words: fields, keys and the AWS files, never flags.
func nextStep(k awsapi.Kind, req pair.Request) string {
	switch k {
	case awsapi.Duplicate:
		return "Press esc and choose another name."
	case awsapi.NotFound:
		return "Key pairs exist in one region only: " + nextRegion + "."
	case awsapi.BadPublicKey:
		return "EC2 imports RSA (1024, 2048, 4096 bits) and ED25519 keys only."
	case awsapi.Unauthorized:
		return "Ask an administrator for that permission, or " + nextProfile + ", or press esc and " + nextOffline + "."
	case awsapi.BadCredentials:
		return "Refresh the credentials (for SSO: aws sso login), or " + nextProfile + "."
	case awsapi.ClockSkew:
		return "Fix this machine's clock (for example: timedatectl set-ntp true), then press esc and try again."
	case awsapi.Throttled:
		return "Wait a moment, then press esc and try again."
	case awsapi.LimitExceeded:
		return "Delete key pairs you no longer use, or " + nextRegion + "."
	case awsapi.Network:
		return "Check the network and proxy, then press esc and try again; or press esc and " + nextOffline + "."
	case awsapi.NoCredentials:
		return "Set up credentials (aws configure, aws sso login) or " + nextProfile + "; or press esc and " + nextOffline + "."
	case awsapi.LostAnswer:
		return "Nobody has that private key: delete the pair " + quote(req.Name) + " in EC2, then create it again."
	case awsapi.Server:
		return "Try again in a minute."
	case awsapi.InvalidParameter:
		return "Press esc and correct the value EC2 named."
	}
	return "Press esc to return to the form and try again."
}

func quote(s string) string { return `"` + termtext.Clean(s) + `"` }

// sentence ends s with a full stop unless it already ends a sentence.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

func cancelled(err error) bool {
	return errors.Is(err, context.Canceled) || awsapi.KindOf(err) == awsapi.Canceled
}

func regionOr(r string) string {
	if r == "" {
		return "the default region"
	}
	return r
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

// wrapStyled wraps text at width and renders each line in s.
func wrapStyled(s lipgloss.Style, text string, width int) []string {
	ls := wrap(text, width)
	for i, l := range ls {
		ls[i] = s.Render(l)
	}
	return ls
}

// hardWrap cuts s, which has no spaces to break at (a path), every w cells.
func hardWrap(s string, w int) []string {
	var out []string
	r := []rune(s)
	for len(r) > 0 {
		n, cells := 0, 0
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

// truncate cuts s (which may hold styles) to w cells.
func truncate(s string, w int) string {
	if len(s) <= w || cellWidth(s) <= w {
		return s // a string is never wider than its bytes
	}
	return ansi.Truncate(s, w, "…")
}

// cellWidth is ansi.StringWidth(s), counted directly for the text every
// frame is made of (ASCII, one-cell symbols, CSI style sequences): the
// grapheme segmentation behind ansi.StringWidth costs more than the rest
// of a 120x40 frame. Anything else is measured by ansi.StringWidth.
func cellWidth(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			j := i + 2 // CSI: parameters and intermediates, then a final byte 0x40-0x7E
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j + 1
		case c < 0x20 || c == 0x7f:
			return ansi.StringWidth(s)
		case c < 0x80:
			n++
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !oneCell(r) {
				return ansi.StringWidth(s)
			}
			n++
			i += size
		}
	}
	return n
}

// oneCell reports whether r is one cell wide and starts no grapheme
// cluster of its own width (checked against ansi.StringWidth in
// TestCellWidthIsAnsiStringWidth): Latin-1 and Latin Extended, general
// punctuation (… • —), arrows, box drawing, geometric shapes, ✓ ✗ and
// braille (the spinner).
func oneCell(r rune) bool {
	switch {
	case r >= 0xa0 && r < 0x300:
		return r != 0xad // the soft hyphen takes no cell
	case r >= 0x2010 && r <= 0x2027, r >= 0x2190 && r <= 0x21ff, r >= 0x2500 && r <= 0x259f,
		r >= 0x25a0 && r <= 0x25fc, r >= 0x2800 && r <= 0x28ff:
		return true
	}
	return r == 0x2713 || r == 0x2714 || r == 0x2717 || r == 0x2718
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

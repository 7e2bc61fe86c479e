// Package termtext makes outside text safe to print or draw in a terminal:
// text from servers and files loses its control bytes, escape sequences and
// bidi controls, and words for a shell are quoted.
package termtext

import (
	"strings"
	"unicode/utf8"
)

// Clean strips control bytes (C0 except none, DEL, C1, and so every escape
// sequence) and invalid UTF-8 from text that came from a server or a file,
// so it can be printed or drawn safely.
func Clean(s string) string {
	return clean(s, false)
}

// CleanMultiline is Clean but keeps "\n" (and turns "\r\n" into "\n"), for
// text whose line breaks matter, such as key material or a public key file.
// Every other control byte is removed.
func CleanMultiline(s string) string {
	return clean(s, true)
}

func clean(s string, keepNewline bool) string {
	ok := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size <= 1:
			// invalid UTF-8: dropped
		case r == '\n' && keepNewline:
			b.WriteRune(r)
		case r == 0x1b, r >= 0x80 && r <= 0x9f:
			// An escape sequence goes whole, not just its introducer, so
			// no "]0;title" or "[31m" remnant is left to confuse a reader.
			i = skipEscape(s, i, r)
		case r < 0x20, r == 0x7f:
			// C0 and DEL: dropped
		case isBidiControl(r):
			// direction overrides could make text read as something else
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// skipEscape returns the index just past the escape sequence whose
// introducer r (ESC or a C1 control) ended at i (ECMA-48: CSI runs to a
// final byte 0x40-0x7E; OSC, DCS, SOS, PM and APC run to BEL or ST).
func skipEscape(s string, i int, r rune) int {
	if r == 0x1b {
		if i >= len(s) {
			return i
		}
		switch s[i] {
		case '[':
			r = 0x9b
		case ']':
			r = 0x9d
		case 'P':
			r = 0x90
		case 'X':
			r = 0x98
		case '^':
			r = 0x9e
		case '_':
			r = 0x9f
		default:
			if s[i] >= 0x20 && s[i] < 0x7f {
				return i + 1 // a two-byte escape such as ESC 7 or ESC c
			}
			return i
		}
		i++
	}
	switch r {
	case 0x9b: // CSI
		for i < len(s) {
			c := s[i]
			i++
			if c >= 0x40 && c <= 0x7e {
				return i
			}
			if c < 0x20 || c > 0x3f && c < 0x40 || c >= 0x7f {
				return i - 1 // malformed: stop skipping here
			}
		}
		return i
	case 0x9d, 0x90, 0x98, 0x9e, 0x9f: // strings ended by BEL or ST
		for i < len(s) {
			switch {
			case s[i] == 0x07:
				return i + 1
			case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
				return i + 2
			case strings.HasPrefix(s[i:], "\u009c"):
				return i + len("\u009c")
			}
			i++
		}
		return i
	}
	return i
}

// isBidiControl reports the invisible characters that change the direction
// of the text around them (Unicode bidi embeddings, overrides, isolates, marks).
func isBidiControl(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
}

// ShellQuote quotes s as one word for a POSIX shell when it needs it, so a
// command shown to the user can be pasted as it is. "~" is left bare only
// where the shell does not expand it (not first).
func ShellQuote(s string) string {
	safe := s != ""
	for i, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("-_.+:@/,=%", r) || r == '~' && i > 0) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Sentences makes outside text one line of sentences for a message: it is
// cleaned (line breaks kept at first), its lines are joined with one space,
// a line that ends without punctuation gets a full stop first, so nothing
// reads glued ("…delete webNothing was…"), and runs of spaces fold to one.
// A word is never split across the join.
func Sentences(s string) string {
	lines := strings.Split(CleanMultiline(s), "\n")
	var b strings.Builder
	for _, line := range lines {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			continue
		}
		if b.Len() > 0 {
			prev := b.String()
			if last := prev[len(prev)-1]; !strings.ContainsRune(".!?:;,", rune(last)) {
				b.WriteByte('.')
			}
			b.WriteByte(' ')
		}
		b.WriteString(line)
	}
	return b.String()
}

// internalPrefixes are the package names that start Go error texts of this
// module ("keys: parse ppk line 7: …"): context for a developer, noise for
// a user.
var internalPrefixes = []string{"keys: ", "awsapi: ", "maker: ", "pair: ", "config: ", "ui: ", "fleet: ", "localkeys: "}

// ForUser is an error text as both front ends show it: Sentences, with the
// module's package prefixes dropped wherever a wrapped error starts one.
func ForUser(s string) string {
	s = Sentences(s)
	for _, p := range internalPrefixes {
		s = strings.TrimPrefix(s, p)
		s = strings.ReplaceAll(s, ": "+p, ": ")
		s = strings.ReplaceAll(s, "("+p, "(")
		s = strings.ReplaceAll(s, ". "+p, ". ")
	}
	return s
}

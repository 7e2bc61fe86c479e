package termtext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"\x1b[31mred\x1b[0m", "red"},
		{"\x1b]0;pwned\x07title", "title"},
		{"\x1b]52;c;ZXZpbA==\x1b\\after", "after"},
		{"\x1bPdcs body\x1b\\x", "x"},
		{"\x1b7saved\x1b8", "saved"},
		{"\x1b[2;", ""},
		{"trailing \x1b", "trailing "},
		{"\u202eevil\u202c \u2066iso\u2069 \u200fm", "evil iso m"},
		{"a\tb\nc\r\x00d\x7f", "abcd"},
		{"csi \u009b2J c1 \u0080\u009f", "csi  c1 "},
		{"osc \u009d0;t\u009cend", "osc end"},
		{"bad utf8 \xff\xfe x", "bad utf8  x"},
		{"ünïcödé ✓", "ünïcödé ✓"},
		{"\xc2\x9b", ""}, // C1 in UTF-8
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := CleanMultiline("l1\r\nl2\n\x1b"); got != "l1\nl2\n" {
		t.Errorf("CleanMultiline = %q", got)
	}
}

// FuzzClean: whatever a server or file sends, Clean's output is valid UTF-8
// with no control byte, no bidi control, and cleaning it again changes nothing.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"plain", "\x1b[31mred", "\x1b]0;t\x07x", "\u009b2J", "\u202eevil", "\xff\xfe", "a\r\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{Clean(s), CleanMultiline(s)} {
			if !utf8.ValidString(out) {
				t.Fatalf("invalid UTF-8 from %q: %q", s, out)
			}
			for _, r := range out {
				if r < 0x20 && r != '\n' || r >= 0x7f && r <= 0x9f || isBidiControl(r) {
					t.Fatalf("control %U left in %q (from %q)", r, out, s)
				}
			}
		}
		if c := Clean(s); strings.ContainsRune(c, '\n') || Clean(c) != c {
			t.Fatalf("Clean is not final: %q -> %q", s, c)
		}
	})
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"web":                      "web",
		"ops@bastion:~/.ssh/a.pem": "ops@bastion:~/.ssh/a.pem",
		"~/x":                      "'~/x'",
		"a b":                      "'a b'",
		"it's":                     `'it'\''s'`,
		"":                         "''",
		"$(rm -rf /)":              "'$(rm -rf /)'",
	} {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestSentences(t *testing.T) {
	for in, want := range map[string]string{
		"delete it with keypair delete web\nNothing was created.": "delete it with keypair delete web. Nothing was created.",
		"a  b\t c":                 "a b c",
		"one.\n\ntwo":              "one. two",
		"in eu-west-1\n":           "in eu-west-1",
		"\x1b[31mred\x1b[0m\nnext": "red. next",
		"":                         "",
	} {
		if got := Sentences(in); got != want {
			t.Errorf("Sentences(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestForUser(t *testing.T) {
	in := "--public-key x.ppk: keys: parse ppk line 7: bad\nkeys: second"
	if got, want := ForUser(in), "--public-key x.ppk: parse ppk line 7: bad. second"; got != want {
		t.Errorf("ForUser = %q, want %q", got, want)
	}
}

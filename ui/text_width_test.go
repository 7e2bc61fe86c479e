package ui

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// cellWidth must measure exactly as ansi.StringWidth, which the renderer
// and ansi.Truncate go by.
func TestCellWidthIsAnsiStringWidth(t *testing.T) {
	for _, rg := range [][2]rune{{0x20, 0x7e}, {0xa0, 0x2ff}, {0x2010, 0x2027}, {0x2190, 0x21ff}, {0x2500, 0x259f}, {0x25a0, 0x25ff}, {0x2700, 0x2720}, {0x2800, 0x28ff}} {
		for r := rg[0]; r <= rg[1]; r++ {
			s := "a" + string(r) + "b"
			if got, want := cellWidth(s), ansi.StringWidth(s); got != want {
				t.Errorf("%U: cellWidth %d, ansi.StringWidth %d", r, got, want)
			}
		}
	}
	for _, s := range []string{
		"", "plain", "\x1b[1;38;2;185;166;255mKey pairs\x1b[m in eu-west-1", "> pair ✓ env=prod …", "\x1b]8;;http://x\x07link\x1b]8;;\x07",
		"名前", "e\u0301", "👩‍💻 dev", "tab\there", "\x1b[7m> web-prod   ed25519\x1b[0m", "⣾ Listing", "\x1b[", "soft\u00adhyphen",
	} {
		if got, want := cellWidth(s), ansi.StringWidth(s); got != want {
			t.Errorf("%q: cellWidth %d, ansi.StringWidth %d", s, got, want)
		}
	}
}

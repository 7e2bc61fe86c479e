package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/fleet"
	"github.com/keypair-dev/keypair/localkeys"
	"github.com/keypair-dev/keypair/pair"
)

// FuzzPairsScreen feeds what EC2 and the disk say about a pair (name,
// type, fingerprint, tags, public key, a local path, what uses it) to the
// list and the detail: nothing drawn may carry a control byte of its own
// (only the styles' SGR), and no line may be wider than the terminal.
func FuzzPairsScreen(f *testing.F) {
	f.Add("web-prod", "ed25519", "Q68KgUqe/tnNknas6LSTGTmN90Kn7tB150MNzI3gM0U=", "env", "prod", "ssh-ed25519 AAAA", "/home/u/.ssh/web.pem", "i-0abc", "running")
	f.Add("\x1b]0;pwned\x07evil", "rsa\x1b[2J", "aa:bb", "k\u202e", "v\r\nx", "", "/tmp/\x1b[31mred", "lt-1:2", "名前\x00")
	f.Fuzz(func(t *testing.T, name, typ, fp, tk, tv, pub, path, useID, detail string) {
		fake := newFakeFleet()
		fake.pairs = []fleet.Pair{{KeyPairInfo: awsapi.KeyPairInfo{KeyName: name, KeyPairID: "key-0fuzz", KeyType: typ, KeyFingerprint: fp,
			CreateTime: time.Unix(1700000000, 0), PublicKey: pub, Tags: []pair.Tag{{Key: tk, Value: tv}}},
			LocalKeys: []localkeys.Key{{Path: path, Source: localkeys.SourceFile}}}}
		fake.uses[name] = []awsapi.Use{{Kind: awsapi.UseInstance, ID: useID, Detail: detail}}
		opts := pairsOptions(testOptions(t, newFakeAWS(), "NO_COLOR=1"), fake)
		m := New(t.Context(), opts)
		m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		// The commands' work is done here, without the spinner's timers.
		m.do(openPairsAction{})
		m.Update(loadPairsCmd(t.Context(), opts.pairsDeps, fake, "eu-west-1", opts.LocalKeys, m.pairs.seq)())
		check := func(where string) {
			for _, l := range strings.Split(m.View().Content, "\n") {
				if w := ansi.StringWidth(l); w > 80 {
					t.Fatalf("%s: a line of %d cells: %q", where, w, l)
				}
				plain := ansi.Strip(l)
				for _, r := range plain {
					if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u202e' {
						t.Fatalf("%s: control %U drawn: %q", where, r, l)
					}
				}
			}
		}
		check("list")
		m.Update(keyMsg("enter"))
		d, ok := m.screen.(*pairScreen)
		if !ok {
			t.Fatalf("enter shows %s", screenOf(m))
		}
		m.Update(usedByCmd(t.Context(), opts.pairsDeps, fake, name, d.seq)())
		check("detail")
		m.Update(keyMsg("d"))
		check("confirm")
	})
}

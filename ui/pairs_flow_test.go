package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/localkeys"
)

const kCtrlP = "\x10"

// TestFlowPairs drives the program through the virtual terminal: ctrl+p
// opens Pairs, typing filters, enter opens a pair a local file matches
// (its path shows), and deleting a pair an instance uses asks a second
// time: y alone deletes nothing, the typed name does.
func TestFlowPairs(t *testing.T) {
	fake := newFakeFleet()
	fake.pairs = manyPairs(300)
	fake.pairs[120].KeyName = "bastion"
	fake.pairs[120].LocalKeys = []localkeys.Key{localKey(fake.pairs[120], "/home/u/.ssh/bastion.pem")}
	fake.found = &localkeys.Found{Keys: fake.pairs[120].LocalKeys}
	fake.uses["bastion"] = []awsapi.Use{{Kind: awsapi.UseInstance, ID: "i-0bastion000000001", Detail: "running"}}
	opts := pairsOptions(testOptions(t, newFakeAWS(), "NO_COLOR=1"), fake)
	s := startSession(t, opts, colorprofile.Ascii)
	s.waitFor("credentials: ok", "ctrl+p key pairs")
	s.send("draft")
	s.waitFor("Name     draft")
	s.send(kCtrlP)
	s.waitFor("keypair test · Pairs", "Key pairs in eu-west-1 · 300 · by name", "pair-00000", "local keys: 1 found")
	s.send("/", "bast")
	s.waitFor("1 of 300", "bastion")
	if scr := s.screen(); strings.Contains(scr, "pair-00000") {
		t.Fatalf("the filter left other rows:\n%s", scr)
	}
	s.send(kEnter)
	s.waitFor("Key pair bastion", "/home/u/.ssh/bastion.pem (file)", "OpenSSH SHA256", fake.pairs[120].SHA256Fingerprint,
		"instance i-0bastion000000001 (running)")
	writeScreen(t, "pair-detail", s.screen())
	s.send("d")
	s.waitFor("It is in use by:", "• instance i-0bastion000000001 (running)", "y deletes it")
	s.send("y")
	s.waitFor(`type its name "bastion"`)
	writeScreen(t, "pair-delete-in-use", s.screen())
	if d := fake.deleted(); len(d) != 0 {
		t.Fatalf("deleted after one confirmation: %v", d)
	}
	s.send("bastion", kEnter)
	s.waitFor(`✓ Deleted the key pair "bastion" from eu-west-1.`)
	if d := fake.deleted(); len(d) != 1 || d[0] != "bastion" {
		t.Fatalf("deleted %v", d)
	}
	// The list was listed again and the filter kept: nothing matches now.
	s.waitFor(`No key pair matches "bast"`)
	s.send(kEsc) // clears the kept filter
	s.waitFor("Key pairs in eu-west-1 · 299")
	s.send(kEsc) // back to the form, as it was left
	s.waitFor("Name     draft", "keypair test · Create")
	if colourSGR(s.raw.String()) {
		t.Fatal("NO_COLOR run wrote colour")
	}
	s.end(kCtrlC)
}

package ui

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

func servedOptions(t *testing.T, fake *fakeAWS, login ssh.PublicKey) Options {
	opts := testOptions(t, fake)
	opts.Served = true
	opts.LoginKey = login
	opts.Sources = []pair.Source{pair.SourceLogin}
	opts.Request.Source = pair.SourceLogin
	opts.Request.Tags = []pair.Tag{{Key: pair.ImportedByTag, Value: ssh.FingerprintSHA256(login)}}
	return opts
}

func TestServedSessionImportsTheLoginKey(t *testing.T) {
	k, _ := keys.Generate(keys.ED25519, 0, nil)
	login := k.SSHPublicKey()
	fake := newFakeAWS()
	m := newTestModel(t, servedOptions(t, fake, login))
	wantScreen(t, m, "(•) login key", "[ Import login key ]", ssh.FingerprintSHA256(login))
	dontWantScreen(t, m, "Type", "Format", "aws", "offline")
	typeText(t, m, "alice")
	press(t, m, "ctrl+s")
	if screenOf(m) != screenFingerprint {
		t.Fatalf("want the fingerprint view (no save dialog), got %s:\n%s", screenOf(m), screenText(m))
	}
	wantScreen(t, m, "Imported alice", ssh.FingerprintSHA256(login))
	dontWantScreen(t, m, "Saved to")
	if len(fake.imports) != 1 {
		t.Fatalf("imports: %d", len(fake.imports))
	}
	in := fake.imports[0]
	got, _, err := keys.ParsePublicKey(in.PublicKey)
	if err != nil || string(got.Marshal()) != string(login.Marshal()) {
		t.Fatal("the login key itself must be imported")
	}
	if len(in.Tags) != 1 || in.Tags[0].Key != pair.ImportedByTag {
		t.Fatalf("tags: %v", in.Tags)
	}
	press(t, m, "q")
	res := m.Result()
	if len(res.Saved) != 1 || res.Saved[0].Source != "login" || res.Saved[0].Path != "" || res.Discarded {
		t.Fatalf("result: %+v", res)
	}
}

func TestLoginKeyOfAnotherTypeIsRefusedInTheForm(t *testing.T) {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ec, _ := ssh.NewPublicKey(&priv.PublicKey)
	fake := newFakeAWS()
	m := newTestModel(t, servedOptions(t, fake, ec))
	typeText(t, m, "ec")
	press(t, m, "ctrl+s")
	wantScreen(t, m, "EC2 imports RSA and ED25519 keys only, not ecdsa-sha2-nistp256")
	if screenOf(m) != screenForm || len(fake.imports) != 0 {
		t.Fatal("nothing may be sent")
	}
}

func TestLocalAppOffersTheLoginKeyLast(t *testing.T) {
	k, _ := keys.Generate(keys.RSA, 2048, nil)
	opts := testOptions(t, newFakeAWS())
	opts.LoginKey = k.SSHPublicKey()
	m := newTestModel(t, opts)
	s := screenText(m)
	if !strings.Contains(s, "( ) offline  ( ) login key") {
		t.Fatalf("the login key is offered after the others:\n%s", s)
	}
	opts.LoginKey = nil
	m = newTestModel(t, opts)
	dontWantScreen(t, m, "login key")
}

func TestServedSaveDialogListsOnlyItsFolder(t *testing.T) {
	if insideRoot("/keys/SHA256_x", "/etc/") || insideRoot("/keys/SHA256_x", "~/") || insideRoot("/keys/SHA256_x", "/keys/SHA256_x/../") ||
		insideRoot("/keys/SHA256_x", "rel/") || !insideRoot("/keys/SHA256_x", "/keys/SHA256_x/k") {
		t.Fatal("insideRoot")
	}
}

func TestServedSessionImportsAPastedPublicKey(t *testing.T) {
	k, _ := keys.Generate(keys.ED25519, 0, nil)
	login := k.SSHPublicKey()
	other, _ := keys.Generate(keys.RSA, 2048, nil)
	fake := newFakeAWS()
	opts := servedOptions(t, fake, login)
	opts.Sources = []pair.Source{pair.SourceLogin, pair.SourcePublicKey}
	m := newTestModel(t, opts)
	typeText(t, m, "pasted")
	press(t, m, "tab", "right") // source: paste
	wantScreen(t, m, "(•) paste", "[ Import public key ]")
	press(t, m, "tab") // the key field
	// A private key is refused before anything is sent.
	pem, _ := keys.Encode(other, keys.PEM, 0)
	m.Update(tea.PasteMsg{Content: string(pem)})
	wantScreen(t, m, "this is a private key")
	press(t, m, "ctrl+s")
	if len(fake.imports) != 0 || screenOf(m) != screenForm {
		t.Fatal("a private key must never be sent")
	}
	f := m.form
	f.pubKey.SetValue("")
	m.Update(tea.PasteMsg{Content: keys.AuthorizedKey(other.SSHPublicKey(), "bob@laptop")})
	wantScreen(t, m, ssh.FingerprintSHA256(other.SSHPublicKey()))
	press(t, m, "ctrl+s")
	if screenOf(m) != screenFingerprint || len(fake.imports) != 1 {
		t.Fatalf("want the import and the fingerprint view:\n%s", screenText(m))
	}
	got, _, _ := keys.ParsePublicKey(fake.imports[0].PublicKey)
	if string(got.Marshal()) != string(other.SSHPublicKey().Marshal()) {
		t.Fatal("another key was sent")
	}
	if fake.imports[0].Tags[0].Value != ssh.FingerprintSHA256(login) {
		t.Fatal("the imported-by tag names the importing admin's key")
	}
	wantScreen(t, m, "Imported pasted into EC2 from the pasted public key")
}

package maker

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

func loginKey(t *testing.T, typ keys.Type) ssh.PublicKey {
	t.Helper()
	k, err := keys.Generate(typ, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	return k.SSHPublicKey()
}

func TestLoginImportsTheGivenKeyAndNothingElse(t *testing.T) {
	pub := loginKey(t, keys.ED25519)
	f := &fakeEC2{}
	p := &Pipeline{API: f, Region: "eu-west-1", LoginOnly: true}
	tags := []pair.Tag{{Key: pair.ImportedByTag, Value: ssh.FingerprintSHA256(pub)}}
	plan, err := p.Plan(pair.Request{Name: "alice", Source: pair.SourceLogin, PublicKey: pub, Tags: tags, Format: keys.PPK, Bits: 4096}, "")
	if err != nil {
		t.Fatal(err)
	}
	if plan.Action != ActionImport || plan.Request.Type != keys.ED25519 || plan.Request.Format != "" {
		t.Fatalf("plan: %+v", plan)
	}
	made, err := p.Make(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	if !made.InEC2 || !made.Imported() || made.Orphan() || made.Unsaved() || made.Key != nil || len(made.File) != 0 {
		t.Fatalf("made: %+v", made)
	}
	if strings.Join(f.calls, ",") != "ImportKeyPair" {
		t.Fatalf("calls: %v", f.calls)
	}
	if d := p.Discard(context.Background(), made); d.InEC2 || len(f.deleted) != 0 {
		t.Fatal("a login import is never rolled back: its private key is the user's")
	}
	if ds := p.Close(context.Background()); len(ds) != 0 {
		t.Fatal("Close must leave the import alone")
	}
	if made.Fingerprints.SHA256 != ssh.FingerprintSHA256(pub) || made.Summary().Source != "login" {
		t.Fatalf("summary: %+v", made.Summary())
	}
}

func TestLoginRefusesWhatEC2CannotImport(t *testing.T) {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ec, _ := ssh.NewPublicKey(&priv.PublicKey)
	f := &fakeEC2{}
	p := &Pipeline{API: f, Region: "eu-west-1"}
	for _, req := range []pair.Request{
		{Name: "ec", Source: pair.SourceLogin, PublicKey: ec},
		{Name: "none", Source: pair.SourceLogin},
	} {
		_, err := p.Plan(req, "")
		var inv *InvalidRequestError
		if !errors.As(err, &inv) || inv.Errs[0].Field != "source" {
			t.Fatalf("%s: %v", req.Name, err)
		}
		if req.PublicKey != nil && !strings.Contains(err.Error(), "RSA and ED25519 keys only") {
			t.Fatalf("the refusal must say why: %v", err)
		}
	}
	if len(f.calls) != 0 {
		t.Fatal("nothing may be sent")
	}
}

func TestLoginOnlyRefusesKeysMadeHere(t *testing.T) {
	p := &Pipeline{API: &fakeEC2{}, Region: "eu-west-1", LoginOnly: true}
	for _, s := range []pair.Source{pair.SourceAWS, pair.SourceLocal, pair.SourceOffline} {
		if _, err := p.Plan(pair.Request{Name: "x", Source: s, Type: keys.ED25519}, ""); err == nil || !strings.Contains(err.Error(), "--keys-dir") {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestLoginDryRunSendsTheLoginKey(t *testing.T) {
	pub := loginKey(t, keys.RSA)
	var sent []byte
	api := &recordingAPI{fakeEC2: &fakeEC2{}, onImport: func(in awsapi.ImportInput) { sent = in.PublicKey }}
	p := &Pipeline{API: api, Region: "eu-west-1"}
	plan, err := p.Plan(pair.Request{Name: "d", Source: pair.SourceLogin, PublicKey: pub, DryRun: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DryRun(context.Background(), plan); err != nil {
		t.Fatal(err)
	}
	got, _, err := keys.ParsePublicKey(sent)
	if err != nil || string(got.Marshal()) != string(pub.Marshal()) {
		t.Fatal("the dry run must send the login key itself")
	}
}

type recordingAPI struct {
	*fakeEC2
	onImport func(awsapi.ImportInput)
}

func (r *recordingAPI) ImportKeyPair(ctx context.Context, in awsapi.ImportInput) (*awsapi.ImportOutput, error) {
	r.onImport(in)
	return r.fakeEC2.ImportKeyPair(ctx, in)
}

func TestRootConfinesSaves(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "SHA256_abc")
	outside := filepath.Join(base, "other")
	os.Mkdir(outside, 0o700)
	os.Symlink(outside, filepath.Join(base, "link"))
	p := &Pipeline{Root: root}
	req := pair.Request{Name: "k", Source: pair.SourceOffline, Type: keys.ED25519}
	for _, path := range []string{
		filepath.Join(root, "..", "other", "k.pem"),
		filepath.Join(outside, "k.pem"),
		"~/k.pem",
		"../k.pem",
		root,
	} {
		if _, err := p.Plan(req, path); err == nil {
			t.Fatalf("%s: a path outside the root was accepted", path)
		}
	}
	// A link inside the root that leads out of it.
	if err := os.MkdirAll(root, 0o700); err != nil {
		t.Fatal(err)
	}
	os.Symlink(outside, filepath.Join(root, "out"))
	if _, err := p.Plan(req, filepath.Join(root, "out", "k.pem")); err == nil || !errors.Is(err, ErrOutsideRoot) {
		t.Fatalf("through a link: %v", err)
	}
	os.Symlink(filepath.Join(outside, "target.pem"), filepath.Join(root, "dangling.pem"))
	made, _, err := p.Run(context.Background(), req, filepath.Join(root, "dangling.pem"))
	if err == nil || made != nil {
		t.Fatal("a link as the file itself must be refused")
	}
	if _, err := os.Stat(filepath.Join(outside, "target.pem")); err == nil {
		t.Fatal("written through the link")
	}
	made, _, err = p.Run(context.Background(), req, filepath.Join(root, "k.pem"))
	if err != nil || made.Path != filepath.Join(root, "k.pem") {
		t.Fatalf("inside the root: %v", err)
	}
	fi, _ := os.Stat(made.Path)
	if fi.Mode().Perm() != 0o600 {
		t.Fatal(fi.Mode())
	}
	// A bare name lands in the root.
	made, _, err = p.Run(context.Background(), pair.Request{Name: "k2", Source: pair.SourceOffline, Type: keys.ED25519}, "k2.pem")
	if err != nil || made.Path != filepath.Join(root, "k2.pem") {
		t.Fatalf("bare name: %v %v", made, err)
	}
}

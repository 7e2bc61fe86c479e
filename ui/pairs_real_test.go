package ui

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/charmbracelet/colorprofile"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/fleet"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/localkeys"
	"github.com/keypair-dev/keypair/pair"
)

// writeLocalKey writes a new ED25519 private key to dir/name.pem (0600)
// and returns its public half.
func writeLocalKey(t *testing.T, dir, name string) string {
	t.Helper()
	k, err := keys.Generate(keys.ED25519, 0, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pem, err := keys.EncodePEM(k)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".pem"), pem, 0o600); err != nil {
		t.Fatal(err)
	}
	return keys.AuthorizedKey(k.SSHPublicKey(), name)
}

// TestFlowPairsRealPackages runs the Pairs screen on the real fleet,
// localkeys and awsapi.Client against the stand-in: a key file in the
// folder is matched to the pair its public key was imported as, its path
// shows in the detail, the key is imported into another region, and an
// unused pair is deleted after one yes.
func TestFlowPairsRealPackages(t *testing.T) {
	srv, client := standInClient(t, "")
	ctx := context.Background()
	opts := testOptions(t, nil)
	dir := filepath.Join(t.TempDir(), "ssh")
	pub := writeLocalKey(t, dir, "laptop")
	if _, err := client.ImportKeyPair(ctx, awsapi.ImportInput{Name: "laptop-pair", PublicKey: []byte(pub)}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateKeyPair(ctx, awsapi.CreateInput{Name: "spare", Type: keys.ED25519, Format: keys.PEM}); err != nil {
		t.Fatal(err)
	}
	opts.Request.Source = pair.SourceAWS
	opts.Client, opts.Pairs, opts.Regions = client, client, client
	opts.Connect = func(r string) (fleet.Client, error) { return client.InRegion(r), nil }
	opts.LocalKeys = localkeys.Options{Dirs: []string{dir}}
	s := startSession(t, opts, colorprofile.ANSI256)
	s.waitFor("credentials: ok")
	s.send(kCtrlP)
	s.waitFor("Key pairs in us-east-1 · 2", "laptop-pair", "spare", "local keys: 1 found")
	s.send("/", "laptop-", kEnter)
	s.waitFor("Key pair laptop-pair", filepath.Join(dir, "laptop.pem")+" (file)", "OpenSSH SHA256", "ssh-ed25519 ")
	// The local key goes into another region; here it is present already.
	s.send("i")
	s.waitFor(`Import "laptop-pair" into regions`)
	s.send("eu-west-1,us-east-1", kEnter)
	s.waitFor(`✓ "laptop-pair" is in all 2 regions: 1 imported, 1 present`, "eu-west-1", "us-east-1")
	if !standHas(srv, "eu-west-1", "laptop-pair") {
		t.Fatal("the stand-in has no laptop-pair in eu-west-1")
	}
	s.send(kEnter)
	s.waitFor("Key pair laptop-pair")
	s.send(kEsc, kEsc) // the list, then the filter cleared
	s.waitFor("Key pairs in us-east-1 · 2 · by name")
	s.send("/", "spare", kEnter)
	s.waitFor("Key pair spare")
	s.send("d")
	s.waitFor("Nothing uses it", "y deletes it")
	s.send("y")
	s.waitFor(`✓ Deleted the key pair "spare" from us-east-1.`)
	for _, p := range srv.KeyPairs("us-east-1") {
		if p.Name == "spare" {
			t.Fatal("the stand-in still holds spare")
		}
	}
	s.end(kCtrlC)
}

// TestFlowPairsFetchFromSSM: a pair whose private key is kept in SSM
// (as create --store ssm and CloudFormation keep it) shows its parameter in
// the detail, and k saves the key, checked against the pair, with mode
// 0600 into the save folder; a pair with no parameter says so.
func TestFlowPairsFetchFromSSM(t *testing.T) {
	srv, client := standInClient(t, "")
	t.Setenv("AWS_ENDPOINT_URL_SSM", srv.URL())
	client, err := awsapi.New(context.Background(), awsapi.Options{EndpointURL: srv.URL(), AppVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	made, err := client.CreateKeyPair(ctx, awsapi.CreateInput{Name: "kept", Type: keys.ED25519, Format: keys.PEM})
	if err != nil {
		t.Fatal(err)
	}
	param := awsapi.KeyParameterName(made.KeyPairID)
	if _, err := client.PutKeyParameter(ctx, awsapi.PutParameterInput{Name: param, Value: made.KeyMaterial}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateKeyPair(ctx, awsapi.CreateInput{Name: "loose", Type: keys.ED25519, Format: keys.PEM}); err != nil {
		t.Fatal(err)
	}
	opts := testOptions(t, nil)
	saveDir := filepath.Join(t.TempDir(), "keys")
	if err := os.Mkdir(saveDir, 0o700); err != nil {
		t.Fatal(err)
	}
	opts.Config.SaveDir = saveDir
	opts.Request.Source = pair.SourceAWS
	opts.Client, opts.Pairs, opts.Regions, opts.Custody = client, client, client, client
	s := startSession(t, opts, colorprofile.ANSI256)
	s.waitFor("credentials: ok")
	s.send(kCtrlP)
	s.waitFor("Key pairs in us-east-1 · 2", "kept", "loose")
	s.send("/", "loose", kEnter)
	s.waitFor("Key pair loose", "Private key in SSM Parameter Store", "does not exist")
	s.send("s")
	s.waitFor("No private key of this pair is kept in SSM Parameter Store")
	s.send(kEsc, kEsc)
	s.waitFor("Key pairs in us-east-1 · 2 · by name")
	s.send("/", "kept", kEnter)
	s.waitFor("Key pair kept", param, "s saves it into")
	s.send("s")
	path := filepath.Join(saveDir, "kept.pem")
	s.waitFor("Saved the private key from SSM to")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(made.KeyMaterial) && string(got) != string(made.KeyMaterial)+"\n" {
		t.Errorf("the saved key is not the one kept in SSM")
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v %v", fi.Mode(), err)
	}
	// A second fetch never overwrites the file.
	s.send("s")
	s.waitFor("The private key was not fetched")
	s.end(kCtrlC)
}

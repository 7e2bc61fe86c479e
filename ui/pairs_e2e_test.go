package ui

// Layer 3 for the Pairs screen: the real binary in tmux (e2e_test.go's
// harness) against the stand-in EC2, with a key file in ~/.ssh.

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/keys"
)

// startPairsBinary runs `keypair create --endpoint-url` on the stand-in
// with its credentials, and seeds it: laptop-pair is the public key of
// ~/.ssh/laptop.pem (written before the Pairs screen opens), spare is a
// pair made by EC2 that nothing here matches.
func startPairsBinary(t *testing.T) (*tmuxSession, string, *ec2test.Server, *awsapi.Client) {
	t.Helper()
	srv, client := standInClient(t, "")
	ctx := context.Background()
	s, tmp := startBinaryEnv(t, []string{"AWS_ACCESS_KEY_ID=" + ec2test.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + ec2test.SecretAccessKey},
		"create", "--endpoint-url", srv.URL())
	pub := writeLocalKey(t, filepath.Join(tmp, ".ssh"), "laptop")
	if _, err := client.ImportKeyPair(ctx, awsapi.ImportInput{Name: "laptop-pair", PublicKey: []byte(pub)}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateKeyPair(ctx, awsapi.CreateInput{Name: "spare", Type: keys.ED25519, Format: keys.PEM}); err != nil {
		t.Fatal(err)
	}
	s.waitFor("credentials: ok", "ctrl+p key pairs")
	return s, tmp, srv, client
}

// TestEndToEndPairs: ctrl+p lists the stand-in's pairs, typing filters,
// the pair of ~/.ssh/laptop.pem shows that path, an unused pair is
// deleted after one y, and esc returns to the form.
func TestEndToEndPairs(t *testing.T) {
	s, tmp, srv, _ := startPairsBinary(t)
	s.keys("C-p")
	writeScreen(t, "tmux-pairs", s.waitFor("keypair dev · Pairs", "Key pairs in us-east-1 · 2", "laptop-pair", "spare", "local keys: 1 found"))
	// A filter no fingerprint can hold ("-" is not in base64 or hex): a
	// random key's fingerprint may contain "lap" in any case.
	s.text("/laptop-")
	s.waitFor("1 of 2", "laptop-pair")
	s.keys("Enter")
	path := filepath.Join(tmp, ".ssh", "laptop.pem")
	writeScreen(t, "tmux-pair-detail", s.waitFor("Key pair laptop-pair", path+" (file)", "OpenSSH SHA256", "nothing uses it"))
	s.keys("Escape")
	s.waitFor("1 of 2")
	s.keys("Escape") // the kept filter goes
	s.waitFor("Key pairs in us-east-1 · 2 · by name")
	s.text("/spare")
	s.keys("Enter")
	s.waitFor("Key pair spare")
	s.text("d")
	s.waitFor("Nothing uses it", "y deletes it")
	s.text("y")
	s.waitFor(`✓ Deleted the key pair "spare" from us-east-1.`)
	for _, p := range srv.KeyPairs("us-east-1") {
		if p.Name == "spare" {
			t.Fatal("the stand-in still holds spare")
		}
	}
	s.keys("Escape") // the kept filter goes
	s.waitFor("Key pairs in us-east-1 · 1 · by name")
	s.keys("Escape")
	s.waitFor("Name", "[ Create key pair ]", "· Create ·")
	s.keys("C-c")
	if out := waitExit(t, s, tmp); out != "" {
		t.Fatalf("stdout %q: nothing was saved", out)
	}
}

// TestEndToEndPairsDeleteInUse: a pair an instance uses is not deleted on
// one y; the typed name is asked for, and a wrong one deletes nothing.
func TestEndToEndPairsDeleteInUse(t *testing.T) {
	s, tmp, srv, _ := startPairsBinary(t)
	seedInstance(t, srv, "us-east-1", "laptop-pair")
	s.keys("C-p")
	s.waitFor("laptop-pair")
	s.text("/laptop")
	s.keys("Enter")
	s.waitFor("Key pair laptop-pair", "instance i-")
	s.text("d")
	s.waitFor("It is in use by:", "y deletes it")
	s.text("y")
	writeScreen(t, "tmux-pair-delete-in-use", s.waitFor(`type its name "laptop-pair"`))
	s.text("laptop")
	s.keys("Enter")
	s.waitFor("nothing was deleted")
	if !standHas(srv, "us-east-1", "laptop-pair") {
		t.Fatal("a wrong name deleted the pair")
	}
	s.keys("Escape")
	s.waitFor("Key pair laptop-pair", "d delete")
	s.keys("C-c")
	waitExit(t, s, tmp)
	if !standHas(srv, "us-east-1", "laptop-pair") {
		t.Fatal("the pair in use was deleted")
	}
}

// seedInstance starts an instance launched with the key pair name in the stand-in.
func seedInstance(t *testing.T, srv *ec2test.Server, region, keyName string) {
	t.Helper()
	if _, err := srv.AddInstance(region, ec2test.Instance{State: "running", KeyName: keyName, Name: "web-1"}); err != nil {
		t.Fatal(err)
	}
}

func standHas(srv *ec2test.Server, region, name string) bool {
	for _, p := range srv.KeyPairs(region) {
		if p.Name == name {
			return true
		}
	}
	return false
}

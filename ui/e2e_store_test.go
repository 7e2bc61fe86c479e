package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/keys"
)

// TestEndToEndStoreInSSM runs `keypair create --store ssm --out none` in
// tmux: the save step starts on "SSM parameter", enter keeps the key there
// only, and the parameter holds a key whose public half EC2 holds.
func TestEndToEndStoreInSSM(t *testing.T) {
	srv := ec2test.New(ec2test.Options{})
	t.Cleanup(srv.Close)
	s, tmp := startBinaryEnv(t, []string{"AWS_ACCESS_KEY_ID=" + ec2test.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + ec2test.SecretAccessKey,
		"AWS_ENDPOINT_URL=" + srv.URL()},
		"create", "--name", "vault-e2e", "--type", "ed25519", "--store", "ssm", "--out", "none")
	s.waitFor("Name     vault-e2e", "credentials: ok")
	s.keys("C-s")
	s.waitFor("Save the private key", "Keep in: SSM parameter", "/ec2/keypair/key-")
	s.keys("Enter")
	s.waitFor("✓ Saved vault-e2e", "Kept in SSM Parameter Store: /ec2/keypair/key-")
	pairs := srv.KeyPairs("us-east-1")
	if len(pairs) != 1 {
		t.Fatalf("pairs %+v", pairs)
	}
	p, ok := srv.Parameter("us-east-1", "/ec2/keypair/"+pairs[0].ID)
	if !ok || p.Type != "SecureString" || !strings.Contains(p.Value, "OPENSSH PRIVATE KEY") {
		t.Fatalf("parameter %v", p)
	}
	k, err := keys.ParsePrivateKey([]byte(p.Value))
	if err != nil {
		t.Fatal(err)
	}
	if f := strings.Fields(keys.AuthorizedKey(k.SSHPublicKey(), "")); !strings.Contains(pairs[0].PublicKey, f[1]) {
		t.Fatalf("the stored key is not the pair's: %q vs %q", f[1], pairs[0].PublicKey)
	}
	if entries, _ := os.ReadDir(filepath.Join(tmp, ".ssh")); len(entries) != 0 {
		t.Errorf("a file was written: %v", entries)
	}
	s.keys("q")
	if out := waitExit(t, s, tmp); !strings.Contains(out, "ssm:/ec2/keypair/"+pairs[0].ID) {
		t.Fatalf("stdout %q", out)
	}
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
)

// awsCLI is a cli whose AWS calls go to a fresh stand-in EC2 endpoint with
// the example credentials in us-east-1.
func awsCLI(t *testing.T) (*cli, *ec2test.Server) {
	t.Helper()
	srv := ec2test.New(ec2test.Options{})
	t.Cleanup(srv.Close)
	c := newCLI(t)
	c.env["AWS_ACCESS_KEY_ID"] = ec2test.AccessKeyID
	c.env["AWS_SECRET_ACCESS_KEY"] = ec2test.SecretAccessKey
	c.env["AWS_REGION"] = "us-east-1"
	c.env["AWS_ENDPOINT_URL_EC2"] = srv.URL()
	return c, srv
}

func actions(srv *ec2test.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		out = append(out, r.Action)
	}
	return out
}

func TestCreateAWSSavesWhatEC2Returned(t *testing.T) {
	for _, tc := range []struct{ typ, format string }{{"rsa", "pem"}, {"ed25519", "pem"}, {"ed25519", "ppk"}, {"rsa", "ppk"}} {
		t.Run(tc.typ+"-"+tc.format, func(t *testing.T) {
			c, srv := awsCLI(t)
			r := c.run("", "create", "--batch", "--source", "aws", "--name", "web", "--type", tc.typ, "--format", tc.format, "--tag", "env=prod", "--json")
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			var got maker.Summary
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatal(err)
			}
			pairs := srv.KeyPairs("us-east-1")
			if len(pairs) != 1 || pairs[0].Name != "web" || len(pairs[0].Tags) != 1 || pairs[0].Tags[0] != (pair.Tag{Key: "env", Value: "prod"}) {
				t.Fatalf("server state: %+v", pairs)
			}
			if got.KeyPairID != pairs[0].ID || got.KeyFingerprint != pairs[0].Fingerprint || got.Region != "us-east-1" || got.Source != "aws" {
				t.Errorf("result %+v does not match the server's pair %+v", got, pairs[0])
			}
			data, err := os.ReadFile(got.Path)
			if err != nil {
				t.Fatal(err)
			}
			k, err := keys.ParsePrivateKey(data)
			if err != nil {
				t.Fatalf("saved file does not parse: %v", err)
			}
			fp, _ := keys.AWSFingerprint(k.SSHPublicKey(), k, true)
			if fp != got.KeyFingerprint {
				t.Errorf("saved key's EC2 fingerprint %s, reported %s", fp, got.KeyFingerprint)
			}
			if got.Path != filepath.Join(c.home, ".ssh", "web."+tc.format) {
				t.Errorf("path %s", got.Path)
			}
		})
	}
}

func TestCreateAWSChecksOutBeforeCallingEC2(t *testing.T) {
	c, srv := awsCLI(t)
	out := filepath.Join(c.home, "taken.pem")
	os.WriteFile(out, []byte("x"), 0o600)
	r := c.run("", "create", "--batch", "--name", "web", "--out", out)
	if r.code != exitUsage {
		t.Fatalf("exit %d, want 2: %s", r.code, r.stderr)
	}
	r = c.run("", "create", "--batch", "--name", "web", "--out", filepath.Join(c.home, "no", "such", "dir", "k.pem"))
	if r.code != exitUsage {
		t.Fatalf("missing folder: exit %d, want 2: %s", r.code, r.stderr)
	}
	if a := actions(srv); len(a) != 0 {
		t.Errorf("EC2 was called before the path was checked: %v", a)
	}
}

func TestCreateLocalImportsAfterSaving(t *testing.T) {
	c, srv := awsCLI(t)
	r := c.run("", "create", "--batch", "--source", "local", "--name", "laptop", "--type", "rsa", "--bits", "4096", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got maker.Summary
	json.Unmarshal([]byte(r.stdout), &got)
	pairs := srv.KeyPairs("us-east-1")
	if len(pairs) != 1 || !pairs[0].Imported || pairs[0].ID != got.KeyPairID || pairs[0].Fingerprint != got.KeyFingerprint {
		t.Fatalf("server %+v, result %+v", pairs, got)
	}
	if len(got.KeyFingerprint) != 47 {
		t.Errorf("imported RSA should show EC2's MD5 (47 characters): %q", got.KeyFingerprint)
	}
	if _, err := os.Stat(got.Path); err != nil {
		t.Error(err)
	}
}

func TestCreateLocalImportRefusedRemovesFile(t *testing.T) {
	c, srv := awsCLI(t)
	srv.Inject(ec2test.Fault{Kind: ec2test.Deny, Action: "ImportKeyPair"})
	r := c.run("", "create", "--batch", "--source", "local", "--name", "laptop", "--type", "ed25519")
	if r.code != exitFailed {
		t.Fatalf("exit %d, want 1: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "ec2:ImportKeyPair") || !strings.Contains(r.stderr, "removed") {
		t.Errorf("stderr should name the permission and say the file was removed:\n%s", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(c.home, ".ssh", "laptop.pem")); !os.IsNotExist(err) {
		t.Errorf("the private key file should be gone: %v", err)
	}
	if len(srv.KeyPairs("us-east-1")) != 0 {
		t.Error("a pair exists in EC2")
	}
}

// A lost import answer (issue 9): EC2 imported the key and the answer was
// lost. The pipeline keeps the file, looks the pair up, finds our public
// key in it, and reports success (with a warning), never "nothing was made".
func TestCreateLocalImportAnswerLostKeepsFile(t *testing.T) {
	c, srv := awsCLI(t)
	srv.Inject(ec2test.Fault{Kind: ec2test.DropAfter, Action: "ImportKeyPair"})
	r := c.run("", "create", "--batch", "--source", "local", "--name", "laptop", "--type", "ed25519")
	if r.code != exitOK {
		t.Fatalf("exit %d, want 0: %s", r.code, r.stderr)
	}
	path := filepath.Join(c.home, ".ssh", "laptop.pem")
	if _, err := os.Stat(path); err != nil {
		t.Errorf("EC2 holds the pair, so the private key must be kept: %v", err)
	}
	if !strings.Contains(r.stderr, "the import went through") {
		t.Errorf("stderr should say the lost answer was checked:\n%s", r.stderr)
	}
	if len(srv.KeyPairs("us-east-1")) != 1 {
		t.Error("the pair should be in EC2")
	}
}

func TestCreateAWSLostAnswer(t *testing.T) {
	c, srv := awsCLI(t)
	srv.Inject(ec2test.Fault{Kind: ec2test.DropAfter, Action: "CreateKeyPair", Times: 1})
	r := c.run("", "create", "--batch", "--name", "lost")
	if r.code != exitFailed {
		t.Fatalf("exit %d, want 1: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "keypair delete lost") {
		t.Errorf("stderr should say how to recover:\n%s", r.stderr)
	}
	if entries, _ := os.ReadDir(filepath.Join(c.home, ".ssh")); len(entries) != 0 {
		t.Errorf("nothing should be saved: %v", entries)
	}
}

func TestDryRuns(t *testing.T) {
	c, srv := awsCLI(t)
	for _, src := range []string{"aws", "local"} {
		r := c.run("", "create", "--batch", "--source", src, "--name", "dry", "--dry-run", "--json")
		if r.code != 0 || !strings.Contains(r.stdout, `"permitted": true`) {
			t.Errorf("%s permitted dry run: exit %d %s %s", src, r.code, r.stdout, r.stderr)
		}
	}
	srv.Inject(ec2test.Fault{Kind: ec2test.Deny})
	r := c.run("", "create", "--batch", "--name", "dry", "--dry-run")
	if r.code != exitFailed || !strings.Contains(r.stderr, "denied") {
		t.Errorf("denied dry run: exit %d %s", r.code, r.stderr)
	}
	if len(srv.KeyPairs("us-east-1")) != 0 {
		t.Error("a dry run made a pair")
	}
	if entries, _ := os.ReadDir(filepath.Join(c.home, ".ssh")); len(entries) != 0 {
		t.Errorf("a dry run saved something: %v", entries)
	}
}

func TestImportListDelete(t *testing.T) {
	c, srv := awsCLI(t)
	pub := filepath.Join("keys", "testdata", "ed25519.pub") // a copy of shared/testdata/vectors
	r := c.run("", "import", "--name", "vec", "--public-key", pub, "--tag", "a=b", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, "ZZwO320XSyYboakxNrptOJUfNnoGQYs34+qtB8RX2KY=") {
		t.Fatalf("import: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = c.run("", "import", "--name", "vec", "--public-key", pub)
	if r.code != exitFailed || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("duplicate import: exit %d %s", r.code, r.stderr)
	}
	r = c.run("", "list", "--json")
	var list []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) != 1 || list[0]["keyName"] != "vec" {
		t.Fatalf("list --json: %v %s", err, r.stdout)
	}
	r = c.run("", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "vec") || !strings.Contains(r.stdout, "ed25519") {
		t.Errorf("list: %d %s", r.code, r.stdout)
	}
	if r := c.run("", "delete", "vec"); r.code != exitUsage {
		t.Errorf("delete without --yes and no terminal: exit %d, want 2", r.code)
	}
	if r := c.run("", "delete", "nope", "--yes"); r.code != exitFailed || !strings.Contains(r.stderr, "no key pair named") {
		t.Errorf("delete of a missing pair: exit %d %s", r.code, r.stderr)
	}
	if r := c.run("", "delete", "vec", "--dry-run"); r.code != 0 {
		t.Errorf("delete --dry-run: exit %d %s", r.code, r.stderr)
	}
	if r := c.run("", "delete", "vec", "--yes"); r.code != 0 {
		t.Errorf("delete --yes: exit %d %s", r.code, r.stderr)
	}
	if len(srv.KeyPairs("us-east-1")) != 0 {
		t.Error("the pair is still there")
	}
	if r := c.run("", "import", "--name", "bad", "--public-key", filepath.Join(c.home, "missing.pub")); r.code != exitUsage {
		t.Errorf("import of a missing file: exit %d, want 2", r.code)
	}
}

func TestNoCredentialsSaysHowToProvideThem(t *testing.T) {
	c, _ := awsCLI(t)
	delete(c.env, "AWS_ACCESS_KEY_ID")
	delete(c.env, "AWS_SECRET_ACCESS_KEY")
	r := c.run("", "create", "--batch", "--name", "nocreds", "--out", filepath.Join(c.home, "nocreds.pem"))
	// Nothing was sent, so this is a refusal (exit 2), not a failure (issue 8, defect 21).
	if r.code != exitUsage || !strings.Contains(r.stderr, "AWS_ACCESS_KEY_ID") || !strings.Contains(r.stderr, "--source offline") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

func TestServerTextIsCleaned(t *testing.T) {
	c, srv := awsCLI(t)
	srv.Inject(ec2test.Fault{Kind: ec2test.CustomError, Status: 400, Code: "InvalidParameterValue", Message: "bad \x1b]52;c;ZXZpbA==\x07\x1b[2Jvalue\x9b31m"})
	r := c.run("", "create", "--batch", "--name", "x")
	if r.code != exitFailed {
		t.Fatalf("exit %d", r.code)
	}
	if strings.ContainsAny(r.stderr, "\x1b\x07\x9b") || strings.Contains(r.stderr, "\u009b") {
		t.Errorf("an escape sequence from the server reached the terminal: %q", r.stderr)
	}
}

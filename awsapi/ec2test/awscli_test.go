package ec2test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keypair-dev/keypair/internal/oracle"
	"github.com/keypair-dev/keypair/keys"
)

// awsCLI is Debian's awscli v2 (a plain `aws` on PATH may be a pip v1).
const awsCLI = "/usr/bin/aws"

// requireAWSCLI skips or fails the test when awscli v2 is missing (see oracle.Need).
func requireAWSCLI(t *testing.T) { oracle.Need(t, awsCLI) }

// runAWS runs awscli v2 against s with an explicit environment (oracles.md
// §5): fake credentials, no user files, no pager, and a proxy safety net so
// anything but loopback fails.
func runAWS(t *testing.T, s *Server, args ...string) (stdout, stderr string, exit int) {
	t.Helper()
	return runAWSService(t, s, "ec2", args...)
}

// runAWSService is runAWS for another service ("autoscaling") at the same URL.
func runAWSService(t *testing.T, s *Server, service string, args ...string) (stdout, stderr string, exit int) {
	t.Helper()
	return runAWSServiceEnv(t, s, service, nil, args...)
}

// runAWSServiceEnv is runAWSService with more environment (KEY=VALUE).
func runAWSServiceEnv(t *testing.T, s *Server, service string, env []string, args ...string) (stdout, stderr string, exit int) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(awsCLI, append([]string{"--endpoint-url=" + s.URL(), service}, args...)...)
	cmd.Dir = home
	cmd.Env = []string{
		"PATH=/usr/bin:/bin",
		"HOME=" + home,
		"AWS_ACCESS_KEY_ID=" + AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + SecretAccessKey,
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_PAGER=",
		"AWS_EC2_METADATA_DISABLED=true",
		"HTTPS_PROXY=http://127.0.0.1:1", "HTTP_PROXY=http://127.0.0.1:1", "NO_PROXY=127.0.0.1",
		"https_proxy=http://127.0.0.1:1", "http_proxy=http://127.0.0.1:1", "no_proxy=127.0.0.1",
	}
	cmd.Env = append(cmd.Env, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		exit = ee.ExitCode()
	case err != nil:
		t.Fatalf("aws %s %v: %v", service, args, err)
	}
	return out.String(), errb.String(), exit
}

type cliKeyPair struct {
	KeyFingerprint, KeyMaterial, KeyName, KeyPairId string
	Tags                                            []struct{ Key, Value string }
}

// checkMaterial parses what awscli printed and checks EC2's fingerprint.
func checkMaterial(t *testing.T, kp cliKeyPair, typ keys.Type) {
	t.Helper()
	k, err := keys.ParsePrivateKey([]byte(kp.KeyMaterial))
	if err != nil {
		t.Fatalf("key material awscli printed does not parse: %v\n%s", err, kp.KeyMaterial)
	}
	if k.Type() != typ {
		t.Errorf("key type %s, want %s", k.Type(), typ)
	}
	fp, err := keys.AWSFingerprint(k.SSHPublicKey(), k, true)
	if err != nil {
		t.Fatal(err)
	}
	if fp != kp.KeyFingerprint {
		t.Errorf("KeyFingerprint %q, but the printed key's is %q", kp.KeyFingerprint, fp)
	}
}

// TestAWSCLI drives the real awscli v2 through every key pair action: the
// stand-in must speak EC2 well enough for it.
func TestAWSCLI(t *testing.T) {
	requireAWSCLI(t)
	s := New(Options{})
	defer s.Close()

	t.Run("create rsa pem with tags", func(t *testing.T) {
		out, errOut, code := runAWS(t, s, "create-key-pair", "--key-name", "cli rsa", "--key-type", "rsa", "--key-format", "pem",
			"--tag-specifications", "ResourceType=key-pair,Tags=[{Key=env,Value=dev},{Key=team,Value=ops}]")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var kp cliKeyPair
		if err := json.Unmarshal([]byte(out), &kp); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if !strings.HasPrefix(kp.KeyMaterial, "-----BEGIN RSA PRIVATE KEY-----\n") {
			t.Errorf("material is not PKCS#1 PEM: %.40q", kp.KeyMaterial)
		}
		checkMaterial(t, kp, keys.RSA)
		if kp.KeyName != "cli rsa" || !strings.HasPrefix(kp.KeyPairId, "key-") || len(kp.KeyPairId) != 21 {
			t.Errorf("name/id = %q %q", kp.KeyName, kp.KeyPairId)
		}
		if len(kp.Tags) != 2 || kp.Tags[0].Key != "env" || kp.Tags[1].Value != "ops" {
			t.Errorf("tags = %+v", kp.Tags)
		}
	})

	t.Run("create ed25519 ppk, material as text", func(t *testing.T) {
		out, errOut, code := runAWS(t, s, "create-key-pair", "--key-name", "cli-ed", "--key-type", "ed25519",
			"--key-format", "ppk", "--output", "json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var kp cliKeyPair
		if err := json.Unmarshal([]byte(out), &kp); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(kp.KeyMaterial, "PuTTY-User-Key-File-3: ssh-ed25519\n") || !strings.Contains(kp.KeyMaterial, "\nComment: cli-ed\n") {
			t.Errorf("material is not a PPK v3 with the name as comment:\n%s", kp.KeyMaterial)
		}
		checkMaterial(t, kp, keys.ED25519)
	})

	t.Run("import with fileb and describe with public key", func(t *testing.T) {
		k, err := keys.Generate(keys.ED25519, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		pubFile := filepath.Join(t.TempDir(), "k.pub")
		line := keys.AuthorizedKey(k.SSHPublicKey(), "me@host")
		if err := os.WriteFile(pubFile, []byte(line), 0o600); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := runAWS(t, s, "import-key-pair", "--key-name", "cli-imported", "--public-key-material", "fileb://"+pubFile)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var imp cliKeyPair
		if err := json.Unmarshal([]byte(out), &imp); err != nil {
			t.Fatal(err)
		}
		want, _ := keys.FingerprintAWSImported(k.SSHPublicKey())
		if imp.KeyFingerprint != want {
			t.Errorf("import fingerprint %q, want %q", imp.KeyFingerprint, want)
		}

		out, errOut, code = runAWS(t, s, "describe-key-pairs", "--key-names", "cli-imported", "--include-public-key")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var desc struct {
			KeyPairs []struct {
				KeyName, KeyPairId, KeyFingerprint, KeyType, PublicKey, CreateTime string
			}
		}
		if err := json.Unmarshal([]byte(out), &desc); err != nil {
			t.Fatal(err)
		}
		if len(desc.KeyPairs) != 1 {
			t.Fatalf("describe: %s", out)
		}
		d := desc.KeyPairs[0]
		if d.KeyPairId != imp.KeyPairId || d.KeyFingerprint != want || d.KeyType != "ed25519" || !strings.HasSuffix(d.CreateTime, "+00:00") {
			t.Errorf("describe = %+v", d)
		}
		pub, _, err := keys.ParsePublicKey([]byte(d.PublicKey))
		if err != nil || !bytes.Equal(pub.Marshal(), k.SSHPublicKey().Marshal()) {
			t.Errorf("PublicKey %q is not the imported key (%v)", d.PublicKey, err)
		}

		_, errOut, code = runAWS(t, s, "describe-key-pairs", "--key-names", "nope")
		if code != 254 || !strings.Contains(errOut, "InvalidKeyPair.NotFound") {
			t.Errorf("describe missing: exit %d, %q", code, errOut)
		}
	})

	t.Run("dry run", func(t *testing.T) {
		out, errOut, code := runAWS(t, s, "create-key-pair", "--key-name", "dry", "--dry-run")
		if code != 254 || out != "" ||
			!strings.Contains(errOut, "An error occurred (DryRunOperation) when calling the CreateKeyPair operation: Request would have succeeded, but DryRun flag is set.") {
			t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		for _, kp := range s.KeyPairs("us-east-1") {
			if kp.Name == "dry" {
				t.Error("a dry run created a pair")
			}
		}
	})

	t.Run("duplicate", func(t *testing.T) {
		_, errOut, code := runAWS(t, s, "create-key-pair", "--key-name", "cli-ed")
		if code != 254 || !strings.Contains(errOut, "An error occurred (InvalidKeyPair.Duplicate) when calling the CreateKeyPair operation: The keypair 'cli-ed' already exists.") {
			t.Errorf("exit %d, stderr %q", code, errOut)
		}
	})

	t.Run("delete", func(t *testing.T) {
		out, errOut, code := runAWS(t, s, "delete-key-pair", "--key-name", "cli-ed")
		if code != 0 || strings.TrimSpace(out) != "" {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		for _, kp := range s.KeyPairs("us-east-1") {
			if kp.Name == "cli-ed" {
				t.Error("pair still there after delete")
			}
		}
		// Deleting a missing pair succeeds, as on EC2.
		if _, errOut, code := runAWS(t, s, "delete-key-pair", "--key-name", "cli-ed"); code != 0 {
			t.Errorf("second delete: exit %d %s", code, errOut)
		}
	})

	// awscli signs content-type;host;x-amz-date only: every request verified.
	for _, lr := range s.Requests() {
		if lr.Code == "SignatureDoesNotMatch" || lr.Code == "AuthFailure" || lr.Region != "us-east-1" {
			t.Errorf("request %+v was not accepted as signed for us-east-1", lr)
		}
		if !strings.HasPrefix(lr.UserAgent, "aws-cli/2.") {
			t.Errorf("user agent %q: not awscli v2", lr.UserAgent)
		}
	}
}

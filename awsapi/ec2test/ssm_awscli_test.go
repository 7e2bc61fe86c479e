package ec2test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// runSSM runs `aws ssm ARGS` against s as runAWS does, with no retries.
func runSSM(t *testing.T, s *Server, args ...string) (stdout, stderr string, exit int) {
	t.Helper()
	return runAWSServiceEnv(t, s, "ssm", []string{"AWS_MAX_ATTEMPTS=1"}, args...)
}

// TestAWSCLISSM drives awscli v2's ssm commands through the calls keypair
// makes and the ones an admin runs by hand (the CloudFormation way of
// reading a key back): the stand-in must speak SSM's JSON protocol.
func TestAWSCLISSM(t *testing.T) {
	requireAWSCLI(t)
	s := New(Options{})
	defer s.Close()
	key, err := keys.Generate(keys.ED25519, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	pem, err := keys.Encode(key, keys.PEM, 0)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "key.pem")
	os.WriteFile(file, pem, 0o600)
	const name = "/ec2/keypair/key-0123456789abcdef0"

	t.Run("put-parameter SecureString with tags", func(t *testing.T) {
		out, errOut, code := runSSM(t, s, "put-parameter", "--name", name, "--type", "SecureString",
			"--value", "file://"+file, "--description", "private key", "--tags", "Key=env,Value=dev", "Key=team,Value=ops")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var got struct {
			Version int
			Tier    string
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil || got.Version != 1 || got.Tier != "Standard" {
			t.Fatalf("%v: %s", err, out)
		}
		p, ok := s.Parameter("us-east-1", name)
		if !ok || p.Value != string(pem) || p.Type != "SecureString" || p.KeyID != DefaultKMSKey ||
			len(p.Tags) != 2 || p.Tags[1] != (pair.Tag{Key: "team", Value: "ops"}) || p.Description != "private key" {
			t.Fatalf("server holds %v (value as sent: %v)", p, p.Value == string(pem))
		}
	})

	t.Run("get-parameter with decryption, the CloudFormation recipe", func(t *testing.T) {
		out, errOut, code := runSSM(t, s, "get-parameter", "--name", name, "--with-decryption",
			"--query", "Parameter.Value", "--output", "text")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		// --output text adds one newline after the value, which ends in one.
		if out != string(pem)+"\n" {
			t.Fatalf("value differs:\n%q\nwant\n%q", out, pem)
		}
		if _, err := keys.ParsePrivateKey([]byte(out)); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("get-parameter without decryption hides the value", func(t *testing.T) {
		out, errOut, code := runSSM(t, s, "get-parameter", "--name", name)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var got struct {
			Parameter struct {
				Name, Type, Value, ARN, DataType string
				Version                          int
				LastModifiedDate                 string
			}
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		p := got.Parameter
		if p.Name != name || p.Type != "SecureString" || p.Version != 1 || p.DataType != "text" ||
			p.ARN != "arn:aws:ssm:us-east-1:"+Account+":parameter"+name || p.LastModifiedDate == "" {
			t.Errorf("parameter %+v", p)
		}
		if strings.Contains(p.Value, "PRIVATE KEY") || p.Value == "" {
			t.Errorf("value without decryption: %q", p.Value)
		}
	})

	t.Run("overwrite refused, then list tags", func(t *testing.T) {
		_, errOut, code := runSSM(t, s, "put-parameter", "--name", name, "--type", "SecureString", "--value", "x")
		if code == 0 || !strings.Contains(errOut, "ParameterAlreadyExists") {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		out, errOut, code := runSSM(t, s, "list-tags-for-resource", "--resource-type", "Parameter", "--resource-id", name)
		if code != 0 || !strings.Contains(out, `"Key": "env"`) {
			t.Fatalf("exit %d: %s %s", code, out, errOut)
		}
		if _, errOut, code = runSSM(t, s, "add-tags-to-resource", "--resource-type", "Parameter", "--resource-id", name,
			"--tags", "Key=env,Value=prod"); code != 0 {
			t.Fatalf("add-tags: exit %d: %s", code, errOut)
		}
		if p, _ := s.Parameter("us-east-1", name); len(p.Tags) != 2 || p.Tags[0].Value != "prod" {
			t.Errorf("tags %+v", p.Tags)
		}
	})

	t.Run("describe-parameters under /ec2/keypair", func(t *testing.T) {
		s.SetParameter("us-east-1", Parameter{Name: "/other/x", Type: "String", Value: "v"})
		out, errOut, code := runSSM(t, s, "describe-parameters", "--parameter-filters", "Key=Path,Option=OneLevel,Values=/ec2/keypair")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var got struct {
			Parameters []struct{ Name, Type, KeyId string }
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Parameters) != 1 || got.Parameters[0].Name != name || got.Parameters[0].KeyId != DefaultKMSKey {
			t.Errorf("listed %+v", got.Parameters)
		}
		if strings.Contains(out, "PRIVATE KEY") {
			t.Error("describe-parameters shows a value")
		}
	})

	t.Run("errors in SSM's shape", func(t *testing.T) {
		_, errOut, code := runSSM(t, s, "get-parameter", "--name", "/ec2/keypair/key-missing", "--with-decryption")
		if code == 0 || !strings.Contains(errOut, "(ParameterNotFound)") {
			t.Errorf("missing: exit %d: %s", code, errOut)
		}
		s.DenyKMSKey(DefaultKMSKey)
		_, errOut, code = runSSM(t, s, "get-parameter", "--name", name, "--with-decryption")
		if code == 0 || !strings.Contains(errOut, "(AccessDeniedException)") || !strings.Contains(errOut, "kms:Decrypt") {
			t.Errorf("KMS denied: exit %d: %s", code, errOut)
		}
		s.DenyParameter(name)
		_, errOut, code = runSSM(t, s, "get-parameter", "--name", name)
		if code == 0 || !strings.Contains(errOut, "ssm:GetParameter") {
			t.Errorf("denied: exit %d: %s", code, errOut)
		}
	})

	t.Run("delete-parameter", func(t *testing.T) {
		const other = "/ec2/keypair/key-0123456789abcdef1"
		if _, errOut, code := runSSM(t, s, "put-parameter", "--name", other, "--type", "String", "--value", "v"); code != 0 {
			t.Fatalf("put: exit %d: %s", code, errOut)
		}
		if _, errOut, code := runSSM(t, s, "delete-parameter", "--name", other); code != 0 {
			t.Fatalf("delete: exit %d: %s", code, errOut)
		}
		if _, ok := s.Parameter("us-east-1", other); ok {
			t.Error("still there")
		}
	})

	// Every call was signed for service ssm and verified.
	for _, r := range s.Requests() {
		if r.Code == "InvalidSignatureException" || r.Code == "UnrecognizedClientException" {
			t.Errorf("%s: %s", r.Action, r.Code)
		}
	}
}

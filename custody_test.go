package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
)

// ssmCLI is awsCLI with SSM at the same stand-in, set the SDK's way.
func ssmCLI(t *testing.T) (*cli, *ec2test.Server) {
	t.Helper()
	c, srv := awsCLI(t)
	c.env["AWS_ENDPOINT_URL_SSM"] = srv.URL()
	return c, srv
}

// secretLines are the lines of a private key file that hold private
// material: every base64 line of a PEM body, and a PPK's private lines
// and MAC. None may ever be printed.
func secretLines(file []byte) []string {
	var out []string
	inPrivate := false
	for _, l := range strings.Split(string(file), "\n") {
		switch {
		case l == "" || strings.HasPrefix(l, "-----"):
		case strings.HasPrefix(l, "PuTTY-User-Key-File-"):
			inPrivate = false
		case strings.HasPrefix(l, "Private-Lines:"):
			inPrivate = true
		case strings.HasPrefix(l, "Private-MAC:"):
			out = append(out, strings.TrimSpace(strings.TrimPrefix(l, "Private-MAC:")))
		case strings.Contains(l, ": "):
			// a PPK header or public line count
		case inPrivate || !bytes.HasPrefix(file, []byte("PuTTY")):
			if len(l) >= 16 {
				out = append(out, l)
			}
		}
	}
	return out
}

// noSecretIn fails the test when any secret line of file shows in a result.
func noSecretIn(t *testing.T, file []byte, results ...result) {
	t.Helper()
	lines := secretLines(file)
	if len(lines) == 0 {
		t.Fatal("no secret lines found: the check would mean nothing")
	}
	for _, r := range results {
		for _, l := range lines {
			if strings.Contains(r.stdout, l) || strings.Contains(r.stderr, l) {
				t.Fatalf("a line of the private key was printed: %q", l)
			}
		}
	}
}

func sshFiles(t *testing.T, c *cli) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(c.home, ".ssh"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestCreateStoreSSMThenFetchRoundTrips(t *testing.T) {
	sshKeygen := needTool(t, "ssh-keygen")
	for _, tc := range []struct {
		source, typ, format string
		noFile, byID        bool
	}{
		{"aws", "ed25519", "pem", false, false},
		{"aws", "rsa", "pem", true, true},
		{"aws", "rsa", "ppk", false, false},
		{"local", "ed25519", "pem", true, false},
		{"local", "rsa", "pem", false, true},
	} {
		name := tc.source + "-" + tc.typ + "-" + tc.format
		if tc.noFile {
			name += "-no-file"
		}
		t.Run(name, func(t *testing.T) {
			c, srv := ssmCLI(t)
			args := []string{"create", "--batch", "--source", tc.source, "--name", "web", "--type", tc.typ,
				"--format", tc.format, "--tag", "env=prod", "--tag", "team=ops", "--store", "ssm", "--json"}
			if tc.noFile {
				args = append(args, "--out", "none")
			}
			r := c.run("", args...)
			if r.code != 0 {
				t.Fatalf("create: exit %d: %s", r.code, r.stderr)
			}
			var made maker.Summary
			if err := json.Unmarshal([]byte(r.stdout), &made); err != nil {
				t.Fatal(err)
			}
			pairs := srv.KeyPairs("us-east-1")
			if len(pairs) != 1 || pairs[0].ID != made.KeyPairID {
				t.Fatalf("pairs %+v, result %+v", pairs, made)
			}
			want := "/ec2/keypair/" + made.KeyPairID
			if made.Parameter != want {
				t.Fatalf("parameter %q, want %q", made.Parameter, want)
			}
			p, ok := srv.Parameter("us-east-1", want)
			if !ok || p.Type != "SecureString" || p.KeyID != ec2test.DefaultKMSKey ||
				!strings.Contains(p.Description, `"web"`) || !strings.Contains(p.Description, made.KeyPairID) ||
				len(p.Tags) != 2 || p.Tags[0] != (pair.Tag{Key: "env", Value: "prod"}) || p.Tags[1] != (pair.Tag{Key: "team", Value: "ops"}) {
				t.Fatalf("parameter %v", p)
			}
			if tc.noFile {
				if made.Path != "" || len(sshFiles(t, c)) != 0 {
					t.Fatalf("--out none wrote %q %v", made.Path, sshFiles(t, c))
				}
			} else {
				saved, err := os.ReadFile(made.Path)
				if err != nil {
					t.Fatal(err)
				}
				if string(saved) != p.Value {
					t.Fatal("the parameter does not hold the saved file byte for byte")
				}
			}

			ref := "web"
			if tc.byID {
				ref = made.KeyPairID
			}
			out := filepath.Join(c.home, "fetched."+tc.format)
			f := c.run("", "fetch", ref, "--out", out, "--json")
			if f.code != 0 {
				t.Fatalf("fetch: exit %d: %s", f.code, f.stderr)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(f.stdout), &got); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"keyName", "keyPairId", "keyType", "keyFingerprint", "sha256Fingerprint",
				"md5Fingerprint", "publicKey", "region", "path", "tags", "createTime", "parameter"} {
				if _, ok := got[k]; !ok {
					t.Errorf("fetch --json lacks %q", k)
				}
			}
			if got["parameter"] != want || got["path"] != out || got["keyPairId"] != made.KeyPairID ||
				got["keyFingerprint"] != made.KeyFingerprint || got["sha256Fingerprint"] != made.SHA256Fingerprint {
				t.Errorf("fetch --json %s\ncreate --json %s", f.stdout, r.stdout)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != p.Value {
				t.Fatal("the fetched file differs from the parameter")
			}
			if st, _ := os.Stat(out); st.Mode().Perm() != 0o600 {
				t.Errorf("mode %v", st.Mode().Perm())
			}
			if tc.format == "pem" {
				pub, err := exec.Command(sshKeygen, "-y", "-f", out).Output()
				if err != nil {
					t.Fatalf("ssh-keygen -y refused the fetched key: %v", err)
				}
				if fields(string(pub))[1] != fields(made.PublicKey)[1] {
					t.Errorf("ssh-keygen -y gives %q, create said %q", pub, made.PublicKey)
				}
			}
			noSecretIn(t, data, r, f)

			// Never over an existing file; the default path by the key's format.
			again := c.run("", "fetch", ref, "--out", out)
			if again.code != exitUsage || !strings.Contains(again.stderr, "Nothing was fetched") {
				t.Errorf("fetch over an existing file: exit %d: %s", again.code, again.stderr)
			}
			if !tc.noFile {
				return
			}
			d := c.run("", "fetch", ref)
			if d.code != 0 {
				t.Fatalf("fetch to the default path: exit %d: %s", d.code, d.stderr)
			}
			def := filepath.Join(c.home, ".ssh", "web."+tc.format)
			if b, err := os.ReadFile(def); err != nil || string(b) != p.Value {
				t.Errorf("default path %s: %v", def, err)
			}
			if !strings.Contains(d.stdout, def) || !strings.Contains(d.stdout, want) {
				t.Errorf("fetch says: %s", d.stdout)
			}
			noSecretIn(t, data, d)
		})
	}
}

func TestCreateStoreKMSKey(t *testing.T) {
	c, srv := ssmCLI(t)
	srv.AddKMSKey("alias/keys")
	r := c.run("", "create", "--batch", "--name", "k", "--type", "ed25519", "--store", "ssm", "--kms-key", "alias/keys", "--out", "none", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var made maker.Summary
	json.Unmarshal([]byte(r.stdout), &made)
	if p, _ := srv.Parameter("us-east-1", made.Parameter); p.KeyID != "alias/keys" {
		t.Errorf("parameter %v", p)
	}
	// An unknown key: SSM refuses it, and without a file the pair goes again.
	r = c.run("", "create", "--batch", "--name", "k2", "--type", "ed25519", "--store", "ssm", "--kms-key", "alias/none", "--out", "none")
	if r.code != exitFailed || !strings.Contains(r.stderr, "InvalidKeyId") || !strings.Contains(r.stderr, "deleted from EC2 again") ||
		!strings.Contains(r.stderr, "--kms-key") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if len(srv.KeyPairs("us-east-1")) != 1 {
		t.Errorf("pairs %+v", srv.KeyPairs("us-east-1"))
	}
}

func TestCreateStoreRefusedBeforeAnything(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--out", "none"}, "none keeps no file"},
		{[]string{"--store", "vault"}, "store"},
		{[]string{"--store", "ssm", "--source", "offline"}, "source offline"},
		{[]string{"--kms-key", "alias/x"}, "kms-key"},
		{[]string{"--store", "ssm", "--kms-key", "alias/x y"}, "kms-key"},
	} {
		c, srv := ssmCLI(t)
		r := c.run("", append([]string{"create", "--batch", "--name", "web"}, tc.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d: %s", tc.args, r.code, r.stderr)
		}
		if len(srv.Requests()) != 0 || len(sshFiles(t, c)) != 0 {
			t.Errorf("%v: something was done: %v %v", tc.args, actions(srv), sshFiles(t, c))
		}
	}
}

func TestCreateStoreFailureRollsBack(t *testing.T) {
	c, srv := ssmCLI(t)
	srv.Inject(ec2test.Fault{Kind: ec2test.Deny, Action: "PutParameter"})
	r := c.run("", "create", "--batch", "--name", "web", "--type", "ed25519", "--store", "ssm", "--out", "none")
	if r.code != exitFailed {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, w := range []string{"ssm:PutParameter", "deleted from EC2 again", "nothing was left behind"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q: %s", w, r.stderr)
		}
	}
	if len(srv.KeyPairs("us-east-1")) != 0 || len(srv.Parameters("us-east-1")) != 0 || len(sshFiles(t, c)) != 0 {
		t.Fatalf("left behind: %+v %v %v", srv.KeyPairs("us-east-1"), srv.Parameters("us-east-1"), sshFiles(t, c))
	}
	if got := actions(srv); strings.Join(got, " ") != "CreateKeyPair PutParameter DeleteKeyPair" {
		t.Errorf("calls %v", got)
	}

	// With a file the pair and the file stay: the key is kept; exit 1 says the parameter is missing.
	c, srv = ssmCLI(t)
	srv.Inject(ec2test.Fault{Kind: ec2test.Deny, Action: "PutParameter"})
	r = c.run("", "create", "--batch", "--source", "local", "--name", "web", "--type", "ed25519", "--store", "ssm")
	path := filepath.Join(c.home, ".ssh", "web.pem")
	if r.code != exitFailed || !strings.Contains(r.stderr, "kept at "+path) || !strings.Contains(r.stderr, "aws ssm put-parameter --name /ec2/keypair/key-") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if len(srv.KeyPairs("us-east-1")) != 1 {
		t.Errorf("the pair whose key is in a file was deleted")
	}
	if _, err := os.Stat(path); err != nil {
		t.Error(err)
	}
}

func TestCreateStoreLostAnswer(t *testing.T) {
	// The write landed and its answer was lost: the retry finds the name
	// taken, reading it back finds this key, so the run succeeds.
	c, srv := ssmCLI(t)
	srv.Inject(ec2test.Fault{Kind: ec2test.DropAfter, Action: "PutParameter", Times: 1})
	r := c.run("", "create", "--batch", "--name", "web", "--type", "ed25519", "--store", "ssm", "--out", "none", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var made maker.Summary
	json.Unmarshal([]byte(r.stdout), &made)
	if made.Parameter == "" || !strings.Contains(strings.Join(made.Warnings, " "), "the write went through") {
		t.Errorf("result %+v", made)
	}
	if _, ok := srv.Parameter("us-east-1", made.Parameter); !ok || len(srv.KeyPairs("us-east-1")) != 1 {
		t.Error("the pair or its parameter is missing")
	}

	// Lost, and reading back fails too: unknown. The pair is deleted (no
	// file holds its key) and the message says what to do with the parameter.
	c, srv = ssmCLI(t)
	srv.Inject(ec2test.Fault{Kind: ec2test.DropAfter, Action: "PutParameter"})
	srv.Inject(ec2test.Fault{Kind: ec2test.InternalError, Action: "GetParameter"})
	r = c.run("", "create", "--batch", "--name", "web", "--type", "ed25519", "--store", "ssm", "--out", "none")
	if r.code != exitFailed {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, w := range []string{"not known whether SSM wrote the parameter", "aws ssm delete-parameter --name /ec2/keypair/key-", "deleted from EC2 again"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q: %s", w, r.stderr)
		}
	}
	if len(srv.KeyPairs("us-east-1")) != 0 {
		t.Errorf("pairs %+v", srv.KeyPairs("us-east-1"))
	}
}

// TestFetchCloudFormationParameter fetches a key kept the way
// CloudFormation's AWS::EC2::KeyPair keeps it, written by the AWS CLI.
func TestFetchCloudFormationParameter(t *testing.T) {
	aws := needTool(t, "/usr/bin/aws")
	sshKeygen := needTool(t, "ssh-keygen")
	c, srv := ssmCLI(t)
	awsRun := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(aws, append([]string{"--endpoint-url=" + srv.URL()}, args...)...)
		cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + c.home, "AWS_ACCESS_KEY_ID=" + ec2test.AccessKeyID,
			"AWS_SECRET_ACCESS_KEY=" + ec2test.SecretAccessKey, "AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=/dev/null",
			"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true",
			"HTTPS_PROXY=http://127.0.0.1:1", "HTTP_PROXY=http://127.0.0.1:1", "NO_PROXY=127.0.0.1"}
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("aws %v: %v %s", args, err, stderr)
		}
		return string(out)
	}
	var kp struct{ KeyMaterial, KeyPairId string }
	json.Unmarshal([]byte(awsRun("ec2", "create-key-pair", "--key-name", "cfn-web", "--key-type", "rsa")), &kp)
	material := filepath.Join(t.TempDir(), "material.pem")
	os.WriteFile(material, []byte(kp.KeyMaterial), 0o600)
	awsRun("ssm", "put-parameter", "--name", "/ec2/keypair/"+kp.KeyPairId, "--type", "SecureString", "--value", "file://"+material)

	r := c.run("", "fetch", "cfn-web")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	path := filepath.Join(c.home, ".ssh", "cfn-web.pem")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := kp.KeyMaterial
	if !strings.HasSuffix(want, "\n") {
		want += "\n"
	}
	if string(data) != want {
		t.Error("the fetched file is not the key material EC2 returned")
	}
	if _, err := exec.Command(sshKeygen, "-y", "-f", path).Output(); err != nil {
		t.Fatalf("ssh-keygen -y: %v", err)
	}
	noSecretIn(t, data, r)
}

func TestFetchFailuresWriteNothing(t *testing.T) {
	other, err := keys.Generate(keys.ED25519, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	otherFile, _ := keys.Encode(other, keys.PEM, 0)
	for _, tc := range []struct {
		name  string
		setup func(srv *ec2test.Server, param string)
		want  []string
	}{
		{"missing", nil, []string{"is not in SSM Parameter Store", "no parameter /ec2/keypair/key-", "Nothing was written", "--store ssm"}},
		{"denied", func(srv *ec2test.Server, param string) {
			srv.SetParameter("us-east-1", ec2test.Parameter{Name: param, Type: "SecureString", Value: "x"})
			srv.DenyParameter(param)
		}, []string{"not allowed to read parameter", "ssm:GetParameter", "Nothing was written"}},
		{"kms denied", func(srv *ec2test.Server, param string) {
			srv.AddKMSKey("alias/team")
			srv.SetParameter("us-east-1", ec2test.Parameter{Name: param, Type: "SecureString", Value: string(otherFile), KeyID: "alias/team"})
			srv.DenyKMSKey("alias/team")
		}, []string{"KMS key", "kms:Decrypt", "Nothing was written"}},
		{"mismatch", func(srv *ec2test.Server, param string) {
			srv.SetParameter("us-east-1", ec2test.Parameter{Name: param, Type: "SecureString", Value: string(otherFile)})
		}, []string{"does not hold the private key of key pair \"web\"", "public half is SHA256:", "Nothing was written"}},
		{"not a key", func(srv *ec2test.Server, param string) {
			srv.SetParameter("us-east-1", ec2test.Parameter{Name: param, Type: "SecureString", Value: "hunter2-not-a-key"})
		}, []string{"holds no private key that can be read", "Nothing was written"}},
		{"no such pair", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, srv := ssmCLI(t)
			r := c.run("", "create", "--batch", "--name", "web", "--type", "ed25519", "--out", filepath.Join(c.home, "web.pem"), "--json")
			if r.code != 0 {
				t.Fatalf("create: %s", r.stderr)
			}
			var made maker.Summary
			json.Unmarshal([]byte(r.stdout), &made)
			param := "/ec2/keypair/" + made.KeyPairID
			if tc.setup != nil {
				tc.setup(srv, param)
			}
			ref, want := "web", tc.want
			if tc.name == "no such pair" {
				ref, want = "nobody", []string{`no key pair named "nobody"`, "Nothing was written"}
			}
			out := filepath.Join(c.home, "out", "k.pem")
			os.MkdirAll(filepath.Dir(out), 0o700)
			for _, args := range [][]string{{"fetch", ref}, {"fetch", ref, "--out", out, "--json"}} {
				f := c.run("", args...)
				if f.code != exitFailed {
					t.Fatalf("%v: exit %d: %s", args, f.code, f.stderr)
				}
				for _, w := range want {
					if !strings.Contains(f.stderr, w) {
						t.Errorf("%v: stderr lacks %q: %s", args, w, f.stderr)
					}
				}
				if f.stdout != "" || strings.Contains(f.stderr, "hunter2") {
					t.Errorf("%v: stdout %q, stderr %s", args, f.stdout, f.stderr)
				}
				noSecretIn(t, otherFile, f)
			}
			if files := sshFiles(t, c); len(files) != 0 {
				t.Errorf("written: %v", files)
			}
			if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 0 {
				t.Errorf("written to --out's folder: %v", entries)
			}
		})
	}
}

func TestCreateLocalNoFileImportRefused(t *testing.T) {
	c, srv := ssmCLI(t)
	srv.Inject(ec2test.Fault{Kind: ec2test.Deny, Action: "ImportKeyPair"})
	r := c.run("", "create", "--batch", "--source", "local", "--name", "web", "--type", "ed25519", "--store", "ssm", "--out", "none")
	if r.code != exitFailed || !strings.Contains(r.stderr, "Nothing was created in EC2.") || strings.Contains(r.stderr, "removed") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if len(srv.KeyPairs("us-east-1")) != 0 || len(srv.Parameters("us-east-1")) != 0 || len(sshFiles(t, c)) != 0 {
		t.Error("something was left behind")
	}
}

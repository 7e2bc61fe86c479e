package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/fleet"
	"github.com/keypair-dev/keypair/internal/oracle"
)

// cli runs one keypair command line in-process, as a script would see it:
// no terminal, a fresh HOME and XDG_CONFIG_HOME, and no AWS environment.
type cli struct {
	t    *testing.T
	home string
	env  map[string]string
	// regionClient, when set, wraps each region's client (app.regionClient).
	regionClient func(*awsapi.Client) fleet.Client
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	home := t.TempDir()
	return &cli{t: t, home: home, env: map[string]string{
		"HOME":                        home,
		"XDG_CONFIG_HOME":             filepath.Join(home, ".config"),
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED":   "true",
	}}
}

type result struct {
	code           int
	stdout, stderr string
}

func (c *cli) run(stdin string, args ...string) result {
	c.t.Helper()
	// keys.ExpandHome and the AWS SDK read the process environment.
	c.t.Setenv("HOME", c.home)
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID",
		"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_SSM"} {
		c.t.Setenv(k, c.env[k])
	}
	for k, v := range c.env {
		c.t.Setenv(k, v)
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &app{
		stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		getenv:       func(k string) string { return c.env[k] },
		regionClient: c.regionClient,
	})
	return result{code, out.String(), errb.String()}
}

func TestRefusedInputExitsTwoAndWritesNothing(t *testing.T) {
	long := strings.Repeat("a", 256)
	var tags51 []string
	for i := range 51 {
		tags51 = append(tags51, "--tag", "k"+strings.Repeat("x", i%5)+string(rune('a'+i%26))+string(rune('a'+i/26))+"=v")
	}
	tests := []struct {
		name string
		args []string
		want []string // all must appear in stderr
	}{
		{"256-character name", []string{"--name", long}, []string{"name", "255"}},
		{"non-ASCII name", []string{"--name", "café"}, []string{"name", "ASCII"}},
		{"leading space", []string{"--name", " web"}, []string{"name", "space"}},
		{"aws: tag", []string{"--name", "web", "--tag", "aws:owner=me"}, []string{"aws:"}},
		{"51 tags", append([]string{"--name", "web"}, tags51...), []string{"tags", "50"}},
		{"unknown type", []string{"--name", "web", "--type", "dsa"}, []string{"type", "dsa"}},
		{"unknown format", []string{"--name", "web", "--format", "der"}, []string{"format", "der"}},
		{"unknown source", []string{"--name", "web", "--source", "cloud"}, []string{"source", "cloud"}},
		{"tag without =", []string{"--name", "web", "--tag", "novalue"}, []string{"--tag", "novalue"}},
		{"RSA 4096 from EC2", []string{"--name", "web", "--source", "aws", "--bits", "4096"}, []string{"bits", "2048"}},
		{"missing name", []string{"--type", "ed25519"}, []string{"--name"}},
		{"json and stdout key", []string{"--name", "web", "--out", "-", "--json"}, []string{"--out -", "--json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(t)
			args := append([]string{"create", "--batch", "--source", "offline"}, tt.args...)
			r := c.run("", args...)
			if r.code != exitUsage {
				t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, exitUsage, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not mention %q:\n%s", w, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout not empty: %q", r.stdout)
			}
			if entries, _ := os.ReadDir(filepath.Join(c.home, ".ssh")); len(entries) > 0 {
				t.Errorf("something was written to ~/.ssh: %v", entries)
			}
		})
	}
}

func TestCreateRefusesExistingOut(t *testing.T) {
	c := newCLI(t)
	out := filepath.Join(c.home, "taken.pem")
	if err := os.WriteFile(out, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := c.run("", "create", "--batch", "--source", "offline", "--name", "web", "--out", out)
	if r.code != exitUsage {
		t.Fatalf("exit %d, want 2; stderr: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "exists") {
		t.Errorf("stderr does not say the file exists: %s", r.stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != "precious\n" {
		t.Errorf("existing file changed: %q", b)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{
		{"bogus"},
		{"create", "--bogus"},
		{"version", "extra"},
		{"fingerprint"},
		{"delete"},
		{"delete", "a", "b"},
		{"import", "--name", "x"},
	} {
		r := newCLI(t).run("", args...)
		if r.code != exitUsage {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, r.code, r.stderr)
		}
		if !strings.HasPrefix(r.stderr, "keypair: ") {
			t.Errorf("%v: stderr %q does not start with keypair:", args, r.stderr)
		}
	}
}

func TestVersion(t *testing.T) {
	r := newCLI(t).run("", "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "keypair ") || !strings.Contains(r.stdout, "go1.") {
		t.Fatalf("version: exit %d stdout %q", r.code, r.stdout)
	}
	r = newCLI(t).run("", "version", "--json")
	var v versionInfo
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || v.Version == "" || v.GoVersion == "" {
		t.Fatalf("version --json: %v %q", err, r.stdout)
	}
}

// needTool skips or fails the test when an oracle is missing (see oracle.Need).
func needTool(t *testing.T, name string) string { return oracle.Need(t, name) }

func TestCreateOfflineJSONAndOracle(t *testing.T) {
	sshKeygen := needTool(t, "ssh-keygen")
	for _, tc := range []struct{ typ, format, header string }{
		{"ed25519", "pem", "-----BEGIN OPENSSH PRIVATE KEY-----"},
		{"rsa", "pem", "-----BEGIN RSA PRIVATE KEY-----"},
		{"ed25519", "ppk", "PuTTY-User-Key-File-3: ssh-ed25519"},
	} {
		t.Run(tc.typ+"-"+tc.format, func(t *testing.T) {
			c := newCLI(t)
			r := c.run("", "create", "--batch", "--source", "offline", "--name", "web key", "--type", tc.typ,
				"--format", tc.format, "--tag", "env=dev", "--json")
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\n%s", err, r.stdout)
			}
			for _, k := range []string{"keyName", "keyPairId", "keyFingerprint", "keyType", "keyFormat", "source", "region", "path", "publicKey", "sha256Fingerprint"} {
				if _, ok := got[k]; !ok {
					t.Errorf("--json lacks %q: %s", k, r.stdout)
				}
			}
			wantPath := filepath.Join(c.home, ".ssh", "web key."+tc.format)
			if got["path"] != wantPath || got["keyName"] != "web key" || got["source"] != "offline" || got["keyType"] != tc.typ {
				t.Errorf("unexpected fields: %s", r.stdout)
			}
			st, err := os.Stat(wantPath)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", st.Mode().Perm())
			}
			if dir, _ := os.Stat(filepath.Dir(wantPath)); dir.Mode().Perm() != 0o700 {
				t.Errorf("~/.ssh mode %v, want 0700", dir.Mode().Perm())
			}
			data, _ := os.ReadFile(wantPath)
			if !strings.HasPrefix(string(data), tc.header) || !strings.HasSuffix(string(data), "\n") || bytes.Contains(data, []byte("\r")) {
				t.Errorf("file does not look right:\n%s", firstLine(data))
			}
			if tc.format != "pem" {
				return
			}
			pub, err := exec.Command(sshKeygen, "-y", "-f", wantPath).Output()
			if err != nil {
				t.Fatalf("ssh-keygen -y refused the key: %v", err)
			}
			if fields(string(pub))[1] != fields(got["publicKey"].(string))[1] {
				t.Errorf("ssh-keygen -y gives %q, --json publicKey %q", pub, got["publicKey"])
			}
			lf := exec.Command(sshKeygen, "-l", "-f", "-")
			lf.Stdin = bytes.NewReader(pub)
			l, err := lf.Output()
			if err != nil {
				t.Fatal(err)
			}
			if fields(string(l))[1] != got["sha256Fingerprint"] {
				t.Errorf("ssh-keygen -l gives %q, --json sha256Fingerprint %q", l, got["sha256Fingerprint"])
			}
			if tc.typ == "ed25519" {
				want := strings.TrimPrefix(fields(string(l))[1], "SHA256:") + "="
				if got["keyFingerprint"] != want {
					t.Errorf("keyFingerprint %q, want EC2's padded SHA-256 %q", got["keyFingerprint"], want)
				}
			}
			// A second run must not overwrite the first key.
			r2 := c.run("", "create", "--batch", "--source", "offline", "--name", "web key", "--type", tc.typ, "--format", tc.format)
			if r2.code != exitUsage {
				t.Errorf("second create: exit %d, want 2", r2.code)
			}
			if again, _ := os.ReadFile(wantPath); !bytes.Equal(again, data) {
				t.Error("second create changed the saved key")
			}
		})
	}
}

func TestCreateOfflineToStdout(t *testing.T) {
	c := newCLI(t)
	r := c.run("", "create", "--batch", "--source", "offline", "--name", "pipe", "--type", "ed25519", "--out", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "-----BEGIN OPENSSH PRIVATE KEY-----\n") || strings.Count(r.stdout, "BEGIN") != 1 {
		t.Errorf("stdout should hold exactly the private key, got:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "SHA256:") {
		t.Errorf("the summary should go to stderr: %q", r.stderr)
	}
}

func TestFingerprintVectors(t *testing.T) {
	vec := filepath.Join("keys", "testdata") // copies of shared/testdata/vectors
	want := map[string][]string{
		"rsa2048.pem":    {"4d:dd:6b:19:05:de:96:b9:2a:e1:da:75:d5:cf:7c:a5:80:75:59:11", "53:f4:fb:bf:2c:ab:91:f9:e3:7b:7e:ea:16:c4:9a:b1", "SHA256:xN3TmxsIkmIuR9EvzclGrTlTczIl/Cr7naF0gyrWfI0", "MD5:cf:b9:58:97:cc:fd:2e:d3:d3:7a:83:1f:cc:d5:73:e0"},
		"rsa2048.v3.ppk": {"4d:dd:6b:19:05:de:96:b9:2a:e1:da:75:d5:cf:7c:a5:80:75:59:11", "53:f4:fb:bf:2c:ab:91:f9:e3:7b:7e:ea:16:c4:9a:b1"},
		"rsa2048.pub":    {"53:f4:fb:bf:2c:ab:91:f9:e3:7b:7e:ea:16:c4:9a:b1", "needs the private key"},
		"ed25519.pem":    {"ZZwO320XSyYboakxNrptOJUfNnoGQYs34+qtB8RX2KY=", "SHA256:ZZwO320XSyYboakxNrptOJUfNnoGQYs34+qtB8RX2KY", "MD5:a1:3e:0e:1c:93:47:71:88:f7:c1:f2:bf:22:18:93:b9"},
		"ed25519.v2.ppk": {"ZZwO320XSyYboakxNrptOJUfNnoGQYs34+qtB8RX2KY="},
	}
	for file, wants := range want {
		r := newCLI(t).run("", "fingerprint", filepath.Join(vec, file))
		if r.code != 0 {
			t.Errorf("%s: exit %d: %s", file, r.code, r.stderr)
			continue
		}
		for _, w := range wants {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%s: output lacks %q:\n%s", file, w, r.stdout)
			}
		}
	}
	r := newCLI(t).run("", "fingerprint", "--json", filepath.Join(vec, "ed25519.pub"), filepath.Join(vec, "missing.pem"))
	if r.code != exitFailed {
		t.Errorf("a missing file: exit %d, want 1", r.code)
	}
	var res []fingerprintResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || len(res) != 2 {
		t.Fatalf("--json: %v %s", err, r.stdout)
	}
	if res[0].KeyFingerprint != "ZZwO320XSyYboakxNrptOJUfNnoGQYs34+qtB8RX2KY=" || res[1].Error == "" {
		t.Errorf("unexpected --json: %+v", res)
	}
}

func firstLine(b []byte) string { l, _, _ := bytes.Cut(b, []byte("\n")); return string(l) }

func fields(s string) []string {
	f := strings.Fields(s)
	for len(f) < 2 {
		f = append(f, "")
	}
	return f
}

package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/internal/oracle"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
	"golang.org/x/crypto/ssh"
)

// Tests for the defects of issue 8 that the command line shows; each failed
// on main before the one-flow work (checked against 16c49b0).

// Defect 1: create --batch --source offline --dry-run panicked.
func TestOfflineDryRunIsRefusedWithExit2(t *testing.T) {
	c := newCLI(t)
	r := c.run("", "create", "--batch", "--source", "offline", "--name", "x", "--dry-run")
	if r.code != exitUsage || !strings.Contains(r.stderr, "dry-run: a dry run asks EC2") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// Defect 2: a local dry run reported CreateKeyPair; it calls ImportKeyPair.
func TestLocalDryRunNamesImportKeyPair(t *testing.T) {
	c, srv := awsCLI(t)
	r := c.run("", "create", "--batch", "--source", "local", "--name", "lap", "--type", "ed25519", "--dry-run")
	if r.code != exitOK || !strings.Contains(r.stdout, "Dry run: ImportKeyPair of \"lap\" in us-east-1 would be permitted") {
		t.Fatalf("exit %d, stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	r = c.run("", "create", "--batch", "--source", "local", "--name", "lap", "--type", "ed25519", "--dry-run", "--json")
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || got["action"] != "ImportKeyPair" || got["source"] != "local" {
		t.Fatalf("json %s: %v", r.stdout, err)
	}
	if a := actions(srv); len(a) != 2 || a[0] != "ImportKeyPair" {
		t.Errorf("actions sent: %v", a)
	}
}

// Defect 7: delete nosuch --dry-run said "would be permitted… Nothing was made", exit 0.
func TestDeleteMissingDryRunSaysMissing(t *testing.T) {
	c, _ := awsCLI(t)
	for _, args := range [][]string{{"delete", "nosuch", "--dry-run"}, {"delete", "nosuch", "--yes"}} {
		r := c.run("", args...)
		if r.code != exitFailed || !strings.Contains(r.stderr, `no key pair named "nosuch" in us-east-1`) || strings.Contains(r.stdout+r.stderr, "permitted") {
			t.Errorf("%v: exit %d, stdout %q, stderr:\n%s", args, r.code, r.stdout, r.stderr)
		}
	}
}

// Defect 8: --tag a=1 --tag a=2 was merged silently in batch.
func TestTagGivenTwiceIsRefused(t *testing.T) {
	c := newCLI(t)
	r := c.run("", "create", "--batch", "--source", "offline", "--name", "x", "--tag", "a=1", "--tag", "a=2")
	want := `keypair: --tag a=1 and --tag a=2 give the tag key "a" twice; each key may appear once (nothing was made)`
	if r.code != exitUsage || strings.TrimSpace(r.stderr) != want {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(filepath.Join(c.home, ".ssh")); len(entries) > 0 {
		t.Errorf("files were written: %v", entries)
	}
}

// Defect 9: sentences were glued ("…keypair delete web-awsNothing was…").
func TestErrorSentencesAreNotGlued(t *testing.T) {
	c, srv := awsCLI(t)
	srv.Inject(ec2test.Fault{Kind: ec2test.CustomError, Action: "CreateKeyPair", Status: 400, Code: "InvalidKeyPair.Duplicate",
		Message: "The keypair already exists\nsecond line"})
	r := c.run("", "create", "--batch", "--name", "web", "--out", filepath.Join(c.home, "web.pem"))
	if r.code != exitFailed {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if strings.Contains(line, "  ") && !strings.HasPrefix(line, "  ") {
			t.Errorf("double space in %q", line)
		}
		// A glued pair of sentences looks like "webNothing": a word that
		// starts lower-case and turns upper-case inside. (EC2's codes such
		// as InvalidKeyPair.Duplicate start upper-case.)
		for _, word := range strings.Fields(line) {
			w := strings.Trim(word, `"'(),.:;`)
			if w == "" || w[0] < 'a' || w[0] > 'z' {
				continue
			}
			for i := 1; i < len(w); i++ {
				if w[i] >= 'A' && w[i] <= 'Z' && w[i-1] >= 'a' && w[i-1] <= 'z' {
					t.Errorf("glued sentence %q in %q", w, line)
					break
				}
			}
		}
	}
}

// Defect 14: --help called RSA PEM "OpenSSH".
func TestHelpNamesPKCS1(t *testing.T) {
	c := newCLI(t)
	r := c.run("", "create", "--help")
	if !strings.Contains(r.stdout, "pem (PKCS#1 for RSA, OpenSSH for ED25519)") || strings.Contains(r.stdout, "pem (OpenSSH)") {
		t.Errorf("help:\n%s", r.stdout)
	}
}

// Defect 21: an unwritable --out was exit 1 for local and offline (2 for aws).
func TestUnwritableOutIsRefusedForEverySource(t *testing.T) {
	c := newCLI(t)
	// /proc takes no new files, for root too; on main before the fix this
	// was exit 1 for offline (the save failed after the key was made).
	r := c.run("", "create", "--batch", "--source", "offline", "--name", "k", "--type", "ed25519", "--out", "/proc/keypair-test.pem")
	if r.code != exitUsage || !strings.Contains(r.stderr, "Nothing was made.") || strings.Contains(r.stderr, ") (") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// Defect 22: "tags": null in list --json, and "&" escaped as \u0026.
func TestListJSONTagsAndAmpersand(t *testing.T) {
	c, _ := awsCLI(t)
	if r := c.run("", "create", "--batch", "--name", "a&b", "--type", "ed25519", "--out", filepath.Join(c.home, "ab.pem")); r.code != 0 {
		t.Fatalf("create: %s", r.stderr)
	}
	r := c.run("", "list", "--json")
	if r.code != 0 || strings.Contains(r.stdout, `\u0026`) || !strings.Contains(r.stdout, `"a&b"`) || strings.Contains(r.stdout, `"tags": null`) {
		t.Fatalf("list --json:\n%s", r.stdout)
	}
	var pairs []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &pairs); err != nil || len(pairs) != 1 {
		t.Fatalf("%v %s", err, r.stdout)
	}
	if tags, ok := pairs[0]["tags"].([]any); !ok || len(tags) != 0 {
		t.Errorf("tags: %#v", pairs[0]["tags"])
	}
}

// Defect 24: list was ~140 columns wide and wrapped badly at 80; piped, it
// keeps every column in full.
func TestListFitsTheTerminal(t *testing.T) {
	created := time.Date(2026, 11, 30, 12, 34, 56, 0, time.UTC)
	pairs := []awsapi.KeyPairInfo{
		{KeyName: "web-prod", KeyPairID: "key-0123456789abcdef0", KeyType: "rsa", CreateTime: created,
			KeyFingerprint: "1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca:9f:f5:f1:2f:ae",
			Tags:           []pair.Tag{{Key: "env", Value: "prod"}, {Key: "team", Value: "platform-operations"}, {Key: "cost", Value: "4242"}}},
		{KeyName: "ci", KeyPairID: "key-0fedcba9876543210", KeyType: "ed25519", CreateTime: created,
			KeyFingerprint: "dJUMD2vj28c/YtlEO50+ZB1xuDGnwkUk6BXNzXlpZI4="},
	}
	var full bytes.Buffer
	if err := printPairs(&full, pairs, 0); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(full.String(), "key-0123456789abcdef0") || !strings.Contains(full.String(), "2026-11-30T12:34:56Z") ||
		!strings.Contains(full.String(), "team=platform-operations,cost=4242") {
		t.Errorf("piped output lost detail:\n%s", full.String())
	}
	for _, width := range []int{80, 100} {
		var b bytes.Buffer
		if err := printPairs(&b, pairs, width); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
			if n := utf8.RuneCountInString(line); n > width {
				t.Errorf("width %d: line of %d: %q", width, n, line)
			}
		}
		if !strings.Contains(b.String(), "web-prod") || !strings.Contains(b.String(), "1f:51:ae") || !strings.Contains(b.String(), "2026-11-30") {
			t.Errorf("width %d lost the essentials:\n%s", width, b.String())
		}
	}
}

// Issue 9, item 7: `fingerprint -` reading a terminal or a pipe that never
// ends returns when the command's context ends (ctrl+c, SIGTERM).
func TestFingerprintStdinIsCancellable(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var errb bytes.Buffer
	go func() {
		done <- run(ctx, []string{"fingerprint", "-"}, &app{stdin: r, stdout: io.Discard, stderr: &errb, getenv: func(string) string { return "" }})
	}()
	cancel()
	select {
	case code := <-done:
		if code != exitFailed {
			t.Errorf("exit %d: %s", code, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("fingerprint - ignored the cancel")
	}
}

// Issue 9, items 7 and 8: a FIFO is refused at once, and a file name with
// escape sequences is printed cleaned.
func TestFingerprintRefusesFIFOAndCleansNames(t *testing.T) {
	c := newCLI(t)
	fifo := filepath.Join(c.home, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	r := c.run("", "fingerprint", fifo)
	if r.code != exitFailed || !strings.Contains(r.stderr, "not a regular file") {
		t.Errorf("fifo: exit %d, stderr %q", r.code, r.stderr)
	}
	evil := filepath.Join(c.home, "a\x1b]0;pwned\x07b.pub")
	pub, err := os.ReadFile("keys/testdata/ed25519.pub")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(evil, pub, 0o600); err != nil {
		t.Fatal(err)
	}
	r = c.run("", "fingerprint", evil)
	if strings.ContainsAny(r.stdout+r.stderr, "\x1b\x07") {
		t.Errorf("raw escape bytes printed: %q %q", r.stdout, r.stderr)
	}
}

// Defect 23: fingerprint and import --public-key refused passphrase-protected
// OpenSSH and PPK files, whose public half is stored in the clear.
func TestEncryptedKeyFilesGiveTheirPublicHalf(t *testing.T) {
	sshKeygen := oracle.Need(t, "ssh-keygen")
	puttygen := oracle.Need(t, "puttygen")
	c, srv := awsCLI(t)
	dir := t.TempDir()
	ossh := filepath.Join(dir, "enc_ed25519")
	if out, err := exec.Command(sshKeygen, "-q", "-t", "ed25519", "-N", "s3cret", "-C", "enc", "-f", ossh).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	os.Remove(ossh + ".pub") // the file itself must be read, not the .pub beside it
	pass := filepath.Join(dir, "pass")
	os.WriteFile(pass, []byte("s3cret\n"), 0o600)
	ppk := filepath.Join(dir, "enc.ppk")
	if out, err := exec.Command(puttygen, "-t", "rsa", "-b", "2048", "--new-passphrase", pass, "-o", ppk).CombinedOutput(); err != nil {
		t.Fatalf("puttygen: %v %s", err, out)
	}
	want, err := exec.Command(puttygen, ppk, "-l", "--old-passphrase", pass).Output()
	if err != nil {
		t.Fatal(err)
	}
	wantSSH, err := exec.Command(sshKeygen, "-lf", ossh).Output()
	if err != nil {
		t.Fatal(err)
	}
	for file, fp := range map[string]string{ossh: strings.Fields(string(wantSSH))[1], ppk: strings.Fields(string(want))[2]} {
		r := c.run("", "fingerprint", file)
		if r.code != 0 || !strings.Contains(r.stdout, "passphrase-protected") || !strings.Contains(r.stdout, fp) {
			t.Errorf("fingerprint %s: exit %d want %s\n%s%s", file, r.code, fp, r.stdout, r.stderr)
		}
	}
	r := c.run("", "import", "--name", "enc", "--public-key", ossh)
	if r.code != 0 || len(srv.KeyPairs("us-east-1")) != 1 {
		t.Errorf("import of an encrypted OpenSSH key: exit %d %s", r.code, r.stderr)
	}
	// PEM encryption keeps no public half: a clear error that points at the .pub.
	pemEnc := filepath.Join(dir, "enc.pem")
	if out, err := exec.Command(oracle.Need(t, "openssl"), "genrsa", "-aes128", "-passout", "pass:s3cret", "-traditional", "-out", pemEnc, "2048").CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v %s", err, out)
	}
	r = c.run("", "fingerprint", pemEnc)
	if r.code != exitFailed || !strings.Contains(r.stderr, ".pub") || strings.Contains(r.stderr, "keys:") {
		t.Errorf("encrypted PEM: exit %d, stderr %q", r.code, r.stderr)
	}
}

// Issue 9, item 12: what EC2 will refuse on import is refused here, with
// exit 2 and nothing sent: RSA under 1024 or over 4096 bits, an even exponent.
func TestImportRefusesWhatEC2Refuses(t *testing.T) {
	c, srv := awsCLI(t)
	n := func(bits int) *big.Int {
		v := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
		return v.Add(v, big.NewInt(12345))
	}
	for name, k := range map[string]*rsa.PublicKey{
		"512 bits":      {N: n(512), E: 65537},
		"8192 bits":     {N: n(8192), E: 65537},
		"even exponent": {N: n(2048), E: 4},
	} {
		pub, err := ssh.NewPublicKey(k)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(c.home, "k.pub")
		os.WriteFile(file, ssh.MarshalAuthorizedKey(pub), 0o600)
		r := c.run("", "import", "--name", "k", "--public-key", file)
		if r.code != exitUsage || (name != "even exponent" && !strings.Contains(r.stderr, "nothing was sent")) {
			t.Errorf("%s: exit %d, stderr %q", name, r.code, r.stderr)
		}
	}
	if len(srv.Requests()) != 0 {
		t.Errorf("EC2 was called: %v", actions(srv))
	}
}

// The form gets the complete request: for a bare `keypair` too, the config
// file's type, format, source and tags arrive (the form merges nothing).
func TestFormGetsTheConfigFilesRequest(t *testing.T) {
	c := newCLI(t)
	dir := filepath.Join(c.home, ".config", "keypair")
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "config.toml"), []byte("type = \"ed25519\"\nformat = \"ppk\"\nppk_version = 2\nsource = \"offline\"\n[tags]\nteam = \"ops\"\n"), 0o600)
	c.t.Setenv("HOME", c.home)
	a := &app{getenv: func(k string) string { return c.env[k] }}
	cfg, err := a.loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	req := a.formOptions(cfg, &interactiveOptions{}).Request
	if req.Type != keys.ED25519 || req.Format != keys.PPK || req.PPKVersion != 2 || req.Source != pair.SourceOffline ||
		len(req.Tags) != 1 || req.Tags[0] != (pair.Tag{Key: "team", Value: "ops"}) {
		t.Errorf("request %+v", req)
	}
}

// Issue 9, item 5: a server that accepts and never answers no longer hangs
// create --batch; the timeouts are configurable and the lost-answer rules
// apply (the request was sent, so EC2 may have made the pair).
func TestHungServerTimesOut(t *testing.T) {
	c, srv := awsCLI(t)
	srv.Inject(ec2test.Fault{Kind: ec2test.Hang, Action: "CreateKeyPair"})
	c.env["KEYPAIR_FIRST_BYTE_TIMEOUT"] = "200ms"
	c.env["KEYPAIR_REQUEST_TIMEOUT"] = "2s"
	done := make(chan result, 1)
	go func() {
		done <- c.run("", "create", "--batch", "--name", "hung", "--out", filepath.Join(c.home, "hung.pem"))
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("create --batch still hangs")
	}
	if r.code != exitFailed || !strings.Contains(r.stderr, "keypair list") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(c.home, "hung.pem")); !os.IsNotExist(err) {
		t.Errorf("a key file exists: %v", err)
	}
}

// Issue 9, item 6: an oversized "private key" from the server is refused
// and the pair EC2 says it made is deleted again. (The gzip bomb is
// awsapi's TestGzipBombIsCapped.)
func TestOversizedAnswers(t *testing.T) {
	c, srv := awsCLI(t)
	// 1 MiB, well over awsapi.MaxKeyMaterialBytes (awsapi's own tests send 50 MB).
	srv.Inject(ec2test.Fault{Kind: ec2test.HugeKeyMaterial, Action: "CreateKeyPair", Times: 1, Size: 1 << 20})
	out := filepath.Join(c.home, "big.pem")
	r := c.run("", "create", "--batch", "--name", "big", "--type", "ed25519", "--out", out)
	if r.code != exitFailed || !strings.Contains(r.stderr, "deleted from EC2 again") {
		t.Errorf("huge key material: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the oversized key was saved: %v", err)
	}
	if n := len(srv.KeyPairs("us-east-1")); n != 0 {
		t.Errorf("%d pairs left in EC2", n)
	}
}

// Issue 9, item 9: pre-checks that passed and then failed after EC2 had
// made the pair. Names whose default path is too long, a 256-byte --out
// file name, a dangling ~/.ssh symlink: refused with exit 2 before EC2 is
// called.
func TestPreCheckCatchesWhatTheWriterWouldRefuse(t *testing.T) {
	c, srv := awsCLI(t)
	long := strings.Repeat("n", 252) // 252 + ".pem" = 256 bytes, over NAME_MAX
	cases := map[string][]string{
		"252-character name, default path": {"--name", long},
		"256-byte --out file name":         {"--name", "k", "--out", filepath.Join(c.home, strings.Repeat("f", 256))},
	}
	for name, args := range cases {
		r := c.run("", append([]string{"create", "--batch", "--type", "ed25519"}, args...)...)
		if r.code != exitUsage {
			t.Errorf("%s: exit %d, stderr:\n%s", name, r.code, r.stderr)
		}
	}
	// ~/.ssh is a symlink to nowhere.
	os.Symlink(filepath.Join(c.home, "gone"), filepath.Join(c.home, ".ssh"))
	if r := c.run("", "create", "--batch", "--name", "k", "--type", "ed25519"); r.code != exitUsage {
		t.Errorf("dangling ~/.ssh: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if a := actions(srv); len(a) != 0 {
		t.Errorf("EC2 was called: %v", a)
	}
}

// Issue 14: only the subcommand being run is built; help, completion and
// unknown names get the full tree.
func TestCommandTreeIsBuiltForTheRun(t *testing.T) {
	a := &app{}
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"list"}, 1},
		{[]string{"--region", "create", "version"}, 1}, // "create" is --region's value
		{[]string{}, 0},
		{[]string{"-v"}, 0},
		{[]string{"--help"}, 9},
		{[]string{"help", "create"}, 9},
		{[]string{"__complete", "cr"}, 9},
		{[]string{"lis"}, 9},
		{nil, 9},
	} {
		root := a.rootCommand(tc.args)
		if n := len(root.Commands()); n != tc.want {
			t.Errorf("%q: %d subcommands, want %d", tc.args, n, tc.want)
		}
	}
	if root := a.rootCommand([]string{"--region", "create", "version"}); root.Commands()[0].Name() != "version" {
		t.Errorf("built %s", root.Commands()[0].Name())
	}
}

// A call the user stopped before anything was sent gets no network advice.
func TestCanceledBeforeSendingHasNoNetworkAdvice(t *testing.T) {
	if s := nextStep(&awsapi.Error{Kind: awsapi.Canceled, Op: "DescribeKeyPairs"}); s != "" {
		t.Errorf("next step %q", s)
	}
	if s := nextStep(&awsapi.Error{Kind: awsapi.Canceled, Op: "CreateKeyPair", MayHaveActed: true, Region: "eu-west-1"}); !strings.Contains(s, "keypair list --region eu-west-1") {
		t.Errorf("next step %q", s)
	}
}

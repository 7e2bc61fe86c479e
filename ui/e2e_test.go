package ui

// Layer 3: the real binary in a real terminal. The test builds keypair from
// the module root, runs it in a private tmux server at 80x24 with NO_COLOR
// and HOME in a temporary folder, types through the form (offline,
// ED25519), saves to the default path and checks the file and the screen's
// fingerprint with ssh-keygen. Set KEYPAIR_WRITE_SCREENS=1 to also write the
// captured screens to testdata/screens/ for the README.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/internal/oracle"
)

// needOracle skips or fails the test when tool is missing (see oracle.Need).
func needOracle(t *testing.T, tool string) string { return oracle.Need(t, tool) }

// tmuxSession is one keypair process in a private tmux server.
type tmuxSession struct {
	t      *testing.T
	tmux   string
	socket string
}

func (s *tmuxSession) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command(s.tmux, append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (s *tmuxSession) capture() string { return s.run("capture-pane", "-p", "-t", "kp") }

func (s *tmuxSession) keys(k ...string) { s.run(append([]string{"send-keys", "-t", "kp"}, k...)...) }

func (s *tmuxSession) text(txt string) { s.run("send-keys", "-t", "kp", "-l", txt) }

// waitFor polls the pane until every sub shows; it fails at the deadline.
func (s *tmuxSession) waitFor(subs ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		scr := s.capture()
		ok := true
		for _, sub := range subs {
			ok = ok && screenHas(scr, sub)
		}
		if ok {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("pane never showed %q:\n%s", subs, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func writeScreen(t *testing.T, name, screen string) {
	if os.Getenv("KEYPAIR_WRITE_SCREENS") != "1" {
		return
	}
	dir := filepath.Join("testdata", "screens")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(screen, "\n"), "\n") {
		lines = append(lines, strings.TrimRight(l, " "))
	}
	if err := os.WriteFile(filepath.Join(dir, name+".txt"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// startBinary builds keypair and runs it with args in a private tmux
// server at 80x24 (NO_COLOR, HOME=tmp). Its stdout goes to tmp/stdout and
// its exit status to tmp/exit.
func startBinary(t *testing.T, args ...string) (s *tmuxSession, tmp string) {
	t.Helper()
	return startBinaryEnv(t, nil, args...)
}

// startBinaryEnv is startBinary with more environment (KEY=VALUE).
func startBinaryEnv(t *testing.T, env []string, args ...string) (s *tmuxSession, tmp string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	tmux := needOracle(t, "tmux")
	needOracle(t, "ssh-keygen")

	tmp = t.TempDir()
	bin := filepath.Join(tmp, "keypair")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	s = &tmuxSession{t: t, tmux: tmux, socket: fmt.Sprintf("keypair-test-%d-%s", os.Getpid(), t.Name())}
	// The summary goes to stdout; keep it in a file to check after the TUI.
	script := fmt.Sprintf("%s %s > %s; echo $? > %s; sleep 60", bin, strings.Join(args, " "),
		filepath.Join(tmp, "stdout"), filepath.Join(tmp, "exit"))
	tmuxArgs := []string{"-f", "/dev/null", "new-session", "-d", "-s", "kp", "-x", "80", "-y", "24"}
	for _, kv := range env {
		tmuxArgs = append(tmuxArgs, "-e", kv)
	}
	s.run(append(tmuxArgs, "-e", "NO_COLOR=1", "-e", "HOME="+tmp, "-e", "XDG_CONFIG_HOME="+filepath.Join(tmp, "config"),
		"-e", "AWS_REGION=us-east-1", "-e", "AWS_EC2_METADATA_DISABLED=true",
		"-e", "AWS_CONFIG_FILE="+filepath.Join(tmp, "aws-config"), "-e", "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(tmp, "aws-credentials"),
		"-e", "TERM=xterm-256color",
		"sh", "-c", script)...)
	t.Cleanup(func() { exec.Command(tmux, "-L", s.socket, "kill-server").Run() })
	return s, tmp
}

// checkSaved checks the private key file at path with ssh-keygen: it
// parses, its public half is typ, and its SHA256 fingerprint is the one
// on screen.
func checkSaved(t *testing.T, path, typ, screen string) (pub string) {
	t.Helper()
	sshKeygen := needOracle(t, "ssh-keygen")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatalf("saved file: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
	out, err := exec.Command(sshKeygen, "-y", "-f", path).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), typ+" ") {
		t.Fatalf("ssh-keygen -y: %v\n%s", err, out)
	}
	l, err := exec.Command(sshKeygen, "-l", "-f", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen -l: %v\n%s", err, l)
	}
	re := regexp.MustCompile(`SHA256:[A-Za-z0-9+/]{43}`)
	want, got := re.FindString(string(l)), re.FindString(screen)
	if want == "" || got != want {
		t.Fatalf("screen shows %q, ssh-keygen -l says %q", got, want)
	}
	return string(out)
}

// waitExit waits for the binary to exit after the TUI and returns its stdout.
func waitExit(t *testing.T, s *tmuxSession, tmp string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, err := os.ReadFile(filepath.Join(tmp, "exit"))
		if err == nil && len(strings.TrimSpace(string(b))) > 0 {
			if code := strings.TrimSpace(string(b)); code != "0" {
				t.Fatalf("keypair exited %s:\n%s", code, s.capture())
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("keypair did not exit:\n%s", s.capture())
		}
		time.Sleep(50 * time.Millisecond)
	}
	out, _ := os.ReadFile(filepath.Join(tmp, "stdout"))
	if strings.Contains(string(out), "PRIVATE KEY") || strings.Contains(s.capture(), "PRIVATE KEY") {
		t.Fatal("private key material on stdout or the screen")
	}
	return string(out)
}

func TestEndToEndTmux(t *testing.T) {
	s, tmp := startBinary(t)
	writeScreen(t, "tmux-form-empty", s.waitFor("Name", "[ Create key pair ]"))
	s.text("e2e-key")
	s.keys("Tab", "Right") // ED25519
	s.waitFor("Windows instances cannot use ED25519")
	s.keys("Tab", "Tab", "Right", "Right") // format; source aws -> local -> offline
	writeScreen(t, "tmux-form", s.waitFor("(•) offline", "offline: no credentials needed"))
	s.keys("C-s")
	writeScreen(t, "tmux-save", s.waitFor("Save the private key", "e2e-key.pem"))
	s.keys("Enter")
	screen := s.waitFor("✓ Saved e2e-key", "OpenSSH SHA256", "[SHA256]")
	writeScreen(t, "tmux-fingerprint", screen)

	path := filepath.Join(tmp, ".ssh", "e2e-key.pem")
	if dir, err := os.Stat(filepath.Dir(path)); err != nil || dir.Mode().Perm() != 0o700 {
		t.Fatalf("~/.ssh: %v %v, want mode 0700", dir, err)
	}
	pub := checkSaved(t, path, "ssh-ed25519", screen)
	// The public key line on screen is ssh-keygen's (up to where it is cut).
	keyB64 := strings.Fields(pub)[1]
	if !strings.Contains(screen, "ssh-ed25519 "+keyB64[:40]) {
		t.Fatalf("public key on screen differs from ssh-keygen -y %s", keyB64)
	}
	s.keys("q")
	out := waitExit(t, s, tmp)
	if !strings.Contains(out, "e2e-key") || !strings.Contains(out, path) {
		t.Fatalf("stdout summary %q lacks the name and path", out)
	}
}

// TestEndToEndCreatePrefilled runs `keypair create` with flags: the form
// opens prefilled; ctrl+s and enter save an RSA PEM key, checked with ssh-keygen.
func TestEndToEndCreatePrefilled(t *testing.T) {
	s, tmp := startBinary(t, "create", "--name", "prefilled", "--type", "rsa", "--source", "offline", "--out", "~/keys/p.pem", "--json")
	if err := os.MkdirAll(filepath.Join(tmp, "keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	s.waitFor("Name     prefilled", "(•) RSA", "(•) offline")
	s.keys("C-s")
	s.waitFor("Save the private key", "keys/p.pem") // sh expands the ~
	s.keys("Enter")
	screen := s.waitFor("✓ Saved prefilled", "MD5 of the public key, as EC2 shows imported RSA keys (once imported)")
	path := filepath.Join(tmp, "keys", "p.pem")
	checkSaved(t, path, "ssh-rsa", screen)
	s.keys("q")
	out := waitExit(t, s, tmp)
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("--json: stdout is not one JSON object: %v\n%q", err, out)
	}
	if got["keyName"] != "prefilled" || got["path"] != path || got["source"] != "offline" || got["keyType"] != "rsa" {
		t.Fatalf("--json: %q", out)
	}
}

// TestEndToEndPPKv2FromEC2 makes an RSA key with source aws through the
// form against the stand-in EC2 endpoint, asks for PPK version 2 (PuTTY
// 0.74 and older), and checks the file with puttygen: version 2, the
// fingerprint on screen, and the public key EC2 holds.
func TestEndToEndPPKv2FromEC2(t *testing.T) {
	puttygen := needOracle(t, "puttygen")
	srv := ec2test.New(ec2test.Options{})
	t.Cleanup(srv.Close)
	s, tmp := startBinaryEnv(t, []string{"AWS_ACCESS_KEY_ID=" + ec2test.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + ec2test.SecretAccessKey},
		"create", "--endpoint-url", srv.URL(), "--name", "putty-e2e", "--source", "aws", "--format", "ppk", "--ppk-version", "2")
	s.waitFor("Name     putty-e2e", "(•) aws", "(•) .ppk", "(•) 2  PuTTY 0.74 and older", "credentials: ok")
	s.keys("C-s")
	writeScreen(t, "tmux-save-ppk2", s.waitFor("Save the private key", "(PPK version 2)", "putty-e2e.ppk"))
	s.keys("Enter")
	screen := s.waitFor("✓ Saved putty-e2e", "OpenSSH SHA256")
	path := filepath.Join(tmp, ".ssh", "putty-e2e.ppk")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(string(data), "\n"); !strings.HasPrefix(first, "PuTTY-User-Key-File-2: ssh-rsa") {
		t.Fatalf("first line %q, want PuTTY-User-Key-File-2: ssh-rsa", first)
	}
	fp, err := exec.Command(puttygen, path, "-O", "fingerprint").CombinedOutput()
	if err != nil {
		t.Fatalf("puttygen -O fingerprint: %v\n%s", err, fp)
	}
	re := regexp.MustCompile(`SHA256:[A-Za-z0-9+/]{43}`)
	if want, got := re.FindString(string(fp)), re.FindString(screen); want == "" || want != got {
		t.Fatalf("puttygen says %q, the screen %q", want, got)
	}
	pub, err := exec.Command(puttygen, path, "-O", "public-openssh").CombinedOutput()
	if err != nil {
		t.Fatalf("puttygen -O public-openssh: %v\n%s", err, pub)
	}
	var held string
	for _, p := range srv.KeyPairs("us-east-1") {
		if p.Name == "putty-e2e" {
			held = p.PublicKey
		}
	}
	if f := strings.Fields(string(pub)); len(f) < 2 || !strings.Contains(held, f[1]) {
		t.Fatalf("puttygen's public key %q is not the one EC2 holds %q", pub, held)
	}
	s.keys("q")
	if out := waitExit(t, s, tmp); !strings.Contains(out, "putty-e2e") {
		t.Fatalf("stdout %q", out)
	}
}

// TestEndToEndTraceTUI runs keypair --trace in a terminal against the
// stand-in: ctrl+t shows the preview and the session's requests; the
// --trace blocks, held while the form is drawn, follow it on the terminal
// when it ends, with the request EC2 received, and nothing on the terminal
// holds a line of the private key.
func TestEndToEndTraceTUI(t *testing.T) {
	srv := ec2test.New(ec2test.Options{})
	t.Cleanup(srv.Close)
	s, tmp := startBinaryEnv(t, []string{"AWS_ACCESS_KEY_ID=" + ec2test.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + ec2test.SecretAccessKey},
		"--trace", "create", "--endpoint-url", srv.URL(), "--name", "trace-e2e", "--source", "aws", "--type", "ed25519")
	s.waitFor("Name     trace-e2e", "credentials: ok")
	s.keys("C-t")
	writeScreen(t, "tmux-inspector", s.waitFor("Create would send", "-> ec2 CreateKeyPair  region=us-east-1", "KeyName=trace-e2e", "<- not sent (preview"))
	if scr := s.capture(); strings.Contains(scr, "\n<- 200") {
		t.Fatalf("--trace output on the form's screen:\n%s", scr)
	}
	s.keys("Escape")
	s.waitFor("[ Create key pair ]")
	s.keys("C-s")
	s.waitFor("Save the private key")
	s.keys("Enter")
	s.waitFor("✓ Saved trace-e2e")
	s.keys("q")
	waitExit(t, s, tmp)
	all := s.run("capture-pane", "-p", "-J", "-S", "-", "-E", "-", "-t", "kp")
	head := "-> ec2 CreateKeyPair  region=us-east-1  endpoint=" + srv.URL() + "/  attempt=1"
	if !strings.Contains(all, head+"\n") || !regexp.MustCompile(`\n<- 200  request-id=\S+  \d+ms\n`).MatchString(all) {
		t.Fatalf("no trace of the CreateKeyPair after the form:\n%s", all)
	}
	var sent []string
	for _, lr := range srv.Requests() {
		if lr.Action == "CreateKeyPair" {
			for _, p := range lr.Params {
				sent = append(sent, "   "+p.Name+"="+p.Value)
			}
		}
	}
	_, after, _ := strings.Cut(all, head+"\n")
	if len(sent) == 0 || !strings.HasPrefix(after, strings.Join(sent, "\n")+"\n<- 200") {
		t.Errorf("traced parameters differ from the %q EC2 received:\n%s", sent, after)
	}
	key, err := os.ReadFile(filepath.Join(tmp, ".ssh", "trace-e2e.pem"))
	if err != nil {
		t.Fatal(err)
	}
	for _, kl := range strings.Split(string(key), "\n") {
		if kl = strings.TrimSpace(kl); len(kl) >= 8 && strings.Contains(all, kl) {
			t.Errorf("the terminal shows key line %q", kl)
		}
	}
}

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/internal/oracle"
	"github.com/keypair-dev/keypair/pair"
)

// keypair serve against OpenSSH's own ssh client on loopback (issue 11).

// serveRig is one `keypair serve` process and what it serves from.
type serveRig struct {
	t        *testing.T
	dir      string
	ec2      *ec2test.Server
	cmd      *exec.Cmd
	port     string
	stderr   *lockedBuffer
	audit    string
	authKeys string
	done     chan error
}

type lockedBuffer struct {
	mu  chan struct{}
	buf bytes.Buffer
}

func newLockedBuffer() *lockedBuffer { return &lockedBuffer{mu: make(chan struct{}, 1)} }
func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.Write(p)
}
func (b *lockedBuffer) String() string {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.String()
}

// clientKey makes an ssh key pair with ssh-keygen; returns the private key path.
func clientKey(t *testing.T, dir, name, typ string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	out, err := exec.Command(oracle.Need(t, "ssh-keygen"), "-q", "-t", typ, "-N", "", "-C", name+"@test", "-f", p).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	return p
}

func pubLine(t *testing.T, priv string) string {
	t.Helper()
	b, err := os.ReadFile(priv + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// startServe runs keypair serve with the authorized keys given (lines) and
// extra flags, and waits for its "listening on" line.
func startServe(t *testing.T, authorized []string, extra ...string) *serveRig {
	t.Helper()
	oracle.Need(t, "ssh")
	bin := keypairBinary(t)
	r := &serveRig{t: t, dir: t.TempDir(), stderr: newLockedBuffer(), done: make(chan error, 1)}
	r.ec2 = ec2test.New(ec2test.Options{})
	t.Cleanup(r.ec2.Close)
	r.authKeys = filepath.Join(r.dir, "admins")
	if err := os.WriteFile(r.authKeys, []byte(strings.Join(authorized, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r.audit = filepath.Join(r.dir, "audit.jsonl")
	args := append([]string{"serve", "--authorized-keys", r.authKeys, "--listen", "127.0.0.1:0", "--audit-log", r.audit}, extra...)
	r.cmd = exec.Command(bin, args...)
	r.cmd.Env = append(binaryEnv(r.dir, r.ec2), "XDG_STATE_HOME="+filepath.Join(r.dir, "state"))
	pr, pw := io.Pipe()
	r.cmd.Stderr = io.MultiWriter(r.stderr, pw)
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.done <- r.cmd.Wait(); pw.Close() }()
	t.Cleanup(func() {
		if r.cmd.ProcessState == nil {
			r.cmd.Process.Kill()
			<-r.done
		}
	})
	re := regexp.MustCompile(`listening on 127\.0\.0\.1:(\d+)`)
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			r.port = m[1]
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if r.port == "" {
		t.Fatalf("keypair serve did not start:\n%s", r.stderr.String())
	}
	return r
}

// sshArgs are the ssh client's arguments for key (the private key path).
func (r *serveRig) sshArgs(key string, more ...string) []string {
	args := []string{"-F", "/dev/null", "-p", r.port, "-o", "StrictHostKeyChecking=no",
		"-o", "UserKnownHostsFile=" + filepath.Join(r.dir, "known_hosts"), "-o", "IdentitiesOnly=yes",
		"-o", "BatchMode=yes", "-o", "LogLevel=ERROR"}
	if key != "" {
		args = append(args, "-i", key)
	}
	return append(append(args, more...), "admin@127.0.0.1")
}

// auditEvents reads the audit log.
func (r *serveRig) auditEvents() []map[string]string {
	r.t.Helper()
	b, err := os.ReadFile(r.audit)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []map[string]string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if l == "" {
			continue
		}
		var m map[string]string
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			r.t.Fatalf("audit line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// noKeyMaterial fails if any private key file's body shows in the log.
func noKeyMaterial(t *testing.T, log string, privFiles ...string) {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range privFiles {
		k, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(k), "\n") {
			l = strings.TrimSpace(l)
			if len(l) < 16 || strings.HasPrefix(l, "-----") || strings.Contains(l, ":") {
				continue
			}
			if bytes.Contains(b, []byte(l)) {
				t.Fatalf("the audit log holds a line of the private key %s", p)
			}
		}
	}
}

func (r *serveRig) tmux(t *testing.T, name string) *tmuxPane {
	tm := &tmuxPane{t: t, tmux: oracle.Need(t, "tmux"), socket: fmt.Sprintf("kp-serve-%d-%s", os.Getpid(), name)}
	t.Cleanup(func() { exec.Command(tm.tmux, "-L", tm.socket, "kill-server").Run() })
	return tm
}

type tmuxPane struct {
	t      *testing.T
	tmux   string
	socket string
}

func (p *tmuxPane) run(args ...string) string {
	p.t.Helper()
	out, err := exec.Command(p.tmux, append([]string{"-L", p.socket}, args...)...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (p *tmuxPane) screen() string { return p.run("capture-pane", "-p", "-t", "kp") }

func (p *tmuxPane) waitFor(subs ...string) string {
	p.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		s := p.screen()
		ok := true
		for _, sub := range subs {
			ok = ok && strings.Contains(s, sub)
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the screen never showed %q:\n%s", subs, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startSSH runs ssh in a tmux pane at 80x24; its exit status goes to dir/exit.
func (r *serveRig) startSSH(t *testing.T, key string, env ...string) (*tmuxPane, string) {
	p := r.tmux(t, filepath.Base(key))
	exitFile := filepath.Join(t.TempDir(), "exit")
	args := r.sshArgs(key, "-t")
	script := "ssh " + strings.Join(quoteAll(args), " ") + "; echo $? > " + exitFile + "; sleep 60"
	tmuxArgs := []string{"-f", "/dev/null", "new-session", "-d", "-s", "kp", "-x", "80", "-y", "24", "-e", "TERM=xterm-256color"}
	for _, kv := range env {
		tmuxArgs = append(tmuxArgs, "-e", kv)
	}
	p.run(append(tmuxArgs, "sh", "-c", script)...)
	return p, exitFile
}

func waitFile(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && len(bytes.TrimSpace(b)) > 0 {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never appeared", path)
	return ""
}

func TestServeImportsTheLoginKey(t *testing.T) {
	keyDir := t.TempDir()
	key := clientKey(t, keyDir, "alice", "ed25519")
	r := startServe(t, []string{"# the admins", pubLine(t, key)})
	p, exitFile := r.startSSH(t, key, "NO_COLOR=1")
	p.waitFor("login key", "Import login key", "credentials: ok")
	p.run("send-keys", "-t", "kp", "-l", "alice-laptop")
	p.run("send-keys", "-t", "kp", "C-s")
	scr := p.waitFor("Imported alice-laptop")
	pairs := r.ec2.KeyPairs("us-east-1")
	if len(pairs) != 1 {
		t.Fatalf("want 1 pair, got %d\n%s", len(pairs), scr)
	}
	want, _, _, _, _ := ssh.ParseAuthorizedKey([]byte(pubLine(t, key)))
	got, _, _, _, err := ssh.ParseAuthorizedKey([]byte(pairs[0].PublicKey))
	if err != nil || !bytes.Equal(got.Marshal(), want.Marshal()) {
		t.Fatalf("EC2 got another public key: %q", pairs[0].PublicKey)
	}
	fp := ssh.FingerprintSHA256(want)
	var tagged bool
	for _, tag := range pairs[0].Tags {
		tagged = tagged || (tag.Key == pair.ImportedByTag && tag.Value == fp)
	}
	if !tagged {
		t.Fatalf("no %s=%s tag: %+v", pair.ImportedByTag, fp, pairs[0].Tags)
	}
	if !strings.Contains(scr, fp) {
		t.Fatalf("the fingerprint view does not show %s:\n%s", fp, scr)
	}
	p.run("send-keys", "-t", "kp", "q")
	if code := waitFile(t, exitFile); code != "0" {
		t.Fatalf("ssh exit status %s\n%s", code, p.screen())
	}
	var login, imported bool
	for _, e := range r.auditEvents() {
		if e["user"] != fp && e["action"] != "refused" {
			t.Fatalf("audit event of another user: %v", e)
		}
		switch e["action"] {
		case "login":
			login = e["comment"] == "alice@test" && e["remote"] != ""
		case "ImportKeyPair":
			imported = e["keyName"] == "alice-laptop" && e["result"] == "ok" && e["region"] == "us-east-1" && e["requestId"] != ""
		}
	}
	if !login || !imported {
		t.Fatalf("audit log lacks the login or the import:\n%v", r.auditEvents())
	}
	noKeyMaterial(t, r.audit, key)
	if fi, err := os.Stat(r.audit); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("audit log mode: %v %v", fi.Mode(), err)
	}
}

func TestServeRefusals(t *testing.T) {
	keyDir := t.TempDir()
	alice := clientKey(t, keyDir, "alice", "ed25519")
	mallory := clientKey(t, keyDir, "mallory", "ed25519")
	r := startServe(t, []string{pubLine(t, alice)})
	sshBin := oracle.Need(t, "ssh")

	t.Run("unknown key", func(t *testing.T) {
		out, err := exec.Command(sshBin, r.sshArgs(mallory, "-T")...).CombinedOutput()
		if code := exitStatus(t, err); code != 255 || !strings.Contains(string(out), "Permission denied") {
			t.Fatalf("exit %d: %s", code, out)
		}
	})
	t.Run("password", func(t *testing.T) {
		cmd := exec.Command(sshBin, r.sshArgs("", "-o", "PreferredAuthentications=password,keyboard-interactive",
			"-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1", "-T")...)
		cmd.Stdin = strings.NewReader("secret\n")
		out, err := cmd.CombinedOutput()
		if code := exitStatus(t, err); code != 255 || !strings.Contains(string(out), "Permission denied (publickey)") {
			t.Fatalf("exit %d: %s", code, out)
		}
	})
	t.Run("no PTY", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(sshBin, r.sshArgs(alice, "-T")...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if code := exitStatus(t, err); code != 1 {
			t.Fatalf("exit %d: %s %s", code, stdout.String(), stderr.String())
		}
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], "needs a terminal") {
			t.Fatalf("want one line saying a terminal is needed, got %q", stderr.String())
		}
	})
	t.Run("command", func(t *testing.T) {
		out, err := exec.Command(sshBin, append(r.sshArgs(alice, "-T"), "cat", "/etc/passwd")...).CombinedOutput()
		_ = err
		if strings.Contains(string(out), "root:") || exitStatus(t, err) != 1 {
			t.Fatalf("a command ran: %s", out)
		}
	})
	var refusedKey, refusedPTY bool
	for _, e := range r.auditEvents() {
		refusedKey = refusedKey || (e["action"] == "refused" && e["result"] == "key not in the authorized keys")
		refusedPTY = refusedPTY || (e["action"] == "refused" && e["result"] == "no terminal (PTY)")
	}
	if !refusedKey || !refusedPTY {
		t.Fatalf("the refusals are not in the audit log: %v", r.auditEvents())
	}
	noKeyMaterial(t, r.audit, alice, mallory)
}

func TestServeBadAuthorizedKeysLineStopsIt(t *testing.T) {
	bin := keypairBinary(t)
	dir := t.TempDir()
	key := clientKey(t, dir, "k", "ed25519")
	ak := filepath.Join(dir, "admins")
	// The library's reader would skip line 3 and accept line 4.
	body := "# admins\n" + pubLine(t, key) + "\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAbroken\n" + pubLine(t, key) + "\n"
	if err := os.WriteFile(ak, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--authorized-keys", ak, "--listen", "127.0.0.1:0", "--host-key", filepath.Join(dir, "hk"))
	cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	if code := exitStatus(t, err); code != 2 || !strings.Contains(string(out), ak+" line 3") {
		t.Fatalf("exit %d: %s", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "hk")); err == nil {
		t.Fatal("a host key was made although the server refused to start")
	}
	// Writable by others: refused too.
	os.WriteFile(ak, []byte(pubLine(t, key)+"\n"), 0o600)
	os.Chmod(ak, 0o666)
	out, err = exec.Command(bin, "serve", "--authorized-keys", ak, "--listen", "127.0.0.1:0", "--host-key", filepath.Join(dir, "hk")).CombinedOutput()
	if code := exitStatus(t, err); code != 2 || !strings.Contains(string(out), "writable by group or others") {
		t.Fatalf("exit %d: %s", code, out)
	}
}

func TestServeSIGTERMMidSession(t *testing.T) {
	keyDir := t.TempDir()
	key := clientKey(t, keyDir, "bob", "ed25519")
	r := startServe(t, []string{pubLine(t, key)})
	p, exitFile := r.startSSH(t, key, "NO_COLOR=1")
	p.waitFor("Import login key")
	p.run("send-keys", "-t", "kp", "-l", "half-typed")
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitFor("shutting down")
	err := <-r.done
	t.Logf("server:\n%s", r.stderr.String())
	if code := exitStatus(t, err); code != 0 {
		t.Fatalf("keypair serve exit %d after SIGTERM:\n%s", code, r.stderr.String())
	}
	waitFile(t, exitFile)
	p.waitFor("was shut down")
	if n := len(r.ec2.KeyPairs("us-east-1")); n != 0 {
		t.Fatalf("%d pairs made", n)
	}
}

func TestServeKeysDirSavesUnderTheAdminsFolder(t *testing.T) {
	keyDir := t.TempDir()
	key := clientKey(t, keyDir, "carol", "ed25519")
	keysDir := filepath.Join(t.TempDir(), "keys")
	r := startServe(t, []string{pubLine(t, key)}, "--keys-dir", keysDir)
	p, exitFile := r.startSSH(t, key, "NO_COLOR=1")
	p.waitFor("Import login key")
	p.run("send-keys", "-t", "kp", "-l", "carol-web")
	// Source: login key, paste, aws, local, offline: pick aws (EC2 makes it).
	p.run("send-keys", "-t", "kp", "Tab")
	p.run("send-keys", "-t", "kp", "Right", "Right")
	p.waitFor("Create key pair")
	p.run("send-keys", "-t", "kp", "C-s")
	scr := p.waitFor("Save")
	pub, _, _, _, _ := ssh.ParseAuthorizedKey([]byte(pubLine(t, key)))
	userDir := filepath.Join(keysDir, strings.NewReplacer(":", "_", "/", "_", "+", "-", "=", "").Replace(ssh.FingerprintSHA256(pub)))
	if !strings.Contains(scr, "/carol-web.pem") {
		t.Fatalf("the save dialog does not propose %s:\n%s", userDir, scr)
	}
	// A path outside the folder is refused.
	p.run("send-keys", "-t", "kp", "C-u")
	p.run("send-keys", "-t", "kp", "-l", userDir+"/../escape.pem")
	p.run("send-keys", "-t", "kp", "Enter")
	p.waitFor("only in this session's own folder")
	p.run("send-keys", "-t", "kp", "C-u")
	p.run("send-keys", "-t", "kp", "-l", userDir+"/carol-web.pem")
	p.run("send-keys", "-t", "kp", "Enter")
	scr = p.waitFor("Saved carol-web", "scp -O")
	saved := filepath.Join(userDir, "carol-web.pem")
	fi, err := os.Stat(saved)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("saved key: %v %v", fi, err)
	}
	if _, err := os.Stat(filepath.Join(keysDir, "escape.pem")); err == nil {
		t.Fatal("a key escaped the folder")
	}
	// scp -O fetches it with the same key; another name's folder is out of reach.
	fetched := filepath.Join(t.TempDir(), "got.pem")
	scpArgs := []string{"-O", "-F", "/dev/null", "-P", r.port, "-o", "StrictHostKeyChecking=no",
		"-o", "UserKnownHostsFile=" + filepath.Join(r.dir, "known_hosts"), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-i", key}
	out, err := exec.Command(oracle.Need(t, "scp"), append(scpArgs, "admin@127.0.0.1:carol-web.pem", fetched)...).CombinedOutput()
	if err != nil {
		t.Fatalf("scp: %v\n%s\nserver:\n%s", err, out, r.stderr.String())
	}
	a, _ := os.ReadFile(saved)
	b, _ := os.ReadFile(fetched)
	if !bytes.Equal(a, b) {
		t.Fatal("scp fetched something else")
	}
	out, err = exec.Command(oracle.Need(t, "scp"), append(scpArgs, "admin@127.0.0.1:../../admins", fetched+"2")...).CombinedOutput()
	if err == nil {
		t.Fatalf("scp escaped the folder: %s", out)
	}
	p.run("send-keys", "-t", "kp", "q")
	waitFile(t, exitFile)
	noKeyMaterial(t, r.audit, key, saved)
	var created bool
	for _, e := range r.auditEvents() {
		created = created || (e["action"] == "CreateKeyPair" && e["keyName"] == "carol-web" && e["result"] == "ok")
	}
	if !created {
		t.Fatalf("no CreateKeyPair in the audit log: %v", r.auditEvents())
	}
}

// SIGTERM while EC2 is importing: the call runs to its answer (the pair
// exists and the audit log says so), then the server exits 0.
func TestServeSIGTERMDuringAnImportLetsItFinish(t *testing.T) {
	keyDir := t.TempDir()
	key := clientKey(t, keyDir, "dave", "ed25519")
	r := startServe(t, []string{pubLine(t, key)})
	r.ec2.Inject(ec2test.Fault{Kind: ec2test.Delay, Action: "ImportKeyPair", Delay: 3 * time.Second})
	p, _ := r.startSSH(t, key, "NO_COLOR=1")
	p.waitFor("Import login key", "credentials: ok")
	p.run("send-keys", "-t", "kp", "-l", "dave-slow")
	p.run("send-keys", "-t", "kp", "C-s")
	p.waitFor("Importing the key you logged in with")
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := <-r.done
	if code := exitStatus(t, err); code != 0 {
		t.Fatalf("exit %d:\n%s", code, r.stderr.String())
	}
	if n := len(r.ec2.KeyPairs("us-east-1")); n != 1 {
		t.Fatalf("the import under way must finish: %d pairs", n)
	}
	var imported bool
	for _, e := range r.auditEvents() {
		imported = imported || (e["action"] == "ImportKeyPair" && e["keyName"] == "dave-slow" && e["result"] == "ok")
	}
	if !imported {
		t.Fatalf("audit: %v", r.auditEvents())
	}
}

// A user certificate logs in through its cert-authority line, and what is
// imported is the certificate's inner key.
func TestServeCertificateImportsItsInnerKey(t *testing.T) {
	keyDir := t.TempDir()
	ca := clientKey(t, keyDir, "ca", "ed25519")
	user := clientKey(t, keyDir, "erin", "ed25519")
	out, err := exec.Command(oracle.Need(t, "ssh-keygen"), "-q", "-s", ca, "-I", "erin", "-n", "admin", "-V", "-5m:+1h", user+".pub").CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen -s: %v\n%s", err, out)
	}
	r := startServe(t, []string{`cert-authority,principals="admin" ` + pubLine(t, ca)})
	p, _ := r.startSSH(t, user, "NO_COLOR=1")
	p.waitFor("Import login key", "credentials: ok")
	p.run("send-keys", "-t", "kp", "-l", "erin-cert")
	p.run("send-keys", "-t", "kp", "C-s")
	p.waitFor("Imported erin-cert")
	pairs := r.ec2.KeyPairs("us-east-1")
	want, _, _, _, _ := ssh.ParseAuthorizedKey([]byte(pubLine(t, user)))
	if len(pairs) != 1 {
		t.Fatalf("pairs: %d", len(pairs))
	}
	got, _, _, _, err := ssh.ParseAuthorizedKey([]byte(pairs[0].PublicKey))
	if err != nil || !bytes.Equal(got.Marshal(), want.Marshal()) {
		t.Fatalf("EC2 got %q, want the certificate's inner key", pairs[0].PublicKey)
	}
}

// An ECDSA login key gets the app, and a clear refusal in the form: EC2
// imports RSA and ED25519 only. Nothing is sent.
func TestServeECDSALoginKeyIsRefusedClearly(t *testing.T) {
	keyDir := t.TempDir()
	key := clientKey(t, keyDir, "frank", "ecdsa")
	r := startServe(t, []string{pubLine(t, key)})
	p, _ := r.startSSH(t, key, "NO_COLOR=1")
	p.waitFor("Import login key")
	p.run("send-keys", "-t", "kp", "-l", "frank")
	p.run("send-keys", "-t", "kp", "C-s")
	p.waitFor("cannot be imported", "not ecdsa-sha2-nistp256")
	if n := len(r.ec2.KeyPairs("us-east-1")); n != 0 {
		t.Fatalf("%d pairs", n)
	}
}

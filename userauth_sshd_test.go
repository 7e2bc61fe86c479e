package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/internal/oracle"
)

// Item 5 of issue 11 with OpenSSH's own sshd: with ExposeAuthInfo yes,
// $SSH_USER_AUTH names the key the login used, and the local app offers
// it as the source "login key".

// needSSHD finds sshd (Debian keeps it in /usr/sbin, often not on PATH).
func needSSHD(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("sshd"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/sshd"); err == nil {
		return "/usr/sbin/sshd"
	}
	return oracle.Need(t, "sshd") // skips, or fails under KEYPAIR_REQUIRE_ORACLES=1
}

type sshdRig struct {
	dir, port, user string
	key             string // the client's private key
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, p, _ := net.SplitHostPort(ln.Addr().String())
	return p
}

// startSSHD runs a private sshd on loopback: its own config, host key,
// port and authorized keys, ExposeAuthInfo yes, public keys only.
func startSSHD(t *testing.T) *sshdRig {
	t.Helper()
	sshd := needSSHD(t)
	oracle.Need(t, "ssh")
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	if os.Getuid() == 0 {
		// sshd checks for its privilege separation folder even in -D mode;
		// Debian's service start makes it, a bare container has none.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			t.Skipf("sshd needs /run/sshd: %v", err)
		}
	}
	r := &sshdRig{dir: t.TempDir(), port: freePort(t), user: u.Username}
	hostKey := clientKey(t, r.dir, "host_key", "ed25519")
	r.key = clientKey(t, r.dir, "admin", "ed25519")
	ak := filepath.Join(r.dir, "authorized_keys")
	if err := os.WriteFile(ak, []byte(pubLine(t, r.key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(r.dir, "sshd_config")
	conf := strings.Join([]string{
		"Port " + r.port, "ListenAddress 127.0.0.1", "HostKey " + hostKey,
		"AuthorizedKeysFile " + ak, "ExposeAuthInfo yes", "StrictModes no", "UsePAM no",
		"PasswordAuthentication no", "KbdInteractiveAuthentication no", "PubkeyAuthentication yes",
		"PermitRootLogin prohibit-password", "PidFile " + filepath.Join(r.dir, "sshd.pid"),
		"AcceptEnv NO_COLOR", "LogLevel ERROR",
	}, "\n") + "\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sshd, "-D", "-e", "-f", cfg)
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for {
		c, err := net.Dial("tcp", "127.0.0.1:"+r.port)
		if err == nil {
			c.Close()
			break
		}
		if cmd.ProcessState != nil {
			t.Fatalf("sshd exited: %s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return r
}

func (r *sshdRig) sshArgs(more ...string) []string {
	return append([]string{"-F", "/dev/null", "-p", r.port, "-i", r.key, "-o", "IdentitiesOnly=yes",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=" + filepath.Join(r.dir, "known_hosts"),
		"-o", "BatchMode=yes", "-o", "LogLevel=ERROR"}, more...)
}

func TestSSHUserAuthNamesTheLoginKey(t *testing.T) {
	r := startSSHD(t)
	args := append(r.sshArgs(), r.user+"@127.0.0.1", `cat "$SSH_USER_AUTH"`)
	out, err := exec.Command(oracle.Need(t, "ssh"), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh: %v\n%s", err, out)
	}
	want, _, _, _, _ := ssh.ParseAuthorizedKey([]byte(pubLine(t, r.key)))
	line := strings.TrimSpace(string(out))
	rest, ok := strings.CutPrefix(line, "publickey ")
	if !ok {
		t.Fatalf("SSH_USER_AUTH: %q", out)
	}
	got, _, _, _, err := ssh.ParseAuthorizedKey([]byte(rest))
	if err != nil || !bytes.Equal(got.Marshal(), want.Marshal()) {
		t.Fatalf("SSH_USER_AUTH lists another key: %q", out)
	}
}

func TestLocalAppImportsTheKeyYouLoggedInWith(t *testing.T) {
	r := startSSHD(t)
	tmux := oracle.Need(t, "tmux")
	bin := keypairBinary(t)
	srv := ec2test.New(ec2test.Options{})
	t.Cleanup(srv.Close)
	home := t.TempDir()
	env := binaryEnv(home, srv)
	env = append(env, "NO_COLOR=1")
	// The remote command: the binary under a clean environment (sshd's
	// own SSH_USER_AUTH kept), in the login's PTY.
	remote := `exec env -i SSH_USER_AUTH="$SSH_USER_AUTH" ` + strings.Join(quoteAll(env), " ") + " " + bin
	exitFile := filepath.Join(home, "exit")
	args := append(r.sshArgs("-t"), r.user+"@127.0.0.1", remote)
	script := "ssh " + strings.Join(quoteAll(args), " ") + "; echo $? > " + exitFile + "; sleep 60"
	socket := fmt.Sprintf("kp-sshd-%d", os.Getpid())
	p := &tmuxPane{t: t, tmux: tmux, socket: socket}
	t.Cleanup(func() { exec.Command(tmux, "-L", socket, "kill-server").Run() })
	p.run("-f", "/dev/null", "new-session", "-d", "-s", "kp", "-x", "80", "-y", "24", "-e", "TERM=xterm-256color", "sh", "-c", script)
	p.waitFor("( ) login key", "credentials: ok")
	p.run("send-keys", "-t", "kp", "-l", "from-login")
	// Name, Type, Format, Source: left from aws wraps to login key.
	p.run("send-keys", "-t", "kp", "Tab", "Tab", "Tab", "Left")
	p.waitFor("(•) login key", "Import login key")
	p.run("send-keys", "-t", "kp", "C-s")
	p.waitFor("Imported from-login")
	pairs := srv.KeyPairs("us-east-1")
	want, _, _, _, _ := ssh.ParseAuthorizedKey([]byte(pubLine(t, r.key)))
	if len(pairs) != 1 {
		t.Fatalf("pairs: %d", len(pairs))
	}
	got, _, _, _, err := ssh.ParseAuthorizedKey([]byte(pairs[0].PublicKey))
	if err != nil || !bytes.Equal(got.Marshal(), want.Marshal()) {
		t.Fatalf("EC2 got another key: %q", pairs[0].PublicKey)
	}
	p.run("send-keys", "-t", "kp", "q")
	if code := waitFile(t, exitFile); code != "0" {
		t.Fatalf("exit %s:\n%s", code, p.screen())
	}
}

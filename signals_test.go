package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/internal/oracle"
)

// Fault tests through the built binary (issue 9): signals and a standard
// output that goes nowhere, against an in-process stand-in whose faults
// the test sets.

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// keypairBinary builds the command once for the whole test run.
func keypairBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "keypair-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "keypair")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// binaryEnv is a clean environment that points the binary at srv.
func binaryEnv(home string, srv *ec2test.Server) []string {
	return []string{
		"HOME=" + home, "PATH=" + os.Getenv("PATH"), "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_EC2_METADATA_DISABLED=true",
		"AWS_ACCESS_KEY_ID=" + ec2test.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + ec2test.SecretAccessKey,
		"AWS_REGION=us-east-1", "AWS_ENDPOINT_URL_EC2=" + srv.URL(), "TERM=xterm-256color",
	}
}

func exitStatus(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// SIGHUP (a dropped SSH session, a closed terminal) and SIGINT/SIGTERM while
// EC2 is making the pair in batch mode: the answer is awaited and the pair
// deleted again; no file, no pair, exit 1.
func TestBatchSignalDuringCreateLeavesNothing(t *testing.T) {
	bin := keypairBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			srv := ec2test.New(ec2test.Options{})
			t.Cleanup(srv.Close)
			srv.Inject(ec2test.Fault{Kind: ec2test.Delay, Action: "CreateKeyPair", Delay: 2 * time.Second, Times: 1})
			home := t.TempDir()
			out := filepath.Join(home, "k.pem")
			cmd := exec.Command(bin, "create", "--batch", "--name", "sig", "--type", "ed25519", "--out", out)
			cmd.Env = binaryEnv(home, srv)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// The stand-in logs a request when it has answered, so the signal
			// is sent a moment after start: most often while EC2 holds the
			// request, else just before it is sent. Both must leave nothing.
			time.Sleep(300 * time.Millisecond)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			code := exitStatus(t, cmd.Wait())
			if code != exitFailed {
				t.Errorf("exit %d, want 1; stderr:\n%s", code, stderr.String())
			}
			if n := len(srv.KeyPairs("us-east-1")); n != 0 {
				t.Errorf("%d pairs left in EC2; stderr:\n%s", n, stderr.String())
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a key file was left: %v", err)
			}
			if !strings.Contains(stderr.String(), "deleted from EC2 again") && !strings.Contains(stderr.String(), "nothing was made") {
				t.Errorf("stderr does not say what happened:\n%s", stderr.String())
			}
		})
	}
}

// --out - into a pipe whose reader has gone: the write fails (no death by
// SIGPIPE), the save counts as failed, the pair is deleted again, exit 1.
func TestKeyToClosedPipeRollsBack(t *testing.T) {
	bin := keypairBinary(t)
	srv := ec2test.New(ec2test.Options{})
	t.Cleanup(srv.Close)
	home := t.TempDir()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close() // the reader left before the key was written
	cmd := exec.Command(bin, "create", "--batch", "--name", "pipe", "--type", "ed25519", "--out", "-")
	cmd.Env = binaryEnv(home, srv)
	cmd.Stdout = w
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	w.Close()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ProcessState.Sys().(syscall.WaitStatus).Signaled() {
		t.Fatalf("killed by %v: the pair is orphaned", ee.ProcessState.Sys().(syscall.WaitStatus).Signal())
	}
	if code := exitStatus(t, err); code != exitFailed {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr.String())
	}
	if n := len(srv.KeyPairs("us-east-1")); n != 0 {
		t.Errorf("%d pairs left in EC2", n)
	}
	if !strings.Contains(stderr.String(), "standard output") || !strings.Contains(stderr.String(), "deleted from EC2 again") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}

// --out - with standard output closed (>&-): Go puts /dev/null there, and
// the key would vanish with exit 0. Refused before anything is made.
func TestKeyToClosedStdoutIsRefused(t *testing.T) {
	bin := keypairBinary(t)
	srv := ec2test.New(ec2test.Options{})
	t.Cleanup(srv.Close)
	home := t.TempDir()
	cmd := exec.Command("sh", "-c", `exec "$0" create --batch --name closed --type ed25519 --out - >&-`, bin)
	cmd.Env = binaryEnv(home, srv)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if code := exitStatus(t, cmd.Run()); code != exitUsage {
		t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr.String())
	}
	if len(srv.Requests()) != 0 {
		t.Errorf("EC2 was called: %v", actions(srv))
	}
	if !strings.Contains(stderr.String(), "/dev/null") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}

// SIGHUP at the save dialog of the form, with the only copy of an EC2-made
// key in memory: the pair is deleted again instead of being orphaned.
func TestFormSIGHUPAtSaveDialogDeletesThePair(t *testing.T) {
	tmux := oracle.Need(t, "tmux")
	bin := keypairBinary(t)
	srv := ec2test.New(ec2test.Options{})
	t.Cleanup(srv.Close)
	home := t.TempDir()
	pidFile := filepath.Join(home, "pid")
	socket := fmt.Sprintf("keypair-sig-%d", os.Getpid())
	tm := func(args ...string) string {
		out, err := exec.Command(tmux, append([]string{"-L", socket}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	t.Cleanup(func() { exec.Command(tmux, "-L", socket, "kill-server").Run() })
	env := binaryEnv(home, srv)
	script := "echo $$ > " + pidFile + "; exec env -i " + strings.Join(quoteAll(env), " ") + " " + bin +
		" create --name hup --type ed25519 --source aws; sleep 30"
	tm("new-session", "-d", "-s", "kp", "-x", "80", "-y", "24", "sh", "-c", script)
	waitScreen := func(sub string) {
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if strings.Contains(tm("capture-pane", "-p", "-t", "kp"), sub) {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("screen never showed %q:\n%s", sub, tm("capture-pane", "-p", "-t", "kp"))
	}
	waitScreen("Create")
	waitScreen("credentials: ok")
	tm("send-keys", "-t", "kp", "C-s")
	waitScreen("Save")
	if len(srv.KeyPairs("us-east-1")) != 1 {
		t.Fatal("the pair should exist while the save dialog is open")
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if err := syscall.Kill(pid, syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(srv.KeyPairs("us-east-1")) != 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(srv.KeyPairs("us-east-1")); n != 0 {
		t.Fatalf("SIGHUP left %d pair(s) in EC2 without a key", n)
	}
}

func quoteAll(env []string) []string {
	out := make([]string, len(env))
	for i, kv := range env {
		out[i] = "'" + strings.ReplaceAll(kv, "'", `'\''`) + "'"
	}
	return out
}

// Only commands that print and change nothing keep Go's default signal
// behaviour (end at once); every other command, and anything in doubt, gets
// the context that undoes a half-made pair.
func TestPrintsOnly(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"version"}, true},
		{[]string{"--region", "eu-west-1", "version", "--json"}, true},
		{[]string{"--help"}, true},
		{[]string{"help", "create"}, true},
		{[]string{"completion", "bash"}, true},
		{[]string{"__complete", "create", "--ty"}, true},
		{nil, false}, // the form
		{[]string{"create", "--help"}, false},
		{[]string{"create", "--tag", "--help"}, false},
		{[]string{"--region", "version"}, false}, // "version" is the region; the form runs
		{[]string{"--region", "--help"}, false},
		{[]string{"delete", "version"}, false},
		{[]string{"man", "--dir", "d"}, false},
		{[]string{"--", "version"}, false},
	} {
		if got := printsOnly(tc.args); got != tc.want {
			t.Errorf("printsOnly(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}

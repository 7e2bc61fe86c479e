package nocore

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

const childEnv = "KEYPAIR_NOCORE_CHILD"

// TestDisable runs Disable in a child process (this test binary again), so
// that the test binary itself keeps its core limit and stays dumpable.
func TestDisable(t *testing.T) {
	if os.Getenv(childEnv) == "1" {
		t.Skip("inside the child process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperDisable$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestHelperDisable") {
		t.Fatalf("the child did not run its checks:\n%s", out)
	}
}

// TestHelperDisable is not a test: TestDisable runs it in a child process.
func TestHelperDisable(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		return // run as a child only
	}
	var before unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_CORE, &before); err != nil {
		t.Fatal(err)
	}
	if err := Disable(); err != nil {
		t.Fatal(err)
	}
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_CORE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Cur != 0 || lim.Max != 0 {
		t.Errorf("RLIMIT_CORE is %d/%d after Disable, want 0/0", lim.Cur, lim.Max)
	}
	d, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
	if err != nil || d != 0 {
		t.Errorf("PR_GET_DUMPABLE = %d, %v after Disable; want 0", d, err)
	}
	// The hard limit is 0 too: it cannot be raised again (without root's
	// CAP_SYS_RESOURCE).
	if os.Geteuid() != 0 {
		if err := unix.Setrlimit(unix.RLIMIT_CORE, &before); err == nil && before.Max > 0 {
			t.Error("the core limit could be raised again")
		}
	}
}

package keys

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/keypair-dev/keypair/internal/nocore"
)

const noDumpDirEnv = "KEYPAIR_NODUMP_DIR"

// TestUnnamedSaveWhenNotDumpable: after nocore.Disable (PR_SET_DUMPABLE 0,
// which makes /proc/self/fd root's), the unnamed file is still linked into
// place, not left to the named fallback. Run in a child process so this
// binary stays dumpable, and when running as root also as an ordinary
// user, for whom root-owned /proc/self/fd would matter.
func TestUnnamedSaveWhenNotDumpable(t *testing.T) {
	if os.Getenv(noDumpDirEnv) != "" {
		t.Skip("inside the child process")
	}
	t.Run("this user", func(t *testing.T) { runNoDumpChild(t, nil) })
	t.Run("ordinary user", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("already an ordinary user: the subtest above covers it")
		}
		runNoDumpChild(t, &syscall.Credential{Uid: 65534, Gid: 65534})
	})
}

func runNoDumpChild(t *testing.T, cred *syscall.Credential) {
	t.Helper()
	// A folder and a copy of the test binary the child user can reach (the
	// go build cache and t.TempDir are 0700 root's).
	dir, err := os.MkdirTemp("", "keypair-nodump-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "keys.test")
	copyFile(t, os.Args[0], bin, 0o755)
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}
	if cred != nil {
		os.Chmod(dir, 0o755)
		if err := os.Chown(out, int(cred.Uid), int(cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "-test.run=^TestHelperSaveNotDumpable$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), noDumpDirEnv+"="+out)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	got, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(got), "--- PASS: TestHelperSaveNotDumpable") {
		t.Fatalf("child: %v\n%s", err, got)
	}
	if b, err := os.ReadFile(filepath.Join(out, "k.pem")); err != nil || string(b) != "key\n" {
		t.Fatalf("the child's key: %q, %v", b, err)
	}
	if fi, err := os.Stat(filepath.Join(out, "k.pem")); cred != nil && (err != nil || !ownedBy(fi, int(cred.Uid))) {
		t.Fatalf("the key was not saved by uid %d: %v", cred.Uid, err)
	}
}

func ownedBy(fi os.FileInfo, uid int) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == uid
}

// TestHelperSaveNotDumpable is not a test: runNoDumpChild runs it.
func TestHelperSaveNotDumpable(t *testing.T) {
	dir := os.Getenv(noDumpDirEnv)
	if dir == "" {
		return // run as a child only
	}
	if err := nocore.Disable(); err != nil {
		t.Fatal(err)
	}
	routes := recordRoute(t)
	if err := WriteNewFile(filepath.Join(dir, "k.pem"), []byte("key\n")); err != nil {
		t.Fatal(err)
	}
	if len(*routes) != 1 || (*routes)[0] != "unnamed" {
		t.Fatalf("routes %v, want [unnamed]: the unnamed file could not be linked once not dumpable", *routes)
	}
	assertOnly(t, dir, "k.pem")
	if err := CheckTarget(filepath.Join(dir, "x.pem")); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

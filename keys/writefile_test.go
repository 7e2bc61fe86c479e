package keys

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// listDir returns the names in dir, to prove no temporary file stayed.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func assertOnly(t *testing.T, dir string, want ...string) {
	t.Helper()
	got := strings.Join(listDir(t, dir), ",")
	if got != strings.Join(want, ",") {
		t.Fatalf("folder holds [%s], want [%s] (a temporary or partial file stayed?)", got, strings.Join(want, ","))
	}
}

func TestWriteNewFileWritesContentWithMode0600(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "k.pem")
	data := []byte("secret\n")
	if err := WriteNewFile(p, data); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("content %q, %v; want %q", got, err, data)
	}
	fi, _ := os.Stat(p)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	assertOnly(t, dir, "k.pem")
}

func TestWriteNewFileNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "k.pem")
	if err := os.WriteFile(p, []byte("original"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteNewFile(p, []byte("new"))
	if !errors.Is(err, ErrExists) {
		t.Fatalf("got %v, want ErrExists", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "original" {
		t.Fatalf("the existing file was changed to %q", got)
	}
	if err := CheckTarget(p); !errors.Is(err, ErrExists) {
		t.Fatalf("CheckTarget: got %v, want ErrExists", err)
	}
	if err := CheckFree(p); !errors.Is(err, ErrExists) {
		t.Fatalf("CheckFree: got %v, want ErrExists", err)
	}
	// A dangling symlink is a name in use too; it must not be followed.
	link := filepath.Join(dir, "dangling")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), link); err != nil {
		t.Fatal(err)
	}
	if err := WriteNewFile(link, []byte("x")); !errors.Is(err, ErrExists) {
		t.Fatalf("dangling symlink: got %v, want ErrExists", err)
	}
	assertOnly(t, dir, "dangling", "k.pem")
}

// TestWriteNewFileLinkRace has the name appear between the pre-check and
// the link (another process winning): os.Link must refuse, not replace.
func TestWriteNewFileLinkRace(t *testing.T) {
	forceNamed(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "k.pem")
	defer func(old func(string, string) error) { linkHook = old }(linkHook)
	linkHook = func(oldname, newname string) error {
		os.WriteFile(newname, []byte("theirs"), 0o600)
		return os.Link(oldname, newname)
	}
	if err := WriteNewFile(p, []byte("ours")); !errors.Is(err, ErrExists) {
		t.Fatalf("got %v, want ErrExists", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "theirs" {
		t.Fatalf("the other writer's file was changed to %q", got)
	}
	assertOnly(t, dir, "k.pem")
}

func TestWriteNewFileConcurrentWritersOneWins(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "k.pem")
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = WriteNewFile(p, []byte(fmt.Sprintf("writer %d\n", i))) })
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("writers %d and %d both succeeded", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, ErrExists):
			t.Fatalf("writer %d: %v, want ErrExists", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer succeeded")
	}
	if got, _ := os.ReadFile(p); string(got) != fmt.Sprintf("writer %d\n", winner) {
		t.Fatalf("content %q is not the winner's (%d)", got, winner)
	}
	assertOnly(t, dir, "k.pem")
}

func TestWriteNewFileMissingFolder(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "nope", "k.pem")
	for name, err := range map[string]error{"WriteNewFile": WriteNewFile(p, []byte("x")), "CheckTarget": CheckTarget(p), "CheckFree": CheckFree(p)} {
		if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "nope")) || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("%s: got %v, want an error naming the missing folder", name, err)
		}
	}
	assertOnly(t, dir)
}

func TestWriteNewFileCreatesSSHFolder(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if err := CheckTarget("~/.ssh/k.pem"); err != nil {
		t.Fatalf("CheckTarget before ~/.ssh exists: %v", err)
	}
	if err := CheckFree("~/.ssh/k.pem"); err != nil {
		t.Fatalf("CheckFree before ~/.ssh exists: %v", err)
	}
	assertOnly(t, home) // CheckTarget and CheckFree leave nothing behind
	if err := WriteNewFile("~/.ssh/k.pem", []byte("k")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(home, ".ssh"))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("~/.ssh: %v, %v; want a 0700 folder", fi, err)
	}
	if got, _ := os.ReadFile(filepath.Join(home, ".ssh", "k.pem")); string(got) != "k" {
		t.Fatalf("content %q", got)
	}
	// Only ~/.ssh is created, not other missing folders under home.
	if err := WriteNewFile("~/keys/k.pem", []byte("k")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("~/keys: got %v, want a missing-folder error", err)
	}
}

func TestExpandHome(t *testing.T) {
	t.Setenv("HOME", "/home/u")
	for in, want := range map[string]string{
		"~": "/home/u", "~/": "/home/u", "~/.ssh/k.pem": "/home/u/.ssh/k.pem",
		"/abs/k": "/abs/k", "rel/k": "rel/k", "a~/b": "a~/b",
	} {
		if got, err := ExpandHome(in); err != nil || got != want {
			t.Errorf("ExpandHome(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ExpandHome("~bob/k"); err == nil {
		t.Error("~bob/k: want an error, ~user is not expanded")
	}
	t.Setenv("HOME", "")
	if _, err := ExpandHome("~/k"); err == nil {
		t.Error("no HOME: want an error")
	}
}

// Root ignores permission bits, so a read-only folder is made two ways:
// a read-only bind mount (stops root too; needs root and mount), and the
// create-temp fault hook (runs everywhere).
func TestWriteNewFileReadOnlyFolder(t *testing.T) {
	check := func(t *testing.T, dir string) {
		p := filepath.Join(dir, "k.pem")
		if err := CheckTarget(p); err == nil || !strings.Contains(err.Error(), "not writable") {
			t.Errorf("CheckTarget: got %v, want a not-writable error", err)
		}
		if err := WriteNewFile(p, []byte("k")); err == nil {
			t.Error("WriteNewFile succeeded in a read-only folder")
		}
		assertOnly(t, dir)
	}
	t.Run("fault hook", func(t *testing.T) {
		eacces := func(dir string) (*os.File, error) {
			return nil, &os.PathError{Op: "open", Path: dir, Err: syscall.EACCES}
		}
		defer func(u, n func(string) (*os.File, error)) { openUnnamedHook, createTempHook = u, n }(openUnnamedHook, createTempHook)
		openUnnamedHook, createTempHook = eacces, eacces
		check(t, t.TempDir())
	})
	t.Run("read-only bind mount", func(t *testing.T) {
		dir := t.TempDir()
		if os.Getuid() != 0 {
			os.Chmod(dir, 0o500) // permission bits do stop non-root users
			t.Cleanup(func() { os.Chmod(dir, 0o700) })
			check(t, dir)
			return
		}
		if out, err := exec.Command("mount", "--bind", dir, dir).CombinedOutput(); err != nil {
			t.Skipf("cannot bind-mount here (%v: %s); the fault-hook subtest covers this", err, out)
		}
		t.Cleanup(func() { exec.Command("umount", dir).Run() })
		if out, err := exec.Command("mount", "-o", "remount,ro,bind", dir).CombinedOutput(); err != nil {
			t.Skipf("cannot remount read-only (%v: %s); the fault-hook subtest covers this", err, out)
		}
		check(t, dir)
	})
}

// A full disk is made two ways: a 64 KiB tmpfs (root only), and the write
// fault hook returning ENOSPC (everywhere). Either way no file may remain.
func TestWriteNewFileFullDisk(t *testing.T) {
	big := bytes.Repeat([]byte("k"), 256<<10)
	t.Run("fault hook", func(t *testing.T) {
		for _, step := range []string{"write", "sync"} {
			t.Run(step, func(t *testing.T) {
				dir := t.TempDir()
				enospc := &os.PathError{Op: step, Path: "tmp", Err: syscall.ENOSPC}
				if step == "write" {
					defer func(old func(*os.File, []byte) (int, error)) { writeHook = old }(writeHook)
					writeHook = func(f *os.File, b []byte) (int, error) {
						n, _ := f.Write(b[:len(b)/2])
						return n, enospc
					}
				} else {
					defer func(old func(*os.File) error) { syncHook = old }(syncHook)
					syncHook = func(*os.File) error { return enospc }
				}
				err := WriteNewFile(filepath.Join(dir, "k.pem"), big)
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("got %v, want ENOSPC", err)
				}
				assertOnly(t, dir)
			})
		}
	})
	t.Run("tiny tmpfs", func(t *testing.T) {
		if os.Getuid() != 0 {
			t.Skip("mounting a tmpfs needs root; the fault-hook subtest covers this")
		}
		dir := t.TempDir()
		if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir).CombinedOutput(); err != nil {
			t.Skipf("cannot mount a tmpfs here (%v: %s); the fault-hook subtest covers this", err, out)
		}
		t.Cleanup(func() { exec.Command("umount", dir).Run() })
		err := WriteNewFile(filepath.Join(dir, "k.pem"), big)
		if !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("got %v, want ENOSPC", err)
		}
		assertOnly(t, dir)
		// A small file still fits afterwards: nothing leaked space.
		if err := WriteNewFile(filepath.Join(dir, "small.pem"), []byte("k")); err != nil {
			t.Fatal(err)
		}
	})
}

// Without hard links (FAT, some network file systems) the writer falls
// back to an O_EXCL create of the final name.
func TestWriteNewFileWithoutHardLinks(t *testing.T) {
	forceNamed(t)
	defer func(old func(string, string) error) { linkHook = old }(linkHook)
	linkHook = func(string, string) error { return &os.LinkError{Op: "link", Err: syscall.EPERM} }
	dir := t.TempDir()
	p := filepath.Join(dir, "k.pem")
	if err := WriteNewFile(p, []byte("k")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); string(got) != "k" {
		t.Fatalf("content %q", got)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if err := WriteNewFile(p, []byte("again")); !errors.Is(err, ErrExists) {
		t.Fatalf("second write: %v, want ErrExists", err)
	}
	// A failing write in the fallback removes the half-written final file.
	defer func(old func(*os.File, []byte) (int, error)) { writeHook = old }(writeHook)
	calls := 0
	writeHook = func(f *os.File, b []byte) (int, error) {
		calls++
		if calls == 2 { // the temp file write succeeds, the fallback copy fails
			return 0, syscall.ENOSPC
		}
		return f.Write(b)
	}
	if err := WriteNewFile(filepath.Join(dir, "b.pem"), []byte("k")); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("got %v, want ENOSPC", err)
	}
	assertOnly(t, dir, "k.pem")
}

func TestRemoveSaved(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "k.pem")
	if err := WriteNewFile(p, []byte("k")); err != nil {
		t.Fatal(err)
	}
	if err := RemoveSaved(p); err != nil {
		t.Fatal(err)
	}
	assertOnly(t, dir)
	if err := RemoveSaved(p); err != nil {
		t.Fatalf("removing a file that is gone: %v", err)
	}
}

// forceNamed makes the writer behave as on a file system without O_TMPFILE
// (the fallback to a named temporary file) for the rest of the test.
func forceNamed(t *testing.T) {
	t.Helper()
	old := openUnnamedHook
	openUnnamedHook = func(string) (*os.File, error) { return nil, errNoTmpfile }
	t.Cleanup(func() { openUnnamedHook = old })
}

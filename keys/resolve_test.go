package keys

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckAndWriterAgree: for every kind of target, CheckFree and
// CheckTarget say what WriteNewFile then does. A passing check is followed
// by a real save, which must succeed at the path ResolvePath named; a
// refused one by a save that must be refused for the same reason.
func TestCheckAndWriterAgree(t *testing.T) {
	type setup struct {
		home, dir string // HOME, and a scratch folder (not under HOME)
	}
	tests := []struct {
		name string
		// prepare makes the situation and returns the path to save to,
		// and where the file must land when the save is allowed.
		prepare func(t *testing.T, s setup) (path, lands string)
		kind    error  // nil: allowed
		msg     string // part of the message, for refusals
		free    bool   // CheckFree passes although the save fails (it writes nothing)
	}{
		{name: "plain", prepare: func(t *testing.T, s setup) (string, string) {
			return filepath.Join(s.dir, "k.pem"), filepath.Join(s.dir, "k.pem")
		}},
		{name: "default path, 251-byte key name: a 255-byte file name fits", prepare: func(t *testing.T, s setup) (string, string) {
			mkdir(t, filepath.Join(s.home, ".ssh"))
			name := strings.Repeat("n", 251) + ".pem"
			return "~/.ssh/" + name, filepath.Join(s.home, ".ssh", name)
		}},
		{name: "default path, 252-byte key name", kind: ErrNameTooLong, msg: "the file name is 256 bytes long, longer than the 255 this filesystem allows",
			prepare: func(t *testing.T, s setup) (string, string) {
				mkdir(t, filepath.Join(s.home, ".ssh"))
				return "~/.ssh/" + strings.Repeat("n", 252) + ".pem", ""
			}},
		{name: "default path, 255-byte key name, ~/.ssh missing", kind: ErrNameTooLong, msg: "259 bytes long",
			prepare: func(t *testing.T, s setup) (string, string) {
				return "~/.ssh/" + strings.Repeat("n", 255) + ".ppk", ""
			}},
		{name: "256-byte file name", kind: ErrNameTooLong, msg: "the file name is 256 bytes long, longer than the 255 this filesystem allows",
			prepare: func(t *testing.T, s setup) (string, string) {
				return filepath.Join(s.dir, strings.Repeat("x", 256)), ""
			}},
		{name: "~/.ssh missing is created", prepare: func(t *testing.T, s setup) (string, string) {
			return "~/.ssh/web.pem", filepath.Join(s.home, ".ssh", "web.pem")
		}},
		{name: "~/.ssh a dangling symlink", kind: ErrNoFolder, msg: "is a symbolic link to",
			prepare: func(t *testing.T, s setup) (string, string) {
				symlink(t, filepath.Join(s.dir, "gone"), filepath.Join(s.home, ".ssh"))
				return "~/.ssh/web.pem", ""
			}},
		{name: "~/.ssh a symlink to a folder", prepare: func(t *testing.T, s setup) (string, string) {
			mkdir(t, filepath.Join(s.dir, "real"))
			symlink(t, filepath.Join(s.dir, "real"), filepath.Join(s.home, ".ssh"))
			return "~/.ssh/web.pem", filepath.Join(s.dir, "real", "web.pem")
		}},
		{name: "linkdir/../x is beside the link's target", prepare: func(t *testing.T, s setup) (string, string) {
			mkdir(t, filepath.Join(s.dir, "a", "b"))
			symlink(t, filepath.Join(s.dir, "a", "b"), filepath.Join(s.dir, "linkdir"))
			return s.dir + "/linkdir/../x.pem", filepath.Join(s.dir, "a", "x.pem")
		}},
		{name: "linkdir/../x where the link's parent has no such folder", kind: ErrNoFolder, msg: "does not exist",
			prepare: func(t *testing.T, s setup) (string, string) {
				mkdir(t, filepath.Join(s.dir, "a", "b"))
				mkdir(t, filepath.Join(s.dir, "keys"))
				symlink(t, filepath.Join(s.dir, "a", "b"), filepath.Join(s.dir, "linkdir"))
				// Lexically this is dir/keys/x.pem, which exists; physically a/keys.
				return s.dir + "/linkdir/../keys/x.pem", ""
			}},
		{name: "parent is a file", kind: ErrNotFolder, msg: "is not a folder",
			prepare: func(t *testing.T, s setup) (string, string) {
				os.WriteFile(filepath.Join(s.dir, "f"), nil, 0o600)
				return filepath.Join(s.dir, "f", "k.pem"), ""
			}},
		{name: "grandparent is a file", kind: ErrNotFolder, msg: "not a folder",
			prepare: func(t *testing.T, s setup) (string, string) {
				os.WriteFile(filepath.Join(s.dir, "f"), nil, 0o600)
				return filepath.Join(s.dir, "f", "sub", "k.pem"), ""
			}},
		{name: "missing folder", kind: ErrNoFolder, msg: "does not exist; create it first",
			prepare: func(t *testing.T, s setup) (string, string) {
				return filepath.Join(s.dir, "nope", "k.pem"), ""
			}},
		{name: "existing file", kind: ErrExists, msg: "~/.ssh/web.pem already exists; nothing was overwritten",
			prepare: func(t *testing.T, s setup) (string, string) {
				mkdir(t, filepath.Join(s.home, ".ssh"))
				os.WriteFile(filepath.Join(s.home, ".ssh", "web.pem"), []byte("old"), 0o600)
				return "~/.ssh/web.pem", ""
			}},
		{name: "a folder at the target", kind: ErrExists, msg: "is a folder",
			prepare: func(t *testing.T, s setup) (string, string) {
				mkdir(t, filepath.Join(s.dir, "k.pem"))
				return filepath.Join(s.dir, "k.pem"), ""
			}},
		{name: "a dangling symlink at the target", kind: ErrExists, msg: "already exists",
			prepare: func(t *testing.T, s setup) (string, string) {
				symlink(t, filepath.Join(s.dir, "nowhere"), filepath.Join(s.dir, "k.pem"))
				return filepath.Join(s.dir, "k.pem"), ""
			}},
		{name: "ends in a slash", kind: ErrBadName, msg: "give a file name",
			prepare: func(t *testing.T, s setup) (string, string) { return s.dir + "/", "" }},
		{name: "ends in ..", kind: ErrBadName, msg: "does not end in a file name",
			prepare: func(t *testing.T, s setup) (string, string) { return filepath.Join(s.dir, "a") + "/..", "" }},
		{name: "folder not writable", kind: ErrNotWritable, msg: "not writable", free: true,
			prepare: func(t *testing.T, s setup) (string, string) {
				ro := filepath.Join(s.dir, "ro")
				mkdir(t, ro)
				readOnly(t, ro)
				return filepath.Join(ro, "k.pem"), ""
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := setup{home: t.TempDir(), dir: t.TempDir()}
			t.Setenv("HOME", s.home)
			path, lands := tt.prepare(t, s)
			before := snapshot(t, s)

			freeErr, targetErr := CheckFree(path), CheckTarget(path)
			if after := snapshot(t, s); after != before {
				t.Fatalf("the checks changed the folders:\n%s\nto\n%s", before, after)
			}
			writeErr := WriteNewFile(path, []byte("key\n"))

			if tt.kind == nil {
				if freeErr != nil || targetErr != nil {
					t.Fatalf("CheckFree: %v; CheckTarget: %v; want both to pass", freeErr, targetErr)
				}
				if writeErr != nil {
					t.Fatalf("the checks passed but the save failed: %v", writeErr)
				}
				if got, err := os.ReadFile(lands); err != nil || string(got) != "key\n" {
					t.Fatalf("the key is not at %s: %q, %v", lands, got, err)
				}
				if r, err := ResolvePath(path); err != nil || r != lands {
					t.Fatalf("ResolvePath = %q, %v; the key landed at %s", r, err, lands)
				}
				return
			}
			checks := map[string]error{"CheckTarget": targetErr, "WriteNewFile": writeErr}
			if tt.free {
				if freeErr != nil {
					t.Errorf("CheckFree: %v; it should not try writing", freeErr)
				}
			} else {
				checks["CheckFree"] = freeErr
			}
			for name, err := range checks {
				if !errors.Is(err, tt.kind) {
					t.Errorf("%s: %v; want %v", name, err, tt.kind)
					continue
				}
				if name != "WriteNewFile" && !strings.Contains(err.Error(), tt.msg) {
					t.Errorf("%s: %q; want it to say %q", name, err, tt.msg)
				}
				if strings.HasPrefix(err.Error(), "keys:") {
					t.Errorf("%s: %q starts with a package prefix; it is a sentence for a user", name, err)
				}
			}
			if tt.kind == ErrExists && !errors.Is(targetErr, fs.ErrExist) {
				t.Errorf("%v does not match fs.ErrExist", targetErr)
			}
		})
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, old, new string) {
	t.Helper()
	if err := os.Symlink(old, new); err != nil {
		t.Fatal(err)
	}
}

// readOnly makes dir unwritable for this process: permission bits for a
// normal user, a read-only bind mount for root (which ignores the bits).
func readOnly(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		os.Chmod(dir, 0o500)
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		return
	}
	if out, err := exec.Command("mount", "--bind", dir, dir).CombinedOutput(); err != nil {
		t.Skipf("root cannot be stopped by permission bits and bind mounts fail here (%v: %s); TestWriteNewFileReadOnlyFolder's fault hook covers this", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	if out, err := exec.Command("mount", "-o", "remount,ro,bind", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot remount read-only (%v: %s); TestWriteNewFileReadOnlyFolder's fault hook covers this", err, out)
	}
}

// snapshot lists every name under the test's folders, to prove the checks
// leave nothing behind.
func snapshot(t *testing.T, s struct{ home, dir string }) string {
	t.Helper()
	var b strings.Builder
	for _, root := range []string{s.home, s.dir} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			b.WriteString(p + "\n")
			return nil
		})
	}
	return b.String()
}

func TestResolvePath(t *testing.T) {
	home, dir := t.TempDir(), t.TempDir()
	home, _ = filepath.EvalSymlinks(home)
	dir, _ = filepath.EvalSymlinks(dir)
	t.Setenv("HOME", home)
	mkdir(t, filepath.Join(dir, "a", "b"))
	symlink(t, filepath.Join(dir, "a", "b"), filepath.Join(dir, "link"))
	t.Chdir(dir)
	for in, want := range map[string]string{
		"k.pem":               filepath.Join(dir, "k.pem"),
		"./a/../k.pem":        filepath.Join(dir, "k.pem"),
		"link/k.pem":          filepath.Join(dir, "a", "b", "k.pem"),
		"link/../k.pem":       filepath.Join(dir, "a", "k.pem"),
		dir + "//a/./k.pem":   filepath.Join(dir, "a", "k.pem"),
		"~/.ssh/k.pem":        filepath.Join(home, ".ssh", "k.pem"), // missing, would be created
		"~/k.pem":             filepath.Join(home, "k.pem"),
		"link/k.pem/../x.pem": "", // "k.pem" is no folder
	} {
		got, err := ResolvePath(in)
		if want == "" {
			if err == nil {
				t.Errorf("ResolvePath(%q) = %q; want an error", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("ResolvePath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

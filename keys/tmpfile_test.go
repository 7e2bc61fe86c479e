package keys

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// recordRoute notes which way each save went for the rest of the test.
func recordRoute(t *testing.T) *[]string {
	t.Helper()
	var routes []string
	routeHook = func(r string) { routes = append(routes, r) }
	t.Cleanup(func() { routeHook = nil })
	return &routes
}

// Both routes write the same file and leave nothing else: the unnamed file
// (O_TMPFILE, Linux) and the named temporary file it falls back to.
func TestWriteNewFileRoutes(t *testing.T) {
	for _, tt := range []struct {
		route string
		setup func(t *testing.T)
	}{
		{"unnamed", func(t *testing.T) {
			if runtime.GOOS != "linux" {
				t.Skip("O_TMPFILE is Linux only; the named route is the only one elsewhere")
			}
		}},
		{"named", forceNamed},
		{"named", func(t *testing.T) { // the kernel refuses to link the unnamed file
			old := linkUnnamedHook
			linkUnnamedHook = func(*os.File, string) error { return errNoTmpfile }
			t.Cleanup(func() { linkUnnamedHook = old })
		}},
	} {
		t.Run(tt.route, func(t *testing.T) {
			tt.setup(t)
			routes := recordRoute(t)
			dir := t.TempDir()
			p := filepath.Join(dir, "k.pem")
			data := []byte("secret\n")
			if err := WriteNewFile(p, data); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(p); !bytes.Equal(got, data) {
				t.Fatalf("content %q", got)
			}
			if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", fi.Mode().Perm())
			}
			if len(*routes) != 1 || (*routes)[0] != tt.route {
				t.Errorf("routes %v, want [%s]", *routes, tt.route)
			}
			assertOnly(t, dir, "k.pem")
			if err := WriteNewFile(p, []byte("again")); !errorsIsExist(err) {
				t.Errorf("second write: %v, want ErrExists", err)
			}
			assertOnly(t, dir, "k.pem")
		})
	}
}

// A name taken between the check and the link is never replaced by the
// unnamed route either.
func TestWriteNewFileUnnamedLinkRace(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("O_TMPFILE is Linux only")
	}
	old := linkUnnamedHook
	linkUnnamedHook = func(f *os.File, path string) error {
		os.WriteFile(path, []byte("theirs"), 0o600)
		return linkUnnamed(f, path)
	}
	t.Cleanup(func() { linkUnnamedHook = old })
	dir := t.TempDir()
	p := filepath.Join(dir, "k.pem")
	if err := WriteNewFile(p, []byte("ours")); !errorsIsExist(err) {
		t.Fatalf("got %v, want ErrExists", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "theirs" {
		t.Fatalf("the other writer's file was changed to %q", got)
	}
	assertOnly(t, dir, "k.pem")
}

func TestRemoveStaleTemps(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-2 * staleAge)
	files := map[string]bool{ // name: removed?
		".keypair-0123456789abcdef.tmp":  true,  // ours, old
		".keypair-1234567.tmp":           true,  // ours from os.CreateTemp releases, old
		".keypair-fedcba9876543210.tmp":  false, // ours, fresh: a save under way
		".keypair-notours.tmp":           false, // not the pattern
		".keypair-0123456789abcdef.tm":   false,
		"x.keypair-0123456789abcdef.tmp": false,
		"k.pem":                          false,
	}
	for name := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("k"), 0o600); err != nil {
			t.Fatal(err)
		}
		if name != ".keypair-fedcba9876543210.tmp" {
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	// An old symlink with our name pattern (to a file elsewhere) and an old
	// folder with it are not regular files: kept, and the target untouched.
	outside := filepath.Join(t.TempDir(), "precious")
	os.WriteFile(outside, []byte("p"), 0o600)
	link := filepath.Join(dir, ".keypair-aaaaaaaaaaaaaaaa.tmp")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	files[".keypair-aaaaaaaaaaaaaaaa.tmp"] = false
	os.Mkdir(filepath.Join(dir, ".keypair-bbbbbbbbbbbbbbbb.tmp"), 0o700)
	os.Chtimes(filepath.Join(dir, ".keypair-bbbbbbbbbbbbbbbb.tmp"), old, old)
	files[".keypair-bbbbbbbbbbbbbbbb.tmp"] = false

	if err := WriteNewFile(filepath.Join(dir, "new.pem"), []byte("n")); err != nil {
		t.Fatal(err)
	}
	for name, removed := range files {
		_, err := os.Lstat(filepath.Join(dir, name))
		if gone := os.IsNotExist(err); gone != removed {
			t.Errorf("%s: removed=%v, want %v", name, gone, removed)
		}
	}
	if got, _ := os.ReadFile(outside); string(got) != "p" {
		t.Error("the symlink's target was changed")
	}
}

// A stale file owned by someone else is left alone (needs root to make).
func TestRemoveStaleTempsKeepsOthersFiles(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("making a file owned by another user needs root; TestRemoveStaleTemps covers the rest")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, ".keypair-0123456789abcdef.tmp")
	os.WriteFile(p, []byte("k"), 0o600)
	if err := os.Chown(p, 65534, 65534); err != nil {
		t.Skipf("chown: %v", err)
	}
	old := time.Now().Add(-2 * staleAge)
	os.Chtimes(p, old, old)
	removeStaleTemps(dir, time.Now())
	if _, err := os.Lstat(p); err != nil {
		t.Fatalf("another user's file was removed: %v", err)
	}
}

func errorsIsExist(err error) bool { return errors.Is(err, ErrExists) && errors.Is(err, fs.ErrExist) }

package keys

import (
	"os"
	"strings"
	"testing"
)

func TestFolderWarning(t *testing.T) {
	for _, tt := range []struct {
		mode os.FileMode
		want string // "" for no warning
	}{
		{0o700, ""},
		{0o755, ""},
		{0o500, ""},
		{0o770, "writable by its group (mode 0770)"},
		{0o707, "writable by everyone"},
		{0o777, "writable by group and others"},
		{0o1777, "writable by group and others"}, // sticky /tmp-like: still refused by OpenSSH
	} {
		dir := t.TempDir()
		if err := os.Chmod(dir, tt.mode); err != nil {
			t.Fatal(err)
		}
		got := FolderWarning(dir)
		if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("mode %v: %q; want %q", tt.mode, got, tt.want)
		}
		if tt.want != "" && !strings.Contains(got, "chmod go-w "+dir) {
			t.Errorf("mode %v: %q does not say how to fix it", tt.mode, got)
		}
	}
	if got := FolderWarning(t.TempDir() + "/missing"); got != "" {
		t.Errorf("missing folder: %q; the save checks report that, not FolderWarning", got)
	}
	t.Run("~ is expanded", func(t *testing.T) {
		home := t.TempDir()
		t.Setenv("HOME", home)
		os.Mkdir(home+"/.ssh", 0o700)
		os.Chmod(home+"/.ssh", 0o775)
		if got := FolderWarning("~/.ssh"); !strings.HasPrefix(got, "~/.ssh is writable by its group") {
			t.Errorf("%q", got)
		}
	})
	t.Run("another user's folder", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("giving a folder to another user needs root")
		}
		dir := t.TempDir()
		if err := os.Chown(dir, 65534, 65534); err != nil {
			t.Skipf("chown: %v", err)
		}
		if got := FolderWarning(dir); !strings.Contains(got, "belongs to another user (uid 65534)") {
			t.Errorf("%q", got)
		}
	})
}

//go:build unix

package inputfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A named pipe with no writer would block open(2) and read(2) for good;
// Read refuses it at once. (If it blocked, this test would hang until the
// test timeout: there is no clock in the assertion.)
func TestReadRefusesFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Read(context.Background(), p, nil, 1024)
	if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "named pipe (FIFO)") {
		t.Fatalf("got %v, want a refusal naming a named pipe", err)
	}
	// Even if the FIFO check before opening is raced (the name swapped for
	// a FIFO after it), the non-blocking open and fstat refuse it.
	f, err := openNonBlocking(p)
	if err != nil {
		t.Fatalf("a non-blocking open of a FIFO must not fail or block: %v", err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	if regular(p, fi) == nil {
		t.Fatal("the opened FIFO passed as a regular file")
	}
}

func TestReadRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	zero := filepath.Join(dir, "key.pem")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, want string }{
		{zero, "(through a symbolic link) a character device"},
		{"/dev/null", "a character device"},
		{dir, "a folder"},
	} {
		_, err := Read(context.Background(), tt.path, nil, 1<<20)
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want a refusal saying %q", tt.path, err, tt.want)
		}
	}
}

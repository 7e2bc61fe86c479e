package inputfile

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadRegularFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "k.pub")
	os.WriteFile(p, []byte("ssh-ed25519 AAAA c\n"), 0o600)
	got, err := Read(context.Background(), p, nil, 1024)
	if err != nil || string(got) != "ssh-ed25519 AAAA c\n" {
		t.Fatalf("%q, %v", got, err)
	}
	// Through a symlink to a regular file is fine.
	link := filepath.Join(dir, "link")
	os.Symlink(p, link)
	if _, err := Read(context.Background(), link, nil, 1024); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(context.Background(), filepath.Join(dir, "missing"), nil, 1024); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("missing file: %v", err)
	}
}

// countingReader is an endless stream that counts what was taken from it.
type countingReader struct{ n int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	r.n += int64(len(p))
	return len(p), nil
}

func TestReadLimit(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	os.WriteFile(p, bytes.Repeat([]byte("a"), 100), 0o600)
	if got, err := Read(context.Background(), p, nil, 100); err != nil || len(got) != 100 {
		t.Fatalf("exactly the limit: %d bytes, %v", len(got), err)
	}
	_, err := Read(context.Background(), p, nil, 99)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "larger than 99 bytes") {
		t.Fatalf("over the limit: %v, want a refusal naming the limit", err)
	}
	// Standard input that never ends: refused, and no more than limit+1
	// bytes were taken from it.
	in := &countingReader{}
	_, err = Read(context.Background(), "-", in, 4096)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "standard input is larger than 4096 bytes") {
		t.Fatalf("endless stdin: %v", err)
	}
	if in.n > 4097 {
		t.Fatalf("read %d bytes from stdin, more than limit+1", in.n)
	}
	if got, err := Read(context.Background(), "-", strings.NewReader("abc"), 3); err != nil || string(got) != "abc" {
		t.Fatalf("stdin: %q, %v", got, err)
	}
}

// Standard input that never answers: cancelling the context makes Read
// return ctx.Err(). (If Read waited for stdin, this test would hang until
// the test timeout: there is no clock in the assertion.)
func TestReadStdinCancelled(t *testing.T) {
	r, w := io.Pipe()
	t.Cleanup(func() { w.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Read(ctx, "-", r, 1024)
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	// Cancelled before the call: nothing is read at all.
	if _, err := Read(ctx, "-", &countingReader{}, 10); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
}

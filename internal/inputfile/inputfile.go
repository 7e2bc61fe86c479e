// Package inputfile reads the small files keypair takes as input (config
// files, private and public keys): from a regular file only, never more
// than a limit, or from standard input for "-", without ever blocking on a
// named pipe or a device and without ignoring a cancelled context.
package inputfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
)

// Errors Read wraps, for callers that tell the cases apart.
var (
	ErrNotRegular = errors.New("not a regular file")
	ErrTooLarge   = errors.New("the input is larger than the limit")
)

// Read returns the contents of path, or of stdin when path is "-".
//
// A path must name a regular file, possibly through symlinks: a named pipe,
// socket, device (a symlink to /dev/zero too) or folder is refused with a
// sentence saying what it is. The file is opened non-blocking, so a named
// pipe cannot hang the open, and checked again after opening. More than
// limit bytes is refused, and at most limit+1 bytes are ever read.
//
// Standard input is read in a goroutine: when ctx is cancelled Read
// returns ctx.Err() at once even if stdin blocks (the goroutine then ends
// whenever stdin does; a process about to exit does not mind).
func Read(ctx context.Context, path string, stdin io.Reader, limit int64) ([]byte, error) {
	if limit < 0 {
		return nil, fmt.Errorf("inputfile: negative limit %d", limit)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if path == "-" {
		return readStdin(ctx, stdin, limit)
	}
	return readFile(path, limit)
}

func readStdin(ctx context.Context, stdin io.Reader, limit int64) ([]byte, error) {
	if stdin == nil {
		return nil, errors.New("there is no standard input to read (-)")
	}
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1) // buffered: the reader never blocks on a departed caller
	go func() {
		data, err := readCapped(stdin, limit)
		done <- result{data, err}
	}()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-done:
		if r.err != nil {
			return nil, fmt.Errorf("could not read standard input: %w", r.err)
		}
		if int64(len(r.data)) > limit {
			return nil, tooLarge("standard input", limit)
		}
		return r.data, nil
	}
}

func readFile(path string, limit int64) ([]byte, error) {
	// Look before opening: opening a device can have effects (a tape
	// rewinds, a terminal becomes ours), so nothing but a regular file is
	// opened at all.
	fi, err := os.Stat(path)
	if err != nil {
		return nil, openError(path, err)
	}
	if err := regular(path, fi); err != nil {
		return nil, err
	}
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, openError(path, err)
	}
	defer f.Close()
	// And look again at what was opened: the name may have been swapped.
	if fi, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("could not read %s: %w", path, err)
	}
	if err := regular(path, fi); err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, tooLarge(path, limit)
	}
	data, err := readCapped(f, limit)
	if err != nil {
		return nil, fmt.Errorf("could not read %s: %w", path, err)
	}
	if int64(len(data)) > limit { // it grew while being read
		return nil, tooLarge(path, limit)
	}
	return data, nil
}

// readCapped reads at most limit+1 bytes: one more than allowed tells
// "too large" from "exactly the limit".
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	n := limit
	if n < math.MaxInt64 {
		n++
	}
	return io.ReadAll(io.LimitReader(r, n))
}

func regular(path string, fi fs.FileInfo) error {
	m := fi.Mode()
	if m.IsRegular() {
		return nil
	}
	what := "not a regular file"
	switch {
	case m.IsDir():
		what = "a folder"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeCharDevice != 0:
		what = "a character device"
	case m&fs.ModeDevice != 0:
		what = "a device"
	}
	via := ""
	if lfi, err := os.Lstat(path); err == nil && lfi.Mode()&fs.ModeSymlink != 0 {
		via = " (through a symbolic link)"
	}
	return fmt.Errorf("%s is%s %s, not a regular file; give a file, or - to read standard input: %w", path, via, what, ErrNotRegular)
}

func tooLarge(what string, limit int64) error {
	return fmt.Errorf("%s is larger than %d bytes, the most keypair reads for this input: %w", what, limit, ErrTooLarge)
}

func openError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s does not exist: %w", path, err)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%s cannot be read: permission denied: %w", path, err)
	}
	return fmt.Errorf("could not open %s: %w", path, err)
}

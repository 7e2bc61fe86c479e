package keys

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// errNoTmpfile: the kernel or file system has no unnamed files (O_TMPFILE),
// or one could not be linked; the writer uses a named temporary file.
var errNoTmpfile = errors.New("unnamed temporary files are not available here")

// Fault-injection points for tests only: root ignores permission bits, a
// full disk cannot be made everywhere, and every file system here has
// O_TMPFILE, so tests replace these to take the other branches.
// Production code never changes them.
var (
	openUnnamedHook = openUnnamed
	linkUnnamedHook = linkUnnamed
	createTempHook  = createNamedTemp
	writeHook       = func(f *os.File, data []byte) (int, error) { return f.Write(data) }
	syncHook        = func(f *os.File) error { return f.Sync() }
	linkHook        = os.Link
	// routeHook, when set, is told which way a save went: "unnamed",
	// "named" or "copy".
	routeHook func(route string)
)

// Named temporary files are ".keypair-" + 16 hex digits + ".tmp": a fixed
// 29 bytes, so never longer than any name the final file could have, and
// recognisable as this tool's when stale. Releases before unnamed files
// used os.CreateTemp(dir, ".keypair-*.tmp"), which puts up to 10 decimal
// digits there; those are recognised too.
const (
	tempPrefix = ".keypair-"
	tempSuffix = ".tmp"
)

// isOurTempName reports whether name is a temporary file of ours: tempPrefix,
// then 16 lowercase hex digits (this version's) or 1 to 10 decimal digits
// (os.CreateTemp's, of earlier versions), then tempSuffix. It is written out
// rather than a regexp, which would be compiled at every start of every
// command (issue 14); TestOurTempNameMatchesPattern holds it to the pattern.
func isOurTempName(name string) bool {
	mid, ok := strings.CutPrefix(name, tempPrefix)
	if !ok {
		return false
	}
	if mid, ok = strings.CutSuffix(mid, tempSuffix); !ok {
		return false
	}
	switch {
	case len(mid) == 16:
		return strings.Trim(mid, "0123456789abcdef") == ""
	case len(mid) >= 1 && len(mid) <= 10:
		return strings.Trim(mid, "0123456789") == ""
	}
	return false
}

// staleAge is how old a temporary file of ours must be before it is taken
// for a leftover (of a process killed mid-save) rather than a save under
// way: a save takes milliseconds.
const staleAge = time.Minute

// WriteNewFile writes data to path safely, and only to a name that is free:
//
//   - the path is resolved once (ResolvePath) and checked (CheckFree);
//   - the data goes to a temporary file with mode 0600 in the target
//     folder and is fsynced. On Linux the file is unnamed (O_TMPFILE), so a
//     process killed at any moment leaves nothing behind; elsewhere, or
//     where the file system refuses O_TMPFILE, it is ".keypair-<hex>.tmp";
//   - it is linked into place, which fails instead of replacing a name that
//     appeared meanwhile (ErrExists), and the folder is fsynced.
//
// On any failure no partial file remains. Temporary files of this tool
// older than a minute (left by a killed process) are removed from the
// folder first. A missing ~/.ssh is created 0700; other missing folders
// are an error. Where the file system has no hard links, the file is
// created with O_EXCL under its final name and the data copied into it; a
// failure then removes that file.
func WriteNewFile(path string, data []byte) error {
	t, err := resolveTarget(path)
	if err != nil {
		return err
	}
	if err := t.checkFree(); err != nil {
		return err
	}
	if t.makeSSH {
		if err := makeSSHFolder(t); err != nil {
			return err
		}
	}
	removeStaleTemps(t.dir, time.Now())

	f, err := openUnnamedHook(t.dir)
	if err == nil {
		err = writeUnnamed(t, f, data)
		if !errors.Is(err, errNoTmpfile) {
			return err
		}
	} else if !errors.Is(err, errNoTmpfile) {
		return saveErr(t, ErrNotWritable, err, "could not save %s: cannot create a file in %s: %s (nothing was written)", path, t.dir, errText(err))
	}
	return writeNamed(t, data)
}

// writeUnnamed fills the unnamed file f, syncs it and links it into place.
// errNoTmpfile (nothing linked) sends the caller to the named route.
func writeUnnamed(t *target, f *os.File, data []byte) error {
	defer f.Close()
	if err := writeAndSync(f, data); err != nil {
		return saveErr(t, nil, err, "could not save %s: %v (no file was left behind)", t.given, err)
	}
	err := linkUnnamedHook(f, t.path())
	switch {
	case err == nil:
		note("unnamed")
		return syncNewName(t)
	case errors.Is(err, errNoTmpfile):
		return err
	case errors.Is(err, fs.ErrExist):
		return existsErr(t, err)
	case linkUnsupported(err):
		return errNoTmpfile // no hard links here: the named route copies instead
	}
	return saveErr(t, nil, err, "could not save %s: %s (no file was left behind)", t.given, errText(err))
}

// writeNamed is the route without unnamed files: a named temporary file,
// linked into place, then removed.
func writeNamed(t *target, data []byte) error {
	tmp, err := createTempHook(t.dir)
	if err != nil {
		return saveErr(t, ErrNotWritable, err, "could not save %s: cannot create a temporary file in %s: %s (nothing was written)", t.given, t.dir, errText(err))
	}
	tmpName := tmp.Name()
	defer func() {
		if tmp != nil {
			tmp.Close()
		}
		// The temp name is ours alone (O_EXCL); it goes in every case. Once
		// the key is in place a failure here is not reported: the saved key
		// matters more than a stray 0600 temp file (removed as stale later).
		os.Remove(tmpName)
	}()
	if err := writeAndSync(tmp, data); err != nil {
		return saveErr(t, nil, err, "could not save %s: %v (no file was left behind)", t.given, err)
	}
	err = tmp.Close()
	tmp = nil
	if err != nil {
		return saveErr(t, nil, err, "could not save %s: close: %s (no file was left behind)", t.given, errText(err))
	}
	if err := linkHook(tmpName, t.path()); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return existsErr(t, err)
		}
		if !linkUnsupported(err) {
			return saveErr(t, nil, err, "could not save %s: %s (no file was left behind)", t.given, errText(err))
		}
		if err := copyExclusive(t, data); err != nil {
			return err
		}
		note("copy")
	} else {
		note("named")
	}
	return syncNewName(t)
}

func note(route string) {
	if routeHook != nil {
		routeHook(route)
	}
}

// syncNewName makes the new name durable; if that fails the file goes again.
func syncNewName(t *target) error {
	if err := syncFolder(t.dir); err != nil {
		os.Remove(t.path())
		return saveErr(t, nil, err, "could not save %s: the folder could not be synced to disk: %s (the file was removed again)", t.given, errText(err))
	}
	return nil
}

func existsErr(t *target, err error) error {
	return targetErr(t.given, ErrExists, err, "%s already exists; nothing was overwritten", t.given)
}

// saveErr is a failed save: a TargetError of the given kind, or a plain
// sentence wrapping err when no kind applies.
func saveErr(t *target, kind, err error, format string, args ...any) error {
	if kind != nil {
		return targetErr(t.given, kind, err, format, args...)
	}
	return &saveError{msg: fmt.Sprintf(format, args...), err: err}
}

type saveError struct {
	msg string
	err error
}

func (e *saveError) Error() string { return e.msg }
func (e *saveError) Unwrap() error { return e.err }

func writeAndSync(f *os.File, data []byte) error {
	// Make the mode exact whatever the umask.
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("chmod: %w", err)
	}
	n, err := writeHook(f, data)
	if err == nil && n != len(data) {
		err = fmt.Errorf("short write (%d of %d bytes)", n, len(data))
	}
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err := syncHook(f); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	return nil
}

// openTemp opens a temporary file in dir: unnamed where possible (name ""),
// else named (the caller removes it).
func openTemp(dir string) (f *os.File, name string, err error) {
	f, err = openUnnamedHook(dir)
	if err == nil {
		return f, "", nil
	}
	if !errors.Is(err, errNoTmpfile) {
		return nil, "", err
	}
	f, err = createTempHook(dir)
	if err != nil {
		return nil, "", err
	}
	return f, f.Name(), nil
}

// createNamedTemp creates ".keypair-<16 hex>.tmp" in dir with O_EXCL, 0600.
func createNamedTemp(dir string) (*os.File, error) {
	for range 100 {
		var b [8]byte
		rand.Read(b[:])
		name := filepath.Join(dir, tempPrefix+hex.EncodeToString(b[:])+tempSuffix)
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, &os.PathError{Op: "create temporary file", Path: dir, Err: fs.ErrExist}
}

// removeStaleTemps removes this tool's temporary files older than staleAge
// from dir: exact name pattern, regular files (no symlink followed), owned
// by the current user. Nothing else is touched; failures are ignored (a
// stale file costs nothing but a name).
func removeStaleTemps(dir string, now time.Time) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	for _, name := range names {
		if !isOurTempName(name) {
			continue
		}
		p := filepath.Join(dir, name)
		fi, err := os.Lstat(p)
		if err != nil || !fi.Mode().IsRegular() || !ownedByMe(fi) || now.Sub(fi.ModTime()) < staleAge {
			continue
		}
		os.Remove(p)
	}
}

// linkUnsupported reports a link error that means "this file system has
// no hard links" (FAT, some FUSE and network file systems), as opposed to
// a real failure.
func linkUnsupported(err error) bool {
	return errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.ENOTSUP) ||
		errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOSYS)
}

// copyExclusive is the fallback without hard links: create the final name
// with O_EXCL, write, sync; remove it again on any failure.
func copyExclusive(t *target, data []byte) error {
	f, err := os.OpenFile(t.path(), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return existsErr(t, err)
		}
		return saveErr(t, nil, err, "could not save %s: %s", t.given, errText(err))
	}
	err = writeAndSync(f, data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(t.path())
		return saveErr(t, nil, err, "could not save %s: %v (no file was left behind)", t.given, err)
	}
	return nil
}

// syncFolder makes the new name durable. File systems that cannot sync a
// folder (EINVAL) are not an error.
func syncFolder(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

// RemoveSaved removes a file WriteNewFile wrote, to roll back when a later
// step fails (for example ImportKeyPair after the private key was saved).
// A file that is already gone is not an error.
func RemoveSaved(path string) error {
	full, err := ResolvePath(path)
	if errors.Is(err, ErrNoFolder) {
		return nil // the folder is gone, and the file with it
	}
	if err != nil {
		return err
	}
	if err := os.Remove(full); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("could not remove %s: %s", path, errText(err))
	}
	if err := syncFolder(filepath.Dir(full)); err != nil {
		return fmt.Errorf("removed %s, but the folder could not be synced to disk: %s", path, errText(err))
	}
	return nil
}

// sshFolder returns ~/.ssh, or "" when there is no home folder.
func sshFolder() string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".ssh")
}

// makeSSHFolder creates ~/.ssh (0700, as OpenSSH wants it) in its existing
// parent. Another process making it meanwhile is fine if it is a folder.
func makeSSHFolder(t *target) error {
	if err := os.Mkdir(t.dir, 0o700); err != nil {
		fi, lerr := os.Lstat(t.dir)
		if !errors.Is(err, fs.ErrExist) || lerr != nil || !fi.IsDir() {
			return targetErr(t.given, ErrNotWritable, err, "could not create the folder %s: %s", t.dir, errText(err))
		}
		return nil
	}
	if err := os.Chmod(t.dir, 0o700); err != nil { // defeat the umask
		return targetErr(t.given, ErrNotWritable, err, "could not make %s private (0700): %s", t.dir, errText(err))
	}
	return syncFolder(filepath.Dir(t.dir))
}

// ExpandHome expands a leading "~" or "~/" to the user's home folder.
// "~user" forms are refused rather than guessed at. A path with ".." is
// not cleaned: ".." after a symlink means the symlink target's parent,
// which only ResolvePath can tell.
func ExpandHome(path string) (string, error) {
	if path != "~" && !strings.HasPrefix(path, "~/") {
		if strings.HasPrefix(path, "~") {
			return "", fmt.Errorf("%q: only \"~\" and \"~/...\" are expanded, not ~user", path)
		}
		return path, nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", fmt.Errorf("cannot expand %q: no home folder is known (HOME is unset)", path)
	}
	rest := path[1:]
	if hasDotDot(rest) {
		return strings.TrimSuffix(home, "/") + rest, nil
	}
	return filepath.Join(home, rest), nil
}

func hasDotDot(p string) bool {
	for _, e := range strings.Split(p, "/") {
		if e == ".." {
			return true
		}
	}
	return false
}

package keys

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrExists is returned (wrapped) when the target file already exists.
var ErrExists = errors.New("file already exists")

// Fault-injection points for tests only: root ignores permission bits and a
// full disk cannot be made everywhere, so tests replace these to make the
// corresponding step fail. Production code never changes them.
var (
	createTempHook = os.CreateTemp
	writeHook      = func(f *os.File, data []byte) (int, error) { return f.Write(data) }
	syncHook       = func(f *os.File) error { return f.Sync() }
	linkHook       = os.Link
)

const tempPattern = ".keypair-*.tmp"

// WriteNewFile writes data to path safely: a temporary file with mode 0600
// in the target folder, fsync, linked into place without replacing anything
// (fails with ErrExists if the name exists), folder fsync, temp removed. On
// any failure no partial file remains. A missing ~/.ssh is created 0700;
// other missing folders are an error.
//
// Where the file system has no hard links, the file is instead created with
// O_EXCL under its final name and the data copied into it; a failure then
// removes that file.
func WriteNewFile(path string, data []byte) (err error) {
	path, err = ExpandHome(path)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := ensureFolder(dir); err != nil {
		return err
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("keys: write %s: %w (nothing was changed)", path, ErrExists)
	}

	tmp, err := createTempHook(dir, tempPattern)
	if err != nil {
		return fmt.Errorf("keys: write %s: create a temporary file in %s: %w", path, dir, err)
	}
	tmpName := tmp.Name()
	defer func() {
		if tmp != nil {
			tmp.Close()
		}
		// The temp name is ours alone (O_EXCL); it goes in every case. Once
		// the key is in place a failure here is not reported: the saved key
		// matters more than a stray 0600 temp file.
		os.Remove(tmpName)
	}()
	if err := writeAndSync(tmp, data); err != nil {
		return fmt.Errorf("keys: write %s: %w (no file was left behind)", path, err)
	}
	err = tmp.Close()
	tmp = nil
	if err != nil {
		return fmt.Errorf("keys: write %s: close: %w (no file was left behind)", path, err)
	}

	if err := linkHook(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("keys: write %s: %w (nothing was changed)", path, ErrExists)
		}
		if !linkUnsupported(err) {
			return fmt.Errorf("keys: write %s: %w (no file was left behind)", path, err)
		}
		if err := copyExclusive(path, data); err != nil {
			return err
		}
	}
	if err := syncFolder(dir); err != nil {
		os.Remove(path)
		return fmt.Errorf("keys: write %s: sync the folder: %w (the file was removed again)", path, err)
	}
	return nil
}

func writeAndSync(f *os.File, data []byte) error {
	// CreateTemp makes 0600 files; Chmod makes it exact whatever the umask.
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

// linkUnsupported reports a link error that means "this file system has
// no hard links" (FAT, some FUSE and network file systems), as opposed to
// a real failure.
func linkUnsupported(err error) bool {
	return errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.ENOTSUP) ||
		errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOSYS)
}

// copyExclusive is the fallback without hard links: create the final name
// with O_EXCL, write, sync; remove it again on any failure.
func copyExclusive(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("keys: write %s: %w (nothing was changed)", path, ErrExists)
		}
		return fmt.Errorf("keys: write %s: %w", path, err)
	}
	err = writeAndSync(f, data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("keys: write %s: %w (no file was left behind)", path, err)
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
	path, err := ExpandHome(path)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("keys: remove %s: %w", path, err)
	}
	if err := syncFolder(filepath.Dir(path)); err != nil {
		return fmt.Errorf("keys: remove %s: sync the folder: %w", path, err)
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

// ensureFolder checks that dir is an existing folder, creating ~/.ssh
// (0700, as OpenSSH wants it) and nothing else.
func ensureFolder(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && fi.IsDir():
		return nil
	case err == nil:
		return fmt.Errorf("keys: %s is not a folder", dir)
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("keys: folder %s: %w", dir, err)
	}
	if ssh := sshFolder(); ssh == "" || filepath.Clean(dir) != ssh {
		return fmt.Errorf("keys: the folder %s does not exist; create it first or choose another path", dir)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("keys: create %s: %w", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil { // defeat the umask
		return fmt.Errorf("keys: create %s: %w", dir, err)
	}
	return syncFolder(filepath.Dir(dir))
}

// CheckTarget reports whether path could be written by WriteNewFile now:
// the name is free and the folder exists (or is ~/.ssh, which would be
// created) and is writable. It writes nothing that remains.
//
// Writability is tested by creating and removing a temporary file, since
// permission bits say nothing for root and nothing about read-only mounts.
func CheckTarget(path string) error {
	dir, err := checkFree(path)
	if err != nil {
		return err
	}
	f, err := createTempHook(dir, tempPattern)
	if err != nil {
		return fmt.Errorf("keys: the folder %s is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("keys: the folder %s: remove test file: %w", dir, err)
	}
	return nil
}

// CheckFree is the cheap half of CheckTarget: the name is free and the
// folder exists (or is ~/.ssh, which would be created). It touches nothing,
// for callers whose next step is the write itself, which finds the rest.
func CheckFree(path string) error {
	_, err := checkFree(path)
	return err
}

// checkFree checks the name and the folder and returns the folder a write
// would create its temporary file in (the home folder when ~/.ssh is missing).
func checkFree(path string) (string, error) {
	path, err := ExpandHome(path)
	if err != nil {
		return "", err
	}
	if _, err := os.Lstat(path); err == nil {
		return "", fmt.Errorf("keys: %s: %w", path, ErrExists)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case err == nil && !fi.IsDir():
		return "", fmt.Errorf("keys: %s is not a folder", dir)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("keys: folder %s: %w", dir, err)
	case err != nil:
		if ssh := sshFolder(); ssh == "" || filepath.Clean(dir) != ssh {
			return "", fmt.Errorf("keys: the folder %s does not exist; create it first or choose another path", dir)
		}
		dir = filepath.Dir(dir) // ~/.ssh would be created in the home folder
	}
	return dir, nil
}

// ExpandHome expands a leading "~" or "~/" to the user's home folder.
// "~user" forms are refused rather than guessed at.
func ExpandHome(path string) (string, error) {
	if path != "~" && !strings.HasPrefix(path, "~/") {
		if strings.HasPrefix(path, "~") {
			return "", fmt.Errorf("keys: %q: only \"~\" and \"~/...\" are expanded, not ~user", path)
		}
		return path, nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", fmt.Errorf("keys: expand %q: no home folder is known (HOME is unset)", path)
	}
	return filepath.Join(home, path[1:]), nil
}

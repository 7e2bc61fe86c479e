package keys

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// openUnnamed opens an unnamed file in dir (open(2) O_TMPFILE, Linux 3.11+):
// it has no name until linkUnnamed gives it one, so a process killed before
// then leaves nothing behind, not even a temporary file. errNoTmpfile means
// the kernel or file system has no O_TMPFILE; the caller uses a named file.
func openUnnamed(dir string) (*os.File, error) {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, 0o600)
	if err != nil {
		// EISDIR: a kernel older than O_TMPFILE sees only O_DIRECTORY.
		if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EISDIR) || errors.Is(err, unix.EINVAL) {
			return nil, fmt.Errorf("%w: %v", errNoTmpfile, err)
		}
		return nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	return os.NewFile(uintptr(fd), dir+"/(unnamed)"), nil
}

// linkUnnamed gives the unnamed file f the name path; like link(2) it never
// replaces an existing name (EEXIST). The /proc/self/fd route needs no
// privilege and works for a process that is not dumpable (nocore.Disable):
// the kernel lets a process reach its own fd entries. Without /proc,
// linkat(AT_EMPTY_PATH) is tried, which needs CAP_DAC_READ_SEARCH on older
// kernels; errNoTmpfile reports that neither worked.
func linkUnnamed(f *os.File, path string) error {
	fd := int(f.Fd())
	err := unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW)
	if err == nil || errors.Is(err, unix.EEXIST) || !linkRouteMissing(err) {
		return linkError(path, err)
	}
	err2 := unix.Linkat(fd, "", unix.AT_FDCWD, path, unix.AT_EMPTY_PATH)
	if err2 == nil || errors.Is(err2, unix.EEXIST) || !linkRouteMissing(err2) {
		return linkError(path, err2)
	}
	return fmt.Errorf("%w: link through /proc: %v; AT_EMPTY_PATH: %v", errNoTmpfile, err, err2)
}

// linkRouteMissing: the error says this way of linking is unavailable here
// (no /proc, no privilege for AT_EMPTY_PATH), not that the link failed.
func linkRouteMissing(err error) bool {
	return errors.Is(err, unix.ENOENT) || errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) ||
		errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOTDIR)
}

func linkError(path string, err error) error {
	if err == nil {
		return nil
	}
	return &os.LinkError{Op: "link", Old: "(unnamed file)", New: path, Err: err}
}

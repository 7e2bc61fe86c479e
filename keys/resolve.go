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

// Kinds of refused save targets. Every error from ResolvePath, CheckFree,
// CheckTarget and WriteNewFile about the target wraps one of these, so
// callers can tell them apart with errors.Is; ErrExists also matches
// fs.ErrExist and ErrNoFolder fs.ErrNotExist.
var (
	ErrExists      = fmt.Errorf("the name is taken: %w", fs.ErrExist)
	ErrIsFolder    = fmt.Errorf("the name is a folder: %w", ErrExists)
	ErrNoFolder    = fmt.Errorf("the folder does not exist: %w", fs.ErrNotExist)
	ErrNotFolder   = errors.New("the parent is not a folder")
	ErrNameTooLong = fmt.Errorf("the file name is too long: %w", syscall.ENAMETOOLONG)
	ErrNotWritable = errors.New("the folder is not writable")
	ErrBadName     = errors.New("the path does not end in a file name")
)

// TargetError is a save target refused before or while writing. Its
// message is a sentence for the user; Kind is one of the Err* values above
// and Err the system error beneath, if any.
type TargetError struct {
	Path string // the path as the caller gave it
	Kind error
	Err  error
	msg  string
}

func (e *TargetError) Error() string { return e.msg }

// Unwrap lets errors.Is see both the kind and the system error.
func (e *TargetError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

func targetErr(path string, kind, err error, format string, args ...any) *TargetError {
	return &TargetError{Path: path, Kind: kind, Err: err, msg: fmt.Sprintf(format, args...)}
}

// target is a save path resolved the way the writer uses it: the folder
// with every symlink resolved, and the file name inside it.
type target struct {
	given string // as the caller gave it, for messages
	dir   string // absolute, no symlinks; may not exist when makeSSH
	name  string // the final file name, never "", "." or ".."
	// makeSSH: dir is ~/.ssh, which does not exist yet and would be
	// created (0700) in its parent, which exists.
	makeSSH bool
}

func (t *target) path() string { return filepath.Join(t.dir, t.name) }

// ResolvePath turns a save path into the absolute path the writer will
// create: "~" expanded, made absolute, and the folder's symlinks resolved
// as the kernel resolves them. ".." is physical, as in the shell's "cd -P"
// and in open(2): "linkdir/../x" is x beside linkdir's target, not beside
// linkdir. The file name itself is not followed: a symlink there is a name
// in use. The folder must exist, or be ~/.ssh (which WriteNewFile creates).
// WriteNewFile, CheckFree and CheckTarget all go through it, so a path that
// passes the checks is the path written.
func ResolvePath(path string) (string, error) {
	t, err := resolveTarget(path)
	if err != nil {
		return "", err
	}
	return t.path(), nil
}

func resolveTarget(given string) (*target, error) {
	path, err := ExpandHome(given)
	if err != nil {
		return nil, err
	}
	if path == "" {
		return nil, targetErr(given, ErrBadName, nil, "no path was given for the key file")
	}
	if strings.HasSuffix(path, string(filepath.Separator)) {
		return nil, targetErr(given, ErrBadName, nil, "%s ends in %q; give a file name, not a folder", given, string(filepath.Separator))
	}
	if !filepath.IsAbs(path) {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("cannot tell where %s is: the current folder is unknown (%w)", given, err)
		}
		// Joined by hand, not filepath.Join: Join's Clean would take ".."
		// lexically, before the symlinks it follows are resolved.
		path = wd + string(filepath.Separator) + path
	}
	rawDir, name := path[:strings.LastIndexByte(path, filepath.Separator)], filepath.Base(path)
	if rawDir == "" {
		rawDir = string(filepath.Separator)
	}
	if name == "." || name == ".." {
		return nil, targetErr(given, ErrBadName, nil, "%s does not end in a file name", given)
	}
	t := &target{given: given, name: name}
	dir, err := filepath.EvalSymlinks(rawDir)
	if err == nil {
		t.dir = dir
		fi, err := os.Stat(dir)
		if err != nil {
			return nil, targetErr(given, ErrNoFolder, err, "the folder of %s cannot be read: %v", given, errText(err))
		}
		if !fi.IsDir() {
			return nil, targetErr(given, ErrNotFolder, nil, "%s is not a folder, so %s cannot be saved in it", displayDir(given, dir), name)
		}
		return t, nil
	}
	if errors.Is(err, syscall.ENOTDIR) {
		return nil, targetErr(given, ErrNotFolder, err, "a part of the folder of %s is a file, not a folder", given)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, targetErr(given, ErrNoFolder, err, "the folder of %s cannot be read: %v", given, errText(err))
	}
	clean := filepath.Clean(rawDir)
	if fi, lerr := os.Lstat(clean); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
		dest, _ := os.Readlink(clean)
		return nil, targetErr(given, ErrNoFolder, err, "%s is a symbolic link to %s, which does not exist; create that folder or remove the link", displayDir(given, clean), dest)
	}
	// Only a missing ~/.ssh is created, and only in a home folder that exists.
	if ssh := sshFolder(); ssh != "" && clean == ssh && !strings.Contains(rawDir, "..") {
		parent, perr := filepath.EvalSymlinks(filepath.Dir(ssh))
		if perr == nil {
			if fi, serr := os.Stat(parent); serr == nil && fi.IsDir() {
				t.dir, t.makeSSH = filepath.Join(parent, ".ssh"), true
				return t, nil
			}
		}
	}
	return nil, targetErr(given, ErrNoFolder, err, "the folder %s does not exist; create it first or choose another path", displayDir(given, clean))
}

// displayDir names the folder of a path as the user wrote it when that is
// clear (no ".." to explain), else the resolved folder.
func displayDir(given, resolved string) string {
	if d := filepath.Dir(given); !strings.Contains(given, "..") && d != "." {
		return d
	}
	return resolved
}

// errText is a system error without the path Go puts in front of it.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	return err.Error()
}

// checkName checks the file name against the folder's file system limit
// (NAME_MAX, usually 255 bytes) and that the name is free. A symlink at the
// name, dangling or not, is a name in use: it is never followed.
func (t *target) checkFree() error {
	limitDir := t.dir
	if t.makeSSH {
		limitDir = filepath.Dir(t.dir)
	}
	if max := nameMax(limitDir); len(t.name) > max {
		return targetErr(t.given, ErrNameTooLong, nil, "the file name is %d bytes long, longer than the %d this filesystem allows; choose a shorter name", len(t.name), max)
	}
	if t.makeSSH {
		return nil
	}
	fi, err := os.Lstat(t.path())
	switch {
	case err == nil && fi.IsDir():
		return targetErr(t.given, ErrIsFolder, nil, "%s is a folder; give the name of a file to make inside it", t.given)
	case err == nil:
		return targetErr(t.given, ErrExists, nil, "%s already exists; nothing was overwritten", t.given)
	case errors.Is(err, syscall.ENAMETOOLONG):
		return targetErr(t.given, ErrNameTooLong, err, "the file name is %d bytes long, longer than this filesystem allows; choose a shorter name", len(t.name))
	case !errors.Is(err, fs.ErrNotExist):
		return targetErr(t.given, ErrNotWritable, err, "%s cannot be checked: %s", t.given, errText(err))
	}
	return nil
}

// CheckFree reports whether WriteNewFile could use path now, as far as can
// be told without writing: the path resolves (ResolvePath), the file name
// fits the file system and is free, and the folder exists (or is ~/.ssh,
// which would be created). It touches nothing, for callers whose next step
// is the write itself.
func CheckFree(path string) error {
	t, err := resolveTarget(path)
	if err != nil {
		return err
	}
	return t.checkFree()
}

// CheckTarget is CheckFree plus proof that the folder is writable: an
// unnamed temporary file is made there and dropped (a named one where the
// file system has no unnamed files, removed at once). Permission bits say
// nothing for root or read-only mounts, so only trying tells.
func CheckTarget(path string) error {
	t, err := resolveTarget(path)
	if err != nil {
		return err
	}
	if err := t.checkFree(); err != nil {
		return err
	}
	dir := t.dir
	if t.makeSSH {
		dir = filepath.Dir(t.dir) // ~/.ssh would be created in the home folder
	}
	f, name, err := openTemp(dir)
	if err != nil {
		return targetErr(path, ErrNotWritable, err, "the folder %s is not writable (%s); choose another path", dir, errText(err))
	}
	f.Close()
	if name != "" {
		if err := os.Remove(name); err != nil {
			return targetErr(path, ErrNotWritable, err, "the folder %s: the test file %s could not be removed (%s)", dir, name, errText(err))
		}
	}
	return nil
}

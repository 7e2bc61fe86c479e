package keys

import "errors"

// ErrExists is returned (wrapped) when the target file already exists.
var ErrExists = errors.New("file already exists")

// WriteNewFile writes data to path safely: a temporary file with mode 0600
// in the target folder, fsync, linked into place without replacing anything
// (fails with ErrExists if the name exists), folder fsync, temp removed. On
// any failure no partial file remains. A missing ~/.ssh is created 0700;
// other missing folders are an error.
func WriteNewFile(path string, data []byte) error {
	return errors.New("keys: WriteNewFile not implemented")
}

// CheckTarget reports whether path could be written by WriteNewFile now:
// the name is free and the folder exists (or is ~/.ssh, which would be
// created) and is writable. It writes nothing that remains.
func CheckTarget(path string) error {
	return errors.New("keys: CheckTarget not implemented")
}

// ExpandHome expands a leading "~" or "~/" to the user's home folder.
func ExpandHome(path string) (string, error) {
	return path, nil
}

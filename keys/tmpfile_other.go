//go:build !linux

package keys

import "os"

// openUnnamed: unnamed files (O_TMPFILE) are Linux only; elsewhere the
// writer uses a named temporary file.
func openUnnamed(dir string) (*os.File, error) { return nil, errNoTmpfile }

func linkUnnamed(f *os.File, path string) error { return errNoTmpfile }

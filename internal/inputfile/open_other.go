//go:build !unix

package inputfile

import "os"

// openNonBlocking: without Unix named pipes a plain open does not block.
func openNonBlocking(path string) (*os.File, error) { return os.Open(path) }

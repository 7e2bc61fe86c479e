//go:build unix

package inputfile

import (
	"os"
	"syscall"
)

// openNonBlocking opens path for reading without waiting: a named pipe
// with no writer would otherwise block open(2) for good. O_NOCTTY keeps a
// terminal from becoming the controlling one.
func openNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
}

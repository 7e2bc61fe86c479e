//go:build unix

package localkeys

import (
	"io/fs"
	"os"
	"syscall"
)

// openFlags open without waiting (a named pipe swapped in cannot block
// the open) and without taking a terminal as the controlling one.
const openFlags = os.O_RDONLY | syscall.O_NONBLOCK | syscall.O_NOCTTY

// fileID tells files apart (hard links, overlapping folders, links).
type fileID struct{ dev, ino uint64 }

func idOf(fi fs.FileInfo) (fileID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{uint64(st.Dev), uint64(st.Ino)}, true //nolint:unconvert // Dev is int32 on some systems
}

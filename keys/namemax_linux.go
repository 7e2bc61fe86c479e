package keys

import "golang.org/x/sys/unix"

// nameMax is the longest file name the file system holding dir takes
// (statfs f_namelen, what pathconf(_PC_NAME_MAX) reports on Linux), or 255.
func nameMax(dir string) int {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil || st.Namelen <= 0 {
		return 255
	}
	return int(st.Namelen)
}

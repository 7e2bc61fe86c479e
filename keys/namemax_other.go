//go:build !linux

package keys

// nameMax is the longest file name of dir's file system: NAME_MAX, 255 on
// every file system keypair expects outside Linux (APFS, HFS+, UFS, NTFS).
func nameMax(dir string) int { return 255 }

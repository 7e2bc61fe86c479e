package keys

import (
	"fmt"
	"os"
)

// FolderWarning returns advice when dir, a folder keys are kept in (such as
// ~/.ssh or the folder a key is saved to), is one that OpenSSH's StrictModes
// would distrust: writable by group or others, or owned by a user other
// than the current one (root excepted, as in OpenSSH's secure_permissions).
// Anyone who can write to the folder can replace the key file. It returns
// "" when there is nothing to say, or when dir cannot be read (the save
// checks report that). The key file itself is always 0600.
func FolderWarning(dir string) string {
	full, err := ExpandHome(dir)
	if err != nil {
		return ""
	}
	fi, err := os.Stat(full)
	if err != nil || !fi.IsDir() {
		return ""
	}
	if uid, ok := ownerOf(fi); ok && uid != os.Geteuid() && uid != 0 {
		return fmt.Sprintf("%s belongs to another user (uid %d), who can replace the keys in it; OpenSSH distrusts such a folder. Keep keys in a folder of your own.", dir, uid)
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		who := "group and others"
		switch {
		case perm&0o022 == 0o020:
			who = "its group"
		case perm&0o022 == 0o002:
			who = "everyone"
		}
		return fmt.Sprintf("%s is writable by %s (mode %04o), who could replace the key files in it; OpenSSH (StrictModes) refuses such a folder. Fix it with: chmod go-w %s", dir, who, perm, dir)
	}
	return ""
}

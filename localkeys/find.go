package localkeys

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/keys"
)

// walker is one Find's search of the folders.
type walker struct {
	ctx        context.Context
	limit      int64
	maxDepth   int
	maxEntries int

	entries   int
	truncated bool
	seenDirs  map[fileID]bool
	seenFiles map[fileID]bool
	roots     []*os.Root
	links     []link // read after every folder's own files (see run)

	keys      []Key
	skips     []Skip
	encrypted []Skip // encrypted PEM files: skipped unless a .pub sits next to them

	beforeOpen func(path string) // testBeforeOpen
}

// testBeforeOpen, set by tests only, runs just before each file is opened
// (to swap the file for something else, as a race would).
var testBeforeOpen func(path string)

// link is a symbolic link met in a folder, to be resolved inside it.
type link struct {
	root  *os.Root
	bases []string // the folder's absolute path as given and as resolved
	rel   string   // the link's path inside root
	path  string   // the link's path as shown
}

func newWalker(ctx context.Context, opts Options) *walker {
	w := &walker{
		ctx:        ctx,
		limit:      opts.MaxFileSize,
		maxDepth:   opts.MaxDepth,
		maxEntries: opts.MaxEntries,
		seenDirs:   map[fileID]bool{},
		seenFiles:  map[fileID]bool{},
		beforeOpen: testBeforeOpen,
	}
	if w.limit <= 0 {
		w.limit = MaxFileSize
	}
	if w.maxDepth == 0 {
		w.maxDepth = MaxDepth
	}
	if w.maxEntries <= 0 {
		w.maxEntries = MaxEntries
	}
	return w
}

// run searches every folder, then follows the links met on the way. Links
// come last so that a file reached both by its own name and through a link
// is listed under its own name (files are told apart by device and inode).
func (w *walker) run(dirs []string) {
	defer func() {
		for _, r := range w.roots {
			r.Close()
		}
	}()
	for _, d := range dirs {
		if d == "" || w.stopped() {
			continue
		}
		d = filepath.Clean(d)
		root, err := os.OpenRoot(d)
		if err != nil {
			fi, serr := os.Stat(d)
			switch {
			case errors.Is(err, fs.ErrNotExist) || errors.Is(serr, fs.ErrNotExist):
				// A folder not made yet: nothing to find.
			case serr == nil && !fi.IsDir():
				w.skip(d, "not a folder")
			default:
				w.skip(d, "the folder cannot be read: "+errReason(err))
			}
			continue
		}
		w.roots = append(w.roots, root)
		var bases []string
		if abs, err := filepath.Abs(d); err == nil {
			bases = append(bases, abs)
			if real, err := filepath.EvalSymlinks(abs); err == nil && real != abs {
				bases = append(bases, real)
			}
		}
		w.walkDir(root, bases, d, ".", 0)
	}
	for _, l := range w.links {
		if w.stopped() {
			return
		}
		w.followLink(l)
	}
}

func (w *walker) stopped() bool { return w.truncated || w.ctx.Err() != nil }

// walkDir reads the folder rel of root (shown as shown) and what is in it.
func (w *walker) walkDir(root *os.Root, bases []string, shown, rel string, depth int) {
	f, err := root.Open(rel)
	if err != nil {
		w.skip(shown, "the folder cannot be read: "+errReason(err))
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.IsDir() {
		return // swapped for something else since it was listed: not ours to read
	}
	if id, ok := idOf(fi); ok {
		if w.seenDirs[id] {
			return // the same folder reached again (overlapping Dirs)
		}
		w.seenDirs[id] = true
	}
	var ents []fs.DirEntry
	for {
		batch, err := f.ReadDir(256)
		ents = append(ents, batch...)
		w.entries += len(batch)
		if w.entries > w.maxEntries {
			w.truncated = true
			break
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				w.skip(shown, "the folder could not be read to the end: "+errReason(err))
			}
			break
		}
	}
	slices.SortFunc(ents, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	for _, e := range ents {
		if w.stopped() {
			return
		}
		name := e.Name()
		childRel := filepath.Join(rel, name)
		childShown := filepath.Join(shown, name)
		typ := e.Type()
		switch {
		case typ.IsDir():
			if depth < w.maxDepth {
				w.walkDir(root, bases, childShown, childRel, depth+1)
			}
		case skipByName(name):
		case typ&fs.ModeSymlink != 0:
			w.links = append(w.links, link{root: root, bases: bases, rel: childRel, path: childShown})
		case typ.IsRegular():
			w.readFile(root, childRel, childShown, nil)
		default:
			// A socket, named pipe or device: never opened.
		}
	}
}

// skipByName is true for the files of ~/.ssh that are known not to hold
// keys of this machine: client settings, and the public keys of other
// hosts (known_hosts) and of the people allowed to log in here
// (authorized_keys, authorized_keys2), which are keys others hold. Not
// counted as skipped.
func skipByName(name string) bool {
	switch name {
	case "config", "environment", "rc", "allowed_signers":
		return true
	}
	return strings.HasPrefix(name, "known_hosts") || strings.HasPrefix(name, "authorized_keys") ||
		strings.HasSuffix(name, ".sock")
}

// followLink reads the file a symbolic link leads to, when it stays inside
// its folder.
func (w *walker) followLink(l link) {
	rel := l.rel
	fi, err := l.root.Stat(rel)
	if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ELOOP) {
		// os.Root refuses an absolute link even to inside the folder: put
		// such a target relative to the folder and resolve that instead
		// (still inside the root, so nothing on the way can lead out).
		if target, lerr := l.root.Readlink(rel); lerr == nil && filepath.IsAbs(target) {
			if inner, ok := inside(l.bases, target); ok {
				rel = inner
				fi, err = l.root.Stat(rel)
			}
		}
	}
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist):
		w.skip(l.path, "a dangling symbolic link (what it names does not exist)")
		return
	case errors.Is(err, syscall.ELOOP):
		w.skip(l.path, "a symbolic link loop")
		return
	case errors.Is(err, fs.ErrPermission):
		w.skip(l.path, "a symbolic link to a file that cannot be read: permission denied")
		return
	default:
		w.skip(l.path, "a symbolic link that leads out of the folder: not followed")
		return
	}
	if !fi.Mode().IsRegular() {
		return // a folder (searched in its own place) or a socket, pipe, device: not opened
	}
	w.readFile(l.root, rel, l.path, fi)
}

// inside returns target relative to the first of bases it is inside.
func inside(bases []string, target string) (string, bool) {
	target = filepath.Clean(target)
	for _, b := range bases {
		r, err := filepath.Rel(b, target)
		if err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) && !filepath.IsAbs(r) {
			return r, true
		}
	}
	return "", false
}

// readFile opens rel in root (never leaving it), checks what was opened is a
// regular file within the limit (and, for a link, the file that was looked
// at), and reads it.
func (w *walker) readFile(root *os.Root, rel, shown string, looked fs.FileInfo) {
	if w.beforeOpen != nil {
		w.beforeOpen(shown)
	}
	f, err := root.OpenFile(rel, openFlags, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return // gone since it was listed
		}
		w.skip(shown, "cannot be opened: "+errReason(err))
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		w.skip(shown, "cannot be read: "+errReason(err))
		return
	}
	if !fi.Mode().IsRegular() || (looked != nil && !os.SameFile(fi, looked)) {
		w.skip(shown, "changed while being opened (now "+describeMode(fi.Mode())+"): not read")
		return
	}
	if id, ok := idOf(fi); ok {
		if w.seenFiles[id] {
			return
		}
		w.seenFiles[id] = true
	}
	if fi.Size() > w.limit {
		w.skip(shown, fmt.Sprintf("larger than %d bytes, the most looked at", w.limit))
		return
	}
	data, err := io.ReadAll(io.LimitReader(f, w.limit+1))
	if err != nil {
		w.skip(shown, "cannot be read: "+errReason(err))
		return
	}
	if int64(len(data)) > w.limit {
		w.skip(shown, fmt.Sprintf("larger than %d bytes, the most looked at (it grew while being read)", w.limit))
		return
	}
	w.parse(shown, data)
}

// parse keeps the key in data, if it holds one.
func (w *walker) parse(shown string, data []byte) {
	if !strings.HasSuffix(shown, ".pub") && !looksLikeKey(data) {
		return // not a key file at all: notes, certificates, scripts
	}
	kf, err := keys.ParseKeyFile(data)
	switch {
	case err == nil:
	case errors.Is(err, keys.ErrKeyType):
		return // a DSA, ECDSA or security key, or a certificate: not an EC2 key
	case errors.Is(err, keys.ErrEncrypted):
		w.encrypted = append(w.encrypted, Skip{shown, "an encrypted private key that keeps no public key in the clear (PEM or PKCS#8); give its .pub file"})
		return
	default:
		w.skip(shown, "not a key keypair can read: "+err.Error())
		return
	}
	if t := kf.Public.Type(); t != ssh.KeyAlgoRSA && t != ssh.KeyAlgoED25519 {
		return
	}
	w.keys = append(w.keys, Key{
		Path:            shown,
		Source:          SourceFile,
		PublicKey:       kf.Public,
		Encrypted:       kf.Encrypted,
		EC2Fingerprints: EC2Fingerprints(kf.Public, kf.Private),
	})
}

// Signs of a key file. A file with none of them is not looked at further.
var keyMarkers = [][]byte{
	[]byte("PRIVATE KEY-----"),         // PEM private keys (PKCS#1, PKCS#8, OpenSSH, EC, DSA)
	[]byte("PUBLIC KEY-----"),          // PEM public keys
	[]byte("PuTTY-User-Key-File-"),     // PPK
	[]byte("---- BEGIN SSH2 PUBLIC K"), // RFC 4716
}

// looksLikeKey says data has a sign of a key: a PEM, PPK or RFC 4716
// header, or an OpenSSH public key type at its start.
func looksLikeKey(data []byte) bool {
	for _, m := range keyMarkers {
		if bytes.Contains(data, m) {
			return true
		}
	}
	head := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\ufeff")), " \t\r\n")
	for _, p := range []string{"ssh-rsa ", "ssh-ed25519 ", "ssh-dss ", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-"} {
		if bytes.HasPrefix(head, []byte(p)) {
			return true
		}
	}
	return false
}

func (w *walker) skip(path, reason string) {
	w.skips = append(w.skips, Skip{Path: path, Reason: reason})
}

// found puts the results in order. An encrypted PEM file whose "<name>.pub"
// gave a key is not counted: its key is known.
func (w *walker) found() *Found {
	have := make(map[string]bool, len(w.keys))
	for _, k := range w.keys {
		have[k.Path] = true
	}
	for _, s := range w.encrypted {
		if !have[s.Path+".pub"] {
			w.skips = append(w.skips, s)
		}
	}
	slices.SortStableFunc(w.keys, func(a, b Key) int { return strings.Compare(a.Path, b.Path) })
	slices.SortStableFunc(w.skips, func(a, b Skip) int { return strings.Compare(a.Path, b.Path) })
	return &Found{Keys: w.keys, Skipped: len(w.skips), Skips: w.skips, Truncated: w.truncated}
}

// errReason is the system's reason, without the path (the Skip has it).
func errReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if errors.Is(err, fs.ErrPermission) {
		return "permission denied"
	}
	return err.Error()
}

func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsRegular():
		return "another file"
	}
	return "not a regular file"
}

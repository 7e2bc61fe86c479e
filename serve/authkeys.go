package serve

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/internal/termtext"
)

// MaxAuthorizedKeysBytes caps the authorized-keys file: far above any
// team's list, far below what could hurt.
const MaxAuthorizedKeysBytes = 1 << 20

// Entry is one line of the authorized-keys file.
type Entry struct {
	Key     ssh.PublicKey
	Comment string // cleaned for display and the audit log
	Line    int    // counted from 1
	// CA says the line is a cert-authority: user certificates it signed are
	// accepted, for the principals listed (none: the login user name).
	CA         bool
	Principals []string
}

// LineError is a line of the authorized-keys file that cannot be used.
type LineError struct {
	File string
	Line int
	Msg  string
}

func (e *LineError) Error() string {
	return fmt.Sprintf("%s line %d: %s", termtext.Clean(e.File), e.Line, e.Msg)
}

// allowedOptions are the authorized_keys options keypair serve honours:
// the restrictions are what it does anyway (no forwarding of any kind, no
// user rc); cert-authority and principals= are read. Any other option
// (from=, command=, environment=, expiry-time=, no-pty ...) would be a
// promise the server does not keep, so it stops the server instead.
var allowedOptions = map[string]bool{
	"restrict": true, "no-agent-forwarding": true, "no-port-forwarding": true,
	"no-X11-forwarding": true, "no-user-rc": true, "cert-authority": true,
}

// ParseAuthorizedKeys reads an authorized-keys file, every line of it: a
// line that is not blank, not a comment and not a key the server can use
// is an error naming the file and line (ssh.ParseAuthorizedKey alone skips
// bad lines until it finds a good one). name is the file's name for errors.
func ParseAuthorizedKeys(data []byte, name string) ([]Entry, error) {
	var out []Entry
	lines := bytes.Split(data, []byte("\n"))
	for i, raw := range lines {
		n := i + 1
		line := bytes.TrimSpace(bytes.TrimSuffix(raw, []byte("\r")))
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		fail := func(format string, args ...any) error {
			return &LineError{File: name, Line: n, Msg: fmt.Sprintf(format, args...)}
		}
		if bytes.IndexByte(line, 0) >= 0 {
			return nil, fail("a NUL byte: this is not an authorized-keys line")
		}
		key, comment, opts, rest, err := ssh.ParseAuthorizedKey(line)
		if err != nil {
			return nil, fail("not a public key line (%s); the form is: [options] TYPE BASE64 [comment]", termtext.Clean(err.Error()))
		}
		if len(bytes.TrimSpace(rest)) != 0 {
			// ParseAuthorizedKey skipped this line and found a key later on.
			return nil, fail("not a public key line; the form is: [options] TYPE BASE64 [comment]")
		}
		if _, isCert := key.(*ssh.Certificate); isCert {
			return nil, fail("a certificate cannot be listed; list the certificate authority's key with the cert-authority option")
		}
		e := Entry{Key: key, Comment: termtext.Clean(comment), Line: n}
		for _, o := range opts {
			name, val, hasVal := strings.Cut(o, "=")
			switch {
			case strings.EqualFold(name, "principals") && hasVal:
				val = strings.Trim(val, `"`)
				for _, p := range strings.Split(val, ",") {
					if p = strings.TrimSpace(p); p != "" {
						e.Principals = append(e.Principals, p)
					}
				}
			case allowedOptions[name] && !hasVal:
				if name == "cert-authority" {
					e.CA = true
				}
			default:
				return nil, fail("the option %q is not supported by keypair serve (it honours only restrict, no-*-forwarding, no-user-rc, cert-authority and principals=); remove it", termtext.Clean(name))
			}
		}
		if len(e.Principals) > 0 && !e.CA {
			return nil, fail("principals= only means something with cert-authority")
		}
		out = append(out, e)
	}
	return out, nil
}

// stamp is what tells that the file changed.
type stamp struct {
	size        int64
	mtime       time.Time
	ino, ctimeN int64
}

func stampOf(fi os.FileInfo) stamp {
	s := stamp{size: fi.Size(), mtime: fi.ModTime()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.ino = int64(st.Ino)
		s.ctimeN = st.Ctim.Nano()
	}
	return s
}

// AuthorizedKeys is the authorized-keys file, re-read whenever it changes
// (checked by a stat on each authentication). A change that breaks the
// file refuses everyone until it is fixed: keeping the old list would keep
// a key someone just removed.
type AuthorizedKeys struct {
	path string
	// Logf reports reloads and reload errors (nil: none).
	Logf func(format string, args ...any)

	mu      sync.Mutex
	st      stamp
	entries []Entry
	err     error
}

// LoadAuthorizedKeys reads and checks path: a regular file, not writable
// by group or others, owned by this user or root, every line valid.
func LoadAuthorizedKeys(path string) (*AuthorizedKeys, error) {
	a := &AuthorizedKeys{path: path}
	entries, st, err := readAuthorizedKeys(path)
	if err != nil {
		return nil, err
	}
	a.entries, a.st = entries, st
	return a, nil
}

// Entries is the list now in force.
func (a *AuthorizedKeys) Entries() []Entry {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Entry(nil), a.entries...)
}

// checkFileMode refuses an authorized-keys file others could change.
func checkFileMode(path string, fi os.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", termtext.Clean(path))
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%s is writable by group or others (mode %04o), so anyone could add a key: run chmod go-w %s",
			termtext.Clean(path), fi.Mode().Perm(), termtext.ShellQuote(path))
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		if uid := os.Getuid(); st.Uid != 0 && int(st.Uid) != uid {
			return fmt.Errorf("%s belongs to user id %d, not to this user (%d) or root: anyone who owns it can add a key", termtext.Clean(path), st.Uid, uid)
		}
	}
	return nil
}

func readAuthorizedKeys(path string) ([]Entry, stamp, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, stamp{}, fmt.Errorf("authorized keys: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, stamp{}, err
	}
	if err := checkFileMode(path, fi); err != nil {
		return nil, stamp{}, err
	}
	if fi.Size() > MaxAuthorizedKeysBytes {
		return nil, stamp{}, fmt.Errorf("%s is larger than %d bytes; that is not an authorized-keys file", termtext.Clean(path), MaxAuthorizedKeysBytes)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxAuthorizedKeysBytes+1))
	if err != nil {
		return nil, stamp{}, fmt.Errorf("authorized keys: %w", err)
	}
	if len(data) > MaxAuthorizedKeysBytes {
		return nil, stamp{}, fmt.Errorf("%s is larger than %d bytes; that is not an authorized-keys file", termtext.Clean(path), MaxAuthorizedKeysBytes)
	}
	entries, err := ParseAuthorizedKeys(data, path)
	return entries, stampOf(fi), err
}

// refresh re-reads the file when its stat changed.
func (a *AuthorizedKeys) refresh() {
	fi, err := os.Stat(a.path)
	a.mu.Lock()
	defer a.mu.Unlock()
	if err == nil && stampOf(fi) == a.st && a.err == nil {
		return
	}
	entries, st, rerr := readAuthorizedKeys(a.path)
	if rerr != nil {
		if a.err == nil || a.err.Error() != rerr.Error() {
			a.logf("authorized keys: %v; refusing every login until it is fixed", rerr)
		}
		a.err, a.entries = rerr, nil
		if err == nil {
			a.st = stampOf(fi)
		}
		return
	}
	if a.err != nil || st != a.st {
		a.logf("authorized keys: re-read %s (%d keys)", termtext.Clean(a.path), len(entries))
	}
	a.entries, a.st, a.err = entries, st, nil
}

func (a *AuthorizedKeys) logf(format string, args ...any) {
	if a.Logf != nil {
		a.Logf(format, args...)
	}
}

// Lookup finds what authorizes key for the login user name user: its
// line, or for a user certificate the cert-authority line that signed it
// (then login is the certificate's inner key). nil when not authorized.
func (a *AuthorizedKeys) Lookup(user string, key ssh.PublicKey) (e *Entry, login ssh.PublicKey) {
	a.refresh()
	a.mu.Lock()
	entries := a.entries
	a.mu.Unlock()
	if cert, ok := key.(*ssh.Certificate); ok {
		if cert.CertType != ssh.UserCert {
			return nil, nil
		}
		for i := range entries {
			ca := &entries[i]
			if !ca.CA || !bytes.Equal(ca.Key.Marshal(), cert.SignatureKey.Marshal()) {
				continue
			}
			principals := ca.Principals
			if len(principals) == 0 {
				principals = []string{user}
			}
			checker := &ssh.CertChecker{}
			for _, p := range principals {
				if checker.CheckCert(p, cert) == nil {
					return ca, cert.Key
				}
			}
		}
		return nil, nil
	}
	for i := range entries {
		if !entries[i].CA && bytes.Equal(entries[i].Key.Marshal(), key.Marshal()) {
			return &entries[i], key
		}
	}
	return nil, nil
}

package serve

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	cssh "charm.land/ssh"
	"charm.land/wish/v2/scp"
	gossh "golang.org/x/crypto/ssh"
)

// userFiles lets `scp -O` fetch (never put) the files of the session's own
// keys folder, KeysDir/<fingerprint>/: read through os.Root, so no path
// or link leads out of it.
type userFiles struct{ s *Server }

var _ scp.CopyToClientHandler = userFiles{}

// root opens the session's folder, recording the fetch in the audit log.
func (u userFiles) root(sess cssh.Session, name string) (*os.Root, error) {
	e, login := u.s.o.Keys.Lookup(sess.User(), sess.PublicKey())
	if e == nil {
		return nil, errors.New("your key is no longer in the authorized keys")
	}
	dir := filepath.Join(u.s.o.KeysDir, SafeName(gossh.FingerprintSHA256(login)))
	r, err := os.OpenRoot(dir)
	ev := Event{Remote: sess.RemoteAddr().String(), User: gossh.FingerprintSHA256(login), Comment: e.Comment, Action: "scp", KeyName: name, Result: "ok"}
	if err != nil {
		ev.Result = "failed: no keys saved for this key yet"
		u.s.o.Audit.Record(ev)
		return nil, fmt.Errorf("no keys were saved for your key yet")
	}
	u.s.o.Audit.Record(ev)
	return r, nil
}

func (u userFiles) Glob(sess cssh.Session, pattern string) ([]string, error) {
	return []string{pattern}, nil // no server-side globbing
}

func (u userFiles) WalkDir(sess cssh.Session, path string, fn fs.WalkDirFunc) error {
	r, err := u.root(sess, path)
	if err != nil {
		return err
	}
	defer r.Close()
	return fs.WalkDir(r.FS(), clean(path), fn)
}

func (u userFiles) NewDirEntry(sess cssh.Session, path string) (*scp.DirEntry, error) {
	r, err := u.root(sess, path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	h := scp.NewFSReadHandler(r.FS())
	return h.NewDirEntry(sess, clean(path))
}

func (u userFiles) NewFileEntry(sess cssh.Session, path string) (*scp.FileEntry, func() error, error) {
	r, err := u.root(sess, path)
	if err != nil {
		return nil, nil, err
	}
	h := scp.NewFSReadHandler(r.FS())
	e, closer, err := h.NewFileEntry(sess, clean(path))
	if err != nil {
		r.Close()
		return nil, nil, err
	}
	return e, func() error {
		var cerr error
		if closer != nil {
			cerr = closer()
		}
		r.Close()
		return cerr
	}, nil
}

// clean makes an scp path relative to the folder ("/a.pem", "./a.pem" and
// "a.pem" all name the same file); os.Root refuses whatever escapes.
func clean(p string) string {
	p = filepath.ToSlash(filepath.Clean("/" + p))[1:]
	if p == "" {
		return "."
	}
	return p
}

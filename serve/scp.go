package serve

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	cssh "charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/internal/termtext"
)

// maxFetch caps a fetched file: keys are a few KiB.
const maxFetch = 1 << 20

// scpFetch lets `scp -O HOST:NAME .` fetch (never put) one file of the
// session's own keys folder, KeysDir/<fingerprint>/, read through os.Root
// so that no path or link leads out of it. It speaks the source side of
// the scp protocol itself and waits for every acknowledgement (wish's scp
// middleware does not, so a fast server closes the channel while the
// client still writes its last ack: "lost connection").
func (s *Server) scpFetch(next cssh.Handler) cssh.Handler {
	return func(sess cssh.Session) {
		cmd := sess.Command()
		if len(cmd) == 0 || cmd[0] != "scp" {
			next(sess)
			return
		}
		name, preserve, err := parseSCP(cmd[1:])
		e, login := s.o.Keys.Lookup(sess.User(), sess.PublicKey())
		ev := Event{Remote: sess.RemoteAddr().String(), Action: "scp", KeyName: name}
		if e == nil {
			err = errors.New("your key is no longer in the authorized keys")
		} else {
			ev.User, ev.Comment = gossh.FingerprintSHA256(login), e.Comment
		}
		if err == nil {
			err = s.sendFile(sess, filepath.Join(s.o.KeysDir, SafeName(ev.User)), name, preserve)
		}
		if err != nil {
			ev.Result = "failed: " + err.Error()
			s.o.Audit.Record(ev)
			fmt.Fprintf(sess, "\x01scp: %s\n", termtext.Clean(err.Error()))
			_ = sess.Exit(1)
			return
		}
		ev.Result = "ok"
		s.o.Audit.Record(ev)
		_ = sess.Exit(0)
	}
}

// parseSCP reads the server side of `scp -f NAME` as OpenSSH's client asks
// for it (-v, -p, -d may come along); uploads (-t) and -r are refused.
func parseSCP(args []string) (name string, preserve bool, err error) {
	fetch := false
	for i := 0; i < len(args); i++ {
		switch a := args[i]; a {
		case "-f":
			fetch = true
		case "-p":
			preserve = true
		case "-v", "-d", "-q":
		case "-t":
			return "", false, errors.New("this server only sends files; nothing can be copied to it")
		case "-r":
			return "", false, errors.New("only single files can be fetched (no -r)")
		case "--":
			if i+1 < len(args) {
				name = strings.Join(args[i+1:], " ")
			}
			i = len(args)
		default:
			if strings.HasPrefix(a, "-") {
				return "", false, fmt.Errorf("scp option %s is not supported", a)
			}
			name = strings.Join(args[i:], " ")
			i = len(args)
		}
	}
	if !fetch || name == "" {
		return "", false, errors.New("only scp -f NAME (a fetch) is served")
	}
	return name, preserve, nil
}

// sendFile is the source side of the scp protocol for one regular file.
func (s *Server) sendFile(sess cssh.Session, dir, name string, preserve bool) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return errors.New("no keys were saved for your key yet")
	}
	defer root.Close()
	rel := clean(name)
	f, err := root.Open(rel)
	if err != nil {
		return fmt.Errorf("%s: no such file in your keys folder", rel)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() || fi.Size() > maxFetch {
		return fmt.Errorf("%s is not a key file", rel)
	}
	in := bufio.NewReader(sess)
	ack := func() error {
		b, err := in.ReadByte()
		if err != nil {
			return errors.New("the client went away")
		}
		if b != 0 {
			msg, _ := in.ReadString('\n')
			return fmt.Errorf("the client refused: %s", strings.TrimSpace(msg))
		}
		return nil
	}
	if err := ack(); err != nil { // the sink starts with a NUL
		return err
	}
	if preserve {
		t := fi.ModTime().Unix()
		if _, err := fmt.Fprintf(sess, "T%d 0 %d 0\n", t, t); err != nil {
			return err
		}
		if err := ack(); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintf(sess, "C%04o %d %s\n", fi.Mode().Perm(), fi.Size(), path.Base(rel)); err != nil {
		return err
	}
	if err := ack(); err != nil {
		return err
	}
	if _, err := io.CopyN(sess, f, fi.Size()); err != nil {
		return err
	}
	if _, err := sess.Write([]byte{0}); err != nil {
		return err
	}
	return ack()
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

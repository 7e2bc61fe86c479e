// Package serve is `keypair serve`: the app over SSH for a team of admins,
// on charm.land/wish/v2 and charm.land/ssh. Public-key authentication
// only, against an authorized-keys file checked line by line; one ui
// program per session on the session's PTY; every EC2 call audited;
// a session may import the key it logged in with, and make keys on the
// server only when --keys-dir gives each admin a folder of their own.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	cssh "charm.land/ssh"
	"charm.land/wish/v2"
	"github.com/charmbracelet/colorprofile"
	gossh "golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/localkeys"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
	"github.com/keypair-dev/keypair/ui"
)

// AWS is the one EC2 identity the server acts as (an instance role, say):
// what the form needs and the calls the pipeline makes.
type AWS interface {
	ui.AWSClient
	awsapi.API
	awsapi.Inventory // the Pairs screen: what uses a pair
}

// Limits bound what one client can hold of the server.
type Limits struct {
	MaxConnections   int           // at once; more are closed at once
	MaxAuthTries     int           // authentication attempts per connection
	HandshakeTimeout time.Duration // until authenticated
	IdleTimeout      time.Duration // no traffic at all
	MaxTimeout       time.Duration // a whole connection
	ShutdownGrace    time.Duration // between the notice and the end of sessions
}

// DefaultLimits are the limits of `keypair serve`.
var DefaultLimits = Limits{
	MaxConnections: 32, MaxAuthTries: 3, HandshakeTimeout: 30 * time.Second,
	IdleTimeout: 30 * time.Minute, MaxTimeout: 8 * time.Hour, ShutdownGrace: 2 * time.Second,
}

// Options configure a Server.
type Options struct {
	HostKey gossh.Signer
	Keys    *AuthorizedKeys
	Audit   *Audit // nil: no audit log
	// AllowDelete lets sessions delete pairs (--allow-delete).
	AllowDelete bool
	// KeysDir, when set, turns CreateKeyPair and keys made here on: each
	// admin's keys are saved only under KeysDir/<their key's fingerprint>/.
	KeysDir string
	AWS     AWS
	// UI is what every session starts from: Config, Request, Version.
	UI     ui.Options
	Limits Limits
	// Log receives the server's own messages (stderr).
	Log io.Writer
}

// Server serves the app.
type Server struct {
	o      Options
	srv    *cssh.Server
	ln     net.Listener
	active atomic.Int32

	mu       sync.Mutex
	sessions map[*session]struct{}
	closing  bool
	wg       sync.WaitGroup
}

type session struct {
	cancel context.CancelFunc
	msgs   chan tea.Msg
}

// New builds the server; Listen and Serve run it.
func New(o Options) (*Server, error) {
	if o.HostKey == nil || o.Keys == nil {
		return nil, errors.New("serve: a host key and authorized keys are required")
	}
	if o.Limits == (Limits{}) {
		o.Limits = DefaultLimits
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	s := &Server{o: o, sessions: map[*session]struct{}{}}
	o.Keys.Logf = s.logf
	l := o.Limits
	// The session handler, as wish middleware: scp fetches (with
	// --keys-dir) in front of the app, and every session guarded by
	// recoverSession.
	app := func(cssh.Handler) cssh.Handler { return s.handle }
	mws := []wish.Middleware{app}
	if o.KeysDir != "" {
		mws = append(mws, func(next cssh.Handler) cssh.Handler { return s.scpFetch(next) })
	}
	srv, err := wish.NewServer(
		wish.WithVersion("keypair"),
		// Public key only. No password and no keyboard-interactive
		// handler, ever: and since a public key handler is set,
		// charm.land/ssh does not fall back to NoClientAuth (which it does
		// when no handler at all is set: see TestBareLibraryAcceptsEveryone).
		wish.WithPublicKeyAuth(s.authorize),
		wish.WithIdleTimeout(l.IdleTimeout),
		wish.WithMaxTimeout(l.MaxTimeout),
		wish.WithMiddleware(append(mws, s.recoverSession)...),
		func(srv *cssh.Server) error {
			// The host key is ours (made once, 0600): wish would otherwise
			// write one into the working folder.
			srv.HostSigners = []cssh.Signer{o.HostKey}
			srv.ServerConfigCallback = func(cssh.Context) *gossh.ServerConfig {
				return &gossh.ServerConfig{MaxAuthTries: l.MaxAuthTries}
			}
			srv.ConnCallback = s.admit
			srv.ConnectionFailedCallback = s.failed
			srv.HandshakeTimeout = l.HandshakeTimeout
			// No forwarding of any kind, no subsystems (sftp), no agent.
			srv.LocalPortForwardingCallback = func(cssh.Context, string, uint32) bool { return false }
			srv.ReversePortForwardingCallback = func(cssh.Context, string, uint32) bool { return false }
			return nil
		},
	)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	s.srv = srv
	return s, nil
}

// recoverSession is the outermost middleware: a panic in a session ends
// that session (logged with its stack, the client told), not the server
// and every other admin's session with it. (wish's own recover middleware
// does the same through charm.land/log, which costs the binary more.)
func (s *Server) recoverSession(next cssh.Handler) cssh.Handler {
	return func(sess cssh.Session) {
		defer func() {
			if r := recover(); r != nil {
				s.logf("a session failed (panic: %v); the server goes on\n%s", r, debug.Stack())
				fmt.Fprint(sess.Stderr(), "keypair serve: this session failed; try again.\r\n")
				_ = sess.Exit(1)
			}
		}()
		next(sess)
	}
}

func (s *Server) logf(format string, args ...any) {
	fmt.Fprintf(s.o.Log, "keypair serve: "+format+"\n", args...)
}

// admit counts connections and closes those over the limit.
func (s *Server) admit(_ cssh.Context, c net.Conn) net.Conn {
	if n := s.active.Add(1); int(n) > s.o.Limits.MaxConnections {
		s.active.Add(-1)
		s.o.Audit.Record(Event{Remote: c.RemoteAddr().String(), Action: "refused", Result: "too many connections"})
		return nil
	}
	return &countedConn{Conn: c, s: s}
}

type countedConn struct {
	net.Conn
	s    *Server
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.s.active.Add(-1) })
	return c.Conn.Close()
}

// authorize is the public key check: the key's line in the file (or, for
// a user certificate, the cert-authority line that signed it).
func (s *Server) authorize(ctx cssh.Context, key cssh.PublicKey) bool {
	e, _ := s.o.Keys.Lookup(ctx.User(), key)
	if e == nil {
		s.o.Audit.Record(Event{Remote: ctx.RemoteAddr().String(), User: gossh.FingerprintSHA256(key),
			Action: "refused", Result: "key not in the authorized keys"})
		return false
	}
	return true
}

func (s *Server) failed(c net.Conn, err error) {
	if errors.Is(err, io.EOF) {
		return
	}
	s.o.Audit.Record(Event{Remote: c.RemoteAddr().String(), Action: "refused", Result: err.Error()})
}

// Listen binds addr; the address bound is returned (":0" picks a port).
func (s *Server) Listen(addr string) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.ln = ln
	return ln.Addr(), nil
}

// Serve serves until ctx ends (SIGTERM), then tells every session, gives
// them Limits.ShutdownGrace to see it, ends them (each settles what it was
// doing: a call under way runs to its answer, a key being written lands),
// and returns nil once all are gone.
func (s *Server) Serve(ctx context.Context) error {
	if s.ln == nil {
		return errors.New("serve: Listen first")
	}
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.mu.Lock()
	s.closing = true
	n := len(s.sessions)
	for ss := range s.sessions {
		select {
		case ss.msgs <- ui.NoticeMsg("keypair serve is shutting down: this session ends in a moment (anything under way is finished first)."):
		default:
		}
	}
	s.mu.Unlock()
	_ = s.ln.Close() // no new connections
	if n > 0 {
		s.logf("shutting down: ending %d session(s)", n)
		time.Sleep(s.o.Limits.ShutdownGrace)
	}
	s.mu.Lock()
	for ss := range s.sessions {
		ss.cancel()
	}
	s.mu.Unlock()
	s.wg.Wait()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil && !errors.Is(err, cssh.ErrServerClosed) {
		_ = s.srv.Close()
	}
	return nil
}

// SafeName turns a key fingerprint into a folder name: "SHA256:ab+c/d"
// becomes "SHA256_ab-c_d" (base64url), never "." or "..".
func SafeName(fp string) string {
	return strings.NewReplacer(":", "_", "/", "_", "+", "-", "=", "").Replace(fp)
}

// handle runs one session.
func (s *Server) handle(sess cssh.Session) {
	remote := sess.RemoteAddr().String()
	e, login := s.o.Keys.Lookup(sess.User(), sess.PublicKey())
	if e == nil {
		// The file changed since the key was accepted.
		fmt.Fprint(sess.Stderr(), "keypair serve: your key is no longer in the authorized keys.\r\n")
		_ = sess.Exit(1)
		return
	}
	ev := Event{Remote: remote, User: gossh.FingerprintSHA256(login), Comment: e.Comment}
	record := func(action, result string) {
		x := ev
		x.Action, x.Result = action, result
		s.o.Audit.Record(x)
	}
	if cmd := sess.RawCommand(); cmd != "" {
		fmt.Fprint(sess.Stderr(), "keypair serve runs no commands: connect with plain ssh (a terminal, no command) to get the app.\r\n")
		record("refused", "a command was asked for")
		_ = sess.Exit(1)
		return
	}
	pty, winch, ok := sess.Pty()
	if !ok {
		fmt.Fprint(sess.Stderr(), "keypair serve needs a terminal: connect with ssh -t (not -T), without a command.\r\n")
		record("refused", "no terminal (PTY)")
		_ = sess.Exit(1)
		return
	}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		fmt.Fprint(sess.Stderr(), "keypair serve is shutting down; try again later.\r\n")
		_ = sess.Exit(1)
		return
	}
	ctx, cancel := context.WithCancel(sess.Context())
	ss := &session{cancel: cancel, msgs: make(chan tea.Msg, 16)}
	s.sessions[ss] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	defer func() {
		cancel()
		s.mu.Lock()
		delete(s.sessions, ss)
		s.mu.Unlock()
		s.wg.Done()
	}()
	record("login", "ok")

	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case w := <-winch:
				select {
				case ss.msgs <- tea.WindowSizeMsg{Width: w.Width, Height: w.Height}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()

	env := append(sess.Environ(), "TERM="+pty.Term)
	uo := s.sessionOptions(sess, ev, login, env)
	uo.Messages = ss.msgs
	uo.ProgramOptions = append(uo.ProgramOptions,
		// The process's signals are the server's: SIGTERM must not quit every
		// session at once, but go through Serve's notice and settling.
		tea.WithoutSignalHandler(),
		tea.WithWindowSize(pty.Window.Width, pty.Window.Height),
		tea.WithColorProfile(colorprofile.Env(env)),
		tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
			if _, ok := msg.(tea.SuspendMsg); ok {
				return tea.ResumeMsg{} // ctrl+z would suspend the server
			}
			return msg
		}))
	res, err := ui.Run(ctx, uo)
	s.mu.Lock()
	closing := s.closing
	s.mu.Unlock()
	if res != nil {
		for _, n := range res.Notes {
			fmt.Fprint(sess.Stderr(), "keypair: "+termtext.Clean(n)+"\r\n")
		}
	}
	code := 0
	switch {
	case closing:
		fmt.Fprint(sess.Stderr(), "keypair serve was shut down; this session has ended.\r\n")
	case err != nil && sess.Context().Err() == nil:
		fmt.Fprint(sess.Stderr(), "keypair: the session failed: "+termtext.ForUser(err.Error())+"\r\n")
		code = 1
	}
	record("session-end", "ok")
	_ = sess.Exit(code)
}

// sessionOptions are the app's options for one session: what it may do.
func (s *Server) sessionOptions(sess cssh.Session, ev Event, login gossh.PublicKey, env []string) ui.Options {
	uo := s.o.UI
	uo.Input, uo.Output = sess, sess
	uo.Env = env
	uo.Served = true
	uo.LoginKey = login
	uo.NoDelete = !s.o.AllowDelete
	uo.Client = s.o.AWS
	// The server's disk and agent are not the admin's: no local keys are
	// looked for, so the Pairs screen matches nothing here.
	uo.LocalKeys = localkeys.Options{}
	uo.Connect, uo.Regions = nil, nil
	uo.SavePath = ""
	req := uo.Request
	req.Source = pair.SourceLogin
	req.Tags = withTag(req.Tags, pair.Tag{Key: pair.ImportedByTag, Value: ev.User})
	uo.Request = req
	uo.Sources = []pair.Source{pair.SourceLogin, pair.SourcePublicKey}
	var dir string
	if s.o.KeysDir != "" {
		dir = filepath.Join(s.o.KeysDir, SafeName(ev.User))
		uo.Sources = append(uo.Sources, pair.SourceAWS, pair.SourceLocal, pair.SourceOffline)
		uo.SaveRoot = dir
		uo.Config.SaveDir = dir
		host := hostOf(sess.LocalAddr())
		uo.FetchCommand = func(path string) string {
			rel, err := filepath.Rel(dir, path)
			if err != nil || strings.HasPrefix(rel, "..") {
				return ""
			}
			cmd := "scp -O"
			if port := portOf(sess.LocalAddr()); port != "22" {
				cmd += " -P " + port
			}
			return cmd + " " + termtext.ShellQuote(host+":"+filepath.ToSlash(rel)) + " ."
		}
	} else {
		uo.Config.SaveDir = ""
	}
	audited := &auditedAPI{AWS: s.o.AWS, audit: s.o.Audit, ev: ev}
	if s.o.AWS != nil {
		uo.Pairs = audited // a delete from the Pairs screen is audited too
	}
	uo.NewPipeline = func(context.Context) (*maker.Pipeline, error) {
		// Never an error: a failing NewPipeline would make the app fall
		// back to a pipeline without Root for the offline source.
		p := &maker.Pipeline{Root: dir}
		if s.o.AWS != nil {
			p.API, p.Region = audited, s.o.AWS.Region()
		}
		p.LoginOnly = dir == ""
		return p, nil
	}
	return uo
}

func withTag(tags []pair.Tag, t pair.Tag) []pair.Tag {
	out := []pair.Tag{t}
	for _, x := range tags {
		if x.Key != t.Key {
			out = append(out, x)
		}
	}
	return out
}

func hostOf(a net.Addr) string {
	h, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if strings.Contains(h, ":") {
		return "[" + h + "]"
	}
	return h
}

func portOf(a net.Addr) string {
	_, p, err := net.SplitHostPort(a.String())
	if err != nil {
		return "22"
	}
	return p
}

// auditedAPI records every call that changes EC2 (and its dry runs).
type auditedAPI struct {
	AWS
	audit *Audit
	ev    Event
}

func (a *auditedAPI) record(action, name string, dryRun bool, requestID string, err error) {
	e := a.ev
	e.Action, e.KeyName, e.Region, e.RequestID = action, name, a.AWS.Region(), requestID
	e.Result = "ok"
	if dryRun {
		e.Result = "dry-run"
	}
	if err != nil {
		e.Result = "failed: " + awsapi.KindOf(err).String()
		var ae *awsapi.Error
		if errors.As(err, &ae) {
			if ae.Code != "" {
				e.Result += " (" + ae.Code + ")"
			}
			e.RequestID = ae.RequestID
		}
	}
	a.audit.Record(e)
}

func (a *auditedAPI) CreateKeyPair(ctx context.Context, in awsapi.CreateInput) (*awsapi.CreateOutput, error) {
	out, err := a.AWS.CreateKeyPair(ctx, in)
	id := ""
	if out != nil {
		id = out.RequestID
	}
	a.record("CreateKeyPair", in.Name, in.DryRun, id, err)
	return out, err
}

func (a *auditedAPI) ImportKeyPair(ctx context.Context, in awsapi.ImportInput) (*awsapi.ImportOutput, error) {
	out, err := a.AWS.ImportKeyPair(ctx, in)
	id := ""
	if out != nil {
		id = out.RequestID
	}
	a.record("ImportKeyPair", in.Name, in.DryRun, id, err)
	return out, err
}

func (a *auditedAPI) DeleteKeyPair(ctx context.Context, in awsapi.DeleteInput) (*awsapi.DeleteOutput, error) {
	out, err := a.AWS.DeleteKeyPair(ctx, in)
	id := ""
	if out != nil {
		id = out.RequestID
	}
	a.record("DeleteKeyPair", in.Name, in.DryRun, id, err)
	return out, err
}

// Fingerprint is the SHA256 fingerprint of a public key, as the audit log
// and the keys folder name it.
func Fingerprint(k gossh.PublicKey) string { return keys.FingerprintSHA256(k) }

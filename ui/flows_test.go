package ui

// Layer 2: the whole program (Run) driven through a virtual terminal
// (github.com/charmbracelet/x/vt), which is both its input and its output
// as charm-v2.md §5 requires. The fake EC2 (fakeAWS) stands in for the
// client; the maker, keys and the file writer are the real ones.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// Bytes a terminal sends for keys.
const (
	kTab   = "\t"
	kEnter = "\r"
	kEsc   = "\x1b"
	kRight = "\x1b[C"
	kCtrlS = "\x13"
	kCtrlC = "\x03"
)

// session is one run of the program in a virtual terminal.
type session struct {
	t    *testing.T
	term *vt.SafeEmulator
	done chan struct{}
	res  *Result
	err  error
	raw  *lockedBuffer
	// cancel ends the program as a signal does (main cancels Run's context).
	cancel context.CancelFunc
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startSession(t *testing.T, opts Options, profile colorprofile.Profile) *session {
	t.Helper()
	term := vt.NewSafeEmulator(80, 24)
	term.Write([]byte(ansi.SetModeLineFeedNewLine)) // the renderer sends bare LF
	s := &session{t: t, term: term, done: make(chan struct{}), raw: &lockedBuffer{}}
	opts.Input = newPump(term)
	opts.Output = multiWriter{term, s.raw}
	opts.programOptions = []tea.ProgramOption{tea.WithWindowSize(80, 24), tea.WithColorProfile(profile)}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			t.Error("the program did not end")
		}
	})
	go func() {
		defer close(s.done)
		s.res, s.err = Run(ctx, opts)
	}()
	return s
}

// pump reads the emulator's input side all the time into an unbounded
// buffer the program reads from. The emulator writes its answers to
// terminal queries (DECRQM...) into an unbuffered pipe while holding its
// lock; if the program is not reading at that moment (starting, quitting)
// the emulator, and every Render, would block for good.
type pump struct {
	mu   sync.Mutex
	cond *sync.Cond
	buf  bytes.Buffer
	err  error
}

func newPump(r interface{ Read([]byte) (int, error) }) *pump {
	p := &pump{}
	p.cond = sync.NewCond(&p.mu)
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := r.Read(b)
			p.mu.Lock()
			p.buf.Write(b[:n])
			if err != nil {
				p.err = err
			}
			p.cond.Broadcast()
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return p
}

func (p *pump) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.buf.Len() == 0 && p.err == nil {
		p.cond.Wait()
	}
	if p.buf.Len() > 0 {
		return p.buf.Read(b)
	}
	return 0, p.err
}

type multiWriter struct {
	term *vt.SafeEmulator
	rec  *lockedBuffer
}

func (w multiWriter) Write(p []byte) (int, error) {
	w.rec.Write(p)
	return w.term.Write(p)
}

func (s *session) screen() string { return ansi.Strip(s.term.Render()) }

// waitFor polls the screen until every sub shows, or fails at the deadline.
func (s *session) waitFor(subs ...string) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		scr := s.screen()
		ok := true
		for _, sub := range subs {
			if !screenHas(scr, sub) {
				ok = false
			}
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("screen never showed %q:\n%s", subs, scr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *session) send(keys ...string) {
	for _, k := range keys {
		s.term.SendText(k)
		if k == kEsc {
			time.Sleep(150 * time.Millisecond) // a lone ESC is told from a sequence by a pause
		}
	}
}

// end quits with q (on a screen with no text field) and returns the result.
func (s *session) end(keys ...string) *Result {
	s.t.Helper()
	s.send(keys...)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		s.t.Fatalf("the program did not quit:\n%s", s.screen())
	}
	if s.err != nil {
		s.t.Fatalf("Run: %v", s.err)
	}
	return s.res
}

func TestFlowOffline(t *testing.T) {
	opts := testOptions(t, nil, "NO_COLOR=1")
	s := startSession(t, opts, colorprofile.Ascii)
	s.waitFor("Name", "offline: no credentials needed")
	s.send("web-prod")
	s.waitFor("Name     web-prod")
	// The real cursor sits after the typed name (header 2 lines, a blank,
	// then the name at column 11).
	deadline := time.Now().Add(10 * time.Second)
	for pos := s.term.CursorPosition(); pos.X != labelCol+len("web-prod") || pos.Y != 3; pos = s.term.CursorPosition() {
		if time.Now().After(deadline) {
			t.Fatalf("cursor at %+v, want (%d,3)", pos, labelCol+len("web-prod"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.send(kTab, kRight) // ED25519
	s.waitFor("Windows instances cannot use ED25519")
	s.send(kCtrlS)
	s.waitFor("Save the private key", "web-prod.pem")
	s.send(kEnter)
	s.waitFor("✓ Saved web-prod", "EC2: SHA-256 of the public key, as EC2 shows ED25519 keys (once imported)", "OpenSSH SHA256", "[SHA256]")
	res := s.end("q")
	if len(res.Saved) != 1 {
		t.Fatalf("result %+v", res)
	}
	got := res.Saved[0]
	want := filepath.Join(opts.Config.SaveDir, "web-prod.pem")
	if got.Path != want || got.KeyType != "ed25519" || got.Source != "offline" {
		t.Fatalf("saved %+v", got)
	}
	data, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	kf, err := keys.ParseKeyFile(data)
	if err != nil {
		t.Fatal(err)
	}
	if fp := keys.FingerprintSHA256(kf.Public); fp != got.SHA256Fingerprint {
		t.Fatalf("file fingerprint %s, screen %s", fp, got.SHA256Fingerprint)
	}
	if colourSGR(s.raw.String()) {
		t.Fatal("NO_COLOR run wrote colour")
	}
	if !strings.Contains(s.raw.String(), "\x1b[?1049h") {
		t.Fatal("no alternate screen: key material would reach the scrollback")
	}
}

func TestFlowLocalImports(t *testing.T) {
	fake := newFakeAWS()
	opts := testOptions(t, fake)
	opts.Request.Source = pair.SourceLocal
	s := startSession(t, opts, colorprofile.TrueColor)
	s.waitFor("credentials: ok (access key …WXYZ)")
	s.term.Paste("ci-runner") // bracketed paste, as a terminal sends it
	s.waitFor("Name     ci-runner")
	s.send(kCtrlS)
	s.waitFor("Save the private key", "imported into EC2 in eu-west-1")
	s.send(kEnter)
	s.waitFor("✓ Saved ci-runner", "EC2: MD5 of the public key, as EC2 shows imported RSA keys", "key-0eeeeffff00001111")
	res := s.end("q")
	fake.mu.Lock()
	imports := append([]awsapi.ImportInput(nil), fake.imports...)
	fake.mu.Unlock()
	if len(imports) != 1 || imports[0].Name != "ci-runner" || imports[0].DryRun {
		t.Fatalf("imports %+v", imports)
	}
	if strings.TrimSpace(string(imports[0].PublicKey)) != res.Saved[0].PublicKey {
		t.Fatal("imported public key differs from the saved pair's")
	}
	if _, err := os.Stat(res.Saved[0].Path); err != nil {
		t.Fatal(err)
	}
}

func TestFlowLocalImportFailsRemovesFileThenRetry(t *testing.T) {
	fake := newFakeAWS()
	fake.importErr = &awsapi.Error{Kind: awsapi.Unauthorized, Op: "ImportKeyPair", Code: "UnauthorizedOperation", Message: "You are not authorized", Region: "eu-west-1", KeyName: "ci"}
	opts := testOptions(t, fake)
	opts.Request.Source = pair.SourceLocal
	s := startSession(t, opts, colorprofile.ANSI256)
	s.waitFor("credentials: ok")
	s.send("ci", kCtrlS)
	s.waitFor("Save the private key")
	s.send(kEnter)
	s.waitFor("EC2 did not import the public key", "still in memory")
	writeScreen(t, "import-failed", s.screen())
	path := filepath.Join(opts.Config.SaveDir, "ci.pem")
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the private key file stayed after a failed import: %v", err)
	}
	fake.mu.Lock()
	fake.importErr = nil
	fake.mu.Unlock()
	s.send(kEnter)
	s.waitFor("✓ Saved ci", "key-0eeeeffff00001111")
	res := s.end("q")
	if len(res.Saved) != 1 || res.Saved[0].Path != path {
		t.Fatalf("result %+v", res)
	}
}

func TestFlowAWS(t *testing.T) {
	fake := newFakeAWS()
	fake.existing["taken"] = true
	opts := testOptions(t, fake)
	s := startSession(t, opts, colorprofile.TrueColor)
	s.waitFor("credentials: ok")
	s.send("taken")
	s.waitFor("already exists in eu-west-1")
	writeScreen(t, "form-name-taken", s.screen())
	s.send("-2")
	s.waitFor("Name     taken-2")
	s.send(kCtrlS)
	s.waitFor("Save the private key", "will never return this private key")
	writeScreen(t, "save-aws", s.screen())
	s.send(kEnter)
	s.waitFor("✓ Saved taken-2", "EC2: SHA-1 of the private key, as EC2 shows RSA keys it created", "key-0aaaabbbbccccdddd", "eu-west-1")
	writeScreen(t, "fingerprint-aws", s.screen())
	res := s.end("q")
	got := res.Saved[0]
	data, err := os.ReadFile(got.Path)
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.ParsePrivateKey(data)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := keys.FingerprintAWSCreated(k.Key.(rsaKey))
	if got.KeyFingerprint != want {
		t.Fatalf("EC2 fingerprint %s, file gives %s", got.KeyFingerprint, want)
	}
}

func TestFlowDryRun(t *testing.T) {
	for _, tc := range []struct {
		answer awsapi.DryRunResult
		want   []string
	}{
		{awsapi.DryRunResult{Permitted: true, Message: "Request would have succeeded, but DryRun flag is set."}, []string{"✓ Dry run: permitted", "Nothing was created"}},
		{awsapi.DryRunResult{Permitted: false, Message: "You are not authorized to perform this operation.\x1b]0;pwned\x07"}, []string{"✗ Dry run: denied", "not authorized", "ec2:CreateKeyPair"}},
	} {
		t.Run(fmt.Sprint(tc.answer.Permitted), func(t *testing.T) {
			fake := newFakeAWS()
			fake.dryRun = &tc.answer
			s := startSession(t, testOptions(t, fake), colorprofile.TrueColor)
			s.waitFor("credentials: ok")
			s.send("probe")
			for range 4 { // name, type, format, source, tags -> dry run
				s.send(kTab)
			}
			s.send(kTab, " ")
			s.waitFor("[x] ask EC2", "[ Ask EC2 (dry run) ]")
			s.send(kCtrlS)
			s.waitFor(tc.want...)
			writeScreen(t, "dryrun-"+map[bool]string{true: "permitted", false: "denied"}[tc.answer.Permitted], s.screen())
			if strings.Contains(s.raw.String(), "pwned") && strings.Contains(s.raw.String(), "\x1b]0;") {
				t.Fatal("server text reached the terminal with its escape sequence")
			}
			s.send(kEsc)
			s.waitFor("Name     probe", "[x] ask EC2")
			res := s.end(kCtrlC)
			if res.DryRun == nil || res.DryRun.Permitted != tc.answer.Permitted || len(res.Saved) != 0 {
				t.Fatalf("result %+v", res)
			}
		})
	}
}

func TestFlowEveryErrorKind(t *testing.T) {
	fake := newFakeAWS()
	s := startSession(t, testOptions(t, fake), colorprofile.TrueColor)
	s.waitFor("credentials: ok")
	s.send("web")
	for _, k := range []awsapi.Kind{
		awsapi.Other, awsapi.Duplicate, awsapi.NotFound, awsapi.BadPublicKey, awsapi.Unauthorized,
		awsapi.BadCredentials, awsapi.ClockSkew, awsapi.Throttled, awsapi.LimitExceeded, awsapi.Network,
		awsapi.NoCredentials, awsapi.LostAnswer, awsapi.Server, awsapi.InvalidParameter,
	} {
		fake.mu.Lock()
		fake.createErr = &awsapi.Error{Kind: k, Op: "CreateKeyPair", Code: "Code" + fmt.Sprint(int(k)),
			Message: "server says \x1b[2Jno", Region: "eu-west-1", KeyName: "web"}
		fake.mu.Unlock()
		s.send(kCtrlS)
		s.waitFor("✗ "+kindTitle(k), "esc/enter back to the form")
		if k == awsapi.Unauthorized {
			writeScreen(t, "error-unauthorized", s.screen())
		}
		scr := s.screen()
		if strings.Contains(s.raw.String(), "\x1b[2Jno") {
			t.Fatalf("kind %d: server text drawn uncleaned", k)
		}
		if strings.Contains(scr, "Save the private key") {
			t.Fatalf("kind %d: a save dialog after an error", k)
		}
		s.send(kEsc)
		s.waitFor("Name     web", "[ Create key pair ]")
	}
	res := s.end(kCtrlC)
	if len(res.Saved) != 0 || res.Discarded {
		t.Fatalf("result %+v", res)
	}
}

func TestFlowCancelCreate(t *testing.T) {
	fake := newFakeAWS()
	fake.createBlock = make(chan struct{})
	s := startSession(t, testOptions(t, fake), colorprofile.TrueColor)
	s.waitFor("credentials: ok")
	s.send("slow", kCtrlS)
	s.waitFor("EC2 is creating the key pair \"slow\" in eu-west-1", "esc cancels")
	writeScreen(t, "working", s.screen())
	s.send(kEsc)
	// The call runs to its answer (the pipeline never cuts off a creating
	// call); EC2 made the pair, so it is deleted again.
	close(fake.createBlock)
	s.waitFor("✗ Cancelled", "deleted from EC2 again")
	writeScreen(t, "cancelled", s.screen())
	fake.mu.Lock()
	if d := fake.deletes; len(d) != 1 || d[0] != "slow" {
		t.Errorf("deleted: %v", d)
	}
	fake.mu.Unlock()
	s.send(kEnter)
	s.waitFor("Name     slow")
	s.end(kCtrlC)
}

package serve

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cssh "charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/ui"
)

func edSigner(t testing.TB) gossh.Signer {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func authLine(k gossh.PublicKey, comment string) string {
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(k))) + " " + comment
}

func TestParseAuthorizedKeysEveryLine(t *testing.T) {
	a, b := edSigner(t).PublicKey(), edSigner(t).PublicKey()
	good := authLine(a, "alice@laptop")
	cases := []struct {
		name, body string
		line       int // 0: valid
		msg        string
	}{
		{"ok", "# admins\n\n" + good + "\r\n" + authLine(b, "bob") + "\n", 0, ""},
		{"bad line between good ones", good + "\nssh-ed25519 AAAAbroken\n" + authLine(b, "bob"), 2, "not a public key line"},
		{"garbage", good + "\nhello world\n", 2, "not a public key line"},
		{"command option", `command="/bin/sh" ` + good, 1, `"command"`},
		{"from option", `from="10.0.0.1" ` + good, 1, `"from"`},
		{"no-pty", `no-pty ` + good, 1, `"no-pty"`},
		{"restrict ok", `restrict,no-port-forwarding ` + good, 0, ""},
		{"principals without CA", `principals="a" ` + good, 1, "cert-authority"},
		{"CA", `cert-authority,principals="ops,admin" ` + good, 0, ""},
		{"NUL", good + "\nssh-ed25519 \x00\n", 2, "NUL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			es, err := ParseAuthorizedKeys([]byte(c.body), "admins")
			if c.line == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if len(es) == 0 {
					t.Fatal("no entries")
				}
				return
			}
			var le *LineError
			if !errors.As(err, &le) || le.Line != c.line || !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), "admins line ") {
				t.Fatalf("want line %d %q, got %v", c.line, c.msg, err)
			}
		})
	}
	es, _ := ParseAuthorizedKeys([]byte("# x\n"+authLine(a, "alice\x1b[31m")+"\n"+`cert-authority,principals="ops,admin" `+good), "f")
	if es[0].Line != 2 || es[0].Comment != "alice[31m" && strings.ContainsRune(es[0].Comment, 0x1b) {
		t.Fatalf("entry: %+v", es[0])
	}
	if !es[1].CA || len(es[1].Principals) != 2 || es[1].Principals[1] != "admin" {
		t.Fatalf("CA entry: %+v", es[1])
	}
}

func FuzzParseAuthorizedKeys(f *testing.F) {
	k := edSigner(f).PublicKey()
	f.Add([]byte(authLine(k, "a") + "\n"))
	f.Add([]byte("cert-authority,principals=\"x\" " + authLine(k, "") + "\n# c\n\nbad\n"))
	f.Add([]byte("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := ParseAuthorizedKeys(data, "f")
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) || le.Line < 1 || es != nil {
				t.Fatalf("an error must name a line and return nothing: %v", err)
			}
			return
		}
		// Every line is accounted for: each entry is a line that is not
		// blank or a comment, and every such line is an entry.
		n := 0
		for _, l := range strings.Split(string(data), "\n") {
			l = strings.TrimSpace(strings.TrimSuffix(l, "\r"))
			if l != "" && l[0] != '#' {
				n++
			}
		}
		if n != len(es) {
			t.Fatalf("%d key lines, %d entries", n, len(es))
		}
		for _, e := range es {
			if strings.ContainsAny(e.Comment, "\x1b\x00\r\n") {
				t.Fatalf("comment not cleaned: %q", e.Comment)
			}
		}
	})
}

func writeKeys(t *testing.T, path string, lines ...string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func TestAuthorizedKeysReloadAndFailClosed(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "admins")
	a, b := edSigner(t).PublicKey(), edSigner(t).PublicKey()
	writeKeys(t, p, authLine(a, "a"))
	ak, err := LoadAuthorizedKeys(p)
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := ak.Lookup("u", a); e == nil {
		t.Fatal("a is listed")
	}
	if e, _ := ak.Lookup("u", b); e != nil {
		t.Fatal("b is not listed")
	}
	writeKeys(t, p, authLine(b, "b"))
	if e, _ := ak.Lookup("u", a); e != nil {
		t.Fatal("a was removed")
	}
	if e, _ := ak.Lookup("u", b); e == nil || e.Comment != "b" {
		t.Fatal("b was added")
	}
	// A broken edit refuses everyone, b too, until it is fixed.
	writeKeys(t, p, authLine(b, "b"), "broken line")
	if e, _ := ak.Lookup("u", b); e != nil {
		t.Fatal("a broken file must refuse everyone")
	}
	writeKeys(t, p, authLine(b, "b"))
	if e, _ := ak.Lookup("u", b); e == nil {
		t.Fatal("the fixed file is used again")
	}
	os.Chmod(p, 0o620)
	if e, _ := ak.Lookup("u", b); e != nil {
		t.Fatal("a file others may write must refuse everyone")
	}
	if _, err := LoadAuthorizedKeys(p); err == nil || !strings.Contains(err.Error(), "writable by group or others") {
		t.Fatalf("load: %v", err)
	}
}

func TestCertificateLogsInWithItsInnerKey(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "admins")
	ca := edSigner(t)
	writeKeys(t, p, "cert-authority,principals=\"ops\" "+authLine(ca.PublicKey(), "team CA"))
	ak, err := LoadAuthorizedKeys(p)
	if err != nil {
		t.Fatal(err)
	}
	inner := edSigner(t).PublicKey()
	cert := &gossh.Certificate{Key: inner, CertType: gossh.UserCert, ValidPrincipals: []string{"ops"}, ValidBefore: gossh.CertTimeInfinity}
	if err := cert.SignCert(rand.Reader, ca); err != nil {
		t.Fatal(err)
	}
	e, login := ak.Lookup("whoever", cert)
	if e == nil || login == nil || string(login.Marshal()) != string(inner.Marshal()) {
		t.Fatal("the certificate's inner key must be the login key")
	}
	other := &gossh.Certificate{Key: inner, CertType: gossh.UserCert, ValidPrincipals: []string{"dev"}, ValidBefore: gossh.CertTimeInfinity}
	other.SignCert(rand.Reader, ca)
	if e, _ := ak.Lookup("dev", other); e != nil {
		t.Fatal("a principal not listed must be refused")
	}
	if e, _ := ak.Lookup("u", ca.PublicKey()); e != nil {
		t.Fatal("the CA key itself is no login key")
	}
}

func TestHostKeyMadeOnceWith0600(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "state", "keypair", "ssh_host_ed25519_key")
	s1, created, err := LoadOrCreateHostKey(p)
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	fi, _ := os.Stat(p)
	di, _ := os.Stat(filepath.Dir(p))
	if fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
		t.Fatalf("modes %v %v", fi.Mode(), di.Mode())
	}
	s2, created, err := LoadOrCreateHostKey(p)
	if err != nil || created || string(s1.PublicKey().Marshal()) != string(s2.PublicKey().Marshal()) {
		t.Fatalf("the key must be kept: %v %v", created, err)
	}
	os.Chmod(p, 0o644)
	if _, _, err := LoadOrCreateHostKey(p); err == nil {
		t.Fatal("a host key others may read must be refused")
	}
	got, _ := DefaultHostKeyPath(func(k string) string { return map[string]string{"XDG_STATE_HOME": "/st"}[k] })
	if got != "/st/keypair/ssh_host_ed25519_key" {
		t.Fatal(got)
	}
}

func TestAuditAppendsJSONLines(t *testing.T) {
	p := filepath.Join(t.TempDir(), "audit")
	os.WriteFile(p, []byte(`{"old":"line"}`+"\n"), 0o600)
	a, err := OpenAudit(p)
	if err != nil {
		t.Fatal(err)
	}
	a.Record(Event{Remote: "1.2.3.4:5", User: "SHA256:x", Comment: "a&b\x1b", Action: "login", Result: "ok"})
	a.Close()
	b, _ := os.ReadFile(p)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || lines[0] != `{"old":"line"}` || !strings.Contains(lines[1], `"comment":"a&b"`) || !strings.Contains(lines[1], `"time":"`) {
		t.Fatalf("log: %s", b)
	}
	os.Chmod(p, 0o644)
	if _, err := OpenAudit(p); err == nil {
		t.Fatal("a log others may read must be refused")
	}
}

// The danger the server must not fall into: charm.land/ssh with no auth
// handler at all lets everyone in, with no credentials.
func TestBareLibraryAcceptsEveryone(t *testing.T) {
	srv := &cssh.Server{Handler: func(s cssh.Session) { s.Exit(0) }, HostSigners: []cssh.Signer{edSigner(t)}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	c, err := gossh.Dial("tcp", ln.Addr().String(), &gossh.ClientConfig{User: "anyone", HostKeyCallback: gossh.InsecureIgnoreHostKey()})
	if err != nil {
		t.Fatalf("the bare library refused a client with no credentials (then this test no longer shows the danger): %v", err)
	}
	c.Close()
}

func startTestServer(t *testing.T, maxConns int, keys ...gossh.PublicKey) (*Server, string) {
	t.Helper()
	l := DefaultLimits
	l.MaxConnections = maxConns
	return startTestServerLimits(t, l, keys...)
}

func startTestServerLimits(t *testing.T, l Limits, keys ...gossh.PublicKey) (*Server, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "admins")
	var lines []string
	for _, k := range keys {
		lines = append(lines, authLine(k, "k"))
	}
	writeKeys(t, p, lines...)
	ak, err := LoadAuthorizedKeys(p)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{HostKey: edSigner(t), Keys: ak, Limits: l, UI: ui.Options{}})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Serve(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return s, addr.String()
}

func TestServerRefusesNoneAndPasswordAndKeyboardInteractive(t *testing.T) {
	known := edSigner(t)
	_, addr := startTestServer(t, 32, known.PublicKey())
	cfg := func(auth ...gossh.AuthMethod) *gossh.ClientConfig {
		return &gossh.ClientConfig{User: "admin", Auth: auth, HostKeyCallback: gossh.InsecureIgnoreHostKey()}
	}
	kbd := gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil })
	for name, c := range map[string]*gossh.ClientConfig{
		"none":                 cfg(),
		"password":             cfg(gossh.Password("hunter2")),
		"keyboard-interactive": cfg(kbd),
		"unknown key":          cfg(gossh.PublicKeys(edSigner(t))),
	} {
		if conn, err := gossh.Dial("tcp", addr, c); err == nil {
			conn.Close()
			t.Fatalf("%s: let in", name)
		}
	}
	conn, err := gossh.Dial("tcp", addr, cfg(gossh.PublicKeys(known)))
	if err != nil {
		t.Fatalf("the listed key: %v", err)
	}
	conn.Close()
}

func TestServerBoundsAuthTriesAndConnections(t *testing.T) {
	known := edSigner(t)
	srv, addr := startTestServer(t, 2, known.PublicKey())
	// Six wrong keys, then the right one: MaxAuthTries (3) ends it first.
	// (x/crypto lets MaxAuthTries key queries fail without counting them,
	// so a client may offer up to twice that many keys.)
	var signers []gossh.Signer
	for range 6 {
		signers = append(signers, edSigner(t))
	}
	signers = append(signers, known)
	_, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "a", Auth: []gossh.AuthMethod{gossh.PublicKeys(signers...)}, HostKeyCallback: gossh.InsecureIgnoreHostKey()})
	if err == nil {
		t.Fatal("more auth tries than MaxAuthTries were allowed")
	}
	// Two connections at most: a third is closed before the SSH banner.
	for srv.active.Load() != 0 {
		time.Sleep(10 * time.Millisecond) // the refused one is closed
	}
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
		if _, err := bufio.NewReader(c).ReadString('\n'); err != nil { // the server's version line
			t.Fatalf("connection %d refused: %v", len(held), err)
		}
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	if line, err := bufio.NewReader(c).ReadString('\n'); err == nil {
		t.Fatalf("a third connection was served: %q", line)
	}
	c.Close()
	for _, h := range held {
		h.Close()
	}
}

func TestSafeName(t *testing.T) {
	for _, fp := range []string{"SHA256:ab+c/d==", "SHA256:../..", "SHA256:/"} {
		n := SafeName(fp)
		if strings.ContainsAny(n, "/:+=") || n == "." || n == ".." || filepath.Base(n) != n {
			t.Fatalf("%q -> %q", fp, n)
		}
	}
}

func TestParseSCP(t *testing.T) {
	for _, c := range []struct {
		args     []string
		name     string
		preserve bool
		ok       bool
	}{
		{[]string{"-f", "k.pem"}, "k.pem", false, true},
		{[]string{"-v", "-p", "-f", "--", "a b.pem"}, "a b.pem", true, true},
		{[]string{"-t", "k.pem"}, "", false, false},
		{[]string{"-r", "-f", "dir"}, "", false, false},
		{[]string{"-f"}, "", false, false},
		{[]string{"k.pem"}, "", false, false},
		{[]string{"-S", "x", "-f", "k"}, "", false, false},
	} {
		name, p, err := parseSCP(c.args)
		if (err == nil) != c.ok || name != c.name || p != c.preserve {
			t.Errorf("%q: %q %v %v", c.args, name, p, err)
		}
	}
	for in, want := range map[string]string{"/a.pem": "a.pem", "./a.pem": "a.pem", "../../x": "x", "": ".", "d/../e": "e"} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIdleAndTotalTimeEndAConnection(t *testing.T) {
	key := edSigner(t)
	for name, l := range map[string]Limits{
		"idle":  {MaxConnections: 4, MaxAuthTries: 3, IdleTimeout: 300 * time.Millisecond, ShutdownGrace: time.Millisecond},
		"total": {MaxConnections: 4, MaxAuthTries: 3, MaxTimeout: 500 * time.Millisecond, ShutdownGrace: time.Millisecond},
	} {
		t.Run(name, func(t *testing.T) {
			_, addr := startTestServerLimits(t, l, key.PublicKey())
			c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "a", Auth: []gossh.AuthMethod{gossh.PublicKeys(key)}, HostKeyCallback: gossh.InsecureIgnoreHostKey()})
			if err != nil {
				t.Fatal(err)
			}
			// Wait returns only when the server ends the connection (a
			// server that never does hangs the test until go test's timeout).
			c.Wait()
		})
	}
}

// The command an SSH client asks for is outside input.
func FuzzParseSCP(f *testing.F) {
	f.Add("-v -f k.pem")
	f.Add("-p -f -- a b")
	f.Add("-t /etc/passwd")
	f.Fuzz(func(t *testing.T, cmd string) {
		name, _, err := parseSCP(strings.Fields(cmd))
		if err != nil {
			return
		}
		rel := clean(name)
		if strings.HasPrefix(rel, "/") || rel == ".." || strings.HasPrefix(rel, "../") {
			t.Fatalf("%q escapes: %q", name, rel)
		}
	})
}

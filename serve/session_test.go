package serve

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// A session as OpenSSH's client opens one, through x/crypto: a PTY, the
// client's environment, window changes.
type clientSession struct {
	t    *testing.T
	sess *gossh.Session
	out  *syncBuf
}

type syncBuf struct {
	ch  chan struct{}
	buf bytes.Buffer
}

func (b *syncBuf) Write(p []byte) (int, error) {
	b.ch <- struct{}{}
	defer func() { <-b.ch }()
	return b.buf.Write(p)
}

func (b *syncBuf) String() string {
	b.ch <- struct{}{}
	defer func() { <-b.ch }()
	return b.buf.String()
}

func openSession(t *testing.T, addr string, key gossh.Signer, env map[string]string, w, h int) *clientSession {
	t.Helper()
	c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "admin", Auth: []gossh.AuthMethod{gossh.PublicKeys(key)}, HostKeyCallback: gossh.InsecureIgnoreHostKey()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range env {
		if err := s.Setenv(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	cs := &clientSession{t: t, sess: s, out: &syncBuf{ch: make(chan struct{}, 1)}}
	s.Stdout = cs.out
	stdin, _ := s.StdinPipe()
	t.Cleanup(func() { stdin.Close() })
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	return cs
}

func (c *clientSession) waitFor(sub string) string {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if s := c.out.String(); strings.Contains(s, sub) {
			return s
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.t.Fatalf("never showed %q:\n%q", sub, c.out.String())
	return ""
}

func TestSessionColourFollowsTheClientsEnvironment(t *testing.T) {
	key := edSigner(t)
	_, addr := startTestServer(t, 32, key.PublicKey())
	// An SGR that sets a foreground or background colour.
	colourSGR := regexp.MustCompile(`\x1b\[([0-9]*;)*(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9]*)*m`)
	sgrColour := colourSGR.MatchString
	plain := openSession(t, addr, key, nil, 80, 24).waitFor("Import login key")
	if !strings.Contains(plain, "\x1b[38;5;") || !sgrColour(plain) {
		t.Fatalf("xterm-256color: want 256-colour SGR:\n%q", plain)
	}
	noColour := openSession(t, addr, key, map[string]string{"NO_COLOR": "1"}, 80, 24).waitFor("Import login key")
	if sgrColour(noColour) {
		t.Fatalf("NO_COLOR: colour was sent:\n%q", noColour)
	}
	truecolour := openSession(t, addr, key, map[string]string{"COLORTERM": "truecolor"}, 80, 24).waitFor("Import login key")
	if !strings.Contains(truecolour, "\x1b[38;2;") {
		t.Fatalf("COLORTERM=truecolor: want 24-bit SGR:\n%q", truecolour)
	}
}

func TestSessionFollowsWindowChanges(t *testing.T) {
	key := edSigner(t)
	_, addr := startTestServer(t, 32, key.PublicKey())
	s := openSession(t, addr, key, nil, 80, 24)
	s.waitFor("Import login key")
	if err := s.sess.WindowChange(12, 40); err != nil {
		t.Fatal(err)
	}
	s.waitFor("too small")
}

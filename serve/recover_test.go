package serve

import (
	"bytes"
	"io"
	"strings"
	"testing"

	cssh "charm.land/ssh"
)

// panicSession is the little of a session recoverSession touches.
type panicSession struct {
	cssh.Session
	stderr bytes.Buffer
	code   int
}

func (p *panicSession) Stderr() io.ReadWriter { return &p.stderr }
func (p *panicSession) Exit(code int) error   { p.code = code; return nil }

// A panic in one session ends that session (told, exit status 1, logged
// with its stack), not the server.
func TestRecoverSessionEndsOnlyThatSession(t *testing.T) {
	var log bytes.Buffer
	s := &Server{o: Options{Log: &log}}
	sess := &panicSession{code: -1}
	s.recoverSession(func(cssh.Session) { panic("boom") })(sess)
	if sess.code != 1 || !strings.Contains(sess.stderr.String(), "this session failed") {
		t.Errorf("session: exit %d, told %q", sess.code, sess.stderr.String())
	}
	if !strings.Contains(log.String(), "panic: boom") || !strings.Contains(log.String(), "recover_test.go") {
		t.Errorf("log %q", log.String())
	}
	ok := &panicSession{code: -1}
	s.recoverSession(func(cssh.Session) {})(ok)
	if ok.code != -1 || ok.stderr.Len() != 0 {
		t.Errorf("a session that did not panic was touched: exit %d %q", ok.code, ok.stderr.String())
	}
}

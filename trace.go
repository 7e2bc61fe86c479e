package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
)

// tracing reports whether --trace or KEYPAIR_TRACE asks for the request
// trace. KEYPAIR_TRACE takes 1/true/yes/on or 0/false/no/off (or empty).
func (a *app) tracing() (bool, error) {
	if a.global.trace {
		return true, nil
	}
	switch v := strings.ToLower(strings.TrimSpace(a.getenv("KEYPAIR_TRACE"))); v {
	case "", "0", "false", "no", "off":
		return false, nil
	case "1", "true", "yes", "on":
		return true, nil
	default:
		return false, fmt.Errorf("environment KEYPAIR_TRACE=%q: want 1 (trace every AWS request on stderr) or 0", v)
	}
}

// traceSink is the app's one trace writer, made on first use.
func (a *app) traceSink() *traceSink {
	if a.traces == nil {
		a.traces = &traceSink{w: a.stderr}
	}
	return a.traces
}

// maxHeldTrace bounds the trace kept while the form is on the screen.
const maxHeldTrace = 16 << 20

// traceSink writes trace blocks to stderr. While the interactive form is
// drawn on stderr the blocks are held instead (the app's inspector panel,
// ctrl+t, shows them meanwhile) and written out when the form ends, so the
// screen is never torn and the trace stays whole.
type traceSink struct {
	mu      sync.Mutex
	w       io.Writer
	held    *bytes.Buffer
	dropped int
}

func (s *traceSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == nil {
		return s.w.Write(p)
	}
	if s.held.Len()+len(p) > maxHeldTrace {
		s.dropped++
		return len(p), nil
	}
	return s.held.Write(p)
}

// hold keeps what is written until release.
func (s *traceSink) hold() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == nil {
		s.held = &bytes.Buffer{}
	}
}

// release writes what was held and writes through from now on.
func (s *traceSink) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == nil {
		return
	}
	_, _ = s.w.Write(s.held.Bytes())
	if s.dropped > 0 {
		fmt.Fprintf(s.w, "keypair: %d more traced requests were not kept (over %d MiB of trace)\n", s.dropped, maxHeldTrace>>20)
	}
	s.held, s.dropped = nil, 0
}

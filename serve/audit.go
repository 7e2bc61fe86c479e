package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/keypair-dev/keypair/internal/termtext"
)

// Event is one line of the audit log. It never holds key material: only
// names, fingerprints, addresses and EC2's request id.
type Event struct {
	Time      string `json:"time"`   // RFC 3339, UTC
	Remote    string `json:"remote"` // the client's address
	User      string `json:"user"`   // SHA256 fingerprint of the login key
	Comment   string `json:"comment"`
	Action    string `json:"action"` // login, refused, session-end, CreateKeyPair, ImportKeyPair, DeleteKeyPair, scp
	Region    string `json:"region"`
	KeyName   string `json:"keyName"`
	Result    string `json:"result"` // ok, dry-run, or what failed
	RequestID string `json:"requestId"`
}

// Audit appends events as JSON lines to a file opened O_APPEND, mode 0600.
// A nil *Audit records nothing.
type Audit struct {
	mu  sync.Mutex
	f   *os.File
	now func() time.Time
}

// OpenAudit opens (or creates, 0600) the audit log at path for appending.
// A log others may read or write is refused.
func OpenAudit(path string) (*Audit, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("audit log: %s is not a regular file", termtext.Clean(path))
	}
	if err == nil && fi.Mode().Perm()&0o077 != 0 {
		err = fmt.Errorf("audit log: %s may be read or written by group or others (mode %04o): run chmod 600 %s",
			termtext.Clean(path), fi.Mode().Perm(), termtext.ShellQuote(path))
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Audit{f: f, now: time.Now}, nil
}

// Record appends e, with the time filled in. Each event is one write of
// one line, so lines from concurrent sessions never interleave.
func (a *Audit) Record(e Event) error {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if e.Time == "" {
		e.Time = a.now().UTC().Format(time.RFC3339Nano)
	}
	for _, s := range []*string{&e.Remote, &e.User, &e.Comment, &e.Action, &e.Region, &e.KeyName, &e.Result, &e.RequestID} {
		*s = termtext.Clean(*s)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil { // one object and its newline
		return err
	}
	_, err := a.f.Write(buf.Bytes())
	return err
}

// Close syncs and closes the log.
func (a *Audit) Close() error {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	_ = a.f.Sync()
	return a.f.Close()
}

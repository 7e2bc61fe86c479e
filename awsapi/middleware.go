package awsapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http/httptrace"
	"strings"
	"sync"

	awsmw "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// This file holds keypair's two additions to the SDK's middleware stack:
// the User-Agent entry "keypair/VERSION", and a per-attempt recorder that
// tells whether any attempt may have reached EC2 and been carried out (so a
// duplicate name after it is a lost answer, and a failed delete may still
// have deleted).

// userAgent adds "keypair/VERSION" to the User-Agent header.
func userAgent(version string) func(*middleware.Stack) error {
	if version == "" {
		version = "dev"
	}
	return awsmw.AddUserAgentKeyValue("keypair", version)
}

// attempts is what one API call's attempts looked like, as seen from inside
// the SDK's retry loop.
type attempts struct {
	mu sync.Mutex
	n  int
	// mayHaveActed is set when an attempt failed in a way that does not
	// prove EC2 left the request alone (attemptMayHaveActed).
	mayHaveActed bool
	// sent is set when some attempt's request was written in full.
	sent bool
	// bodyTooLarge is set when an answer's body passed MaxResponseBytes.
	bodyTooLarge bool
}

func (a *attempts) count() (n int, mayHaveActed bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n, a.mayHaveActed
}

func (a *attempts) tooLarge() {
	a.mu.Lock()
	a.bodyTooLarge = true
	a.mu.Unlock()
}

func (a *attempts) wasTooLarge() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.bodyTooLarge
}

type attemptsKey struct{}

// withAttempts returns a context whose SDK calls record their attempts in a.
func withAttempts(ctx context.Context, a *attempts) context.Context {
	return context.WithValue(ctx, attemptsKey{}, a)
}

// sendState is what the HTTP client reported about one attempt's request.
type sendState int

const (
	// sendUnknown: the client reported nothing (a client that ignores
	// net/http/httptrace, such as a test's canned transport).
	sendUnknown sendState = iota
	// sendNotWritten: a connection was sought but the request was never
	// written in full, so EC2 cannot have acted on it.
	sendNotWritten
	// sendWritten: the whole request was handed to the connection.
	sendWritten
)

// sendTrace follows one attempt through net/http/httptrace.
type sendTrace struct {
	mu              sync.Mutex
	asked, conn, ok bool
}

func (s *sendTrace) clientTrace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GetConn: func(string) { s.mu.Lock(); s.asked = true; s.mu.Unlock() },
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			s.mu.Lock()
			if info.Err == nil {
				s.ok = true
			}
			s.mu.Unlock()
		},
	}
}

func (s *sendTrace) state() sendState {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.ok:
		return sendWritten
	case s.asked:
		return sendNotWritten
	}
	return sendUnknown
}

// attemptRecorder sits in the Finalize step right after the SDK's Retry
// middleware, so it runs once per attempt (aws/retry/middleware.go).
type attemptRecorder struct{}

func (attemptRecorder) ID() string { return "keypair.AttemptRecorder" }

func (attemptRecorder) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
	middleware.FinalizeOutput, middleware.Metadata, error) {
	// A plain context value: the SDK clears stack values at the start of each operation.
	a, _ := ctx.Value(attemptsKey{}).(*attempts)
	if a == nil {
		return next.HandleFinalize(ctx, in)
	}
	var st sendTrace
	out, md, err := next.HandleFinalize(httptrace.WithClientTrace(ctx, st.clientTrace()), in)
	sent := st.state()
	a.mu.Lock()
	a.n++
	if sent == sendWritten {
		a.sent = true
	}
	if err != nil && attemptMayHaveActed(err, sent) {
		a.mayHaveActed = true
	}
	a.mu.Unlock()
	return out, md, err
}

// attemptMayHaveActed says whether a failed attempt might have been carried
// out by EC2 even though no usable answer arrived.
//
//   - An answer arrived: a 4xx error (throttling included) means EC2
//     refused; a 5xx, or a 2xx whose body could not be read, may hide a
//     completed action.
//   - No answer: if the request never left (no credentials, refused
//     connection, DNS failure, TLS handshake failure or timeout, or the
//     client reports it never wrote the request), EC2 never saw it. If it
//     was written (then reset, closed, timed out), EC2 may have acted.
//   - A client that reports nothing: any send error past connecting may
//     hide an action.
func attemptMayHaveActed(err error, sent sendState) bool {
	if st := httpStatus(err); st != 0 {
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) && isThrottleCode(apiErr.ErrorCode()) {
			return false
		}
		return st >= 500 || st < 300
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		// An error answer whose status was lost on the way: judge by code.
		return codeKinds[apiErr.ErrorCode()] == Server
	}
	if isCredentialError(err) || neverSent(err) {
		return false
	}
	switch sent {
	case sendWritten:
		return true
	case sendNotWritten:
		return false
	}
	var rse *smithyhttp.RequestSendError
	var canceled *smithy.CanceledError
	return errors.As(err, &rse) || errors.As(err, &canceled)
}

// neverSent reports errors that happen before any byte of the request
// leaves: dialling (refused, unreachable, connect timeout), DNS, a proxy
// refusing the tunnel, and the TLS handshake.
func neverSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && (opErr.Op == "dial" || opErr.Op == "proxyconnect") {
		return true
	}
	return isTLSHandshakeError(err)
}

func isTLSHandshakeError(err error) bool {
	var rh tls.RecordHeaderError
	var rhp *tls.RecordHeaderError
	var alert tls.AlertError
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	if errors.As(err, &rh) || errors.As(err, &rhp) || errors.As(err, &alert) || errors.As(err, &cv) ||
		errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) {
		return true
	}
	// net/http's handshake timeout is an unexported type, and it turns a
	// plain-HTTP answer to a ClientHello into a string.
	text := err.Error()
	return strings.Contains(text, "TLS handshake timeout") || strings.Contains(text, "server gave HTTP response to HTTPS client")
}

func addAttemptRecorder(stack *middleware.Stack) error {
	return stack.Finalize.Insert(attemptRecorder{}, "Retry", middleware.After)
}

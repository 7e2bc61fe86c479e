package awsapi

import (
	"context"
	"errors"
	"net"
	"sync"

	awsmw "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// This file holds keypair's two additions to the SDK's middleware stack:
// the User-Agent entry "keypair/VERSION", and a per-attempt recorder that
// lets CreateKeyPair tell a plain duplicate name from a lost answer.

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
	// prove EC2 left the request alone: a 5xx, a dropped connection after
	// the request was sent, a timeout.
	mayHaveActed bool
}

func (a *attempts) count() (n int, mayHaveActed bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n, a.mayHaveActed
}

type attemptsKey struct{}

// withAttempts returns a context whose SDK calls record their attempts in a.
func withAttempts(ctx context.Context, a *attempts) context.Context {
	return context.WithValue(ctx, attemptsKey{}, a)
}

// attemptRecorder sits in the Finalize step right after the SDK's Retry
// middleware, so it runs once per attempt (aws/retry/middleware.go).
type attemptRecorder struct{}

func (attemptRecorder) ID() string { return "keypair.AttemptRecorder" }

func (attemptRecorder) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
	middleware.FinalizeOutput, middleware.Metadata, error) {
	// A plain context value: the SDK clears stack values at the start of each operation.
	a, _ := ctx.Value(attemptsKey{}).(*attempts)
	out, md, err := next.HandleFinalize(ctx, in)
	if a != nil {
		a.mu.Lock()
		a.n++
		if err != nil && attemptMayHaveActed(err) {
			a.mayHaveActed = true
		}
		a.mu.Unlock()
	}
	return out, md, err
}

// attemptMayHaveActed says whether a failed attempt might have been carried
// out by EC2 even though no answer arrived. An EC2 error answer with a 4xx
// code (throttling included) means EC2 refused the request; a refused TCP
// connection means it never arrived. Anything else (5xx, reset or closed
// connection after sending, timeout) may hide a completed action.
func attemptMayHaveActed(err error) bool {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		if st := httpStatus(err); st != 0 && st < 500 {
			return false
		}
		if isThrottleCode(apiErr.ErrorCode()) {
			return false
		}
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return false
	}
	return true
}

func addAttemptRecorder(stack *middleware.Stack) error {
	return stack.Finalize.Insert(attemptRecorder{}, "Retry", middleware.After)
}

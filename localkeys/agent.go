package localkeys

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/keypair-dev/keypair/internal/termtext"
)

// agentKeys lists the RSA and ED25519 keys of the agent at socket, within
// timeout (0 = AgentTimeout) or ctx's deadline, whichever comes first.
// Other keys and certificates are left out quietly.
func agentKeys(ctx context.Context, socket string, timeout time.Duration) ([]Key, error) {
	if timeout <= 0 {
		timeout = AgentTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	shown := termtext.Clean(socket)
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", socket)
	if err != nil {
		if cerr := ended(ctx); cerr != nil {
			return nil, timedOut(cerr, shown, timeout)
		}
		return nil, fmt.Errorf("could not reach the ssh-agent at %s (SSH_AUTH_SOCK): %w; start one with eval \"$(ssh-agent)\" and ssh-add, or unset SSH_AUTH_SOCK", shown, unwrapOp(err))
	}
	defer conn.Close()
	// The exchange ends at the deadline, and at once when ctx is cancelled.
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	list, err := agent.NewClient(conn).List()
	if err != nil {
		if cerr := ended(ctx); cerr != nil {
			return nil, timedOut(cerr, shown, timeout)
		}
		return nil, fmt.Errorf("the ssh-agent at %s (SSH_AUTH_SOCK) did not list its keys: %w", shown, unwrapOp(err))
	}
	var out []Key
	for _, k := range list {
		if k.Format != ssh.KeyAlgoRSA && k.Format != ssh.KeyAlgoED25519 {
			continue
		}
		pub, err := ssh.ParsePublicKey(k.Blob)
		if err != nil || pub.Type() != k.Format {
			continue
		}
		out = append(out, Key{
			Path:            termtext.Clean(k.Comment),
			Source:          SourceAgent,
			PublicKey:       pub,
			EC2Fingerprints: EC2Fingerprints(pub, nil),
		})
	}
	return out, nil
}

// ended is ctx's error, or DeadlineExceeded once its deadline has passed:
// the connection's deadline may fire a moment before ctx's own timer (and
// the agent client keeps no error chain to tell).
func ended(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}

// timedOut says why the exchange ended early: the bound, or a cancel.
func timedOut(cerr error, shown string, timeout time.Duration) error {
	if errors.Is(cerr, context.DeadlineExceeded) {
		return fmt.Errorf("the ssh-agent at %s (SSH_AUTH_SOCK) did not answer within %s; check that it is running: %w", shown, timeout, cerr)
	}
	return cerr
}

// unwrapOp drops net.OpError's repetition of the socket path.
func unwrapOp(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}

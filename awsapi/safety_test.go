package awsapi

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/keys"
)

// within runs f and fails the test if it has not returned after a generous
// deadline: a guard against hanging forever, not a speed check.
func within(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the call did not return within 30s")
	}
}

func TestImportLostAnswer(t *testing.T) {
	s, c := setup(t)
	f, err := ec2test.ParseFault("drop-after-import:times=1")
	if err != nil {
		t.Fatal(err)
	}
	s.Inject(f)
	_, err = c.ImportKeyPair(context.Background(), ImportInput{Name: "imp", PublicKey: []byte(testPub(t))})
	e := wantKind(t, err, LostAnswer)
	want := `EC2 may have imported key pair "imp" in us-east-1, but its answer was lost: an attempt got no answer, ` +
		`and the retry found the name taken. EC2 answered InvalidKeyPair.Duplicate (request ID R): ` +
		`The keypair 'imp' already exists. The key pair of that name in EC2 may be this import or one that was there before.`
	if got := withoutRequestID(err.Error()); got != want {
		t.Errorf("message\n got %q\nwant %q", got, want)
	}
	if !e.MayHaveActed || e.KeyName != "imp" || e.Attempts != 2 {
		t.Errorf("MayHaveActed %v KeyName %q Attempts %d", e.MayHaveActed, e.KeyName, e.Attempts)
	}
	if len(s.KeyPairs("us-east-1")) != 1 {
		t.Error("the stand-in should hold the imported pair")
	}
}

func TestDeleteLostAnswerMayHaveDeleted(t *testing.T) {
	s, c := setup(t)
	ctx := context.Background()
	if _, err := c.CreateKeyPair(ctx, CreateInput{Name: "gone", Type: keys.ED25519, Format: keys.PEM}); err != nil {
		t.Fatal(err)
	}
	f, _ := ec2test.ParseFault("drop-after-delete")
	s.Inject(f)
	one := newClient(t, s, Options{MaxAttempts: 1})
	_, err := one.DeleteKeyPair(ctx, DeleteInput{Name: "gone"})
	e := wantKind(t, err, Network)
	if !e.MayHaveActed {
		t.Error("MayHaveActed is false after the request reached EC2")
	}
	want := `The request to delete key pair "gone" in us-east-1 was sent to EC2 at ` + s.URL() +
		`, but no answer arrived: the connection closed before an answer arrived. The key pair may have been deleted.`
	if err.Error() != want {
		t.Errorf("message\n got %q\nwant %q", err, want)
	}
	if strings.Contains(err.Error(), "Nothing was deleted") {
		t.Error("says nothing was deleted")
	}
	if len(s.KeyPairs("us-east-1")) != 0 {
		t.Error("the stand-in should have deleted the pair")
	}
	// With the SDK's retries the second attempt answers (EC2 answers
	// success for a missing pair).
	s.ClearFaults()
	if _, err := c.CreateKeyPair(ctx, CreateInput{Name: "gone", Type: keys.ED25519, Format: keys.PEM}); err != nil {
		t.Fatal(err)
	}
	f, _ = ec2test.ParseFault("drop-after-delete:times=1")
	s.Inject(f)
	if _, err := c.DeleteKeyPair(ctx, DeleteInput{Name: "gone"}); err != nil {
		t.Errorf("retried delete: %v", err)
	}
}

func TestRefusedConnectionNeverActed(t *testing.T) {
	testEnv(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	c := newClient(t, nil, Options{EndpointURL: url})
	_, err = c.CreateKeyPair(context.Background(), CreateInput{Name: "r", Type: keys.ED25519, Format: keys.PEM})
	e := wantKind(t, err, Network)
	if e.MayHaveActed {
		t.Error("MayHaveActed for a refused connection")
	}
	want := `Could not reach EC2 at ` + url + ` to create key pair "r" in us-east-1: connection refused. No key pair was made.`
	if err.Error() != want {
		t.Errorf("message\n got %q\nwant %q", err, want)
	}
}

func TestTLSHandshakeFailureNeverActed(t *testing.T) {
	s, _ := setup(t)
	url := strings.Replace(s.URL(), "http://", "https://", 1) // the stand-in speaks plain HTTP
	c := newClient(t, s, Options{EndpointURL: url})
	_, err := c.CreateKeyPair(context.Background(), CreateInput{Name: "tls", Type: keys.ED25519, Format: keys.PEM})
	e := wantKind(t, err, Network)
	if e.MayHaveActed || strings.Contains(err.Error(), "may have") || !strings.Contains(err.Error(), "TLS handshake failed") {
		t.Errorf("MayHaveActed %v: %v", e.MayHaveActed, err)
	}
	if len(s.Requests()) != 0 {
		t.Errorf("stand-in saw %d requests", len(s.Requests()))
	}
}

// silentListener accepts connections and never reads or writes.
func silentListener(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				<-done
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() { l.Close(); close(done) })
	return l.Addr().String()
}

func TestSilentServerTimesOut(t *testing.T) {
	testEnv(t)
	url := "http://" + silentListener(t)
	c := newClient(t, nil, Options{EndpointURL: url, MaxAttempts: 1,
		Timeouts: Timeouts{FirstByte: 200 * time.Millisecond, Request: 20 * time.Second}})
	var err error
	within(t, func() {
		_, err = c.CreateKeyPair(context.Background(), CreateInput{Name: "h", Type: keys.ED25519, Format: keys.PEM})
	})
	e := wantKind(t, err, Network)
	if !e.MayHaveActed {
		t.Error("a request written to a silent server may have acted")
	}
	want := `The request to create key pair "h" in us-east-1 was sent to EC2 at ` + url +
		`, but no answer arrived: timed out after 200ms waiting for the first byte. ` +
		`EC2 may have created the key pair, but its private key was not received.`
	if err.Error() != want {
		t.Errorf("message\n got %q\nwant %q", err, want)
	}

	// The whole-call bound covers retries.
	c = newClient(t, nil, Options{EndpointURL: url, Timeouts: Timeouts{Request: 300 * time.Millisecond}})
	within(t, func() { _, err = c.DescribeKeyPairs(context.Background(), DescribeInput{}) })
	e = wantKind(t, err, Network)
	if e.MayHaveActed || !strings.Contains(err.Error(), "no answer within 300ms, retries included") {
		t.Errorf("MayHaveActed %v: %v", e.MayHaveActed, err)
	}
}

func TestTLSHandshakeTimeoutNeverActed(t *testing.T) {
	testEnv(t)
	url := "https://" + silentListener(t)
	c := newClient(t, nil, Options{EndpointURL: url, MaxAttempts: 1,
		Timeouts: Timeouts{TLSHandshake: 200 * time.Millisecond, Request: 20 * time.Second}})
	var err error
	within(t, func() {
		_, err = c.CreateKeyPair(context.Background(), CreateInput{Name: "h", Type: keys.ED25519, Format: keys.PEM})
	})
	e := wantKind(t, err, Network)
	want := `Could not reach EC2 at ` + url + ` to create key pair "h" in us-east-1: TLS handshake timed out after 200ms. No key pair was made.`
	if e.MayHaveActed || err.Error() != want {
		t.Errorf("MayHaveActed %v, message\n got %q\nwant %q", e.MayHaveActed, err, want)
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestAttemptMayHaveActed(t *testing.T) {
	send := func(err error) error { return &smithyhttp.RequestSendError{Err: err} }
	for _, tc := range []struct {
		name string
		err  error
		sent sendState
		want bool
	}{
		{"connect timeout", send(&net.OpError{Op: "dial", Net: "tcp", Err: timeoutErr{}}), sendNotWritten, false},
		{"connect timeout, client reports nothing", send(&net.OpError{Op: "dial", Net: "tcp", Err: timeoutErr{}}), sendUnknown, false},
		{"refused", send(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), sendUnknown, false},
		{"DNS", send(&net.DNSError{Err: "no such host", Name: "ec2.nowhere.invalid", IsNotFound: true}), sendUnknown, false},
		{"TLS record", send(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), sendUnknown, false},
		{"TLS timeout", send(errors.New("net/http: TLS handshake timeout")), sendUnknown, false},
		{"credentials", &credentialError{err: errors.New("none")}, sendUnknown, false},
		{"reset after writing", send(syscall.ECONNRESET), sendWritten, true},
		{"closed before writing", send(errors.New("EOF")), sendNotWritten, false},
		{"closed, client reports nothing", send(errors.New("EOF")), sendUnknown, true},
		{"first byte timeout", send(errors.New("net/http: timeout awaiting response headers")), sendWritten, true},
	} {
		if got := attemptMayHaveActed(tc.err, tc.sent); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// lowerResponseLimit makes clients built after it cap answers at 1 MiB.
func lowerResponseLimit(t *testing.T) {
	old := responseLimit
	responseLimit = 1 << 20
	t.Cleanup(func() { responseLimit = old })
}

func TestGzipBombIsCapped(t *testing.T) {
	if MaxResponseBytes != 64<<20 {
		t.Errorf("MaxResponseBytes = %d", MaxResponseBytes)
	}
	lowerResponseLimit(t)
	s, c := setup(t)
	s.Inject(ec2test.Fault{Kind: ec2test.GzipBomb})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var err error
	within(t, func() { _, err = c.DescribeKeyPairs(context.Background(), DescribeInput{}) })
	runtime.ReadMemStats(&after)
	e := wantKind(t, err, BadAnswer)
	want := "EC2 answered the request to list key pairs in us-east-1, but the answer cannot be used: " +
		"the answer is larger than 1 MiB. Nothing was changed."
	if err.Error() != want || e.MayHaveActed {
		t.Errorf("MayHaveActed %v, message\n got %q\nwant %q", e.MayHaveActed, err, want)
	}
	// The bomb decompresses to 4 GiB; reading stops at the cap.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<30 {
		t.Errorf("reading the bomb allocated %d MiB", alloc>>20)
	}

	// A bomb on a 200 answer to CreateKeyPair: the pair exists.
	_, err = c.CreateKeyPair(context.Background(), CreateInput{Name: "boom", Type: keys.ED25519, Format: keys.PEM})
	e = wantKind(t, err, BadAnswer)
	if e.KeyName != "boom" || !e.MayHaveActed || len(s.KeyPairs("us-east-1")) != 1 {
		t.Errorf("KeyName %q MayHaveActed %v pairs %d", e.KeyName, e.MayHaveActed, len(s.KeyPairs("us-east-1")))
	}
	want = `EC2 created key pair "boom" in us-east-1, but its answer cannot be used: the answer is larger than 1 MiB. ` +
		`The key pair exists in EC2 without a usable private key.`
	if err.Error() != want {
		t.Errorf("message\n got %q\nwant %q", err, want)
	}
}

func TestHugeKeyMaterialIsRefused(t *testing.T) {
	s, c := setup(t)
	f, _ := ec2test.ParseFault("huge-key-material:size=2MiB")
	s.Inject(f)
	var err error
	within(t, func() {
		_, err = c.CreateKeyPair(context.Background(), CreateInput{Name: "big", Type: keys.ED25519, Format: keys.PEM})
	})
	e := wantKind(t, err, BadAnswer)
	if e.KeyName != "big" || !e.MayHaveActed || len(s.KeyPairs("us-east-1")) != 1 {
		t.Errorf("KeyName %q MayHaveActed %v pairs %d", e.KeyName, e.MayHaveActed, len(s.KeyPairs("us-east-1")))
	}
	want := `EC2 created key pair "big" in us-east-1, but its answer cannot be used: its key material is 2.0 MiB, ` +
		`more than the 64 KiB a private key can take. The key pair exists in EC2 without a usable private key.`
	if !strings.HasPrefix(err.Error(), `EC2 created key pair "big" in us-east-1, but its answer cannot be used: its key material is `) ||
		!strings.HasSuffix(err.Error(), `more than the 64 KiB a private key can take. The key pair exists in EC2 without a usable private key.`) {
		t.Errorf("message\n got %q\nwant %q", err, want)
	}
}

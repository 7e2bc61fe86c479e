package awsapi

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// This file holds how keypair talks HTTP to EC2: the timeouts that keep a
// silent server from hanging a call, and the cap on how much of an answer
// is read.

// Timeouts bound each stage of a call to EC2. A zero field means its
// default:
//
//   - Connect (default 10s): to open the TCP connection. EC2 endpoints
//     answer a SYN in milliseconds; 10s covers a slow VPN.
//   - TLSHandshake (default 10s): for the TLS handshake once connected.
//   - FirstByte (default 30s): from the request written to the first byte
//     of the answer's headers. EC2 answers the key pair calls in well under a
//     second, CreateKeyPair of an RSA key included.
//   - Request (default 60s): the whole operation, every retry and its
//     backoff included. A caller's shorter context deadline still wins.
//
// A timeout after the request was written may hide an action EC2 carried
// out (Error.MayHaveActed); a connect or TLS handshake timeout cannot.
type Timeouts struct {
	Connect      time.Duration
	TLSHandshake time.Duration
	FirstByte    time.Duration
	Request      time.Duration
}

// The defaults for Timeouts' zero fields.
const (
	DefaultConnectTimeout      = 10 * time.Second
	DefaultTLSHandshakeTimeout = 10 * time.Second
	DefaultFirstByteTimeout    = 30 * time.Second
	DefaultRequestTimeout      = 60 * time.Second
)

// withDefaults fills the zero fields.
func (t Timeouts) withDefaults() Timeouts {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&t.Connect, DefaultConnectTimeout)
	def(&t.TLSHandshake, DefaultTLSHandshakeTimeout)
	def(&t.FirstByte, DefaultFirstByteTimeout)
	def(&t.Request, DefaultRequestTimeout)
	return t
}

// MaxResponseBytes caps every answer body, counted after decompression. The
// largest real answer, DescribeKeyPairs of 5,000 pairs with their public
// keys, is well under 10 MB; a body past the cap (a gzip bomb, a broken
// proxy) fails the call instead of filling memory.
const MaxResponseBytes = 64 << 20

// responseLimit is MaxResponseBytes; tests lower it so reading a bomb up to
// the cap stays quick under the race detector.
var responseLimit int64 = MaxResponseBytes

// MaxKeyMaterialBytes caps CreateKeyPair's KeyMaterial. A 4096-bit RSA PEM
// is about 3.3 kB and a PPK about 3.5 kB; anything past 64 KiB is not a key.
const MaxKeyMaterialBytes = 64 << 10

// newHTTPClient is the SDK's buildable client with keypair's timeouts. It
// stays an *awshttp.BuildableClient so the SDK can still add AWS_CA_BUNDLE.
func newHTTPClient(t Timeouts) *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().
		WithTimeout(t.Request).
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = t.Connect }).
		WithTransportOptions(func(tr *http.Transport) {
			tr.TLSHandshakeTimeout = t.TLSHandshake
			tr.ResponseHeaderTimeout = t.FirstByte
		})
}

// cappedClient caps every answer body at limit bytes, decompressed. It
// sits outside the HTTP client, so whatever the client did (Go's transparent
// gzip included) the SDK reads through the cap; a body still marked
// Content-Encoding: gzip is decompressed here, under the cap, so no later
// layer can inflate it again.
type cappedClient struct {
	inner aws.HTTPClient
	limit int64
}

func (c cappedClient) Do(req *http.Request) (*http.Response, error) {
	req, err := ownBody(req)
	if err != nil {
		return nil, err
	}
	resp, err := c.inner.Do(req)
	if resp == nil || resp.Body == nil {
		return resp, err
	}
	a, _ := req.Context().Value(attemptsKey{}).(*attempts)
	body := io.ReadCloser(resp.Body)
	if strings.EqualFold(strings.TrimSpace(resp.Header.Get("Content-Encoding")), "gzip") {
		body = &gunzipBody{raw: resp.Body}
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	}
	resp.Body = &cappedBody{rc: body, left: c.limit, limit: c.limit, attempts: a}
	return resp, err
}

// maxRequestBody bounds the request bodies ownBody copies. keypair's
// requests are form-encoded parameters of a few KB (an imported public key
// is the largest part); a larger body is passed through untouched.
const maxRequestBody = 1 << 20

// ownBody gives the HTTP transport its own copy of the request body.
//
// smithy-go closes the body it built (a safeReadCloser) as soon as the
// client's Do returns, which is when the answer's headers have arrived. But
// net/http's write loop may not be done with the body then: after writing
// ContentLength bytes it copies the body once more to find its end
// (transfer.go, writeBody), and that copy goes through the closed wrapper's
// WriteTo, which answers io.EOF as an error. The write loop then closes the
// connection under the answer still being read, and the SDK's read fails
// with "use of closed network connection"; it retries, and a retried
// CreateKeyPair finds its own name taken (a lost answer that never was).
// Small answers are already buffered when the connection goes, so only large
// ones fail. A copy the SDK cannot close ends the race.
func ownBody(req *http.Request) (*http.Request, error) {
	if req.Body == nil || req.Body == http.NoBody || req.ContentLength < 0 || req.ContentLength > maxRequestBody {
		return req, nil
	}
	b, err := io.ReadAll(io.LimitReader(req.Body, maxRequestBody+1))
	req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read the request body: %w", err)
	}
	own := req.Clone(req.Context())
	own.Body = io.NopCloser(bytes.NewReader(b))
	own.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return own, nil
}

// gunzipBody decompresses lazily, on the first Read.
type gunzipBody struct {
	raw io.ReadCloser
	zr  *gzip.Reader
	err error
}

func (g *gunzipBody) Read(p []byte) (int, error) {
	if g.zr == nil && g.err == nil {
		g.zr, g.err = gzip.NewReader(g.raw)
	}
	if g.err != nil {
		return 0, g.err
	}
	return g.zr.Read(p)
}

func (g *gunzipBody) Close() error { return g.raw.Close() }

// cappedBody fails a read past its limit with *tooLargeError.
type cappedBody struct {
	mu       sync.Mutex
	rc       io.ReadCloser
	left     int64
	limit    int64
	over     bool
	attempts *attempts
}

func (b *cappedBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.over {
		// The reader was told once; the SDK's drain of the rest ends here
		// quietly instead of reading on (or logging a warning).
		return 0, io.EOF
	}
	if b.left <= 0 {
		// One byte more tells a body of exactly the limit from a longer one.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n == 0 {
			return 0, err
		}
		b.over = true
		if b.attempts != nil {
			b.attempts.tooLarge()
		}
		return 0, &tooLargeError{Limit: b.limit}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }

// tooLargeError is the read error of an answer body past its cap.
type tooLargeError struct{ Limit int64 }

// RetryableError tells the SDK's retryer never to retry an answer that was
// too large: EC2 acted on it (a retry of CreateKeyPair would only find the
// name taken, and look like a lost answer).
func (e *tooLargeError) RetryableError() bool { return false }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("the answer is larger than %s", byteSize(e.Limit))
}

// byteSize writes n as "64 MiB", "64 KiB", "512 bytes".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

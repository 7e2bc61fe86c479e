// Package ec2test is a loopback stand-in for the EC2 Query endpoint, for
// tests and benchmarks. It speaks the wire format recorded from awscli in
// shared/testdata/awscli-captures (form-encoded POST, XML answers in the
// 2016-11-15 namespace, EC2's error XML and statuses), verifies the SigV4
// signature of every request, keeps key pairs per region, makes real key
// material with package keys, answers what can use a pair from seeded state
// (instances, launch templates, Spot requests, and Auto Scaling's launch
// configurations on the same URL: resources.go, usage.go, autoscaling.go,
// seed.go) and DescribeRegions, adds Options.Latency to every answer, and
// injects faults on request: throttling,
// server errors, a connection dropped after the action, malformed XML, slow
// answers, denied actions, expired credentials, a server that never
// answers, a gzip bomb and oversized key material (see ParseFault).
//
// Conventions it picks where real EC2 is not documented (aws-keypairs.md §13):
// ED25519 private keys are returned in the OpenSSH format, RSA ones as PKCS#1
// PEM, PPK files are version 3; the private key comment (PPK "Comment:",
// OpenSSH comment) is the key pair name, and DescribeKeyPairs' publicKey is
// the authorized_keys line with the key pair name as its comment.
package ec2test

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// The credentials the stand-in knows by default: the AWS documentation's
// example pair, also used by the awscli captures.
const (
	AccessKeyID     = "AKIDEXAMPLE"
	SecretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

// Namespace is the xmlns of every success answer (with the trailing slash
// real EC2 sends).
const Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

// DefaultKeyPairLimit is EC2's key pairs per region limit.
const DefaultKeyPairLimit = 5000

// Options configure a Server. The zero value is usable.
type Options struct {
	// Credentials maps access key IDs to secrets; nil means
	// {AccessKeyID: SecretAccessKey}.
	Credentials map[string]string
	// Now is the server's clock, used to check request time stamps and for
	// createTime; nil means time.Now. Set it to replay captured requests.
	Now func() time.Time
	// MaxSkew is how far a request's X-Amz-Date may be from Now (0 = 5
	// minutes, as AWS allows).
	MaxSkew time.Duration
	// KeyPairLimit is the number of key pairs per region (0 = 5,000).
	KeyPairLimit int
	// Rand is the randomness for keys and IDs; nil means crypto/rand.
	Rand io.Reader

	// Regions is what DescribeRegions lists as enabled (nil =
	// DefaultRegions, the 17 regions every account has); NotOptedIn are
	// the opt-in regions it adds with AllRegions=true (nil =
	// DefaultNotOptedIn). Requests to any region are served either way.
	Regions, NotOptedIn []string
	// OptedIn names the regions of Regions that DescribeRegions reports as
	// "opted-in" (opt-in regions the account enabled) instead of
	// "opt-in-not-required".
	OptedIn []string
	// PageSize caps every page of the paginated Describe calls (instances,
	// launch templates and their versions, Spot requests, launch
	// configurations) below what the request's MaxResults/MaxRecords asks,
	// so tests see several pages with a few items (0 = no cap).
	PageSize int
	// Latency is added to every request before it is answered (faults
	// included), like the round trip to a far region.
	Latency time.Duration
}

// KeyPair is one key pair in the server's state.
type KeyPair struct {
	Name        string
	ID          string
	Fingerprint string
	Type        keys.Type
	PublicKey   string // authorized_keys line, comment = Name, no newline
	Created     time.Time
	Tags        []pair.Tag
	Imported    bool
}

// LoggedRequest is one request as the server saw it.
type LoggedRequest struct {
	Action    string
	Service   string // "ec2", "autoscaling" (from the credential scope, "" if unsigned) or "ssm"
	Region    string // from the credential scope ("" if unsigned)
	KeyName   string // KeyName, or the first KeyName.N
	DryRun    bool
	Attempt   int    // from the SDK's amz-sdk-request header ("attempt=N"), 0 if absent
	UserAgent string //
	Status    int    // HTTP status answered; 0 when the connection was dropped
	Code      string // error code answered, "" on success
	Fault     FaultKind
	Time      time.Time

	// Params are every parameter as received, URL query first, then the
	// form body, in the order sent, percent-decoded (SSM: the JSON body
	// flattened, objects joined with ".", array members counted from 1).
	Params []Param
	// Signature and SecurityToken are the request's SigV4 signature and
	// X-Amz-Security-Token, for tests that prove neither leaks.
	Signature, SecurityToken string
}

// Param is one received request parameter.
type Param struct{ Name, Value string }

// orderedParams decodes a form-encoded string pair by pair, keeping order.
func orderedParams(s string) []Param {
	var ps []Param
	for _, kv := range strings.Split(s, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		ps = append(ps, Param{Name: k, Value: v})
	}
	return ps
}

// Server is a running stand-in. Its methods are safe for concurrent use.
type Server struct {
	opts Options
	hs   *httptest.Server

	mu      sync.Mutex
	regions map[string]map[string]*KeyPair // region -> name -> pair
	others  map[string]*regionState        // region -> what can use a pair
	faults  []*Fault
	ssm     ssmState // SSM Parameter Store (ssm.go)
	log     []LoggedRequest
	randMu  sync.Mutex
}

// New starts a server on a random loopback port. Close it when done.
func New(opts Options) *Server {
	s, err := Listen("127.0.0.1:0", opts)
	if err != nil {
		panic("ec2test: " + err.Error())
	}
	return s
}

// Listen starts a server on addr (host:port; keep it on loopback).
func Listen(addr string, opts Options) (*Server, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := newServer(opts)
	s.hs = httptest.NewUnstartedServer(s)
	s.hs.Listener.Close()
	s.hs.Listener = l
	s.hs.Start()
	return s, nil
}

func newServer(opts Options) *Server {
	if opts.Credentials == nil {
		opts.Credentials = map[string]string{AccessKeyID: SecretAccessKey}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxSkew == 0 {
		opts.MaxSkew = 5 * time.Minute
	}
	if opts.KeyPairLimit == 0 {
		opts.KeyPairLimit = DefaultKeyPairLimit
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	return &Server{opts: opts, regions: map[string]map[string]*KeyPair{}, others: map[string]*regionState{}}
}

// URL is the endpoint URL, e.g. "http://127.0.0.1:41234".
func (s *Server) URL() string { return s.hs.URL }

// Close shuts the server down and waits for its requests to finish.
func (s *Server) Close() {
	s.hs.CloseClientConnections()
	s.hs.Close()
}

// KeyPairs returns copies of the key pairs in region, sorted by name.
func (s *Server) KeyPairs(region string) []KeyPair {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []KeyPair
	for _, kp := range s.regions[region] {
		c := *kp
		c.Tags = append([]pair.Tag(nil), kp.Tags...)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Requests returns the request log, oldest first.
func (s *Server) Requests() []LoggedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]LoggedRequest(nil), s.log...)
}

// ResetLog empties the request log.
func (s *Server) ResetLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

func (s *Server) logRequest(lr LoggedRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, lr)
}

func (s *Server) randomHex(nbytes int) string {
	b := make([]byte, nbytes)
	s.randMu.Lock()
	defer s.randMu.Unlock()
	if _, err := io.ReadFull(s.opts.Rand, b); err != nil {
		panic("ec2test: randomness: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// newKeyPairID returns "key-" and 17 hex digits, as EC2's IDs look.
func (s *Server) newKeyPairID() string { return "key-" + s.randomHex(9)[:17] }

// newRequestID returns a UUID-shaped request ID.
func (s *Server) newRequestID() string {
	h := s.randomHex(16)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// attemptOf reads "attempt=N" from the SDK's amz-sdk-request header.
func attemptOf(r *http.Request) int {
	for _, part := range strings.Split(r.Header.Get("Amz-Sdk-Request"), ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "attempt="); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

// apiError is an EC2 error answer.
type apiError struct {
	status        int
	code, message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// ServeHTTP answers one EC2 Query request, or an SSM JSON one (ssm.go).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if isSSMRequest(r) {
		s.serveSSM(w, r)
		return
	}
	reqID := s.newRequestID()
	lr := LoggedRequest{Attempt: attemptOf(r), UserAgent: r.Header.Get("User-Agent"), Time: s.opts.Now()}
	defer func() { s.logRequest(lr) }()

	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		lr.Status = 0
		return
	}
	s.wait(r)
	lr.Service = serviceOf(r)
	lr.Params = append(orderedParams(r.URL.RawQuery), orderedParams(string(body))...)
	lr.SecurityToken = r.Header.Get("X-Amz-Security-Token")
	if a, ok := parseAuthorization(r.Header.Get("Authorization")); ok {
		lr.Signature = a.signature
	}
	params, err := parseParams(r, body)
	if err != nil {
		s.writeError(w, &lr, reqID, errorf(400, "InvalidParameterValue", "The request body could not be parsed: %v", err))
		return
	}
	lr.Action = params.Get("Action")
	lr.KeyName = params.Get("KeyName")
	if lr.KeyName == "" {
		lr.KeyName = params.Get("KeyName.1")
	}
	lr.DryRun = params.Get("DryRun") == "true"

	region, aerr := s.verify(r, body)
	lr.Region = region
	if aerr != nil {
		s.writeError(w, &lr, reqID, aerr)
		return
	}

	f, aerr := s.applyFaults(r, &lr)
	if aerr != nil {
		s.writeError(w, &lr, reqID, aerr)
		return
	}
	if f != nil && f.Kind == MalformedXML {
		s.writeXML(w, &lr, reqID, 200, f.body(lr.Action))
		return
	}
	if f != nil && f.Kind == Hang {
		// Never answer: hold the connection until the client leaves or
		// the server closes, then drop it.
		<-r.Context().Done()
		lr.Status = 0
		panic(http.ErrAbortHandler)
	}

	var out string
	if lr.Service == autoScalingService {
		out, aerr = s.actAutoScaling(region, lr.Action, params, reqID)
	} else {
		out, aerr = s.act(region, lr.Action, params, reqID)
	}
	if f != nil && f.Kind == DropAfter {
		// The action happened; the answer never arrives.
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				lr.Status = 0
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if aerr != nil {
		s.writeError(w, &lr, reqID, aerr)
		return
	}
	if f != nil && f.Kind == GzipBomb {
		s.writeBomb(w, &lr, reqID, out, f.Size)
		return
	}
	if f != nil && f.Kind == HugeKeyMaterial && lr.Action == "CreateKeyPair" {
		out = hugeKeyMaterial(out, f.Size)
	}
	s.writeXML(w, &lr, reqID, 200, out)
}

func (s *Server) header(w http.ResponseWriter, reqID string) {
	h := w.Header()
	h.Set("Content-Type", "text/xml;charset=UTF-8")
	h.Set("Server", "AmazonEC2")
	h.Set("x-amzn-RequestId", reqID)
	h.Set("Date", s.opts.Now().UTC().Format(http.TimeFormat))
}

func (s *Server) writeXML(w http.ResponseWriter, lr *LoggedRequest, reqID string, status int, body string) {
	s.header(w, reqID)
	w.WriteHeader(status)
	lr.Status = status
	io.WriteString(w, body)
}

// writeError writes EC2's error XML (aws-keypairs.md §2: RequestID, not requestId).
func (s *Server) writeError(w http.ResponseWriter, lr *LoggedRequest, reqID string, e *apiError) {
	lr.Code = e.code
	if lr.Service == autoScalingService {
		s.writeXML(w, lr, reqID, e.status, autoScalingError(e, reqID))
		return
	}
	body := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<Response><Errors><Error><Code>` + xmlText(e.code) + `</Code><Message>` + xmlText(e.message) +
		`</Message></Error></Errors><RequestID>` + reqID + `</RequestID></Response>`
	s.writeXML(w, lr, reqID, e.status, body)
}

// xmlText escapes the XML specials only, leaving every other byte as it is:
// the stand-in echoes what it was given, like a careless server would, so
// clients must clean what they print.
func xmlText(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	return xmlSpecials.Replace(s)
}

var xmlSpecials = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// writeBomb answers 200 with Content-Encoding: gzip: answer without its
// closing tag, then padding elements up to size bytes decompressed, then
// the closing tag. Gzip members may follow one another (RFC 1952 §2.2), so
// one compressed MiB of padding is sent as often as needed and the body
// stays about a thousandth of size. Writing stops when the client hangs up.
func (s *Server) writeBomb(w http.ResponseWriter, lr *LoggedRequest, reqID, answer string, size int64) {
	if size <= 0 {
		size = DefaultBombSize
	}
	closeAt := strings.LastIndex(answer, "</")
	head, tail := answer[:closeAt], answer[closeAt:]
	pad := bytes.Repeat([]byte("<pad>"+strings.Repeat("A", 1013)+"</pad>\n"), 1024) // 1 MiB
	s.header(w, reqID)
	w.Header().Set("Content-Encoding", "gzip")
	w.WriteHeader(200)
	lr.Status = 200
	padMember := gzipMember(pad)
	if _, err := w.Write(gzipMember([]byte(head))); err != nil {
		return
	}
	for n := int64(len(head)); n < size; n += int64(len(pad)) {
		if _, err := w.Write(padMember); err != nil {
			return
		}
	}
	w.Write(gzipMember([]byte(tail)))
}

func gzipMember(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// hugeKeyMaterial pads the keyMaterial of a CreateKeyPair answer to size
// bytes with lines of base64-looking text.
func hugeKeyMaterial(answer string, size int64) string {
	if size <= 0 {
		size = DefaultHugeKeyMaterial
	}
	const end = "</keyMaterial>"
	i := strings.Index(answer, end)
	if i < 0 {
		return answer
	}
	start := strings.Index(answer, "<keyMaterial>") + len("<keyMaterial>")
	have := int64(i - start)
	line := strings.Repeat("A", 63) + "\n"
	var b strings.Builder
	b.Grow(len(answer) + int(size))
	b.WriteString(answer[:i])
	for n := have; n < size; n += int64(len(line)) {
		b.WriteString(line)
	}
	b.WriteString(answer[i:])
	return b.String()
}

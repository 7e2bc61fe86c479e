package awsapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	awsmw "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/keypair-dev/keypair/internal/termtext"
)

// This file holds the request inspector: a middleware on the SDK stack of
// every service client (EC2, Auto Scaling, SSM) that sees each attempt's
// request as the SDK serialized it, with the endpoint resolved, just before
// it is signed, and the answer's status, request id and error code after;
// and the one layout such a Trace is written in (DESIGN.md "Inspector").
//
// Where it sits in the Finalize step (smithy-go middleware stack):
//
//	Retry                 once per operation; sets Amz-Sdk-Request: attempt=N
//	keypair.AttemptRecorder
//	ResolveAuthScheme, GetIdentity (credentials), ResolveEndpointV2,
//	disableHTTPS, ComputePayloadHash
//	keypair.Trace         <- here: the final URL and body, not yet signed
//	Signing               adds Authorization, X-Amz-Date, X-Amz-Security-Token
//	(Deserialize step: send, AddRawResponseToMetadata, RequestIDRetriever, ...)
//
// So the signature and the session token never exist yet where the request
// is read, and what is shown is what is sent: the body is not re-made.

// Redacted replaces a secret in a Trace.
const Redacted = "[redacted]"

// Param is one request parameter as the SDK serialized it: a Query
// parameter (EC2, Auto Scaling) or a JSON field flattened to a path (SSM:
// "Tags.1.Key", arrays counted from 1 as the Query protocol does).
type Param struct {
	Name  string
	Value string
}

// Trace is one attempt of one AWS request, secrets already redacted.
type Trace struct {
	Service  string // "ec2", "ssm", "autoscaling": the SDK's service id, lower case, no spaces
	Action   string // the operation, e.g. "CreateKeyPair"
	Region   string
	Endpoint string // the resolved URL (scheme, host, path; no query, no user info)
	Attempt  int    // 1, then 2, 3 for the SDK's retries (0: the SDK did not say)
	Params   []Param

	// Preview says the request was serialized and stopped before signing:
	// never sent, so no answer fields.
	Preview bool

	Status    int    // HTTP status of the answer; 0 when none arrived
	RequestID string // the AWS request id, cleaned
	Code      string // the error code of an error answer, cleaned
	Err       string // why the attempt failed when it was not an error answer (no answer, unreadable answer), cleaned
	Elapsed   time.Duration
}

// String is the trace in the documented layout (README.md "Tracing
// requests"), every line ending in "\n":
//
//	-> ec2 CreateKeyPair  region=eu-west-1  endpoint=https://ec2.eu-west-1.amazonaws.com/  attempt=1
//	   Action=CreateKeyPair
//	   KeyName=web
//	<- 200  request-id=59dbff89-35bd-4eac-99ed-be587EXAMPLE  312ms
//
// An error answer adds "code=…" before the time; an attempt with no answer
// shows "<- no answer  12ms" and an "   error: …" line; a preview ends with
// "<- not sent (preview: serialized by the SDK, not signed)". A value with
// control bytes, invalid UTF-8, surrounding spaces or a leading quote is
// written as a Go quoted string; empty fields of the first line are "-".
func (t Trace) String() string {
	var b strings.Builder
	b.WriteString("-> " + orDash(oneField(t.Service)) + " " + orDash(oneField(t.Action)))
	b.WriteString("  region=" + orDash(oneField(t.Region)))
	b.WriteString("  endpoint=" + orDash(oneField(t.Endpoint)))
	b.WriteString("  attempt=" + strconv.Itoa(t.Attempt) + "\n")
	for _, p := range t.Params {
		b.WriteString("   " + quoteIfNeeded(p.Name) + "=" + quoteIfNeeded(p.Value) + "\n")
	}
	switch {
	case t.Preview:
		b.WriteString("<- not sent (preview: serialized by the SDK, not signed)\n")
		return b.String()
	case t.Status == 0:
		b.WriteString("<- no answer")
	default:
		b.WriteString("<- " + strconv.Itoa(t.Status) + "  request-id=" + orDash(oneField(t.RequestID)))
		if t.Code != "" {
			b.WriteString("  code=" + oneField(t.Code))
		}
	}
	b.WriteString("  " + strconv.FormatInt(t.Elapsed.Milliseconds(), 10) + "ms\n")
	if t.Err != "" {
		b.WriteString("   error: " + oneLine(t.Err) + "\n")
	}
	return b.String()
}

// Lines is String split into its lines (without line ends).
func (t Trace) Lines() []string {
	return strings.Split(strings.TrimSuffix(t.String(), "\n"), "\n")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneField makes s one space-free field of the first line.
func oneField(s string) string {
	s = termtext.Clean(s)
	if strings.ContainsAny(s, " \t") || !printable(s) {
		return strconv.Quote(s)
	}
	return s
}

// quoteIfNeeded writes s raw when that is unambiguous on one line, else Go-quoted.
func quoteIfNeeded(s string) string {
	if s == "" {
		return s
	}
	if !utf8.ValidString(s) || strings.HasPrefix(s, `"`) || strings.TrimSpace(s) != s || !printable(s) {
		return strconv.Quote(s)
	}
	return s
}

// printable reports whether every rune of s is printable (strconv.IsPrint:
// no control bytes, line or paragraph separators, bidi or other format
// characters that could hide or reorder text).
func printable(s string) bool {
	for _, r := range s {
		if !strconv.IsPrint(r) {
			return false
		}
	}
	return true
}

// TraceWriter returns a trace sink that writes each trace to w in the
// documented layout, one whole block per Write under one lock shared by
// every TraceWriter, so traces from concurrent calls (many regions, many
// clients on one stderr) never interleave. Write errors are ignored:
// tracing must not fail a call.
func TraceWriter(w io.Writer) func(Trace) {
	return func(t Trace) {
		s := t.String()
		traceWriteMu.Lock()
		defer traceWriteMu.Unlock()
		_, _ = io.WriteString(w, s)
	}
}

var traceWriteMu sync.Mutex

type traceKey struct{}

// WithTrace returns a context whose AWS calls, on any Client, also deliver
// their traces to f (after the client's own Options.Trace/OnTrace). The app
// uses it for its inspector panel, so each session sees its own requests.
// f must be safe for concurrent use and quick.
func WithTrace(ctx context.Context, f func(Trace)) context.Context {
	if f == nil {
		return ctx
	}
	prev, _ := ctx.Value(traceKey{}).([]func(Trace))
	fs := append(append(make([]func(Trace), 0, len(prev)+1), prev...), f)
	return context.WithValue(ctx, traceKey{}, fs)
}

// tracer is the middleware; sinks are the client's own.
type tracer struct{ sinks []func(Trace) }

const tracerID = "keypair.Trace"

func (*tracer) ID() string { return tracerID }

func (t *tracer) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
	middleware.FinalizeOutput, middleware.Metadata, error) {
	ctxSinks, _ := ctx.Value(traceKey{}).([]func(Trace))
	req, ok := in.Request.(*smithyhttp.Request)
	if !ok || len(t.sinks)+len(ctxSinks) == 0 {
		return next.HandleFinalize(ctx, in)
	}
	tr := captureRequest(ctx, req)
	start := time.Now()
	out, md, err := next.HandleFinalize(ctx, in)
	tr.Elapsed = time.Since(start)
	tr.answer(md, err)
	for _, f := range t.sinks {
		f(tr)
	}
	for _, f := range ctxSinks {
		f(tr)
	}
	return out, md, err
}

// addTracer puts the tracer just before Signing (see the file comment); a
// stack without Signing gets it at the end of Finalize.
func addTracer(sinks []func(Trace)) func(*middleware.Stack) error {
	t := &tracer{sinks: sinks}
	return func(stack *middleware.Stack) error {
		if _, ok := stack.Finalize.Get("Signing"); ok {
			return stack.Finalize.Insert(t, "Signing", middleware.Before)
		}
		return stack.Finalize.Add(t, middleware.After)
	}
}

// captureRequest reads what the SDK is about to sign and send.
func captureRequest(ctx context.Context, req *smithyhttp.Request) Trace {
	svc := awsmw.GetServiceID(ctx)
	tr := Trace{
		Service:  strings.ToLower(strings.ReplaceAll(svc, " ", "")),
		Action:   awsmw.GetOperationName(ctx),
		Region:   awsmw.GetRegion(ctx),
		Endpoint: endpointOf(req.URL),
		Attempt:  attemptHeader(req.Header.Get("Amz-Sdk-Request")),
	}
	tr.Params = redactParams(tr.Service, serializedParams(req))
	return tr
}

// endpointOf is u without query, fragment or user info.
func endpointOf(u *url.URL) string {
	if u == nil {
		return ""
	}
	e := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return e.String()
}

// attemptHeader reads N from the retry middleware's "attempt=N; max=M".
func attemptHeader(h string) int {
	for _, part := range strings.Split(h, ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "attempt="); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

// maxTracedBody bounds how much of a request body is read for a trace; the
// key pair calls send well under 4 KiB.
const maxTracedBody = 1 << 20

// serializedParams lists the URL's query parameters, then the body's: a
// form body (Query protocol) pair by pair, a JSON body (JSON protocols)
// flattened field by field, both in the order sent.
func serializedParams(req *smithyhttp.Request) []Param {
	var ps []Param
	if req.URL != nil && req.URL.RawQuery != "" {
		ps = append(ps, formParams(req.URL.RawQuery)...)
	}
	stream := req.GetStream()
	if stream == nil {
		return ps
	}
	if !req.IsStreamSeekable() {
		return append(ps, Param{Name: "[body]", Value: "a stream (not shown)"})
	}
	body, err := io.ReadAll(io.LimitReader(stream, maxTracedBody+1))
	if rerr := req.RewindStream(); rerr != nil && err == nil {
		err = rerr
	}
	switch {
	case err != nil:
		return append(ps, Param{Name: "[body]", Value: "unreadable: " + termtext.Clean(err.Error())})
	case len(body) > maxTracedBody:
		return append(ps, Param{Name: "[body]", Value: "more than 1 MiB (not shown)"})
	case len(body) == 0:
		return ps
	}
	ct := strings.ToLower(req.Header.Get("Content-Type"))
	switch {
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		return append(ps, formParams(string(body))...)
	case strings.Contains(ct, "json"):
		jp, err := jsonParams(body)
		if err != nil {
			return append(ps, Param{Name: "[body]", Value: "JSON that could not be read: " + termtext.Clean(err.Error())})
		}
		return append(ps, jp...)
	}
	return append(ps, Param{Name: "[body]", Value: strconv.Itoa(len(body)) + " bytes of " + orDash(termtext.Clean(ct)) + " (not shown)"})
}

// formParams splits a form-encoded string pair by pair, in order.
func formParams(s string) []Param {
	var ps []Param
	for _, pair := range strings.Split(s, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		name, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if err1 != nil {
			name = k
		}
		if err2 != nil {
			value = v
		}
		ps = append(ps, Param{Name: name, Value: value})
	}
	return ps
}

// jsonParams flattens a JSON document in document order: objects join
// their keys with ".", arrays count their members from 1; strings are
// their text, other scalars their JSON literal; an empty object or array
// is "{}" or "[]".
func jsonParams(body []byte) ([]Param, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var ps []Param
	var walk func(prefix string) error
	walk = func(prefix string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		join := func(k string) string {
			if prefix == "" {
				return k
			}
			return prefix + "." + k
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				n := 0
				for dec.More() {
					kt, err := dec.Token()
					if err != nil {
						return err
					}
					k, _ := kt.(string)
					if err := walk(join(k)); err != nil {
						return err
					}
					n++
				}
				if _, err := dec.Token(); err != nil {
					return err
				}
				if n == 0 {
					ps = append(ps, Param{Name: orDash(prefix), Value: "{}"})
				}
			case '[':
				n := 0
				for dec.More() {
					n++
					if err := walk(join(strconv.Itoa(n))); err != nil {
						return err
					}
				}
				if _, err := dec.Token(); err != nil {
					return err
				}
				if n == 0 {
					ps = append(ps, Param{Name: orDash(prefix), Value: "[]"})
				}
			}
		case string:
			ps = append(ps, Param{Name: prefix, Value: v})
		case json.Number:
			ps = append(ps, Param{Name: prefix, Value: v.String()})
		case bool:
			ps = append(ps, Param{Name: prefix, Value: strconv.FormatBool(v)})
		case nil:
			ps = append(ps, Param{Name: prefix, Value: "null"})
		}
		return nil
	}
	if err := walk(""); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("more than one JSON value")
	}
	return ps, nil
}

// secretNames are parameter names (the last part of a path) whose values
// are never shown, whatever the service.
var secretNames = map[string]bool{
	"keymaterial": true, "privatekey": true, "privatekeymaterial": true,
	"secretaccesskey": true, "sessiontoken": true, "securitytoken": true,
	"x-amz-security-token": true, "x-amz-signature": true, "signature": true,
	"authorization": true, "password": true, "secretstring": true, "secretbinary": true,
	"userdata": true, // launch scripts often carry secrets
}

// redactParams replaces secrets: the names above; SSM parameter values
// (PutParameter's Value, anywhere but under Tags); and any value that is,
// or base64-encodes, a private key (PEM, OpenSSH, PuTTY, SSH.com).
func redactParams(service string, ps []Param) []Param {
	for i := range ps {
		if secretParam(service, ps[i].Name) || LooksLikePrivateKey(ps[i].Value) {
			ps[i].Value = Redacted
		}
	}
	return ps
}

func secretParam(service, name string) bool {
	parts := strings.Split(name, ".")
	last := ""
	for i := len(parts) - 1; i >= 0; i-- {
		if _, err := strconv.Atoi(parts[i]); err != nil {
			last = parts[i]
			break
		}
	}
	if secretNames[strings.ToLower(last)] {
		return true
	}
	if service == "ssm" && last == "Value" {
		return len(parts) == 0 || parts[0] != "Tags"
	}
	return false
}

// privateMarkers are texts only a private key file holds.
var privateMarkers = []string{
	"PRIVATE KEY", // -----BEGIN (RSA |EC |OPENSSH |ENCRYPTED |)PRIVATE KEY-----
	"PuTTY-User-Key-File-",
	"Private-Lines:",
	"SSH2 ENCRYPTED PRIVATE",
	"openssh-key-v1",
	"b3BlbnNzaC1rZXktdjE", // base64 of "openssh-key-v1" at a 3-byte boundary
}

// LooksLikePrivateKey reports whether s holds a private key block, as text
// or base64-encoded (once).
func LooksLikePrivateKey(s string) bool {
	if containsMarker(s) {
		return true
	}
	t := strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	if len(t) < 16 {
		return false
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(t); err == nil {
			return containsMarker(string(b))
		}
	}
	return false
}

func containsMarker(s string) bool {
	for _, m := range privateMarkers {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// answer fills the answer fields from what came back.
func (t *Trace) answer(md middleware.Metadata, err error) {
	if raw, ok := awsmw.GetRawResponse(md).(*smithyhttp.Response); ok && raw != nil && raw.Response != nil {
		t.Status = raw.StatusCode
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil && re.Response.Response != nil {
		t.Status = re.Response.StatusCode
	}
	if id, ok := awsmw.GetRequestIDMetadata(md); ok {
		t.RequestID = termtext.Clean(id)
	}
	var rid interface{ ServiceRequestID() string }
	if t.RequestID == "" && errors.As(err, &rid) {
		t.RequestID = termtext.Clean(rid.ServiceRequestID())
	}
	if err == nil {
		return
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() != "" {
		t.Code = termtext.Clean(apiErr.ErrorCode())
		return
	}
	t.Err = traceErrText(err)
}

// traceErrText is err in one cleaned line of at most 300 characters, or
// Redacted when it could hold a private key.
func traceErrText(err error) string {
	s := oneLine(err.Error())
	if LooksLikePrivateKey(s) {
		return Redacted
	}
	if r := []rune(s); len(r) > 300 {
		s = string(r[:299]) + "…"
	}
	return s
}

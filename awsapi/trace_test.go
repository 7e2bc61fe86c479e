package awsapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// traces collects the traces of a client.
type traces struct {
	mu   sync.Mutex
	list []Trace
}

func (ts *traces) add(t Trace) { ts.mu.Lock(); ts.list = append(ts.list, t); ts.mu.Unlock() }
func (ts *traces) all() []Trace {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]Trace(nil), ts.list...)
}

func traceSetup(t *testing.T) (*ec2test.Server, *Client, *traces) {
	testEnv(t)
	s := ec2test.New(ec2test.Options{})
	t.Cleanup(s.Close)
	ts := &traces{}
	return s, newClient(t, s, Options{OnTrace: ts.add}), ts
}

func loggedParams(lr ec2test.LoggedRequest) []Param {
	var ps []Param
	for _, p := range lr.Params {
		ps = append(ps, Param{Name: p.Name, Value: p.Value})
	}
	return ps
}

var requestIDShape = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// checkTracesMatchLog: one trace per request the stand-in logged, with the
// same action, region, attempt, status, code and parameters (in order).
func checkTracesMatchLog(t *testing.T, s *ec2test.Server, c *Client, got []Trace) {
	t.Helper()
	logged := s.Requests()
	if len(got) != len(logged) || len(got) == 0 {
		t.Fatalf("%d traces for %d logged requests", len(got), len(logged))
	}
	for i, tr := range got {
		lr := logged[i]
		if tr.Service != "ec2" || tr.Action != lr.Action || tr.Region != lr.Region || tr.Attempt != lr.Attempt ||
			tr.Status != lr.Status || tr.Code != lr.Code || tr.Preview {
			t.Errorf("trace %d: %+v\nlogged: %+v", i, tr, lr)
		}
		if tr.Endpoint != s.URL()+"/" || c.Endpoint() != s.URL() {
			t.Errorf("trace %d: endpoint %q, stand-in %q", i, tr.Endpoint, s.URL())
		}
		if !reflect.DeepEqual(tr.Params, loggedParams(lr)) {
			t.Errorf("trace %d (%s): params\n got %q\nsent %q", i, tr.Action, tr.Params, loggedParams(lr))
		}
		if !requestIDShape.MatchString(tr.RequestID) {
			t.Errorf("trace %d: request id %q", i, tr.RequestID)
		}
		if tr.Elapsed <= 0 {
			t.Errorf("trace %d: elapsed %v", i, tr.Elapsed)
		}
	}
}

// TestTracedParamsEqualSent: for every action keypair calls, what the
// tracer shows is what the stand-in received. Add a row for each new call
// (DescribeInstances, ... through the client's other-service clients).
func TestTracedParamsEqualSent(t *testing.T) {
	pub := []byte(testPub(t))
	tags := []pair.Tag{{Key: "env", Value: "dev & test"}, {Key: "Name", Value: "a b=c/ü"}}
	for _, tc := range []struct {
		name  string
		setup func(ctx context.Context, c *Client) error
		call  func(ctx context.Context, c *Client) error
	}{
		{"CreateKeyPair", nil, func(ctx context.Context, c *Client) error {
			_, err := c.CreateKeyPair(ctx, CreateInput{Name: "web", Type: keys.ED25519, Format: keys.PPK, Tags: tags})
			return err
		}},
		{"CreateKeyPair dry run", nil, func(ctx context.Context, c *Client) error {
			_, err := c.CreateKeyPair(ctx, CreateInput{Name: "web", Type: keys.RSA, Format: keys.PEM, DryRun: true})
			return err
		}},
		{"ImportKeyPair", nil, func(ctx context.Context, c *Client) error {
			_, err := c.ImportKeyPair(ctx, ImportInput{Name: "imp", PublicKey: pub, Tags: tags})
			return err
		}},
		{"DescribeKeyPairs all", nil, func(ctx context.Context, c *Client) error {
			_, err := c.DescribeKeyPairs(ctx, DescribeInput{})
			return err
		}},
		{"DescribeKeyPairs names", func(ctx context.Context, c *Client) error {
			_, err := c.ImportKeyPair(ctx, ImportInput{Name: "b", PublicKey: pub})
			return err
		}, func(ctx context.Context, c *Client) error {
			_, err := c.DescribeKeyPairs(ctx, DescribeInput{Names: []string{"b", "a"}, IncludePublicKey: true})
			if KindOf(err) == NotFound {
				return nil
			}
			return err
		}},
		{"DeleteKeyPair", nil, func(ctx context.Context, c *Client) error {
			_, err := c.DeleteKeyPair(ctx, DeleteInput{Name: "gone"})
			return err
		}},
		{"DeleteKeyPair dry run", nil, func(ctx context.Context, c *Client) error {
			_, err := c.DeleteKeyPair(ctx, DeleteInput{Name: "gone", DryRun: true})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, c, ts := traceSetup(t)
			ctx := context.Background()
			if tc.setup != nil {
				if err := tc.setup(ctx, c); err != nil {
					t.Fatal(err)
				}
				s.ResetLog()
				ts.list = nil
			}
			if err := tc.call(ctx, c); err != nil {
				t.Fatal(err)
			}
			checkTracesMatchLog(t, s, c, ts.all())
		})
	}
}

func TestTraceRetryShowsAttempt2(t *testing.T) {
	s, c, ts := traceSetup(t)
	s.Inject(ec2test.Fault{Kind: ec2test.Throttle, Action: "CreateKeyPair", Times: 1})
	if _, err := c.CreateKeyPair(context.Background(), CreateInput{Name: "r", Type: keys.ED25519, Format: keys.PEM}); err != nil {
		t.Fatal(err)
	}
	got := ts.all()
	checkTracesMatchLog(t, s, c, got)
	if len(got) != 2 || got[0].Attempt != 1 || got[1].Attempt != 2 || got[0].Code != "RequestLimitExceeded" || got[1].Status != 200 {
		t.Fatalf("traces %+v", got)
	}
	first, second := got[0].String(), got[1].String()
	if !strings.Contains(second, "  attempt=2\n") || !strings.Contains(first, "<- 503  request-id=") ||
		!strings.Contains(first, "  code=RequestLimitExceeded  ") {
		t.Errorf("layout:\n%s%s", first, second)
	}
}

func TestTraceErrorAnswerShowsCode(t *testing.T) {
	s, c, ts := traceSetup(t)
	ctx := context.Background()
	in := CreateInput{Name: "dup", Type: keys.ED25519, Format: keys.PEM}
	if _, err := c.CreateKeyPair(ctx, in); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateKeyPair(ctx, in)
	wantKind(t, err, Duplicate)
	got := ts.all()
	checkTracesMatchLog(t, s, c, got)
	last := got[len(got)-1]
	if last.Code != "InvalidKeyPair.Duplicate" || last.Status != 400 {
		t.Fatalf("trace %+v", last)
	}
	lines := last.Lines()
	if !regexp.MustCompile(`^<- 400  request-id=[0-9a-f-]{36}  code=InvalidKeyPair\.Duplicate  \d+ms$`).MatchString(lines[len(lines)-1]) {
		t.Errorf("answer line %q", lines[len(lines)-1])
	}
}

func TestTraceNoAnswer(t *testing.T) {
	s, c, ts := traceSetup(t)
	s.Inject(ec2test.Fault{Kind: ec2test.DropAfter, Action: "DeleteKeyPair"})
	_, err := c.DeleteKeyPair(context.Background(), DeleteInput{Name: "x"})
	if err == nil {
		t.Fatal("no error")
	}
	got := ts.all()
	if len(got) == 0 {
		t.Fatal("no trace")
	}
	for _, tr := range got {
		if tr.Status != 0 || tr.Err == "" || tr.Code != "" {
			t.Errorf("trace %+v", tr)
		}
		lines := tr.Lines()
		if n := len(lines); n < 2 || !regexp.MustCompile(`^<- no answer  \d+ms$`).MatchString(lines[n-2]) ||
			!strings.HasPrefix(lines[n-1], "   error: ") {
			t.Errorf("layout:\n%s", tr)
		}
	}
}

// TestTraceHidesSecrets: a real key made by the stand-in, temporary
// credentials with a session token: no trace line holds a line of the key,
// the signature or the token.
func TestTraceHidesSecrets(t *testing.T) {
	testEnv(t)
	const token = "FQoGZXIvYXdzEXAMPLESESSIONTOKEN/with+base64=="
	t.Setenv("AWS_SESSION_TOKEN", token)
	s := ec2test.New(ec2test.Options{})
	t.Cleanup(s.Close)
	var out bytes.Buffer
	c := newClient(t, s, Options{Trace: &out})
	ctx := context.Background()
	var material [][]byte
	for _, f := range []keys.Format{keys.PEM, keys.PPK} {
		for _, typ := range []keys.Type{keys.RSA, keys.ED25519} {
			o, err := c.CreateKeyPair(ctx, CreateInput{Name: "s-" + string(typ) + string(f), Type: typ, Format: f})
			if err != nil {
				t.Fatal(err)
			}
			material = append(material, o.KeyMaterial)
		}
	}
	logged := s.Requests()
	for _, lr := range logged {
		if lr.SecurityToken != token || lr.Signature == "" {
			t.Fatalf("the stand-in saw token %q, signature %q", lr.SecurityToken, lr.Signature)
		}
	}
	text := out.String()
	if strings.Count(text, "\n-> ") != len(logged)-1 || !strings.HasPrefix(text, "-> ec2 CreateKeyPair  ") {
		t.Fatalf("trace output:\n%s", text)
	}
	assertNoSecret(t, text, material, logged, token)
}

// assertNoSecret fails if any line of text holds a line of a key, a
// signature or the token.
func assertNoSecret(t *testing.T, text string, material [][]byte, logged []ec2test.LoggedRequest, token string) {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		for _, m := range material {
			for _, kl := range strings.Split(string(m), "\n") {
				kl = strings.TrimSpace(kl)
				if len(kl) >= 8 && strings.Contains(line, kl) {
					t.Errorf("trace line %q holds key line %q", line, kl)
				}
			}
		}
		for _, lr := range logged {
			if lr.Signature != "" && strings.Contains(line, lr.Signature) {
				t.Errorf("trace line %q holds the signature", line)
			}
		}
		if strings.Contains(line, token) {
			t.Errorf("trace line %q holds the session token", line)
		}
	}
}

func TestRedaction(t *testing.T) {
	k, err := keys.Generate(keys.ED25519, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := keys.Encode(k, keys.PEM, 0)
	if err != nil {
		t.Fatal(err)
	}
	ppk, err := keys.Encode(k, keys.PPK, 3)
	if err != nil {
		t.Fatal(err)
	}
	pubFile := keys.AuthorizedKey(k.SSHPublicKey(), "me")
	b64 := base64.StdEncoding.EncodeToString
	for _, tc := range []struct {
		service, name, value string
		redacted             bool
	}{
		{"ec2", "KeyMaterial", "anything", true},
		{"ec2", "KeyPairs.1.KeyMaterial", "anything", true},
		{"ec2", "PublicKeyMaterial", b64([]byte(pubFile)), false},
		{"ec2", "PublicKeyMaterial", b64(priv), true},
		{"ec2", "PublicKeyMaterial", b64(ppk), true},
		{"ec2", "TagSpecification.1.Tag.1.Value", string(priv), true},
		{"ec2", "TagSpecification.1.Tag.1.Value", "dev", false},
		{"ssm", "Value", "the key", true},
		{"ssm", "Tags.1.Value", "dev", false},
		{"ssm", "Name", "/ec2/keypair/key-0123", false},
		{"ec2", "Value", "not ssm", false},
		{"ec2", "X-Amz-Security-Token", "t", true},
		{"ec2", "X-Amz-Signature", "s", true},
		{"ec2", "KeyName", "web", false},
	} {
		got := redactParams(tc.service, []Param{{tc.name, tc.value}})[0].Value
		if (got == Redacted) != tc.redacted {
			t.Errorf("%s %s=%.30q: got %.30q, redacted want %v", tc.service, tc.name, tc.value, got, tc.redacted)
		}
	}
}

func TestTraceLayout(t *testing.T) {
	tr := Trace{Service: "ec2", Action: "CreateKeyPair", Region: "eu-west-1", Endpoint: "https://ec2.eu-west-1.amazonaws.com/",
		Attempt: 1, Params: []Param{{"KeyName", "web"}, {"KeyType", "ed25519"}, {"Tag.1.Value", "two\nlines"}, {"E", ""}, {"S", " x"}},
		Status: 200, RequestID: "59dbff89-35bd-4eac-99ed-be587EXAMPLE", Elapsed: 312_400_000}
	want := `-> ec2 CreateKeyPair  region=eu-west-1  endpoint=https://ec2.eu-west-1.amazonaws.com/  attempt=1
   KeyName=web
   KeyType=ed25519
   Tag.1.Value="two\nlines"
   E=
   S=" x"
<- 200  request-id=59dbff89-35bd-4eac-99ed-be587EXAMPLE  312ms
`
	if got := tr.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	tr.Status, tr.Code, tr.Params = 403, "UnauthorizedOperation", nil
	if got := tr.Lines()[1]; got != "<- 403  request-id=59dbff89-35bd-4eac-99ed-be587EXAMPLE  code=UnauthorizedOperation  312ms" {
		t.Errorf("error line %q", got)
	}
	tr = Trace{Preview: true, Service: "ec2", Action: "ImportKeyPair"}
	if got := tr.String(); got != "-> ec2 ImportKeyPair  region=-  endpoint=-  attempt=0\n<- not sent (preview: serialized by the SDK, not signed)\n" {
		t.Errorf("preview %q", got)
	}
}

// TestTraceJSONProtocol runs a real SSM client, built the way the other
// services' clients are (c.cfg and c.apiOptions), against a canned
// endpoint: the JSON body is flattened in order, the parameter value
// redacted, the answer's status and request id read.
func TestTraceJSONProtocol(t *testing.T) {
	testEnv(t)
	var bodies [][]byte // one handler at a time: the calls are sequential
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		bodies = append(bodies, body)
		w.Header().Set("x-amzn-RequestId", "11111111-2222-3333-4444-555555555555")
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if r.Header.Get("X-Amz-Target") == "AmazonSSM.GetParameter" {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"__type":"ParameterNotFound","message":"no"}`)
			return
		}
		fmt.Fprint(w, `{"Tier":"Standard","Version":1}`)
	}))
	t.Cleanup(hs.Close)
	ts := &traces{}
	c := newClient(t, nil, Options{OnTrace: ts.add})
	sc := ssm.NewFromConfig(c.cfg, func(o *ssm.Options) {
		o.BaseEndpoint = aws.String(hs.URL)
		o.APIOptions = append(o.APIOptions, c.apiOptions...)
	})
	ctx := context.Background()
	_, err := sc.PutParameter(ctx, &ssm.PutParameterInput{
		Name: aws.String("/ec2/keypair/key-1"), Value: aws.String("-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n"),
		Type: ssmtypes.ParameterTypeSecureString, Tags: []ssmtypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/x"), WithDecryption: aws.Bool(true)}); err == nil {
		t.Fatal("GetParameter: no error")
	}
	got := ts.all()
	if len(got) != 2 {
		t.Fatalf("traces %+v", got)
	}
	put := got[0]
	want := []Param{{"Name", "/ec2/keypair/key-1"}, {"Tags.1.Key", "env"}, {"Tags.1.Value", "dev"}, {"Type", "SecureString"}, {"Value", Redacted}}
	if put.Service != "ssm" || put.Action != "PutParameter" || put.Region != "us-east-1" || put.Attempt != 1 || put.Status != 200 ||
		put.RequestID != "11111111-2222-3333-4444-555555555555" || put.Endpoint != hs.URL+"/" {
		t.Errorf("put trace %+v", put)
	}
	// The SDK's field order is its own; compare as sets of lines, and the
	// order against the body the server got.
	if !sameParams(put.Params, want) {
		t.Errorf("put params %q, want (any order) %q", put.Params, want)
	}
	sent, err := jsonParams(bodies[0])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(put.Params, redactParams("ssm", sent)) {
		t.Errorf("put params %q, the server got %q", put.Params, sent)
	}
	if strings.Contains(put.String(), "secret") {
		t.Errorf("the value leaked:\n%s", put)
	}
	get := got[1]
	if get.Status != 400 || get.Code != "ParameterNotFound" || !sameParams(get.Params, []Param{{"Name", "/x"}, {"WithDecryption", "true"}}) {
		t.Errorf("get trace %+v", get)
	}
	if sent, err := jsonParams(bodies[1]); err != nil || !reflect.DeepEqual(get.Params, sent) {
		t.Errorf("get params %q, the server got %q (%v)", get.Params, sent, err)
	}
}

func sameParams(a, b []Param) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[Param]int{}
	for _, p := range a {
		seen[p]++
	}
	for _, p := range b {
		if seen[p] == 0 {
			return false
		}
		seen[p]--
	}
	return true
}

func TestJSONParamsOrderAndShapes(t *testing.T) {
	got, err := jsonParams([]byte(`{"b":1,"a":{"z":[true,null,{"k":"v"}],"e":{},"f":[]},"s":"x y"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Param{{"b", "1"}, {"a.z.1", "true"}, {"a.z.2", "null"}, {"a.z.3.k", "v"}, {"a.e", "{}"}, {"a.f", "[]"}, {"s", "x y"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if _, err := jsonParams([]byte(`{"a":1}{}`)); err == nil {
		t.Error("two values: no error")
	}
}

// TestTraceWriterConcurrent: blocks from calls in many regions at once
// never interleave.
func TestTraceWriterConcurrent(t *testing.T) {
	testEnv(t)
	s := ec2test.New(ec2test.Options{})
	t.Cleanup(s.Close)
	var out bytes.Buffer
	regions := []string{"us-east-1", "eu-west-1", "ap-south-1", "sa-east-1"}
	var wg sync.WaitGroup
	for _, r := range regions {
		c := newClient(t, s, Options{Region: r, Trace: &out})
		for i := range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.DescribeKeyPairs(context.Background(), DescribeInput{Names: []string{fmt.Sprintf("%s-%d", r, i)}}); KindOf(err) != NotFound {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	blocks := strings.SplitAfter(out.String(), "ms\n")
	blocks = blocks[:len(blocks)-1]
	if len(blocks) != 20 {
		t.Fatalf("%d blocks:\n%s", len(blocks), out.String())
	}
	block := regexp.MustCompile(`^-> ec2 DescribeKeyPairs  region=([a-z0-9-]+)  endpoint=\S+  attempt=1\n   Action=DescribeKeyPairs\n   KeyName\.1=([a-z0-9-]+)-\d\n   Version=2016-11-15\n<- 400  request-id=\S+  code=InvalidKeyPair\.NotFound  \d+ms\n$`)
	for _, b := range blocks {
		m := block.FindStringSubmatch(b)
		if m == nil || m[1] != m[2] {
			t.Errorf("block %q", b)
		}
	}
}

func TestPreviewEqualsSent(t *testing.T) {
	s, c, ts := traceSetup(t)
	ctx := context.Background()
	tags := []pair.Tag{{Key: "team", Value: "ops"}, {Key: "x", Value: "a&b"}}
	cin := CreateInput{Name: "prev", Type: keys.RSA, Format: keys.PPK, Tags: tags}
	iin := ImportInput{Name: "prev-imp", PublicKey: []byte(testPub(t)), Tags: tags}
	pc, err := c.PreviewCreate(ctx, cin)
	if err != nil {
		t.Fatal(err)
	}
	pi, err := c.PreviewImport(ctx, iin)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Requests()); n != 0 || len(ts.all()) != 0 {
		t.Fatalf("a preview sent %d requests, traced %d", n, len(ts.all()))
	}
	if _, err := c.CreateKeyPair(ctx, cin); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ImportKeyPair(ctx, iin); err != nil {
		t.Fatal(err)
	}
	logged := s.Requests()
	for i, p := range []Trace{pc, pi} {
		sent := ts.all()[i]
		if !p.Preview || p.Action != logged[i].Action || p.Region != sent.Region || p.Endpoint != sent.Endpoint ||
			p.Attempt != 1 || p.Service != "ec2" {
			t.Errorf("preview %+v\nsent %+v", p, sent)
		}
		if !reflect.DeepEqual(p.Params, loggedParams(logged[i])) {
			t.Errorf("%s preview params\n got %q\nsent %q", p.Action, p.Params, loggedParams(logged[i]))
		}
	}
}

// TestPreviewNeedsNoCredentials: no credentials anywhere, nothing listening.
func TestPreviewNeedsNoCredentials(t *testing.T) {
	clearAWSEnv(t)
	t.Setenv("AWS_REGION", "eu-west-1")
	c := newClient(t, nil, Options{})
	p, err := c.PreviewCreate(context.Background(), CreateInput{Name: "n", Type: keys.ED25519, Format: keys.PEM})
	if err != nil {
		t.Fatal(err)
	}
	if p.Endpoint != "https://ec2.eu-west-1.amazonaws.com/" || p.Region != "eu-west-1" || p.Params[0] != (Param{"Action", "CreateKeyPair"}) {
		t.Errorf("preview %+v", p)
	}
	clearAWSEnv(t)
	c = newClient(t, nil, Options{})
	if _, err := c.PreviewCreate(context.Background(), CreateInput{Name: "n"}); KindOf(err) != NoRegion {
		t.Errorf("no region: %v", err)
	}
}

func FuzzTraceLayout(f *testing.F) {
	f.Add("KeyName", "web", "req-1", "Code")
	f.Add("A\nB", "x\x1b[31m\r\n", "id with space", "c\u2028d")
	f.Fuzz(func(t *testing.T, name, value, reqID, code string) {
		tr := Trace{Service: "ec2", Action: "X", Params: []Param{{name, value}, {"n", "v"}}, Status: 400, RequestID: reqID, Code: code}
		lines := tr.Lines()
		if len(lines) != 4 {
			t.Fatalf("%d lines: %q", len(lines), lines)
		}
		for _, l := range lines {
			for _, r := range l {
				if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' {
					t.Fatalf("control %q in %q", r, l)
				}
			}
		}
		if redactParams("ec2", []Param{{"KeyMaterial", value}})[0].Value != Redacted {
			t.Fatal("KeyMaterial shown")
		}
	})
}

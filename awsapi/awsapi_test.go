package awsapi

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// clearAWSEnv removes every AWS_* variable for the test (restored after) and
// points the SDK away from the user's files and the instance metadata service.
func clearAWSEnv(t testing.TB) {
	t.Helper()
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// testEnv sets the stand-in's credentials and us-east-1.
func testEnv(t testing.TB) {
	clearAWSEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", ec2test.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", ec2test.SecretAccessKey)
	t.Setenv("AWS_REGION", "us-east-1")
}

func newClient(t testing.TB, s *ec2test.Server, opts Options) *Client {
	t.Helper()
	if opts.EndpointURL == "" && s != nil {
		opts.EndpointURL = s.URL()
	}
	if opts.AppVersion == "" {
		opts.AppVersion = "1.2.3"
	}
	if opts.MaxBackoff == 0 {
		opts.MaxBackoff = 5 * time.Millisecond
	}
	c, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func setup(t *testing.T) (*ec2test.Server, *Client) {
	testEnv(t)
	s := ec2test.New(ec2test.Options{})
	t.Cleanup(s.Close)
	return s, newClient(t, s, Options{})
}

func wantKind(t *testing.T, err error, k Kind) *Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want kind %v", k)
	}
	if got := KindOf(err); got != k {
		t.Fatalf("kind %v, want %v: %v", got, k, err)
	}
	var e *Error
	errors.As(err, &e)
	assertClean(t, err.Error())
	assertParagraph(t, err.Error())
	return e
}

func assertClean(t testing.TB, s string) {
	t.Helper()
	if termtext.Clean(s) != s {
		t.Fatalf("text carries control bytes or invalid UTF-8: %q", s)
	}
}

// assertParagraph checks the shape every Error() text keeps: one paragraph
// of sentences, each ending in a full stop and followed by one space, and
// nothing a front end would have to take out again.
func assertParagraph(t testing.TB, s string) {
	t.Helper()
	switch {
	case s == "":
		t.Fatal("empty message")
	case strings.ContainsAny(s, "\n\r\t"):
		t.Errorf("message has a raw line break or tab: %q", s)
	case strings.Contains(s, "  "):
		t.Errorf("message has a double space: %q", s)
	case !strings.HasSuffix(s, "."):
		t.Errorf("message does not end with a full stop: %q", s)
	}
	if glued.MatchString(dottedCode.ReplaceAllString(s, "CODE")) {
		t.Errorf("sentences glued together: %q", s)
	}
	for _, bad := range []string{"--", "keypair list", "keypair delete", "keypair create", "keypair import", "`", "operation error", "https response error", "api error",
		"ec2imds", "EnvConfigCredentials", "SharedConfigCredentials", "failed to refresh cached credentials",
		"keyName", "KeyName", "regionName"} {
		if strings.Contains(s, bad) {
			t.Errorf("message has %q: %q", bad, s)
		}
	}
}

// glued finds a sentence end with no space after it ("made.EC2"), ignoring
// dotted EC2 codes such as InvalidKeyPair.Duplicate and numbers such as 1.5.
var (
	glued      = regexp.MustCompile(`[a-z)"'][.!?][A-Z]`)
	dottedCode = regexp.MustCompile(`\b[A-Z][A-Za-z0-9]*(\.[A-Z][A-Za-z0-9]*)+\b`)
)

// withoutRequestID replaces the stand-in's random request IDs with R.
func withoutRequestID(s string) string {
	return requestID.ReplaceAllString(s, "(request ID R)")
}

var requestID = regexp.MustCompile(`\(request ID [0-9a-f-]+\)`)

func TestCreateKeyPair(t *testing.T) {
	s, c := setup(t)
	ctx := context.Background()
	for _, tc := range []struct {
		typ    keys.Type
		format keys.Format
		prefix string
	}{
		{keys.RSA, keys.PEM, "-----BEGIN RSA PRIVATE KEY-----\n"},
		{keys.ED25519, keys.PEM, "-----BEGIN OPENSSH PRIVATE KEY-----\n"},
		{keys.ED25519, keys.PPK, "PuTTY-User-Key-File-3: ssh-ed25519\n"},
	} {
		name := "k-" + string(tc.typ) + "-" + string(tc.format)
		tags := []pair.Tag{{Key: "env", Value: "dev"}, {Key: "Name", Value: "a b"}}
		out, err := c.CreateKeyPair(ctx, CreateInput{Name: name, Type: tc.typ, Format: tc.format, Tags: tags})
		if err != nil {
			t.Fatal(err)
		}
		if out.DryRun != nil || out.KeyName != name || !strings.HasPrefix(out.KeyPairID, "key-") {
			t.Errorf("%s: %+v", name, out)
		}
		if !bytes.HasPrefix(out.KeyMaterial, []byte(tc.prefix)) {
			t.Errorf("%s: material starts %.40q", name, out.KeyMaterial)
		}
		k, err := keys.ParsePrivateKey(out.KeyMaterial)
		if err != nil {
			t.Fatalf("%s: material does not parse: %v", name, err)
		}
		fp, _ := keys.AWSFingerprint(k.SSHPublicKey(), k, true)
		if fp != out.KeyFingerprint {
			t.Errorf("%s: fingerprint %q, key's %q", name, out.KeyFingerprint, fp)
		}
		if len(out.Tags) != 2 || out.Tags[1] != tags[1] {
			t.Errorf("%s: tags %+v", name, out.Tags)
		}
	}
	if got := len(s.KeyPairs("us-east-1")); got != 3 {
		t.Errorf("server has %d pairs, want 3", got)
	}
	for _, lr := range s.Requests() {
		if !strings.Contains(lr.UserAgent, "keypair/1.2.3") {
			t.Errorf("User-Agent %q does not name keypair/1.2.3", lr.UserAgent)
		}
		if lr.Attempt != 1 {
			t.Errorf("attempt %d, want 1", lr.Attempt)
		}
	}
}

func TestImportDescribeDelete(t *testing.T) {
	s, c := setup(t)
	ctx := context.Background()
	k, err := keys.Generate(keys.RSA, 2048, nil)
	if err != nil {
		t.Fatal(err)
	}
	file := []byte(keys.AuthorizedKey(k.SSHPublicKey(), "me@host"))
	imp, err := c.ImportKeyPair(ctx, ImportInput{Name: "imp", PublicKey: file, Tags: []pair.Tag{{Key: "team", Value: "ops"}}})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := keys.FingerprintAWSImported(k.SSHPublicKey())
	if imp.KeyFingerprint != want || imp.KeyName != "imp" || len(imp.Tags) != 1 {
		t.Errorf("import = %+v, want fingerprint %s", imp, want)
	}
	if _, err := c.CreateKeyPair(ctx, CreateInput{Name: "made", Type: keys.ED25519, Format: keys.PEM}); err != nil {
		t.Fatal(err)
	}

	all, err := c.DescribeKeyPairs(ctx, DescribeInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].PublicKey != "" {
		t.Fatalf("describe all = %+v", all)
	}
	one, err := c.DescribeKeyPairs(ctx, DescribeInput{Names: []string{"imp"}, IncludePublicKey: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(one) != 1 || one[0].KeyPairID != imp.KeyPairID || one[0].KeyType != "rsa" || one[0].CreateTime.IsZero() ||
		one[0].KeyFingerprint != want || len(one[0].Tags) != 1 {
		t.Fatalf("describe imp = %+v", one)
	}
	pub, _, err := keys.ParsePublicKey([]byte(one[0].PublicKey))
	if err != nil || !bytes.Equal(pub.Marshal(), k.SSHPublicKey().Marshal()) {
		t.Errorf("public key %q (%v)", one[0].PublicKey, err)
	}

	_, err = c.DescribeKeyPairs(ctx, DescribeInput{Names: []string{"nope"}})
	e := wantKind(t, err, NotFound)
	if e.Code != "InvalidKeyPair.NotFound" || !strings.Contains(err.Error(), `"nope"`) || !strings.Contains(err.Error(), "us-east-1") {
		t.Errorf("not found: %v", err)
	}

	del, err := c.DeleteKeyPair(ctx, DeleteInput{Name: "imp"})
	if err != nil || del.KeyPairID != imp.KeyPairID {
		t.Fatalf("delete = %+v, %v", del, err)
	}
	if _, err := c.DeleteKeyPair(ctx, DeleteInput{Name: "imp"}); err != nil {
		t.Errorf("deleting a missing pair: %v (EC2 answers success)", err)
	}
	if got := s.KeyPairs("us-east-1"); len(got) != 1 || got[0].Name != "made" {
		t.Errorf("state = %+v", got)
	}
}

func TestRegionsAreSeparate(t *testing.T) {
	s, c := setup(t)
	other := newClient(t, s, Options{Region: "eu-west-1"})
	ctx := context.Background()
	if _, err := c.CreateKeyPair(ctx, CreateInput{Name: "same", Type: keys.ED25519, Format: keys.PEM}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.CreateKeyPair(ctx, CreateInput{Name: "same", Type: keys.ED25519, Format: keys.PEM}); err != nil {
		t.Fatalf("same name in another region: %v", err)
	}
	if other.Region() != "eu-west-1" || len(s.KeyPairs("eu-west-1")) != 1 || len(s.KeyPairs("us-east-1")) != 1 {
		t.Errorf("region %q, state %v / %v", other.Region(), s.KeyPairs("eu-west-1"), s.KeyPairs("us-east-1"))
	}
}

func TestEndpointFromEnvironment(t *testing.T) {
	testEnv(t)
	s := ec2test.New(ec2test.Options{})
	defer s.Close()
	t.Setenv("AWS_ENDPOINT_URL_EC2", s.URL())
	c := newClient(t, nil, Options{})
	if _, err := c.DescribeKeyPairs(context.Background(), DescribeInput{}); err != nil {
		t.Fatalf("AWS_ENDPOINT_URL_EC2 not honoured: %v", err)
	}
	if len(s.Requests()) != 1 {
		t.Fatalf("stand-in saw %d requests", len(s.Requests()))
	}
}

func TestDuplicate(t *testing.T) {
	_, c := setup(t)
	ctx := context.Background()
	in := CreateInput{Name: "x", Type: keys.ED25519, Format: keys.PEM}
	if _, err := c.CreateKeyPair(ctx, in); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateKeyPair(ctx, in)
	wantKind(t, err, Duplicate)
	want := `A key pair named "x" already exists in us-east-1, so EC2 refused to create another. ` +
		`EC2 answered InvalidKeyPair.Duplicate (request ID R): The keypair 'x' already exists. The existing key pair was left as it is.`
	if withoutRequestID(err.Error()) != want {
		t.Errorf("message\n got %q\nwant %q", err, want)
	}
	_, err = c.ImportKeyPair(ctx, ImportInput{Name: "x", PublicKey: []byte(testPub(t))})
	wantKind(t, err, Duplicate)
}

func testPub(t testing.TB) string {
	k, err := keys.Generate(keys.ED25519, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	return keys.AuthorizedKey(k.SSHPublicKey(), "")
}

func TestDryRun(t *testing.T) {
	s, c := setup(t)
	ctx := context.Background()
	out, err := c.CreateKeyPair(ctx, CreateInput{Name: "d", Type: keys.RSA, Format: keys.PEM, DryRun: true,
		Tags: []pair.Tag{{Key: "a", Value: "b"}}})
	if err != nil || out.DryRun == nil || !out.DryRun.Permitted || !strings.Contains(out.DryRun.Message, "would have succeeded") {
		t.Fatalf("create dry run = %+v, %v", out, err)
	}
	imp, err := c.ImportKeyPair(ctx, ImportInput{Name: "d", PublicKey: []byte(testPub(t)), DryRun: true})
	if err != nil || imp.DryRun == nil || !imp.DryRun.Permitted {
		t.Fatalf("import dry run = %+v, %v", imp, err)
	}
	del, err := c.DeleteKeyPair(ctx, DeleteInput{Name: "d", DryRun: true})
	if err != nil || del.DryRun == nil || !del.DryRun.Permitted {
		t.Fatalf("delete dry run = %+v, %v", del, err)
	}
	if len(s.KeyPairs("us-east-1")) != 0 {
		t.Error("a dry run created a pair")
	}
	for _, lr := range s.Requests() {
		if !lr.DryRun || lr.Status != 412 {
			t.Errorf("request %+v: want DryRun=true answered 412", lr)
		}
	}

	// Denied: a result, not an error.
	s.Inject(ec2test.Fault{Kind: ec2test.Deny, Action: "CreateKeyPair"})
	out, err = c.CreateKeyPair(ctx, CreateInput{Name: "d", Type: keys.RSA, Format: keys.PEM, DryRun: true})
	if err != nil || out.DryRun == nil || out.DryRun.Permitted || !strings.Contains(out.DryRun.Message, "not authorized") {
		t.Fatalf("denied dry run = %+v, %v", out, err)
	}
}

func TestUnauthorized(t *testing.T) {
	s, c := setup(t)
	s.Inject(ec2test.Fault{Kind: ec2test.Deny, Action: "CreateKeyPair"})
	_, err := c.CreateKeyPair(context.Background(), CreateInput{Name: "u", Type: keys.RSA, Format: keys.PEM,
		Tags: []pair.Tag{{Key: "a", Value: "b"}}})
	e := wantKind(t, err, Unauthorized)
	if e.Permission() != "ec2:CreateKeyPair and ec2:CreateTags" || e.EncodedAuthMessage() != "AbCdEf0123456789-_EncodedExample" {
		t.Errorf("permission %q, encoded message %q", e.Permission(), e.EncodedAuthMessage())
	}
	for _, w := range []string{"ec2:CreateKeyPair", "ec2:CreateTags", "encoded authorization failure message", "us-east-1"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("message lacks %q: %v", w, err)
		}
	}
	s.Inject(ec2test.Fault{Kind: ec2test.CustomError, Action: "DeleteKeyPair", Status: 403, Code: "UnauthorizedOperation",
		Message: "You are not authorized to perform this operation."})
	_, err = c.DeleteKeyPair(context.Background(), DeleteInput{Name: "u"})
	e = wantKind(t, err, Unauthorized)
	if e.Permission() != "ec2:DeleteKeyPair" || e.EncodedAuthMessage() != "" || !strings.Contains(err.Error(), "ec2:DeleteKeyPair") ||
		strings.Contains(err.Error(), "CreateTags") || strings.Contains(err.Error(), "encoded") {
		t.Errorf("delete denied: %v", err)
	}
}

func TestCredentials(t *testing.T) {
	_, c := setup(t)
	info, err := c.Credentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Source != "environment variables" || info.SDKSource != "EnvConfigCredentials" || info.AccessKey != "…MPLE" {
		t.Errorf("info = %+v", info)
	}
}

func TestNoCredentials(t *testing.T) {
	clearAWSEnv(t)
	t.Setenv("AWS_REGION", "us-east-1")
	s := ec2test.New(ec2test.Options{})
	defer s.Close()
	c := newClient(t, s, Options{CredentialTimeout: 2 * time.Second})
	start := time.Now()
	_, err := c.Credentials(context.Background())
	wantKind(t, err, NoCredentials)
	for _, w := range []string{"aws configure", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "aws sso login"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("message lacks %q: %v", w, err)
		}
	}
	_, err = c.CreateKeyPair(context.Background(), CreateInput{Name: "n", Type: keys.RSA, Format: keys.PEM})
	wantKind(t, err, NoCredentials)
	if time.Since(start) > 3*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests reached the server without credentials", n)
	}
}

func TestBadCredentials(t *testing.T) {
	s, _ := setup(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDUNKNOWN")
	c := newClient(t, s, Options{})
	_, err := c.DescribeKeyPairs(context.Background(), DescribeInput{})
	e := wantKind(t, err, BadCredentials)
	if e.Code != "AuthFailure" {
		t.Errorf("code %q", e.Code)
	}

	t.Setenv("AWS_ACCESS_KEY_ID", ec2test.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wrong")
	c = newClient(t, s, Options{})
	_, err = c.DescribeKeyPairs(context.Background(), DescribeInput{})
	e = wantKind(t, err, BadCredentials)
	if e.Code != "SignatureDoesNotMatch" {
		t.Errorf("code %q", e.Code)
	}
}

func TestExpiredCredentials(t *testing.T) {
	s, c := setup(t)
	s.Inject(ec2test.Fault{Kind: ec2test.RequestExpired, Times: 1})
	_, err := c.CreateKeyPair(context.Background(), CreateInput{Name: "e", Type: keys.RSA, Format: keys.PEM})
	wantKind(t, err, ClockSkew)
	if !strings.Contains(err.Error(), "clock") {
		t.Errorf("message: %v", err)
	}
	s.Inject(ec2test.Fault{Kind: ec2test.AuthFailure, Times: 1})
	_, err = c.CreateKeyPair(context.Background(), CreateInput{Name: "e", Type: keys.RSA, Format: keys.PEM})
	wantKind(t, err, BadCredentials)
	if len(s.KeyPairs("us-east-1")) != 0 {
		t.Error("pair created")
	}
}

func TestLostAnswer(t *testing.T) {
	s, c := setup(t)
	s.Inject(ec2test.Fault{Kind: ec2test.DropAfter, Action: "CreateKeyPair", Times: 1})
	_, err := c.CreateKeyPair(context.Background(), CreateInput{Name: "lost", Type: keys.ED25519, Format: keys.PEM})
	e := wantKind(t, err, LostAnswer)
	want := `EC2 may have created key pair "lost" in us-east-1, but its answer, with the only copy of the private key, was lost: ` +
		`an attempt got no answer, and the retry found the name taken. ` +
		`EC2 answered InvalidKeyPair.Duplicate (request ID R): The keypair 'lost' already exists. The private key cannot be recovered.`
	if !e.MayHaveActed || e.KeyName != "lost" {
		t.Errorf("MayHaveActed %v, KeyName %q", e.MayHaveActed, e.KeyName)
	}
	if withoutRequestID(err.Error()) != want {
		t.Errorf("message\n got %q\nwant %q", err, want)
	}
	log := s.Requests()
	if len(log) != 2 || log[0].Attempt != 1 || log[0].Status != 0 || log[1].Attempt != 2 || log[1].Code != "InvalidKeyPair.Duplicate" {
		t.Errorf("log = %+v", log)
	}
	if len(s.KeyPairs("us-east-1")) != 1 {
		t.Error("the stand-in should hold the pair whose answer was lost")
	}
}

// A throttled first attempt proves EC2 did nothing: a duplicate after it is
// a plain duplicate, not a lost answer.
func TestThrottleThenDuplicateIsNotLost(t *testing.T) {
	s, c := setup(t)
	ctx := context.Background()
	if _, err := c.CreateKeyPair(ctx, CreateInput{Name: "t", Type: keys.ED25519, Format: keys.PEM}); err != nil {
		t.Fatal(err)
	}
	s.Inject(ec2test.Fault{Kind: ec2test.Throttle, Action: "CreateKeyPair", Times: 1})
	_, err := c.CreateKeyPair(ctx, CreateInput{Name: "t", Type: keys.ED25519, Format: keys.PEM})
	wantKind(t, err, Duplicate)
}

func TestThrottled(t *testing.T) {
	s, c := setup(t)
	s.Inject(ec2test.Fault{Kind: ec2test.Throttle})
	_, err := c.CreateKeyPair(context.Background(), CreateInput{Name: "t", Type: keys.RSA, Format: keys.PEM})
	e := wantKind(t, err, Throttled)
	if e.Attempts != 3 || e.MayHaveActed || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Errorf("attempts %d: %v", e.Attempts, err)
	}
	log := s.Requests()
	if len(log) != 3 {
		t.Fatalf("server saw %d attempts, want 3", len(log))
	}
	for i, lr := range log {
		if lr.Attempt != i+1 || lr.Status != 503 || lr.Code != "RequestLimitExceeded" {
			t.Errorf("attempt %d: %+v", i+1, lr)
		}
	}
}

func TestServerError(t *testing.T) {
	s, c := setup(t)
	s.Inject(ec2test.Fault{Kind: ec2test.InternalError})
	_, err := c.DescribeKeyPairs(context.Background(), DescribeInput{})
	e := wantKind(t, err, Server)
	if e.Status != 500 || e.Attempts != 3 || len(s.Requests()) != 3 {
		t.Errorf("status %d, attempts %d, server saw %d", e.Status, e.Attempts, len(s.Requests()))
	}
	// 5xx then success: the retry hides it.
	s.ClearFaults()
	s.Inject(ec2test.Fault{Kind: ec2test.InternalError, Times: 1})
	if _, err := c.DescribeKeyPairs(context.Background(), DescribeInput{}); err != nil {
		t.Errorf("one 500 then success: %v", err)
	}
}

func TestMalformedXML(t *testing.T) {
	s, c := setup(t)
	for _, action := range []string{"CreateKeyPair", "DescribeKeyPairs"} {
		s.Inject(ec2test.Fault{Kind: ec2test.MalformedXML, Action: action})
	}
	_, err := c.CreateKeyPair(context.Background(), CreateInput{Name: "m", Type: keys.RSA, Format: keys.PEM})
	wantKind(t, err, Server)
	_, err = c.DescribeKeyPairs(context.Background(), DescribeInput{})
	wantKind(t, err, Server)
}

func TestSlowAnswerTimesOut(t *testing.T) {
	s, c := setup(t)
	s.Inject(ec2test.Fault{Kind: ec2test.Delay, Delay: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.DescribeKeyPairs(ctx, DescribeInput{})
	e := wantKind(t, err, Network)
	if time.Since(start) > 3*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
	if !strings.Contains(err.Error(), s.URL()) {
		t.Errorf("message does not name the endpoint: %v", e)
	}
	// A slow answer within the deadline is just slow.
	s.ClearFaults()
	s.Inject(ec2test.Fault{Kind: ec2test.Delay, Delay: 50 * time.Millisecond, Times: 1})
	if _, err := c.DescribeKeyPairs(context.Background(), DescribeInput{}); err != nil {
		t.Error(err)
	}
}

func TestCanceled(t *testing.T) {
	s, c := setup(t)
	s.Inject(ec2test.Fault{Kind: ec2test.Delay, Delay: 10 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := c.CreateKeyPair(ctx, CreateInput{Name: "c", Type: keys.RSA, Format: keys.PEM})
	wantKind(t, err, Canceled)
}

func TestNetworkError(t *testing.T) {
	testEnv(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close() // nothing listens there now
	c := newClient(t, nil, Options{EndpointURL: url})
	_, err = c.DescribeKeyPairs(context.Background(), DescribeInput{})
	wantKind(t, err, Network)
	if !strings.Contains(err.Error(), url) {
		t.Errorf("message does not name %s: %v", url, err)
	}
}

func TestLimitExceeded(t *testing.T) {
	testEnv(t)
	s := ec2test.New(ec2test.Options{KeyPairLimit: 1})
	defer s.Close()
	c := newClient(t, s, Options{})
	ctx := context.Background()
	if _, err := c.CreateKeyPair(ctx, CreateInput{Name: "one", Type: keys.ED25519, Format: keys.PEM}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateKeyPair(ctx, CreateInput{Name: "two", Type: keys.ED25519, Format: keys.PEM})
	wantKind(t, err, LimitExceeded)
	if !strings.Contains(err.Error(), "5,000") {
		t.Errorf("message: %v", err)
	}
}

func TestBadPublicKeyAndParameters(t *testing.T) {
	_, c := setup(t)
	ctx := context.Background()
	_, err := c.ImportKeyPair(ctx, ImportInput{Name: "bad", PublicKey: []byte("ssh-rsa bm90IGEga2V5 x\n")})
	wantKind(t, err, BadPublicKey)
	_, err = c.CreateKeyPair(ctx, CreateInput{Name: "t", Type: keys.RSA, Format: keys.PEM, Tags: []pair.Tag{{Key: "aws:x", Value: "1"}}})
	wantKind(t, err, InvalidParameter)
	_, err = c.CreateKeyPair(ctx, CreateInput{Name: "t", Type: "dsa", Format: keys.PEM})
	wantKind(t, err, InvalidParameter)
}

func TestNoRegion(t *testing.T) {
	testEnv(t)
	os.Unsetenv("AWS_REGION")
	c := newClient(t, nil, Options{EndpointURL: "http://127.0.0.1:1"})
	_, err := c.DescribeKeyPairs(context.Background(), DescribeInput{})
	wantKind(t, err, NoRegion)
	if want := "No AWS region is configured, so the request to list key pairs was not sent to AWS."; err.Error() != want {
		t.Errorf("message\n got %q\nwant %q", err, want)
	}
}

// Escape sequences a server sends never reach the caller.
func TestServerTextIsCleaned(t *testing.T) {
	s, c := setup(t)
	ctx := context.Background()
	// U+009B is CSI, an escape introducer that XML allows.
	s.Inject(ec2test.Fault{Kind: ec2test.CustomError, Action: "DescribeKeyPairs", Times: 1, Status: 400,
		Code: "Weird\u009b31mCode", Message: "bad \u009b2J\u0085thing \u200bok"})
	_, err := c.DescribeKeyPairs(ctx, DescribeInput{})
	e := wantKind(t, err, Other)
	if e.Code != "WeirdCode" || e.Message != "bad thing \u200bok" {
		t.Errorf("code %q message %q", e.Code, e.Message)
	}
	// Raw ESC is not even XML: the SDK cannot parse it, and nothing of it shows.
	s.Inject(ec2test.Fault{Kind: ec2test.CustomError, Action: "DescribeKeyPairs", Times: 1, Status: 400,
		Code: "X", Message: "\x1b]0;pwned\x07\x1b[2J"})
	_, err = c.DescribeKeyPairs(ctx, DescribeInput{})
	if err == nil {
		t.Fatal("no error")
	}
	assertClean(t, err.Error())

	// Names and tags echoed by the server are cleaned too.
	out, err := c.CreateKeyPair(ctx, CreateInput{Name: "n\u009b1m", Type: keys.ED25519, Format: keys.PEM,
		Tags: []pair.Tag{{Key: "k\u0090", Value: "v\u009d0;x"}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.KeyName != "n" || out.Tags[0].Key != "k" || out.Tags[0].Value != "v" {
		t.Errorf("out = %+v", out)
	}
	list, err := c.DescribeKeyPairs(ctx, DescribeInput{IncludePublicKey: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, kp := range list {
		for _, f := range []string{kp.KeyName, kp.PublicKey, kp.Tags[0].Value} {
			assertClean(t, f)
		}
	}
}

func TestKindOf(t *testing.T) {
	e := &Error{Kind: Throttled, Op: "CreateKeyPair"}
	if KindOf(e) != Throttled || KindOf(errors.Join(errors.New("x"), e)) != Throttled || KindOf(errors.New("x")) != Other || KindOf(nil) != Other {
		t.Error("KindOf")
	}
	if Throttled.String() != "Throttled" {
		t.Error(Throttled.String())
	}
}

func TestExpiredSSOToken(t *testing.T) {
	clearAWSEnv(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	const startURL = "https://example.awsapps.com/start"
	cfg := home + "/config"
	if err := os.WriteFile(cfg, []byte("[profile sso]\nsso_start_url = "+startURL+"\nsso_region = us-east-1\n"+
		"sso_account_id = 123456789012\nsso_role_name = Admin\nregion = us-east-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfg)
	sum := sha1.Sum([]byte(startURL))
	cache := home + "/.aws/sso/cache"
	if err := os.MkdirAll(cache, 0o700); err != nil {
		t.Fatal(err)
	}
	token := `{"accessToken":"t","expiresAt":"2020-01-01T00:00:00Z","region":"us-east-1","startUrl":"` + startURL + `"}`
	if err := os.WriteFile(cache+"/"+hex.EncodeToString(sum[:])+".json", []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, nil, Options{Profile: "sso", EndpointURL: "http://127.0.0.1:1"})
	_, err := c.Credentials(context.Background())
	wantKind(t, err, BadCredentials)
	t.Log(err)
	if !strings.Contains(err.Error(), "aws sso login") {
		t.Errorf("message: %v", err)
	}
}

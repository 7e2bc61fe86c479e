package awsapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/pair"
)

// ssmSetup is setup with the SSM endpoint set the SDK's way
// (AWS_ENDPOINT_URL_SSM); EC2's comes from Options.EndpointURL.
func ssmSetup(t *testing.T) (*ec2test.Server, *Client) {
	testEnv(t)
	s := ec2test.New(ec2test.Options{})
	t.Cleanup(s.Close)
	t.Setenv("AWS_ENDPOINT_URL_SSM", s.URL())
	return s, newClient(t, s, Options{})
}

const secretValue = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LXZhbHVlLW5ldmVyLXNob3du\n-----END OPENSSH PRIVATE KEY-----\n"

func TestSSMPutGetRoundTrip(t *testing.T) {
	s, c := ssmSetup(t)
	ctx := context.Background()
	name := KeyParameterName("key-0123456789abcdef0")
	out, err := c.PutKeyParameter(ctx, PutParameterInput{Name: name, Value: []byte(secretValue),
		Description: "the key", Tags: []pair.Tag{{Key: "env", Value: "prod"}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Version != 1 {
		t.Errorf("version %d", out.Version)
	}
	sp, ok := s.Parameter("us-east-1", name)
	if !ok || sp.Type != "SecureString" || sp.KeyID != ec2test.DefaultKMSKey || sp.Value != secretValue ||
		sp.Description != "the key" || len(sp.Tags) != 1 || sp.Tags[0] != (pair.Tag{Key: "env", Value: "prod"}) {
		t.Fatalf("server holds %v (value ok: %v)", sp, sp.Value == secretValue)
	}
	got, err := c.GetKeyParameter(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Value) != secretValue || got.Type != "SecureString" || got.Name != name || got.Version != 1 {
		t.Errorf("got %v", got)
	}
	if strings.Contains(got.String(), "c2VjcmV0") || strings.Contains(PutParameterInput{Value: []byte(secretValue)}.String(), "c2VjcmV0") {
		t.Error("String shows the value")
	}
	// A second write of the same name is refused, never overwritten.
	_, err = c.PutKeyParameter(ctx, PutParameterInput{Name: name, Value: []byte("other")})
	if KindOf(err) != ParameterExists {
		t.Fatalf("second put: %v (kind %v)", err, KindOf(err))
	}
	if sp, _ := s.Parameter("us-east-1", name); sp.Value != secretValue {
		t.Error("the parameter was overwritten")
	}
	// The SSM call went to the SSM endpoint, signed for service ssm.
	var saw bool
	for _, r := range s.Requests() {
		saw = saw || (r.Action == "PutParameter" && r.Status == 200)
	}
	if !saw {
		t.Errorf("no PutParameter answered 200: %+v", s.Requests())
	}
}

func TestSSMEndpointFollowsTheSDK(t *testing.T) {
	testEnv(t)
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1/all")
	c := newClient(t, nil, Options{EndpointURL: "http://127.0.0.1:2/ec2"})
	if c.SSMEndpoint() != "http://127.0.0.1:1/all" || c.Endpoint() != "http://127.0.0.1:2/ec2" {
		t.Errorf("AWS_ENDPOINT_URL: ssm %q, ec2 %q", c.SSMEndpoint(), c.Endpoint())
	}
	t.Setenv("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:3/ssm")
	c = newClient(t, nil, Options{EndpointURL: "http://127.0.0.1:2/ec2"})
	if c.SSMEndpoint() != "http://127.0.0.1:3/ssm" {
		t.Errorf("AWS_ENDPOINT_URL_SSM: ssm %q", c.SSMEndpoint())
	}
}

func TestSSMErrorKinds(t *testing.T) {
	ctx := context.Background()
	name := KeyParameterName("key-0123456789abcdef1")
	put := func(c *Client) error {
		_, err := c.PutKeyParameter(ctx, PutParameterInput{Name: name, Value: []byte(secretValue)})
		return err
	}
	get := func(c *Client) error {
		_, err := c.GetKeyParameter(ctx, name)
		return err
	}
	seed := func(s *ec2test.Server) {
		s.SetParameter("us-east-1", ec2test.Parameter{Name: name, Type: "SecureString", Value: secretValue})
	}
	tests := []struct {
		name  string
		setup func(s *ec2test.Server)
		call  func(c *Client) error
		kind  Kind
		want  []string
	}{
		{"missing", nil, get, ParameterNotFound, []string{"No parameter", name, "ParameterNotFound", "Nothing was changed"}},
		{"get denied", func(s *ec2test.Server) { seed(s); s.DenyParameter(name) }, get, Unauthorized,
			[]string{"not allowed to read parameter", "ssm:GetParameter", "AccessDeniedException"}},
		{"put denied", func(s *ec2test.Server) { s.DenyParameter(name) }, put, Unauthorized,
			[]string{"not allowed to write parameter", "ssm:PutParameter", "No parameter was written"}},
		{"decrypt denied", func(s *ec2test.Server) { seed(s); s.DenyKMSKey(ec2test.DefaultKMSKey) }, get, KMSDenied,
			[]string{"KMS key", "kms:Decrypt", "AWSKMS"}},
		{"encrypt denied", func(s *ec2test.Server) { s.DenyKMSKey(ec2test.DefaultKMSKey) }, put, KMSDenied,
			[]string{"KMS key", "kms:Encrypt", "No parameter was written"}},
		{"unknown kms key", nil, func(c *Client) error {
			_, err := c.PutKeyParameter(ctx, PutParameterInput{Name: name, Value: []byte(secretValue), KMSKeyID: "alias/none"})
			return err
		}, BadKMSKey, []string{"refused the KMS key", "InvalidKeyId"}},
		{"lost answer", func(s *ec2test.Server) {
			s.Inject(ec2test.Fault{Kind: ec2test.DropAfter, Action: "PutParameter", Times: 1})
		}, put, LostAnswer, []string{"may have written", "answer was lost", "ParameterAlreadyExists"}},
		{"kms-denied fault", func(s *ec2test.Server) {
			seed(s)
			s.Inject(ec2test.Fault{Kind: ec2test.KMSDenied, Action: "GetParameter"})
		},
			get, KMSDenied, []string{"kms:Decrypt"}},
		{"server error", func(s *ec2test.Server) { s.Inject(ec2test.Fault{Kind: ec2test.InternalError, Action: "GetParameter"}) },
			get, Server, []string{"SSM had a server error", "InternalServerError"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := ssmSetup(t)
			if tt.setup != nil {
				tt.setup(s)
			}
			err := tt.call(c)
			var e *Error
			if !errors.As(err, &e) || e.Kind != tt.kind {
				t.Fatalf("err %v, kind %v, want %v", err, KindOf(err), tt.kind)
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message lacks %q:\n%s", w, msg)
				}
			}
			if strings.Contains(msg, "c2VjcmV0") || strings.Contains(msg, "PRIVATE KEY") {
				t.Errorf("message shows the value:\n%s", msg)
			}
			if strings.Contains(msg, "EC2") {
				t.Errorf("an SSM message speaks of EC2:\n%s", msg)
			}
			if e.Parameter != name {
				t.Errorf("Parameter %q", e.Parameter)
			}
		})
	}
}

func TestSSMNetworkErrorNamesSSMEndpoint(t *testing.T) {
	testEnv(t)
	t.Setenv("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:1")
	c := newClient(t, nil, Options{EndpointURL: "http://127.0.0.1:2", MaxAttempts: 1})
	_, err := c.GetKeyParameter(context.Background(), "/ec2/keypair/key-1")
	if KindOf(err) != Network || !strings.Contains(err.Error(), "SSM at http://127.0.0.1:1") {
		t.Fatalf("%v (kind %v)", err, KindOf(err))
	}
}

// The whole text of the SSM kinds, as TestErrorTextEveryKind does for EC2.
func TestSSMErrorText(t *testing.T) {
	base := func(k Kind, op string) *Error {
		return &Error{Kind: k, Op: op, Region: "eu-west-1", Parameter: "/ec2/keypair/key-1", RequestID: "req-1", Attempts: 1}
	}
	with := func(e *Error, f func(*Error)) *Error { f(e); return e }
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{with(base(ParameterNotFound, "GetParameter"), func(e *Error) { e.Code = "ParameterNotFound" }),
			`No parameter "/ec2/keypair/key-1" exists in SSM Parameter Store in eu-west-1. SSM answered ParameterNotFound (request ID req-1). Nothing was changed.`},
		{with(base(Unauthorized, "PutParameter"), func(e *Error) {
			e.Code, e.Message, e.TagsSent = "AccessDeniedException", "User: u is not authorized to perform: ssm:PutParameter", true
		}), `Your AWS identity is not allowed to write parameter "/ec2/keypair/key-1" in eu-west-1: it needs the IAM permissions ` +
			`ssm:PutParameter and ssm:AddTagsToResource. SSM answered AccessDeniedException (request ID req-1): ` +
			`User: u is not authorized to perform: ssm:PutParameter. No parameter was written.`},
		{with(base(KMSDenied, "GetParameter"), func(e *Error) {
			e.Code, e.Message = "AccessDeniedException", "not authorized to perform: kms:Decrypt"
		}), `SSM could not use the KMS key of parameter "/ec2/keypair/key-1" in eu-west-1: your AWS identity may not use it ` +
			`(it needs kms:Decrypt on the parameter's KMS key). SSM answered AccessDeniedException (request ID req-1): ` +
			`not authorized to perform: kms:Decrypt. Nothing was changed.`},
		{with(base(Network, "PutParameter"), func(e *Error) {
			e.MayHaveActed, e.Cause, e.RequestID = true, "the connection closed before an answer arrived", ""
		}), `The request to write parameter "/ec2/keypair/key-1" in eu-west-1 was sent to SSM at ssm.eu-west-1.amazonaws.com, ` +
			`but no answer arrived: the connection closed before an answer arrived. SSM may have written the parameter.`},
		{with(base(NoRegion, "GetParameter"), func(e *Error) { e.Region = "" }),
			`No AWS region is configured, so the request to read parameter "/ec2/keypair/key-1" was not sent to AWS.`},
	} {
		got := tc.err.Error()
		if got != tc.want {
			t.Errorf("%v %s:\n got %q\nwant %q", tc.err.Kind, tc.err.Op, got, tc.want)
		}
		assertParagraph(t, got)
	}
}

func TestSSMKeyParametersListsOneLevelAllPages(t *testing.T) {
	s, c := ssmSetup(t)
	const n = 120
	for i := range n {
		s.SetParameter("us-east-1", ec2test.Parameter{Name: KeyParameterName(fmt.Sprintf("key-%017x", i)), Type: "SecureString", Value: secretValue})
	}
	s.SetParameter("us-east-1", ec2test.Parameter{Name: "/ec2/keypair/deeper/key-1", Type: "String", Value: "v"})
	s.SetParameter("us-east-1", ec2test.Parameter{Name: "/other/key-1", Type: "String", Value: "v"})
	s.SetParameter("eu-west-1", ec2test.Parameter{Name: KeyParameterName("key-0"), Type: "String", Value: "v"})
	got, err := c.KeyParameters(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d parameters, want %d", len(got), n)
	}
	seen := map[string]bool{}
	for _, p := range got {
		if !strings.HasPrefix(p.Name, KeyParameterPrefix+"key-") || p.Type != "SecureString" || p.KeyID != ec2test.DefaultKMSKey || seen[p.Name] {
			t.Fatalf("listed %+v", p)
		}
		seen[p.Name] = true
	}
	var pages int
	for _, r := range s.Requests() {
		if r.Action == "DescribeParameters" {
			pages++
		}
	}
	if pages != 3 {
		t.Errorf("%d pages, want 3", pages)
	}
}

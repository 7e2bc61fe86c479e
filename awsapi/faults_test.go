package awsapi

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/keys"
)

// Every named fault of the stand-in, as ec2stand's --fault takes it,
// through the real client: the kind it gives and whether EC2 acted.
func TestEveryNamedFault(t *testing.T) {
	cases := map[string]struct {
		op           string
		want         Kind
		mayHaveActed bool
		pairs        int // pairs left in the region afterwards
	}{
		"throttle":          {"CreateKeyPair", Throttled, false, 0},
		"internal-error":    {"CreateKeyPair", Server, true, 0},
		"drop-after":        {"DescribeKeyPairs", Network, false, 0},
		"drop-after-create": {"CreateKeyPair", LostAnswer, true, 1},
		"drop-after-import": {"ImportKeyPair", LostAnswer, true, 1},
		"drop-after-delete": {"DeleteKeyPair", Network, true, 0},
		"malformed-xml":     {"CreateKeyPair", Server, true, 0},
		"slow:delay=10s":    {"DescribeKeyPairs", Network, false, 0},
		"deny":              {"CreateKeyPair", Unauthorized, false, 0},
		"request-expired":   {"CreateKeyPair", ClockSkew, false, 0},
		"auth-failure":      {"ImportKeyPair", BadCredentials, false, 0},
		"custom-error:code=X,status=400,message=a, b": {"DescribeKeyPairs", Other, false, 0},
		"hang":                       {"CreateKeyPair", Network, true, 0},
		"gzip-bomb":                  {"ImportKeyPair", BadAnswer, true, 1},
		"huge-key-material:size=1MB": {"CreateKeyPair", BadAnswer, true, 1},
		"drop-after-put":             {"PutParameter", LostAnswer, true, 0},
		"kms-denied":                 {"GetParameter", KMSDenied, false, 0},
	}
	names := map[string]bool{}
	for spec := range cases {
		f, err := ec2test.ParseFault(spec)
		if err != nil {
			t.Fatal(err)
		}
		names[f.Kind.String()] = true
	}
	for _, n := range ec2test.FaultNameList() {
		if _, ok := cases[n]; !ok && !names[n] {
			t.Errorf("fault %s has no case", n)
		}
	}
	for spec, tc := range cases {
		t.Run(spec, func(t *testing.T) {
			testEnv(t)
			s := ec2test.New(ec2test.Options{})
			defer s.Close()
			lowerResponseLimit(t)
			opts := Options{}
			if isSSMOp(tc.op) {
				t.Setenv("AWS_ENDPOINT_URL_SSM", s.URL())
			}
			if tc.want == Network && tc.op != "DeleteKeyPair" {
				// hang, slow: short bounds so the call gives up soon.
				opts.Timeouts = Timeouts{FirstByte: 300 * time.Millisecond, Request: 3 * time.Second}
			}
			c := newClient(t, s, opts)
			ctx := context.Background()
			if tc.op == "DeleteKeyPair" {
				if _, err := c.CreateKeyPair(ctx, CreateInput{Name: "f", Type: keys.ED25519, Format: keys.PEM}); err != nil {
					t.Fatal(err)
				}
			}
			f, _ := ec2test.ParseFault(spec)
			if tc.op == "DeleteKeyPair" {
				c = newClient(t, s, Options{MaxAttempts: 1})
			}
			s.Inject(f)
			var err error
			within(t, func() {
				switch tc.op {
				case "CreateKeyPair":
					_, err = c.CreateKeyPair(ctx, CreateInput{Name: "f", Type: keys.ED25519, Format: keys.PEM})
				case "ImportKeyPair":
					_, err = c.ImportKeyPair(ctx, ImportInput{Name: "f", PublicKey: []byte(testPub(t))})
				case "DescribeKeyPairs":
					_, err = c.DescribeKeyPairs(ctx, DescribeInput{})
				case "DeleteKeyPair":
					_, err = c.DeleteKeyPair(ctx, DeleteInput{Name: "f"})
				case "PutParameter":
					_, err = c.PutKeyParameter(ctx, PutParameterInput{Name: KeyParameterName("key-1"), Value: []byte("v")})
				case "GetParameter":
					_, err = c.GetKeyParameter(ctx, KeyParameterName("key-1"))
				}
			})
			if KindOf(err) != tc.want {
				var ae *Error
				if errors.As(err, &ae) {
					t.Logf("attempts %d cause %q: %v", ae.Attempts, ae.Cause, ae.Err)
				}
				for _, r := range s.Requests() {
					t.Logf("request %s: status %d, fault %v", r.Action, r.Status, r.Fault)
				}
			}
			e := wantKind(t, err, tc.want)
			if e.MayHaveActed != tc.mayHaveActed {
				t.Errorf("MayHaveActed %v, want %v: %v", e.MayHaveActed, tc.mayHaveActed, err)
			}
			if n := len(s.KeyPairs("us-east-1")); n != tc.pairs {
				t.Errorf("%d pairs left, want %d", n, tc.pairs)
			}
		})
	}
}

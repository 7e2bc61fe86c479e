package awsapi

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/keys"
)

// The whole text of every Kind, for the operations that matter to it.
func TestErrorTextEveryKind(t *testing.T) {
	sdkChain := errors.New("operation error EC2: CreateKeyPair, https response error StatusCode: 0, RequestID: , " +
		"request send failed, dial tcp 127.0.0.1:1: connect: connection refused")
	base := func(k Kind, op string) *Error {
		return &Error{Kind: k, Op: op, Region: "eu-west-1", KeyName: "web", RequestID: "req-1", Attempts: 1}
	}
	with := func(e *Error, f func(*Error)) *Error { f(e); return e }
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{with(base(Duplicate, "CreateKeyPair"), func(e *Error) {
			e.Code, e.Message = "InvalidKeyPair.Duplicate", "The keypair 'web' already exists."
		}), `A key pair named "web" already exists in eu-west-1, so EC2 refused to create another. ` +
			`EC2 answered InvalidKeyPair.Duplicate (request ID req-1): The keypair 'web' already exists. The existing key pair was left as it is.`},
		{with(base(NotFound, "DescribeKeyPairs"), func(e *Error) {
			e.Code, e.Message = "InvalidKeyPair.NotFound", "The key pair 'web' does not exist"
		}), `No key pair named "web" exists in eu-west-1. Key pairs belong to one region. ` +
			`EC2 answered InvalidKeyPair.NotFound (request ID req-1): The key pair 'web' does not exist. Nothing was changed.`},
		{with(base(BadPublicKey, "ImportKeyPair"), func(e *Error) {
			e.Code, e.Message = "InvalidKey.Format", "Key is not in valid OpenSSH public key format"
		}), `EC2 refused the public key for "web" in eu-west-1. EC2 answered InvalidKey.Format (request ID req-1): ` +
			`Key is not in valid OpenSSH public key format. EC2 accepts an OpenSSH public key of type RSA (1024, 2048 or 4096 bits) or ED25519. ` +
			`No key pair was made.`},
		{with(base(Unauthorized, "CreateKeyPair"), func(e *Error) {
			e.Code, e.Message, e.TagsSent = "UnauthorizedOperation", ec2test.DeniedMessage, true
		}), `Your AWS identity is not allowed to create key pair "web" in eu-west-1: it needs the IAM permissions ` +
			`ec2:CreateKeyPair and ec2:CreateTags (tagging a key pair as it is made needs both). ` +
			`EC2 answered UnauthorizedOperation (request ID req-1): You are not authorized to perform this operation. ` +
			`EC2 included an encoded authorization failure message with the full reason. No key pair was made.`},
		{with(base(Unauthorized, "DeleteKeyPair"), func(e *Error) {
			e.Code, e.Message = "UnauthorizedOperation", "You are not authorized to perform this operation."
		}), `Your AWS identity is not allowed to delete key pair "web" in eu-west-1: it needs the IAM permission ec2:DeleteKeyPair. ` +
			`EC2 answered UnauthorizedOperation (request ID req-1): You are not authorized to perform this operation. Nothing was deleted.`},
		{with(base(BadCredentials, "DescribeKeyPairs"), func(e *Error) {
			e.Code, e.Message, e.KeyName = "AuthFailure", "AWS was not able to validate the provided access credentials", ""
		}), `AWS refused the credentials for the request to list key pairs in eu-west-1. EC2 answered AuthFailure (request ID req-1): ` +
			`AWS was not able to validate the provided access credentials. Nothing was changed. ` +
			`The access key or secret may be wrong, or temporary credentials may have expired.`},
		{with(base(BadCredentials, "Credentials"), func(e *Error) { e.Message = "the SSO session has expired or is invalid" }),
			`The AWS credentials cannot be used: the SSO session has expired or is invalid. Sign in again with aws sso login. Nothing was sent to AWS.`},
		{with(base(ClockSkew, "CreateKeyPair"), func(e *Error) { e.Code, e.Message = "RequestExpired", "Request has expired." }),
			`AWS refused the request to create key pair "web" in eu-west-1 because its time stamp was off: this computer's clock is probably wrong, ` +
				`or the temporary credentials have expired. EC2 answered RequestExpired (request ID req-1): Request has expired. No key pair was made.`},
		{with(base(Throttled, "ImportKeyPair"), func(e *Error) {
			e.Code, e.Message, e.Attempts = "RequestLimitExceeded", "Request limit exceeded.", 3
		}), `EC2 is limiting the request rate and refused to import key pair "web" in eu-west-1 after 3 attempts. ` +
			`EC2 answered RequestLimitExceeded (request ID req-1): Request limit exceeded. No key pair was made.`},
		{with(base(LimitExceeded, "CreateKeyPair"), func(e *Error) {
			e.Code, e.Message = "KeyPairLimitExceeded", "Maximum of 5000 keypairs reached."
		}), `This account has reached EC2's limit of 5,000 key pairs in eu-west-1, so EC2 refused to create another. ` +
			`EC2 answered KeyPairLimitExceeded (request ID req-1): Maximum of 5000 keypairs reached. No key pair was made.`},
		{with(base(Network, "CreateKeyPair"), func(e *Error) { e.Endpoint, e.Err, e.RequestID = "http://127.0.0.1:1", sdkChain, "" }),
			`Could not reach EC2 at http://127.0.0.1:1 to create key pair "web" in eu-west-1: connection refused. No key pair was made.`},
		{with(base(Network, "CreateKeyPair"), func(e *Error) {
			e.MayHaveActed, e.Cause, e.RequestID = true, "timed out after 30s waiting for the first byte", ""
		}), `The request to create key pair "web" in eu-west-1 was sent to EC2 at ec2.eu-west-1.amazonaws.com, but no answer arrived: ` +
			`timed out after 30s waiting for the first byte. EC2 may have created the key pair, but its private key was not received.`},
		{with(base(Network, "DeleteKeyPair"), func(e *Error) {
			e.MayHaveActed, e.Cause, e.RequestID = true, "the connection closed before an answer arrived", ""
		}), `The request to delete key pair "web" in eu-west-1 was sent to EC2 at ec2.eu-west-1.amazonaws.com, but no answer arrived: ` +
			`the connection closed before an answer arrived. The key pair may have been deleted.`},
		{base(NoCredentials, "CreateKeyPair"),
			`No AWS credentials were found: run aws configure, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ` +
				`name a profile in AWS_PROFILE, or sign in with aws sso login. Nothing was sent to AWS.`},
		{with(base(LostAnswer, "CreateKeyPair"), func(e *Error) {
			e.Code, e.Message, e.MayHaveActed, e.Attempts = "InvalidKeyPair.Duplicate", "The keypair 'web' already exists.", true, 2
		}), `EC2 may have created key pair "web" in eu-west-1, but its answer, with the only copy of the private key, was lost: ` +
			`an attempt got no answer, and the retry found the name taken. EC2 answered InvalidKeyPair.Duplicate (request ID req-1): ` +
			`The keypair 'web' already exists. The private key cannot be recovered.`},
		{with(base(LostAnswer, "ImportKeyPair"), func(e *Error) {
			e.Code, e.Message, e.MayHaveActed, e.Attempts = "InvalidKeyPair.Duplicate", "The keypair 'web' already exists.", true, 2
		}), `EC2 may have imported key pair "web" in eu-west-1, but its answer was lost: an attempt got no answer, and the retry found the name taken. ` +
			`EC2 answered InvalidKeyPair.Duplicate (request ID req-1): The keypair 'web' already exists. ` +
			`The key pair of that name in EC2 may be this import or one that was there before.`},
		{with(base(Canceled, "CreateKeyPair"), func(e *Error) { e.MayHaveActed = true }),
			`The request to create key pair "web" in eu-west-1 was cancelled. EC2 may have created the key pair, but its private key was not received.`},
		{base(Canceled, "ImportKeyPair"), `The request to import key pair "web" in eu-west-1 was cancelled. No key pair was made.`},
		{with(base(Server, "CreateKeyPair"), func(e *Error) {
			e.Code, e.Message, e.Status, e.Attempts, e.MayHaveActed = "InternalError", "An internal error has occurred.", 500, 3, true
		}), `EC2 had a server error (InternalError, HTTP 500) and could not create key pair "web" in eu-west-1 after 3 attempts. ` +
			`EC2 answered InternalError (request ID req-1): An internal error has occurred. ` +
			`EC2 may have created the key pair, but its private key was not received.`},
		{with(base(Server, "DescribeKeyPairs"), func(e *Error) {
			e.KeyName, e.Status, e.Cause, e.RequestID = "", 200, "the answer is not valid EC2 XML", ""
		}), `EC2's answer to the request to list key pairs in eu-west-1 could not be read: the answer is not valid EC2 XML. Nothing was changed.`},
		{with(base(InvalidParameter, "CreateKeyPair"), func(e *Error) {
			e.Code, e.Message = "InvalidTagKey.Malformed", "Tag keys cannot be empty or null, and cannot start with aws:."
		}), `EC2 refused a parameter of the request to create key pair "web" in eu-west-1. EC2 answered InvalidTagKey.Malformed (request ID req-1): ` +
			`Tag keys cannot be empty or null, and cannot start with aws:. No key pair was made.`},
		{with(base(BadAnswer, "CreateKeyPair"), func(e *Error) {
			e.Status, e.MayHaveActed, e.Cause, e.RequestID = 200, true, "the answer is larger than 64 MiB", ""
		}), `EC2 created key pair "web" in eu-west-1, but its answer cannot be used: the answer is larger than 64 MiB. ` +
			`The key pair exists in EC2 without a usable private key.`},
		{with(base(NoRegion, "CreateKeyPair"), func(e *Error) { e.Region = "" }),
			`No AWS region is configured, so the request to create key pair "web" was not sent to AWS.`},
		{with(base(Other, "ImportKeyPair"), func(e *Error) { e.Code, e.Message = "OptInRequired", "You are not subscribed to this service." }),
			`Could not import key pair "web" in eu-west-1. EC2 answered OptInRequired (request ID req-1): You are not subscribed to this service. ` +
				`No key pair was made.`},
		{with(base(Duplicate, "CreateKeyPair"), func(e *Error) {
			e.Code, e.Message, e.DryRun = "InvalidKeyPair.Duplicate", "line one\nline  two", true
		}), `A key pair named "web" already exists in eu-west-1, so EC2 refused to create another. ` +
			`EC2 answered InvalidKeyPair.Duplicate (request ID req-1): line one line two. The existing key pair was left as it is.`},
	} {
		got := tc.err.Error()
		if got != tc.want {
			t.Errorf("%v %s:\n got %q\nwant %q", tc.err.Kind, tc.err.Op, got, tc.want)
		}
		assertParagraph(t, got)
	}
	if len(kindNames) != int(BadKMSKey)+1 {
		t.Errorf("kindNames has %d names for %d kinds", len(kindNames), BadKMSKey+1)
	}
}

func TestNoCredentialsText(t *testing.T) {
	clearAWSEnv(t)
	t.Setenv("AWS_REGION", "us-east-1")
	c := newClient(t, nil, Options{EndpointURL: "http://127.0.0.1:1", CredentialTimeout: 2 * time.Second})
	_, err := c.Credentials(context.Background())
	wantKind(t, err, NoCredentials)
	want := "No AWS credentials were found: run aws configure, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " +
		"name a profile in AWS_PROFILE, or sign in with aws sso login. Nothing was sent to AWS."
	if err.Error() != want {
		t.Errorf("message\n got %q\nwant %q", err, want)
	}
	_, err = c.CreateKeyPair(context.Background(), CreateInput{Name: "n", Type: keys.RSA, Format: keys.PEM})
	if e := wantKind(t, err, NoCredentials); e.MayHaveActed || err.Error() != want {
		t.Errorf("create without credentials: MayHaveActed %v: %v", e.MayHaveActed, err)
	}
}

func TestDescribeSource(t *testing.T) {
	for _, tc := range []struct{ sdk, profile, want string }{
		{"EnvConfigCredentials", "", "environment variables"},
		{"SharedConfigCredentials: /root/.aws/credentials", "", "profile default (shared credentials file)"},
		{"SharedConfigCredentials: /home/me/.aws/config", "dev", "profile dev (config file)"},
		{"SSOProvider", "dev", "SSO (profile dev)"},
		{"AssumeRoleProvider,SharedConfigCredentials: /x/credentials", "ops", "assumed role (profile ops)"},
		{"WebIdentityCredentials", "", "web identity"},
		{"EC2RoleProvider", "", "instance role (IMDS)"},
		{"CredentialsEndpointProvider", "", "container role"},
		{"ProcessProvider", "dev", "credential process (profile dev)"},
		{"StaticCredentials", "", "static credentials"},
		{"", "", "unknown source"},
	} {
		if got := describeSource(tc.sdk, tc.profile); got != tc.want {
			t.Errorf("%q %q: %q, want %q", tc.sdk, tc.profile, got, tc.want)
		}
	}
}

func TestCredentialsFromProfile(t *testing.T) {
	clearAWSEnv(t)
	dir := t.TempDir()
	creds := dir + "/credentials"
	writeFile(t, creds, "[dev]\naws_access_key_id = "+ec2test.AccessKeyID+"\naws_secret_access_key = "+ec2test.SecretAccessKey+"\n")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	t.Setenv("AWS_PROFILE", "dev")
	t.Setenv("AWS_REGION", "us-east-1")
	c := newClient(t, nil, Options{EndpointURL: "http://127.0.0.1:1"})
	info, err := c.Credentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Source != "profile dev (shared credentials file)" || !strings.HasPrefix(info.SDKSource, "SharedConfigCredentials") {
		t.Errorf("info = %+v", info)
	}
}

func TestPermission(t *testing.T) {
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{Op: "CreateKeyPair"}, "ec2:CreateKeyPair"},
		{Error{Op: "ImportKeyPair", TagsSent: true}, "ec2:ImportKeyPair and ec2:CreateTags"},
		{Error{Op: "DescribeKeyPairs"}, "ec2:DescribeKeyPairs"},
		{Error{Op: "Credentials"}, ""},
	} {
		if got := tc.e.Permission(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.e, got, tc.want)
		}
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

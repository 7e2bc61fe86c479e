package awsapi

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/pair"
)

// This file is keypair's door to SSM Parameter Store, where CloudFormation's
// AWS::EC2::KeyPair and CDK's KeyPair keep a pair's private key: a
// SecureString parameter at /ec2/keypair/<key pair id>. The SSM client is
// built from the same configuration and middleware as the EC2 one; its
// endpoint follows the SDK (AWS_ENDPOINT_URL_SSM, else AWS_ENDPOINT_URL),
// never --endpoint-url, which is EC2's. A parameter's value appears in no
// error, no String and no log line.

// ParameterStore is the set of SSM calls keypair makes. *Client implements
// it; tests may fake it.
type ParameterStore interface {
	PutKeyParameter(ctx context.Context, in PutParameterInput) (*PutParameterOutput, error)
	GetKeyParameter(ctx context.Context, name string) (*Parameter, error)
}

var _ ParameterStore = (*Client)(nil)

// KeyParameterPrefix is the folder CloudFormation and CDK keep private keys in.
const KeyParameterPrefix = "/ec2/keypair/"

// KeyParameterName is the parameter holding the private key of the pair
// with id keyPairID, where CloudFormation and CDK put it.
func KeyParameterName(keyPairID string) string { return KeyParameterPrefix + keyPairID }

// standardTierMax is the largest value a standard parameter holds; a larger
// one needs the advanced tier, which Intelligent-Tiering picks.
const standardTierMax = 4096

// PutParameterInput writes a private key as a new SecureString parameter
// (never over an existing one).
type PutParameterInput struct {
	Name  string
	Value []byte // the private key file; never shown
	// KMSKeyID encrypts it ("" = the account's aws/ssm key).
	KMSKeyID    string
	Description string
	Tags        []pair.Tag
}

// String describes the request without its value.
func (in PutParameterInput) String() string {
	return fmt.Sprintf("PutParameter %s (SecureString, %d bytes, KMS key %q, %d tags)", in.Name, len(in.Value), in.KMSKeyID, len(in.Tags))
}

// PutParameterOutput is SSM's answer to PutParameter.
type PutParameterOutput struct {
	Version int64
	Tier    string
}

// Parameter is one parameter as GetParameter returns it, decrypted.
type Parameter struct {
	Name         string
	Type         string // "SecureString", "String", "StringList"
	ARN          string
	Version      int64
	LastModified time.Time
	Value        []byte // exactly as SSM returned it; never shown
}

// String describes the parameter without its value.
func (p Parameter) String() string {
	return fmt.Sprintf("parameter %s (%s, version %d, %d bytes)", p.Name, p.Type, p.Version, len(p.Value))
}

// newSSM builds the SSM client from the configuration New loaded, with the
// same middleware as EC2's. Building it does no I/O.
func (c *Client) newSSM() {
	c.ssm = ssm.NewFromConfig(c.cfg, func(o *ssm.Options) {
		o.APIOptions = append(o.APIOptions, c.apiOptions...)
	})
	if be := c.ssm.Options().BaseEndpoint; be != nil {
		c.ssmEndpoint = *be
	}
}

// inRegion makes an SSM call go to the client's region, so that a copy of
// the client for another region (InRegion) shares the SSM client.
func (c *Client) inRegion(o *ssm.Options) { o.Region = c.region }

// SSMEndpoint is the SSM endpoint URL override in effect
// (AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL, the config file), "" when the
// SDK picks the regional default.
func (c *Client) SSMEndpoint() string { return c.ssmEndpoint }

// endpointFor is the endpoint override of the service op belongs to.
func (c *Client) endpointFor(op string) string {
	switch {
	case isSSMOp(op):
		return c.SSMEndpoint()
	case isAutoScalingOp(op):
		return c.asEndpoint
	}
	return c.endpoint
}

func isSSMOp(op string) bool {
	switch op {
	case "PutParameter", "GetParameter", "DescribeParameters":
		return true
	}
	return false
}

// PutKeyParameter writes in.Value as a new SecureString parameter, tagged,
// encrypted with in.KMSKeyID. An existing parameter is never overwritten
// (ParameterExists). When the answer is lost, the *Error has MayHaveActed
// (or Kind LostAnswer: a retry found the name taken): ask GetKeyParameter.
func (c *Client) PutKeyParameter(ctx context.Context, in PutParameterInput) (*PutParameterOutput, error) {
	req := &ssm.PutParameterInput{
		Name:        aws.String(in.Name),
		Value:       aws.String(string(in.Value)),
		Type:        ssmtypes.ParameterTypeSecureString,
		Description: optional(in.Description),
		KeyId:       optional(in.KMSKeyID),
	}
	if len(in.Value) > standardTierMax {
		req.Tier = ssmtypes.ParameterTierIntelligentTiering
	}
	for _, t := range in.Tags {
		req.Tags = append(req.Tags, ssmtypes.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)})
	}
	var resp *ssm.PutParameterOutput
	_, err := c.call(ctx, callInfo{op: "PutParameter", keyName: in.Name, tags: len(in.Tags) > 0},
		func(ctx context.Context) (err error) {
			resp, err = c.ssm.PutParameter(ctx, req, c.inRegion)
			return err
		})
	if err != nil {
		return nil, ssmError(err, in.Name)
	}
	return &PutParameterOutput{Version: resp.Version, Tier: termtext.Clean(string(resp.Tier))}, nil
}

// GetKeyParameter reads the parameter name with decryption.
func (c *Client) GetKeyParameter(ctx context.Context, name string) (*Parameter, error) {
	req := &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)}
	var resp *ssm.GetParameterOutput
	_, err := c.call(ctx, callInfo{op: "GetParameter", keyName: name},
		func(ctx context.Context) (err error) {
			resp, err = c.ssm.GetParameter(ctx, req, c.inRegion)
			return err
		})
	if err != nil {
		return nil, ssmError(err, name)
	}
	p := resp.Parameter
	if p == nil {
		return nil, &Error{Kind: BadAnswer, Op: "GetParameter", Parameter: termtext.Clean(name), Region: c.region,
			Endpoint: c.SSMEndpoint(), Status: 200, Cause: "it holds no parameter"}
	}
	value := aws.ToString(p.Value)
	if len(value) > MaxKeyMaterialBytes {
		return nil, &Error{Kind: BadAnswer, Op: "GetParameter", Parameter: termtext.Clean(name), Region: c.region,
			Endpoint: c.SSMEndpoint(), Status: 200,
			Cause: fmt.Sprintf("its value is %s, more than the %s a private key can take", byteSize(int64(len(value))), byteSize(MaxKeyMaterialBytes))}
	}
	return &Parameter{
		Name:         str(p.Name),
		Type:         termtext.Clean(string(p.Type)),
		ARN:          str(p.ARN),
		Version:      p.Version,
		LastModified: aws.ToTime(p.LastModifiedDate),
		Value:        []byte(value),
	}, nil
}

// ParameterInfo is one parameter as DescribeParameters lists it: no value.
type ParameterInfo struct {
	Name         string
	Type         string
	KeyID        string // the KMS key of a SecureString
	Version      int64
	LastModified time.Time
}

// maxParameterPages bounds KeyParameters: 5,000 key pairs a region, 50 a page.
const maxParameterPages = 100

// KeyParameters lists the parameters under KeyParameterPrefix in the
// region (DescribeParameters: names and metadata, never a value), for
// showing which pairs have their key in SSM. It needs ssm:DescribeParameters.
func (c *Client) KeyParameters(ctx context.Context) ([]ParameterInfo, error) {
	var out []ParameterInfo
	req := &ssm.DescribeParametersInput{
		MaxResults: aws.Int32(50),
		ParameterFilters: []ssmtypes.ParameterStringFilter{{
			Key: aws.String("Path"), Option: aws.String("OneLevel"), Values: []string{strings.TrimSuffix(KeyParameterPrefix, "/")},
		}},
	}
	for page := 0; page < maxParameterPages; page++ {
		resp, err := c.describeParameters(ctx, req, KeyParameterPrefix)
		if err != nil {
			return nil, err
		}
		for _, p := range resp.Parameters {
			out = append(out, parameterInfo(p))
		}
		if aws.ToString(resp.NextToken) == "" {
			return out, nil
		}
		req.NextToken = resp.NextToken
	}
	return out, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// ssmCodeKinds are SSM's error codes by kind (the SSM API reference's
// PutParameter and GetParameter errors). AccessDeniedException is
// Unauthorized unless KMS said it (see ssmError).
var ssmCodeKinds = map[string]Kind{
	"ParameterNotFound":                    ParameterNotFound,
	"ParameterVersionNotFound":             ParameterNotFound,
	"ParameterAlreadyExists":               ParameterExists,
	"InvalidKeyId":                         BadKMSKey,
	"InternalServerError":                  Server,
	"TooManyUpdates":                       Throttled,
	"ParameterLimitExceeded":               LimitExceeded,
	"ParameterMaxVersionLimitExceeded":     LimitExceeded,
	"HierarchyLevelLimitExceededException": InvalidParameter,
	"HierarchyTypeMismatchException":       InvalidParameter,
	"ParameterPatternMismatchException":    InvalidParameter,
	"UnsupportedParameterType":             InvalidParameter,
	"ValidationException":                  InvalidParameter,
	"InvalidAllowedPatternException":       InvalidParameter,
}

// ssmError refines classify's kinds with SSM's codes and moves the name to
// Error.Parameter.
func ssmError(err error, name string) error {
	e, ok := err.(*Error)
	if !ok {
		return err
	}
	e.Parameter, e.KeyName = termtext.Clean(name), ""
	if k, known := ssmCodeKinds[e.Code]; known {
		e.Kind = k
	}
	if e.Kind == Unauthorized && mentionsKMS(e.Message) {
		e.Kind = KMSDenied
	}
	if e.Kind == ParameterExists && e.Op == "PutParameter" && e.Attempts > 1 && e.MayHaveActed {
		// An attempt got no answer, and the retry found the name taken:
		// most likely by that attempt.
		e.Kind = LostAnswer
	}
	return e
}

// mentionsKMS tells an AccessDeniedException KMS raised (SSM passes it on:
// "... not authorized to perform: kms:Decrypt ...", "(Service: AWSKMS; ...)")
// from one about the parameter itself.
func mentionsKMS(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "kms:") || strings.Contains(m, "awskms") || strings.Contains(m, "ciphertext") ||
		strings.Contains(m, "kms key")
}

func (e *Error) isSSM() bool { return isSSMOp(e.Op) }

// ssmPermission is the permission an SSM call needs; ok false for other calls.
func (e *Error) ssmPermission() (string, bool) {
	switch e.Op {
	case "PutParameter":
		if e.Kind == KMSDenied {
			return "kms:Encrypt (kms:GenerateDataKey for an advanced parameter) on the parameter's KMS key", true
		}
		if e.TagsSent {
			return "ssm:PutParameter and ssm:AddTagsToResource", true
		}
		return "ssm:PutParameter", true
	case "GetParameter":
		if e.Kind == KMSDenied {
			return "kms:Decrypt on the parameter's KMS key", true
		}
		return "ssm:GetParameter", true
	case "DescribeParameters":
		return "ssm:DescribeParameters", true
	}
	return "", false
}

// ssmText is Error() for the SSM calls: the same kinds of sentence as for
// EC2, about a parameter.
func (e *Error) ssmText() string {
	var p paragraph
	target := e.ssmWhat() + e.in()
	name := quoted(e.Parameter)
	switch e.Kind {
	case ParameterNotFound:
		p.addf("No parameter %s exists in SSM Parameter Store%s", name, e.in())
		p.add(e.ssmSaid())
		p.add(e.ssmOutcome())
	case ParameterExists:
		p.addf("A parameter %s already exists in SSM Parameter Store%s, so SSM refused to write it again", name, e.in())
		p.add(e.ssmSaid())
		p.add("The existing parameter was left as it is")
	case Unauthorized:
		perm := e.Permission()
		word := "permission"
		if strings.Contains(perm, " and ") {
			word = "permissions"
		}
		p.addf("Your AWS identity is not allowed to %s: it needs the IAM %s %s", target, word, perm)
		p.add(e.ssmSaid())
		p.add(e.ssmOutcome())
	case KMSDenied:
		p.addf("SSM could not use the KMS key of parameter %s%s: your AWS identity may not use it (it needs %s)", name, e.in(), e.Permission())
		p.add(e.ssmSaid())
		p.add(e.ssmOutcome())
	case BadKMSKey:
		p.addf("SSM refused the KMS key for parameter %s%s: no such key in this region, or it is disabled or not a symmetric key", name, e.in())
		p.add(e.ssmSaid())
		p.add(e.ssmOutcome())
	case LostAnswer:
		p.addf("SSM may have written parameter %s%s, but its answer was lost: an attempt got no answer, and the retry found the parameter there", name, e.in())
		p.add(e.ssmSaid())
		p.add("The parameter of that name may be this write or one that was there before")
	case Network:
		if e.MayHaveActed {
			p.addf("The request to %s was sent to SSM at %s, but no answer arrived: %s", target, e.ssmEndpointText(), e.cause())
		} else {
			p.addf("Could not reach SSM at %s to %s: %s", e.ssmEndpointText(), target, e.cause())
		}
		p.add(e.ssmOutcome())
	case NoCredentials:
		p.add("No AWS credentials were found: run aws configure, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " +
			"name a profile in AWS_PROFILE, or sign in with aws sso login")
		p.add("Nothing was sent to AWS")
	case BadCredentials:
		p.addf("AWS refused the credentials for the request to %s", target)
		p.add(e.ssmSaid())
		p.add(e.ssmOutcome())
	case ClockSkew:
		p.addf("AWS refused the request to %s because its time stamp was off: this computer's clock is probably wrong, "+
			"or the temporary credentials have expired", target)
		p.add(e.ssmSaid())
		p.add(e.ssmOutcome())
	case Throttled:
		p.addf("SSM is limiting the request rate and refused to %s after %s", target, plural(e.Attempts, "attempt"))
		p.add(e.ssmSaid())
		p.add(e.ssmOutcome())
	case LimitExceeded:
		p.addf("This account has reached an SSM Parameter Store limit%s, so SSM refused to %s", e.in(), e.ssmWhat())
		p.add(e.ssmSaid())
		p.add(e.ssmOutcome())
	case Canceled:
		p.addf("The request to %s was cancelled", target)
		p.add(e.ssmOutcome())
	case Server:
		if e.Status >= 500 || e.Code != "" {
			p.addf("SSM had a server error (%s) and could not %s after %s", e.codeOrStatus(), target, plural(e.Attempts, "attempt"))
			p.add(e.ssmSaid())
		} else {
			p.addf("SSM's answer to the request to %s could not be read: %s", target, e.cause())
		}
		p.add(e.ssmOutcome())
	case InvalidParameter:
		p.addf("SSM refused a parameter of the request to %s", target)
		p.add(e.ssmSaid())
		p.add(e.ssmOutcome())
	case BadAnswer:
		p.addf("SSM answered the request to %s, but the answer cannot be used: %s", target, e.cause())
		p.add(e.ssmOutcome())
	case NoRegion:
		p.addf("No AWS region is configured, so the request to %s was not sent to AWS", e.ssmWhat())
	default:
		p.addf("Could not %s", target)
		if s := e.ssmSaid(); s != "" {
			p.add(s)
		} else if c := e.cause(); c != "" {
			p.addf("The cause: %s", c)
		}
		p.add(e.ssmOutcome())
	}
	return p.String()
}

func (e *Error) ssmWhat() string {
	switch e.Op {
	case "PutParameter":
		return "write parameter " + quoted(e.Parameter)
	case "GetParameter":
		return "read parameter " + quoted(e.Parameter)
	case "DescribeParameters":
		return "list the parameters under " + e.Parameter
	}
	return "call SSM " + e.Op
}

// ssmSaid reports SSM's code, request ID and message, as ec2Said does EC2's.
func (e *Error) ssmSaid() string {
	s := ec2Said(e.Code, e.Message, e.RequestID)
	if s == "" {
		return ""
	}
	return "SSM" + strings.TrimPrefix(s, "EC2")
}

func (e *Error) ssmOutcome() string {
	if e.Op == "PutParameter" {
		if e.MayHaveActed {
			return "SSM may have written the parameter"
		}
		return "No parameter was written"
	}
	return "Nothing was changed"
}

func (e *Error) ssmEndpointText() string {
	if e.Endpoint != "" {
		return oneLine(e.Endpoint)
	}
	if e.Region != "" {
		return "ssm." + e.Region + ".amazonaws.com"
	}
	return "the default SSM endpoint"
}

// KeyParameter looks up one parameter's metadata (DescribeParameters with
// a Name filter: never its value), nil when there is none: whether a
// pair's private key is kept in SSM, without reading it.
func (c *Client) KeyParameter(ctx context.Context, name string) (*ParameterInfo, error) {
	req := &ssm.DescribeParametersInput{
		ParameterFilters: []ssmtypes.ParameterStringFilter{{Key: aws.String("Name"), Option: aws.String("Equals"), Values: []string{name}}},
	}
	resp, err := c.describeParameters(ctx, req, name)
	if err != nil {
		return nil, err
	}
	for _, p := range resp.Parameters {
		if aws.ToString(p.Name) == name {
			info := parameterInfo(p)
			return &info, nil
		}
	}
	return nil, nil
}

// Custody is what the Pairs screen needs of SSM: whether a pair's key is
// kept there, and reading it back. *Client implements it.
type Custody interface {
	ParameterStore
	KeyParameter(ctx context.Context, name string) (*ParameterInfo, error)
}

var _ Custody = (*Client)(nil)

// describeParameters is one DescribeParameters call (metadata, never a
// value), its error classified for the parameter or folder named.
func (c *Client) describeParameters(ctx context.Context, req *ssm.DescribeParametersInput, name string) (*ssm.DescribeParametersOutput, error) {
	var resp *ssm.DescribeParametersOutput
	_, err := c.call(ctx, callInfo{op: "DescribeParameters", keyName: name},
		func(ctx context.Context) (err error) {
			resp, err = c.ssm.DescribeParameters(ctx, req, c.inRegion)
			return err
		})
	if err != nil {
		return nil, ssmError(err, name)
	}
	return resp, nil
}

func parameterInfo(p ssmtypes.ParameterMetadata) ParameterInfo {
	return ParameterInfo{Name: str(p.Name), Type: termtext.Clean(string(p.Type)), KeyID: str(p.KeyId),
		Version: p.Version, LastModified: aws.ToTime(p.LastModifiedDate)}
}

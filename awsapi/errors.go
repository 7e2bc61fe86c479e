package awsapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go"

	"github.com/keypair-dev/keypair/internal/termtext"
)

// Kind classifies a failed EC2 call by what the user can do about it.
type Kind int

// The kinds of failure. Other is anything not classified (its server code and message are still shown).
const (
	Other          Kind = iota
	Duplicate           // InvalidKeyPair.Duplicate: the name is taken in this region
	NotFound            // InvalidKeyPair.NotFound
	BadPublicKey        // InvalidKey.Format, InvalidKeyPair.Format
	Unauthorized        // UnauthorizedOperation, AccessDenied...: see Error.Permission
	BadCredentials      // AuthFailure, InvalidClientTokenId, SignatureDoesNotMatch, ExpiredToken...
	ClockSkew           // RequestExpired / RequestTimeTooSkewed / skew detected
	Throttled           // RequestLimitExceeded etc. after the SDK's retries
	LimitExceeded       // KeyPairLimitExceeded (5,000 per region)
	Network             // connection refused, DNS, TLS, timeouts: see Error.MayHaveActed
	NoCredentials       // no credentials anywhere
	// LostAnswer: an attempt of CreateKeyPair or ImportKeyPair may have
	// reached EC2 without its answer arriving, and the retry found the name
	// taken (InvalidKeyPair.Duplicate). The pair of that name may be the one
	// this call made; for CreateKeyPair its private key is lost.
	LostAnswer
	Canceled         // the caller cancelled (context canceled)
	Server           // 5xx after retries, unreadable answers
	InvalidParameter // InvalidParameterValue, MissingParameter, InvalidTagKey.Malformed...
	// BadAnswer: EC2 answered success but the answer cannot be used (its
	// body is over MaxResponseBytes, or CreateKeyPair's KeyMaterial is over
	// MaxKeyMaterialBytes). For CreateKeyPair this means the pair EXISTS in
	// EC2 without a usable private key: the caller must roll it back (delete
	// Error.KeyName). For ImportKeyPair the pair was imported, for
	// DeleteKeyPair it was deleted.
	BadAnswer
	// NoRegion: no AWS region is configured; nothing was sent.
	NoRegion
	// ParameterNotFound: SSM has no parameter of that name (ParameterNotFound).
	ParameterNotFound
	// ParameterExists: PutParameter found the name taken (ParameterAlreadyExists).
	ParameterExists
	// KMSDenied: SSM could not use the parameter's KMS key for the caller
	// (AccessDeniedException from KMS: kms:Decrypt or kms:Encrypt denied).
	KMSDenied
	// BadKMSKey: SSM refused the KMS key (InvalidKeyId: no such key, disabled, not symmetric).
	BadKMSKey
)

var kindNames = [...]string{"Other", "Duplicate", "NotFound", "BadPublicKey", "Unauthorized", "BadCredentials",
	"ClockSkew", "Throttled", "LimitExceeded", "Network", "NoCredentials", "LostAnswer", "Canceled", "Server",
	"InvalidParameter", "BadAnswer", "NoRegion", "ParameterNotFound", "ParameterExists", "KMSDenied", "BadKMSKey"}

// String returns the kind's Go name, e.g. "Duplicate".
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is a classified EC2 failure. Its Error() text says what happened,
// what EC2 said and what may have changed, in sentences that suit any front
// end: it names no flag and no command of keypair's. Front ends add their
// own next step from Kind and the fields. Code, Message and RequestID are
// cleaned of control bytes.
type Error struct {
	Kind Kind
	// Op is the call: "CreateKeyPair", "ImportKeyPair", "DescribeKeyPairs",
	// "DeleteKeyPair", "Credentials", or one of the listings of UsedBy, Usage
	// and Regions ("DescribeInstances", "DescribeLaunchTemplates",
	// "DescribeLaunchTemplateVersions", "DescribeSpotInstanceRequests",
	// "DescribeLaunchConfigurations" (Auto Scaling), "DescribeRegions"); SSM:
	// "PutParameter", "GetParameter", "DescribeParameters".
	Op        string
	Code      string // EC2 error code, "" for non-API errors
	Message   string // EC2's message, cleaned
	Region    string
	KeyName   string
	RequestID string
	Err       error // the underlying SDK error
	// Parameter is the SSM parameter an SSM call named ("" for EC2 calls).
	Parameter string

	// Attempts is how many times the SDK sent the request (1 = no retry).
	Attempts int
	// Endpoint is where the request went ("" = the SDK's default for the region).
	Endpoint string
	// Status is the HTTP status of EC2's answer (0 when none arrived).
	Status int
	// TagsSent says the request carried tags, so ec2:CreateTags was needed too.
	TagsSent bool
	// DryRun says the request was a dry run (nothing could have been changed).
	DryRun bool
	// MayHaveActed is true when some attempt of a changing call (create,
	// import, delete; never a dry run or a listing) may have reached EC2 and
	// been carried out although no usable answer says so: the request was
	// written and then the connection failed or timed out, or EC2 answered
	// 5xx, or it answered success in a form that cannot be used. It is false
	// when every attempt certainly never reached EC2 (nothing listening, DNS
	// failure, TLS handshake failure, connect timeout, no credentials) or EC2
	// refused it.
	MayHaveActed bool
	// Cause is a short account of what went wrong below EC2's answer, e.g.
	// "connection refused" or "timed out after 30s waiting for the first
	// byte"; "" when EC2's code and message say it all.
	Cause string
}

func (e *Error) Unwrap() error { return e.Err }

// Permission is the IAM permission the call needs, e.g. "ec2:CreateKeyPair",
// or "ec2:CreateKeyPair and ec2:CreateTags" when tags were sent (EC2
// authorizes tagging on create separately). "" when Op is not an EC2 action.
func (e *Error) Permission() string {
	if p, ok := e.ssmPermission(); ok {
		return p
	}
	switch e.Op {
	case "CreateKeyPair", "ImportKeyPair", "DescribeKeyPairs", "DeleteKeyPair", "DescribeInstances",
		"DescribeLaunchTemplates", "DescribeLaunchTemplateVersions", "DescribeSpotInstanceRequests", "DescribeRegions":
	case "DescribeLaunchConfigurations":
		return "autoscaling:" + e.Op
	default:
		return ""
	}
	p := "ec2:" + e.Op
	if e.TagsSent {
		p += " and ec2:CreateTags"
	}
	return p
}

// EncodedAuthMessage is the token after "Encoded authorization failure
// message:" in an UnauthorizedOperation message, for `aws sts
// decode-authorization-message` (query-api-troubleshooting.html); "" when
// there is none.
func (e *Error) EncodedAuthMessage() string { return encodedAuthMessage(e.Message) }

const encodedMarker = "Encoded authorization failure message:"

func encodedAuthMessage(msg string) string {
	i := strings.Index(msg, encodedMarker)
	if i < 0 {
		return ""
	}
	f := strings.Fields(msg[i+len(encodedMarker):])
	if len(f) == 0 {
		return ""
	}
	tok := strings.TrimRight(f[0], ".,;")
	for _, r := range tok {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("-_+/=", r)) {
			return ""
		}
	}
	return tok
}

// KindOf returns the Kind of err if it is (or wraps) an *Error, else Other.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Other
}

// Error codes by kind (aws-keypairs.md §3).
var codeKinds = map[string]Kind{
	"InvalidKeyPair.Duplicate":    Duplicate,
	"InvalidKeyPair.NotFound":     NotFound,
	"InvalidKey.Format":           BadPublicKey,
	"InvalidKeyPair.Format":       BadPublicKey,
	"UnauthorizedOperation":       Unauthorized,
	"AccessDenied":                Unauthorized,
	"AccessDeniedException":       Unauthorized,
	"AuthFailure":                 BadCredentials,
	"InvalidClientTokenId":        BadCredentials,
	"SignatureDoesNotMatch":       BadCredentials,
	"IncompleteSignature":         BadCredentials,
	"MissingAuthenticationToken":  BadCredentials,
	"ExpiredToken":                BadCredentials,
	"ExpiredTokenException":       BadCredentials,
	"InvalidAccessKeyId":          BadCredentials,
	"UnrecognizedClientException": BadCredentials,
	"RequestExpired":              ClockSkew,
	"RequestTimeTooSkewed":        ClockSkew,
	"KeyPairLimitExceeded":        LimitExceeded,
	"InvalidParameterValue":       InvalidParameter,
	"InvalidParameter":            InvalidParameter,
	"InvalidParameterCombination": InvalidParameter,
	"MissingParameter":            InvalidParameter,
	"UnknownParameter":            InvalidParameter,
	"InvalidTagKey.Malformed":     InvalidParameter,
	"TagLimitExceeded":            InvalidParameter,
	"InvalidKeyPair.Name":         InvalidParameter,
	"InternalError":               Server,
	"InternalFailure":             Server,
	"Unavailable":                 Server,
	"ServiceUnavailable":          Server,
}

// isThrottleCode lists the SDK's throttle codes (aws/retry/throttle_error.go).
func isThrottleCode(code string) bool {
	switch code {
	case "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
		"TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
		"RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
		"SlowDown", "PriorRequestNotComplete", "EC2ThrottledException":
		return true
	}
	return false
}

// httpStatus is the HTTP status of the answer behind err, 0 when none.
func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.HTTPStatusCode()
	}
	return 0
}

// callInfo is what classify needs to know about the call that failed.
type callInfo struct {
	op, region, keyName, endpoint string
	tags, dryRun                  bool
	attempts                      int
	// mayHaveActed: some attempt may have been carried out (attempts.count).
	mayHaveActed bool
	// bodyTooLarge: an answer passed MaxResponseBytes.
	bodyTooLarge bool
	// opTimedOut: the call's own Timeouts.Request deadline passed (not the caller's).
	opTimedOut bool
	timeouts   Timeouts
}

// changes says whether the operation can change anything in EC2.
func (ci callInfo) changes() bool {
	switch ci.op {
	case "CreateKeyPair", "ImportKeyPair", "DeleteKeyPair", "PutParameter":
		return !ci.dryRun
	}
	return false
}

// classify turns an SDK error into an *Error. Every server string is cleaned.
func classify(err error, ci callInfo) *Error {
	e := &Error{
		Op: ci.op, Region: ci.region, KeyName: termtext.Clean(ci.keyName), Err: err,
		Attempts: ci.attempts, Endpoint: ci.endpoint, TagsSent: ci.tags, DryRun: ci.dryRun,
		Status:       httpStatus(err),
		MayHaveActed: ci.mayHaveActed && ci.changes(),
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		e.RequestID = termtext.Clean(re.ServiceRequestID())
	}
	e.Cause = summarize(err, ci)

	var apiErr smithy.APIError
	switch {
	case errors.Is(err, context.Canceled):
		e.Kind = Canceled
		return e
	case isCredentialError(err):
		e.Kind = NoCredentials
		e.Cause = ""
		var tokErr *ssocreds.InvalidTokenError
		if errors.As(err, &tokErr) {
			e.Kind = BadCredentials
			e.Message = "the SSO session has expired or is invalid"
		}
		return e
	case errors.As(err, &apiErr):
		e.Code = termtext.Clean(apiErr.ErrorCode())
		e.Message = termtext.Sentences(apiErr.ErrorMessage())
		e.Cause = ""
		kind, known := codeKinds[e.Code]
		switch {
		case known:
			e.Kind = kind
		case isThrottleCode(e.Code):
			e.Kind = Throttled
		case e.Status >= 500:
			e.Kind = Server
		default:
			e.Kind = Other
		}
		if e.Kind == Duplicate && ci.attempts > 1 && e.MayHaveActed &&
			(ci.op == "CreateKeyPair" || ci.op == "ImportKeyPair") {
			e.Kind = LostAnswer
		}
		return e
	}

	var de *smithy.DeserializationError
	var tl *tooLargeError
	switch {
	case (ci.bodyTooLarge || errors.As(err, &tl)) && e.Status >= 200 && e.Status < 300:
		e.Kind = BadAnswer
		e.MayHaveActed = ci.changes()
	case errors.As(err, &de):
		e.Kind = Server
	case errors.Is(err, context.DeadlineExceeded):
		e.Kind = Network
	case e.Status != 0:
		e.Kind = Server // an answer we could not make sense of
	case isNetworkError(err):
		e.Kind = Network
	default:
		e.Kind = Other
	}
	return e
}

func isNetworkError(err error) bool {
	var ne net.Error
	var ue *url.Error
	var conn interface{ ConnectionError() bool }
	return errors.As(err, &ne) || errors.As(err, &ue) || (errors.As(err, &conn) && conn.ConnectionError())
}

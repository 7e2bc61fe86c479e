package ec2test

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// FaultKind is a failure the server can be told to produce.
type FaultKind int

// The faults. All are applied after the signature check, so the request
// must still be signed correctly.
const (
	NoFault FaultKind = iota
	// Throttle answers 503 RequestLimitExceeded (the SDK retries it).
	Throttle
	// InternalError answers 500 InternalError (the SDK retries it).
	InternalError
	// DropAfter carries the action out, then closes the connection
	// without answering: the lost answer.
	DropAfter
	// MalformedXML answers 200 with a truncated XML body, without acting.
	MalformedXML
	// Delay waits Fault.Delay (or until the client gives up) and then
	// answers normally (or with the next matching fault).
	Delay
	// Deny answers 403 UnauthorizedOperation with an encoded authorization
	// message, dry runs included.
	Deny
	// RequestExpired answers 400 RequestExpired, as EC2 does for expired
	// temporary credentials or a skewed clock.
	RequestExpired
	// AuthFailure answers 401 AuthFailure.
	AuthFailure
	// CustomError answers Fault.Status with Fault.Code and Fault.Message,
	// written raw apart from XML's specials (control bytes included).
	CustomError
	// Hang reads the request and never answers: it holds the connection
	// until the client gives up or the server closes.
	Hang
	// GzipBomb carries the action out and answers 200 with a
	// Content-Encoding: gzip body of a few MB that decompresses to
	// Fault.Size bytes (0 = DefaultBombSize): the real answer, then
	// padding elements inside its root, so a client that reads on keeps
	// reading.
	GzipBomb
	// HugeKeyMaterial carries a CreateKeyPair out and answers with its
	// keyMaterial padded to Fault.Size bytes (0 = DefaultHugeKeyMaterial).
	// Other actions answer normally.
	HugeKeyMaterial
	// KMSDenied answers an SSM call with KMS's AccessDeniedException
	// (kms:Encrypt for PutParameter, kms:Decrypt otherwise), as SSM passes
	// it on. EC2 actions answer normally.
	KMSDenied
)

// Sizes of the GzipBomb and HugeKeyMaterial faults when Fault.Size is 0.
const (
	DefaultBombSize        = 4 << 30  // decompressed
	DefaultHugeKeyMaterial = 50 << 20 // 50 MB of key material
)

var faultKindNames = map[FaultKind]string{
	NoFault: "none", Throttle: "throttle", InternalError: "internal-error", DropAfter: "drop-after",
	MalformedXML: "malformed-xml", Delay: "slow", Deny: "deny", RequestExpired: "request-expired",
	AuthFailure: "auth-failure", CustomError: "custom-error", Hang: "hang", GzipBomb: "gzip-bomb",
	HugeKeyMaterial: "huge-key-material", KMSDenied: "kms-denied",
}

// String is the fault's name as ParseFault and ec2stand's --fault take it.
func (k FaultKind) String() string {
	if n, ok := faultKindNames[k]; ok {
		return n
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// Fault is one injected failure.
type Fault struct {
	Kind FaultKind
	// Action limits the fault to one action ("CreateKeyPair"); "" means all.
	Action string
	// Times is how many matching requests it hits; 0 means all of them.
	Times int
	// Delay is the wait for Delay faults.
	Delay time.Duration
	// Status, Code and Message are the answer for CustomError faults.
	Status        int
	Code, Message string
	// Body, when set, replaces the body of a MalformedXML answer.
	Body string
	// Size is the decompressed size of a GzipBomb answer, or the size of a
	// HugeKeyMaterial keyMaterial (0 = the defaults above).
	Size int64

	used int
}

// DeniedMessage is what a Deny fault says; its encoded part is not real.
const DeniedMessage = "You are not authorized to perform this operation. Encoded authorization failure message: " +
	"AbCdEf0123456789-_EncodedExample"

// Inject adds a fault. Faults are tried in the order added; the first
// matching one that is not used up applies (Delay faults apply and let the
// search go on).
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fc := f
	s.faults = append(s.faults, &fc)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// applyFaults sleeps for matching Delay faults and returns the first other
// matching fault, with its error answer when it has one.
func (s *Server) applyFaults(r *http.Request, lr *LoggedRequest) (*Fault, *apiError) {
	delays, f := s.matchFaults(lr.Action)
	for _, d := range delays {
		lr.Fault = Delay
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	if f == nil {
		return nil, nil
	}
	lr.Fault = f.Kind
	switch f.Kind {
	case Throttle:
		return f, errorf(503, "RequestLimitExceeded", "Request limit exceeded.")
	case InternalError:
		return f, errorf(500, "InternalError", "An internal error has occurred.")
	case Deny:
		if lr.Service == autoScalingService {
			// Auto Scaling denies the IAM way, without an encoded message.
			return f, errorf(403, "AccessDenied", "User: arn:aws:iam::123456789012:user/example is not authorized to perform: "+
				"autoscaling:%s because no identity-based policy allows the autoscaling:%s action", lr.Action, lr.Action)
		}
		return f, errorf(403, "UnauthorizedOperation", "%s", DeniedMessage)
	case RequestExpired:
		return f, errorf(400, "RequestExpired", "Request has expired.")
	case AuthFailure:
		return f, errorf(401, "AuthFailure", "AWS was not able to validate the provided access credentials")
	case CustomError:
		st := f.Status
		if st == 0 {
			st = 400
		}
		return f, &apiError{status: st, code: f.Code, message: f.Message}
	}
	return f, nil
}

// matchFaults uses up the matching Delay faults and the first other
// matching fault.
func (s *Server) matchFaults(action string) (delays []time.Duration, hit *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.Action != "" && f.Action != action {
			continue
		}
		if f.Times > 0 && f.used >= f.Times {
			continue
		}
		f.used++
		if f.Kind == Delay {
			delays = append(delays, f.Delay)
			continue
		}
		return delays, f
	}
	return delays, nil
}

func (f *Fault) body(action string) string {
	if f.Body != "" {
		return f.Body
	}
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n<" + action + `Response xmlns="` + Namespace + `">` +
		"\n    <requestId>7a62c49f-347e-4fc4"
}

// FaultHelp describes every fault name ParseFault knows, one per line, for
// ec2stand's --help.
const FaultHelp = `throttle            503 RequestLimitExceeded (the SDK retries it)
internal-error      500 InternalError (the SDK retries it)
drop-after          carry the action out, then drop the connection without answering
drop-after-create   drop-after for CreateKeyPair, once (times=1): the retry gets InvalidKeyPair.Duplicate
drop-after-import   drop-after for ImportKeyPair, once (times=1): the retry gets InvalidKeyPair.Duplicate
drop-after-delete   drop-after for DeleteKeyPair, once (times=1): the pair is gone, the retry answers success
malformed-xml       200 with a truncated XML body, without acting (body= replaces it)
slow                wait delay= (default 5s) before answering
deny                403 UnauthorizedOperation with an encoded authorization message (Auto Scaling: AccessDenied)
request-expired     400 RequestExpired
auth-failure        401 AuthFailure
custom-error        status= (default 400) with code= and message=
hang                read the request and never answer
gzip-bomb           act, then a small gzip body that decompresses to size= bytes (default 4 GiB)
huge-key-material   CreateKeyPair acts and answers with size= bytes of keyMaterial (default 50 MB)
drop-after-put      drop-after for SSM PutParameter, once (times=1): the retry gets ParameterAlreadyExists
kms-denied          SSM calls answer KMS's AccessDeniedException (kms:Encrypt on put, kms:Decrypt on get)
SSM actions (PutParameter, GetParameter, ...) take the faults above as action=; deny answers AccessDeniedException`

// faultNames maps every name ParseFault takes to its kind and, for the
// drop-after-ACTION names, its action.
var faultNames = map[string]struct {
	kind   FaultKind
	action string
}{
	"throttle": {Throttle, ""}, "internal-error": {InternalError, ""}, "drop-after": {DropAfter, ""},
	"drop-after-create": {DropAfter, "CreateKeyPair"}, "drop-after-import": {DropAfter, "ImportKeyPair"},
	"drop-after-delete": {DropAfter, "DeleteKeyPair"}, "malformed-xml": {MalformedXML, ""}, "slow": {Delay, ""},
	"deny": {Deny, ""}, "request-expired": {RequestExpired, ""}, "auth-failure": {AuthFailure, ""},
	"custom-error": {CustomError, ""}, "hang": {Hang, ""}, "gzip-bomb": {GzipBomb, ""},
	"huge-key-material": {HugeKeyMaterial, "CreateKeyPair"},
	"drop-after-put":    {DropAfter, "PutParameter"}, "kms-denied": {KMSDenied, ""},
}

// FaultNameList is every fault name ParseFault takes, sorted.
func FaultNameList() []string {
	var out []string
	for n := range faultNames {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ParseFault reads a fault from its name and options, as ec2stand's
// --fault takes it: NAME[:KEY=VALUE,...] with keys action (an EC2 action),
// times, delay (a Go duration), status, code, message, size (bytes, with an
// optional KB, MB, GB suffix or KiB, MiB, GiB), body. A message or body
// holding a comma must be the last option: it takes the rest of the spec.
func ParseFault(spec string) (Fault, error) {
	name, opts, _ := strings.Cut(strings.TrimSpace(spec), ":")
	fn, ok := faultNames[name]
	if !ok {
		return Fault{}, fmt.Errorf("unknown fault %q (known: %s)", name, strings.Join(FaultNameList(), ", "))
	}
	f := Fault{Kind: fn.kind, Action: fn.action}
	if f.Kind == DropAfter && fn.action != "" {
		// Once, so the SDK's retry reaches the server and sees what the
		// dropped attempt did.
		f.Times = 1
	}
	if f.Kind == Delay {
		f.Delay = 5 * time.Second
	}
	for opts != "" {
		var kv string
		kv, opts, _ = strings.Cut(opts, ",")
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return Fault{}, fmt.Errorf("fault %s: option %q is not KEY=VALUE", name, kv)
		}
		if (k == "message" || k == "body") && opts != "" {
			v, opts = v+","+opts, ""
		}
		if err := f.Set(k, v); err != nil {
			return Fault{}, fmt.Errorf("fault %s: %w", name, err)
		}
	}
	return f, nil
}

// Set sets one option of the fault by its ParseFault key.
func (f *Fault) Set(key, value string) error {
	var err error
	switch key {
	case "action":
		f.Action = value
	case "times":
		f.Times, err = strconv.Atoi(value)
	case "delay":
		f.Delay, err = time.ParseDuration(value)
	case "status":
		f.Status, err = strconv.Atoi(value)
	case "code":
		f.Code = value
	case "message":
		f.Message = value
	case "body":
		f.Body = value
	case "size":
		f.Size, err = parseSize(value)
	default:
		return fmt.Errorf("unknown option %q", key)
	}
	if err != nil {
		return fmt.Errorf("option %s: %w", key, err)
	}
	return nil
}

func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size", s)
	}
	return n * mult, nil
}

package ec2test

import (
	"net/http"
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
)

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

package awsapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

	"github.com/aws/smithy-go"

	"github.com/keypair-dev/keypair/internal/termtext"
)

// This file writes Error's text: one paragraph of sentences, each ending in
// a full stop and joined by single spaces, with no flag, command or field
// name of keypair's in it, so the command line and the app can both show it
// and add their own next step.

// Error says what happened, what EC2 said, and what was kept safe or may
// have changed.
func (e *Error) Error() string {
	if e.isSSM() {
		return e.ssmText()
	}
	var p paragraph
	target := e.target()
	switch e.Kind {
	case Duplicate:
		p.addf("A key pair named %s already exists%s, so EC2 refused to %s", quoted(e.KeyName), e.in(), e.verb())
		p.add(e.ec2Said())
		if e.MayHaveActed {
			p.add(e.outcome())
		} else {
			p.add("The existing key pair was left as it is")
		}
	case NotFound:
		p.addf("No key pair named %s exists%s", quoted(e.KeyName), e.in())
		p.add("Key pairs belong to one region")
		p.add(e.ec2Said())
		p.add(e.outcome())
	case BadPublicKey:
		p.addf("EC2 refused the public key for %s%s", quoted(e.KeyName), e.in())
		p.add(e.ec2Said())
		p.add("EC2 accepts an OpenSSH public key of type RSA (1024, 2048 or 4096 bits) or ED25519")
		p.add(e.outcome())
	case Unauthorized:
		perm := "it needs the IAM permission " + e.Permission()
		if e.TagsSent {
			perm = "it needs the IAM permissions " + e.Permission() + " (tagging a key pair as it is made needs both)"
		}
		p.addf("Your AWS identity is not allowed to %s: %s", target, perm)
		msg := e.Message
		if i := strings.Index(msg, encodedMarker); i >= 0 {
			msg = strings.TrimSpace(msg[:i])
		}
		p.add(e.said(ec2Said(e.Code, msg, e.RequestID)))
		if strings.Contains(e.Message, encodedMarker) {
			p.add("EC2 included an encoded authorization failure message with the full reason")
		}
		p.add(e.outcome())
	case BadCredentials:
		if e.Op == "Credentials" {
			p.addf("The AWS credentials cannot be used: %s", oneLine(e.Message))
			if strings.Contains(strings.ToLower(e.Message), "sso") {
				p.add("Sign in again with aws sso login")
			}
			p.add("Nothing was sent to AWS")
			break
		}
		p.addf("AWS refused the credentials for the request to %s", target)
		p.add(e.ec2Said())
		p.add(e.outcome())
		if strings.Contains(strings.ToLower(e.Message+" "+e.Cause), "sso") {
			p.add("The SSO session may have expired: sign in again with aws sso login")
		} else {
			p.add("The access key or secret may be wrong, or temporary credentials may have expired")
		}
	case ClockSkew:
		p.addf("AWS refused the request to %s because its time stamp was off: this computer's clock is probably wrong, "+
			"or the temporary credentials have expired", target)
		p.add(e.ec2Said())
		p.add(e.outcome())
	case Throttled:
		p.addf("EC2 is limiting the request rate and refused to %s after %s", target, plural(e.Attempts, "attempt"))
		p.add(e.ec2Said())
		p.add(e.outcome())
	case LimitExceeded:
		p.addf("This account has reached EC2's limit of 5,000 key pairs%s, so EC2 refused to %s", e.in(), e.verb())
		p.add(e.ec2Said())
		p.add(e.outcome())
	case Network:
		if e.MayHaveActed {
			p.addf("The request to %s was sent to %s at %s, but no answer arrived: %s", target, e.service(), e.endpoint(), e.cause())
		} else {
			p.addf("Could not reach %s at %s to %s: %s", e.service(), e.endpoint(), target, e.cause())
		}
		p.add(e.outcome())
	case NoCredentials:
		p.add("No AWS credentials were found: run aws configure, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " +
			"name a profile in AWS_PROFILE, or sign in with aws sso login")
		p.add("Nothing was sent to AWS")
	case LostAnswer:
		switch e.Op {
		case "ImportKeyPair":
			p.addf("EC2 may have imported key pair %s%s, but its answer was lost: an attempt got no answer, "+
				"and the retry found the name taken", quoted(e.KeyName), e.in())
			p.add(e.ec2Said())
			p.add("The key pair of that name in EC2 may be this import or one that was there before")
		default:
			p.addf("EC2 may have created key pair %s%s, but its answer, with the only copy of the private key, was lost: "+
				"an attempt got no answer, and the retry found the name taken", quoted(e.KeyName), e.in())
			p.add(e.ec2Said())
			p.add("The private key cannot be recovered")
		}
	case Canceled:
		p.addf("The request to %s was cancelled", target)
		p.add(e.outcome())
	case Server:
		if e.Status >= 500 || e.Code != "" {
			p.addf("EC2 had a server error (%s) and could not %s after %s", e.codeOrStatus(), target, plural(e.Attempts, "attempt"))
			p.add(e.ec2Said())
		} else {
			p.addf("EC2's answer to the request to %s could not be read: %s", target, e.cause())
		}
		p.add(e.outcome())
	case InvalidParameter:
		p.addf("EC2 refused a parameter of the request to %s", target)
		p.add(e.ec2Said())
		p.add(e.outcome())
	case BadAnswer:
		if e.Op == "CreateKeyPair" {
			p.addf("EC2 created key pair %s%s, but its answer cannot be used: %s", quoted(e.KeyName), e.in(), e.cause())
			p.add("The key pair exists in EC2 without a usable private key")
		} else {
			p.addf("EC2 answered the request to %s, but the answer cannot be used: %s", target, e.cause())
			p.add(e.outcome())
		}
	case NoRegion:
		p.addf("No AWS region is configured, so the request to %s was not sent to AWS", e.what())
	default:
		p.addf("Could not %s", target)
		if s := e.ec2Said(); s != "" {
			p.add(s)
		} else if c := e.cause(); c != "" {
			p.addf("The cause: %s", c)
		}
		p.add(e.outcome())
	}
	return p.String()
}

// paragraph collects sentences.
type paragraph []string

// add appends one sentence, ending it with a full stop; an empty sentence
// is skipped.
func (p *paragraph) add(s string) {
	if s = sentence(s); s != "" {
		*p = append(*p, s)
	}
}

// addf is add with fmt.Sprintf.
func (p *paragraph) addf(format string, args ...any) { p.add(fmt.Sprintf(format, args...)) }

func (p paragraph) String() string { return strings.Join(p, " ") }

// sentence trims s and ends it with a full stop unless it ends with one
// (or with ! or ?). Its first letter is made upper case.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if !strings.ContainsAny(s[len(s)-1:], ".!?") {
		s += "."
	}
	r, size := utf8.DecodeRuneInString(s)
	if unicode.IsLower(r) {
		s = string(unicode.ToUpper(r)) + s[size:]
	}
	return s
}

// oneLine cleans outside text and folds every run of white space (line
// breaks included) into one space.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' || r == '\v' || r == '\f' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(termtext.Clean(s)), " ")
}

// what names the action in words, for sentences like "not allowed to ...".
func (e *Error) what() string {
	switch e.Op {
	case "CreateKeyPair":
		return "create key pair " + quoted(e.KeyName)
	case "ImportKeyPair":
		return "import key pair " + quoted(e.KeyName)
	case "DeleteKeyPair":
		return "delete key pair " + quoted(e.KeyName)
	case "DescribeKeyPairs":
		if e.KeyName != "" {
			return "look up key pair " + quoted(e.KeyName)
		}
		return "list key pairs"
	case "Credentials":
		return "look up credentials"
	case "DescribeInstances":
		return "list the instances" + e.usingKey()
	case "DescribeLaunchTemplates", "DescribeLaunchTemplateVersions":
		return "read the launch templates" + e.usingKey()
	case "DescribeLaunchConfigurations":
		return "list the Auto Scaling launch configurations" + e.usingKey()
	case "DescribeSpotInstanceRequests":
		return "list the Spot requests" + e.usingKey()
	case "DescribeRegions":
		return "list the regions"
	case "":
		return "call EC2"
	}
	return "call " + e.Op
}

// usingKey is " that may use key pair NAME" for the listings of UsedBy, "" without a name.
func (e *Error) usingKey() string {
	if e.KeyName == "" {
		return ""
	}
	return " that may use key pair " + quoted(e.KeyName)
}

// verb is what() without the name, for sentences that already named the pair.
func (e *Error) verb() string {
	switch e.Op {
	case "CreateKeyPair":
		return "create another"
	case "ImportKeyPair":
		return "import another"
	}
	return e.what()
}

// target is what() and the region.
func (e *Error) target() string { return e.what() + e.in() }

// in is " in REGION", or "" when no region is known.
func (e *Error) in() string {
	if e.Region == "" {
		return ""
	}
	return " in " + e.Region
}

// ec2Said is the sentence reporting EC2's code, request ID and message.
func (e *Error) ec2Said() string { return e.said(ec2Said(e.Code, e.Message, e.RequestID)) }

// service names who answers Op: "EC2", or "Auto Scaling" for its calls.
func (e *Error) service() string {
	if isAutoScalingOp(e.Op) {
		return "Auto Scaling"
	}
	return "EC2"
}

// said puts the service's name in an ec2Said sentence.
func (e *Error) said(sentence string) string {
	if e.service() != "EC2" {
		if rest, ok := strings.CutPrefix(sentence, "EC2 answered"); ok {
			return e.service() + " answered" + rest
		}
	}
	return sentence
}

func ec2Said(code, message, requestID string) string {
	code, message, requestID = oneLine(code), oneLine(message), oneLine(requestID)
	if code == "" && message == "" {
		return ""
	}
	s := "EC2 answered"
	if code != "" {
		s += " " + code
	}
	if requestID != "" {
		s += " (request ID " + requestID + ")"
	}
	if message != "" {
		s += ": " + message
	}
	return s
}

// outcome says what was kept safe, or what may have changed.
func (e *Error) outcome() string {
	if e.DryRun {
		return "Nothing was changed: it was a dry run"
	}
	if e.MayHaveActed {
		switch e.Op {
		case "CreateKeyPair":
			return "EC2 may have created the key pair, but its private key was not received"
		case "ImportKeyPair":
			return "EC2 may have imported the key pair"
		case "DeleteKeyPair":
			return "The key pair may have been deleted"
		}
		return "EC2 may have carried out the request"
	}
	switch e.Op {
	case "CreateKeyPair", "ImportKeyPair":
		return "No key pair was made"
	case "DeleteKeyPair":
		return "Nothing was deleted"
	case "DescribeKeyPairs", "DescribeInstances", "DescribeLaunchTemplates", "DescribeLaunchTemplateVersions",
		"DescribeLaunchConfigurations", "DescribeSpotInstanceRequests", "DescribeRegions":
		return "Nothing was changed"
	case "Credentials":
		return "Nothing was sent to AWS"
	}
	return ""
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

func (e *Error) endpoint() string {
	if e.Endpoint != "" {
		return oneLine(e.Endpoint)
	}
	if e.Region != "" && isAutoScalingOp(e.Op) {
		return "autoscaling." + e.Region + ".amazonaws.com"
	}
	if e.Region != "" {
		return "ec2." + e.Region + ".amazonaws.com"
	}
	return "the default EC2 endpoint"
}

// cause is Cause, or a summary of Err for an Error built without one.
func (e *Error) cause() string {
	if e.Cause != "" {
		return oneLine(e.Cause)
	}
	if e.Err == nil {
		return "no cause was given"
	}
	return summarize(e.Err, callInfo{})
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// quoted quotes a key name for a sentence.
func quoted(s string) string { return fmt.Sprintf("%q", s) }

// summarize says in a few words why a call got no usable answer, without
// the SDK's error chain ("operation error EC2: ..., https response error
// ..."): "connection refused", "TLS handshake failed: certificate signed by
// unknown authority", "timed out after 30s waiting for the first byte".
func summarize(err error, ci callInfo) string {
	if err == nil {
		return ""
	}
	t := ci.timeouts.withDefaults()
	var tl *tooLargeError
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var de *smithy.DeserializationError
	text := err.Error()
	switch {
	case errors.As(err, &tl):
		return tl.Error()
	case ci.bodyTooLarge:
		return (&tooLargeError{Limit: responseLimit}).Error()
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case ci.opTimedOut:
		return fmt.Sprintf("no answer within %s, retries included", t.Request)
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return "DNS lookup of " + oneLine(dnsErr.Name) + " failed: no such host"
		}
		if dnsErr.IsTimeout {
			return "DNS lookup of " + oneLine(dnsErr.Name) + " timed out"
		}
		return "DNS lookup of " + oneLine(dnsErr.Name) + " failed"
	case strings.Contains(text, "TLS handshake timeout"):
		return fmt.Sprintf("TLS handshake timed out after %s", t.TLSHandshake)
	case isTLSHandshakeError(err):
		return "TLS handshake failed: " + tlsReason(err)
	case errors.As(err, &opErr) && (opErr.Op == "dial" || opErr.Op == "proxyconnect"):
		what := "connecting"
		if opErr.Op == "proxyconnect" {
			what = "connecting to the proxy"
		}
		switch {
		case opErr.Timeout():
			return fmt.Sprintf("timed out after %s %s", t.Connect, what)
		case errors.Is(err, syscall.ECONNREFUSED):
			if opErr.Op == "proxyconnect" {
				return "the proxy refused the connection"
			}
			return "connection refused"
		case errors.Is(err, syscall.ENETUNREACH):
			return "network unreachable"
		case errors.Is(err, syscall.EHOSTUNREACH):
			return "host unreachable"
		}
		return what + " failed: " + innermost(err)
	case strings.Contains(text, "timeout awaiting response headers"):
		return fmt.Sprintf("timed out after %s waiting for the first byte", t.FirstByte)
	case strings.Contains(text, "Client.Timeout"):
		return fmt.Sprintf("timed out after %s", t.Request)
	case errors.Is(err, context.DeadlineExceeded):
		return "the caller's deadline passed before an answer arrived"
	case errors.Is(err, syscall.ECONNRESET):
		return "the connection was reset before an answer arrived"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), strings.Contains(text, "server closed"):
		return "the connection closed before an answer arrived"
	case errors.As(err, &de):
		return "the answer is not valid EC2 XML"
	}
	// A flattened chain (an error passed on as text) still names its cause.
	for _, phrase := range []string{"connection refused", "no such host", "connection reset", "network is unreachable", "i/o timeout"} {
		if strings.Contains(text, phrase) {
			return phrase
		}
	}
	return innermost(err)
}

// tlsReason names what failed in a TLS handshake.
func tlsReason(err error) string {
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var rh tls.RecordHeaderError
	switch {
	case errors.As(err, &ua):
		return "certificate signed by unknown authority"
	case errors.As(err, &he):
		return "the certificate is not valid for " + oneLine(he.Host)
	case errors.As(err, &ci):
		return "the certificate is not valid (" + oneLine(ci.Error()) + ")"
	case errors.As(err, &rh), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return "the server does not speak TLS"
	}
	return innermost(err)
}

// innermost is the text of the deepest error in err's chain (the first
// branch of a joined error), cleaned: the part that says what happened,
// without the layers that say where.
func innermost(err error) string {
	for {
		var next error
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			next = u.Unwrap()
		case interface{ Unwrap() []error }:
			if errs := u.Unwrap(); len(errs) > 0 {
				next = errs[0]
			}
		}
		if next == nil {
			break
		}
		err = next
	}
	text := oneLine(err.Error())
	if i := strings.LastIndex(text, ", "); i >= 0 && strings.Contains(text, "operation error") {
		// The SDK's "operation error EC2: Op, https response error ..., cause".
		text = text[i+2:]
	}
	return text
}

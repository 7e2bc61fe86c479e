package ec2test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// This file checks AWS Signature Version 4 (the "Signature Version 4 signing
// process" in the AWS General Reference). It is written out here, apart from
// the SDK's signer, so the stand-in is an independent check on any client:
// the header list comes from the request's SignedHeaders, as a verifier must.

const sigV4Algorithm = "AWS4-HMAC-SHA256"

type sigV4Auth struct {
	accessKey, date, region, service, terminal string
	signedHeaders                              []string
	signature                                  string
}

func parseAuthorization(h string) (sigV4Auth, bool) {
	var a sigV4Auth
	rest, ok := strings.CutPrefix(h, sigV4Algorithm+" ")
	if !ok {
		return a, false
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, false
		}
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 {
				return a, false
			}
			a.accessKey, a.date, a.region, a.service, a.terminal = f[0], f[1], f[2], f[3], f[4]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	return a, a.accessKey != "" && len(a.signedHeaders) > 0 && a.signature != ""
}

// verify checks the signature of an EC2 request and returns the region of
// its credential scope.
func (s *Server) verify(r *http.Request, body []byte) (string, *apiError) {
	return s.verifyFor(r, body, "ec2")
}

// verifyFor checks the request's signature for service ("ec2", "ssm") and
// returns the region of its credential scope.
func (s *Server) verifyFor(r *http.Request, body []byte, service string) (string, *apiError) {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return "", errorf(401, "AuthFailure", "AWS was not able to validate the provided access credentials")
	}
	a, ok := parseAuthorization(authz)
	if !ok {
		return "", errorf(400, "IncompleteSignature", "Authorization header requires a Credential, SignedHeaders and Signature, signed with %s", sigV4Algorithm)
	}
	secret, ok := s.opts.Credentials[a.accessKey]
	if !ok {
		return a.region, errorf(401, "AuthFailure", "AWS was not able to validate the provided access credentials")
	}
	// EC2's endpoint also serves Auto Scaling (one URL for an EC2 look-alike).
	scoped := a.service == service || (service == "ec2" && a.service == autoScalingService)
	if !scoped || a.terminal != "aws4_request" {
		return a.region, errorf(403, "SignatureDoesNotMatch", "Credential should be scoped to correct service: '%s'.", service)
	}
	if a.region == "" {
		return "", errorf(403, "SignatureDoesNotMatch", "Credential should be scoped to a valid region.")
	}
	amzDate := r.Header.Get("X-Amz-Date")
	t, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil || !strings.HasPrefix(amzDate, a.date) {
		return a.region, errorf(403, "SignatureDoesNotMatch", "The X-Amz-Date header is missing or does not match the credential scope date.")
	}
	if skew := s.opts.Now().Sub(t); skew > s.opts.MaxSkew || skew < -s.opts.MaxSkew {
		return a.region, errorf(400, "RequestExpired", "Request has expired.")
	}
	signedHost := false
	for _, h := range a.signedHeaders {
		signedHost = signedHost || h == "host"
	}
	if !signedHost {
		return a.region, errorf(403, "SignatureDoesNotMatch", "The host header must be signed.")
	}

	want := signature(secret, a, stringToSign(a, amzDate, canonicalRequest(r, a.signedHeaders, body)))
	if !hmac.Equal([]byte(want), []byte(a.signature)) {
		return a.region, errorf(403, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
	}
	return a.region, nil
}

func canonicalRequest(r *http.Request, signed []string, body []byte) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	b.WriteString(path + "\n")
	b.WriteString(canonicalQuery(r.URL.Query()) + "\n")
	for _, h := range signed {
		var v string
		switch h {
		case "host":
			v = r.Host
		case "content-length":
			v = strconv.FormatInt(r.ContentLength, 10)
		default:
			vals := r.Header.Values(h)
			for i := range vals {
				vals[i] = strings.Join(strings.Fields(vals[i]), " ")
			}
			v = strings.Join(vals, ",")
		}
		b.WriteString(h + ":" + v + "\n")
	}
	b.WriteString("\n" + strings.Join(signed, ";") + "\n")
	sum := sha256.Sum256(body)
	b.WriteString(hex.EncodeToString(sum[:]))
	return b.String()
}

func canonicalQuery(q url.Values) string {
	var parts []string
	for k, vs := range q {
		for _, v := range vs {
			parts = append(parts, uriEncode(k)+"="+uriEncode(v))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "&")
}

// uriEncode is SigV4's encoding: RFC 3986 unreserved characters stay, the rest is %XX.
func uriEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func stringToSign(a sigV4Auth, amzDate, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return sigV4Algorithm + "\n" + amzDate + "\n" +
		a.date + "/" + a.region + "/" + a.service + "/" + a.terminal + "\n" + hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func signature(secret string, a sigV4Auth, sts string) string {
	k := hmacSHA256([]byte("AWS4"+secret), a.date)
	k = hmacSHA256(k, a.region)
	k = hmacSHA256(k, a.service)
	k = hmacSHA256(k, a.terminal)
	return hex.EncodeToString(hmacSHA256(k, sts))
}

// serviceOf is the service of the request's credential scope ("" when it
// has none): the stand-in answers EC2 and Auto Scaling on one URL.
func serviceOf(r *http.Request) string {
	a, ok := parseAuthorization(r.Header.Get("Authorization"))
	if !ok {
		return ""
	}
	return a.service
}

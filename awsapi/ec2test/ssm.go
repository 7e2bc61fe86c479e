package ec2test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/keypair-dev/keypair/pair"
)

// This file is the stand-in's SSM Parameter Store: the AWS JSON 1.1
// protocol (POST /, X-Amz-Target: AmazonSSM.<Action>, Content-Type
// application/x-amz-json-1.1, SigV4 service "ssm", errors as
// {"__type": CODE, "message": ...}), the calls keypair and the AWS CLI make
// on a private key parameter: PutParameter, GetParameter (WithDecryption),
// DeleteParameter, AddTagsToResource, ListTagsForResource. Parameters are
// kept per region. A SecureString holds its KMS key id; without
// WithDecryption GetParameter returns a random stand-in for the
// ciphertext, never the value. Rules a test sets stand for IAM and KMS:
// DenyParameter (ssm:* refused on one name), DenyKMSKey (kms:Encrypt and
// kms:Decrypt refused), AddKMSKey (a customer key; any other KeyId but the
// account's alias/aws/ssm is InvalidKeyId). The faults of Inject apply with
// the SSM action names ("PutParameter", ...), answered in SSM's shape.

// DefaultKMSKey is the key a SecureString is encrypted with when the
// request names none: the account's AWS managed key for SSM.
const DefaultKMSKey = "alias/aws/ssm"

// Account is the account id in the ARNs the stand-in makes up.
const Account = "123456789012"

// ssmJSON is the content type of the AWS JSON 1.1 protocol.
const ssmJSON = "application/x-amz-json-1.1"

// Parameter is one SSM parameter in the server's state.
type Parameter struct {
	Name        string
	Type        string // "String", "StringList", "SecureString"
	Value       string
	KeyID       string // SecureString only
	Description string
	Version     int64
	Tier        string
	Tags        []pair.Tag
	Modified    time.Time

	ciphertext string
}

// ssmState is the SSM side of a Server, guarded by Server.mu.
type ssmState struct {
	params     map[string]map[string]*Parameter // region -> name -> parameter
	denied     map[string]bool                  // parameter names IAM refuses
	deniedKMS  map[string]bool                  // KMS keys the caller may not use
	customKeys map[string]bool                  // KMS keys besides DefaultKMSKey
}

func isSSMRequest(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), "AmazonSSM.")
}

// Parameter returns a copy of the parameter name in region.
func (s *Server) Parameter(region, name string) (Parameter, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.ssm.params[region][name]
	if !ok {
		return Parameter{}, false
	}
	return copyParameter(p), true
}

// Parameters returns copies of the parameters in region, sorted by name.
func (s *Server) Parameters(region string) []Parameter {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Parameter
	for _, p := range s.ssm.params[region] {
		out = append(out, copyParameter(p))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// SetParameter puts p in region as it is (replacing one of its name), for
// tests that need a parameter the API would refuse to write.
func (s *Server) SetParameter(region string, p Parameter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.Version == 0 {
		p.Version = 1
	}
	if p.Type == "SecureString" && p.KeyID == "" {
		p.KeyID = DefaultKMSKey
	}
	if p.Modified.IsZero() {
		p.Modified = s.opts.Now()
	}
	c := copyParameter(&p)
	c.ciphertext = s.fakeCiphertext(len(p.Value))
	s.paramsOf(region)[p.Name] = &c
}

// DenyParameter makes every SSM call on the parameter name answer
// AccessDeniedException, as an IAM policy without ssm:* on it would.
func (s *Server) DenyParameter(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ssm.denied == nil {
		s.ssm.denied = map[string]bool{}
	}
	s.ssm.denied[name] = true
}

// DenyKMSKey makes encrypting and decrypting with keyID answer KMS's
// AccessDeniedException, as a key policy without the caller would.
// DefaultKMSKey may be denied too (an explicit Deny).
func (s *Server) DenyKMSKey(keyID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ssm.deniedKMS == nil {
		s.ssm.deniedKMS = map[string]bool{}
	}
	s.ssm.deniedKMS[keyID] = true
}

// AddKMSKey makes keyID a key PutParameter accepts as KeyId.
func (s *Server) AddKMSKey(keyID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ssm.customKeys == nil {
		s.ssm.customKeys = map[string]bool{}
	}
	s.ssm.customKeys[keyID] = true
}

func copyParameter(p *Parameter) Parameter {
	c := *p
	c.Tags = append([]pair.Tag(nil), p.Tags...)
	return c
}

// paramsOf is region's parameters; s.mu must be held.
func (s *Server) paramsOf(region string) map[string]*Parameter {
	if s.ssm.params == nil {
		s.ssm.params = map[string]map[string]*Parameter{}
	}
	m := s.ssm.params[region]
	if m == nil {
		m = map[string]*Parameter{}
		s.ssm.params[region] = m
	}
	return m
}

// fakeCiphertext stands for a KMS ciphertext of n bytes: random, so it
// reveals nothing of the value.
func (s *Server) fakeCiphertext(n int) string {
	raw := s.randomHex(n/2 + 32)
	return base64.StdEncoding.EncodeToString([]byte(raw))
}

// serveSSM answers one SSM request.
func (s *Server) serveSSM(w http.ResponseWriter, r *http.Request) {
	reqID := s.newRequestID()
	action := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AmazonSSM.")
	lr := LoggedRequest{Action: action, Attempt: attemptOf(r), UserAgent: r.Header.Get("User-Agent"), Time: s.opts.Now()}
	defer func() { s.logRequest(lr) }()

	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	lr.Service = "ssm"
	lr.Params = jsonParams(body)
	region, aerr := s.verifyFor(r, body, "ssm")
	lr.Region = region
	if aerr != nil {
		s.writeSSMError(w, &lr, reqID, ssmAuthError(aerr))
		return
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), ssmJSON) {
		s.writeSSMError(w, &lr, reqID, errorf(400, "SerializationException", "Requests are POSTed as %s", ssmJSON))
		return
	}
	var req ssmRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.writeSSMError(w, &lr, reqID, errorf(400, "SerializationException", "The request body is not valid JSON"))
		return
	}
	lr.KeyName = req.Name
	if lr.KeyName == "" {
		lr.KeyName = req.ResourceID
	}

	f, aerr := s.applyFaults(r, &lr)
	if f != nil {
		aerr = ssmFaultError(f, aerr, action, region, lr.KeyName)
	}
	if aerr != nil {
		s.writeSSMError(w, &lr, reqID, aerr)
		return
	}
	if f != nil && f.Kind == MalformedXML {
		s.writeSSM(w, &lr, reqID, 200, `{"Parameter":{"Name":`)
		return
	}
	if f != nil && f.Kind == Hang {
		<-r.Context().Done()
		panic(http.ErrAbortHandler)
	}

	out, aerr := s.actSSM(region, action, &req)
	if f != nil && f.Kind == DropAfter {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if aerr != nil {
		s.writeSSMError(w, &lr, reqID, aerr)
		return
	}
	b, _ := json.Marshal(out)
	s.writeSSM(w, &lr, reqID, 200, string(b))
}

// ssmAuthError says a signature failure in the words SSM uses.
func ssmAuthError(e *apiError) *apiError {
	switch e.code {
	case "AuthFailure":
		return errorf(400, "UnrecognizedClientException", "The security token included in the request is invalid.")
	case "RequestExpired":
		return errorf(400, "InvalidSignatureException", "Signature expired: the request time stamp is too far from the server's time.")
	case "SignatureDoesNotMatch", "IncompleteSignature":
		return &apiError{status: 400, code: "InvalidSignatureException", message: e.message}
	}
	return e
}

// ssmFaultError answers a fault in SSM's codes.
func ssmFaultError(f *Fault, ec2err *apiError, action, region, name string) *apiError {
	switch f.Kind {
	case Throttle:
		return errorf(400, "ThrottlingException", "Rate exceeded")
	case InternalError:
		return errorf(500, "InternalServerError", "An internal error occurred.")
	case Deny:
		return ssmDenied(action, region, name)
	case RequestExpired:
		return errorf(400, "ExpiredTokenException", "The security token included in the request is expired")
	case AuthFailure:
		return errorf(400, "UnrecognizedClientException", "The security token included in the request is invalid.")
	case KMSDenied:
		op := "Decrypt"
		if action == "PutParameter" {
			op = "Encrypt"
		}
		return kmsDenied(op, region, DefaultKMSKey, "0c7e1a52-0000-4000-8000-000000000000")
	}
	return ec2err
}

func ssmDenied(action, region, name string) *apiError {
	return errorf(400, "AccessDeniedException",
		"User: arn:aws:iam::%s:user/keypair-test is not authorized to perform: ssm:%s on resource: %s because no identity-based policy allows the ssm:%s action",
		Account, action, parameterARN(region, name), action)
}

func kmsDenied(op, region, keyID, reqID string) *apiError {
	return errorf(400, "AccessDeniedException",
		"User: arn:aws:iam::%s:user/keypair-test is not authorized to perform: kms:%s on resource: arn:aws:kms:%s:%s:%s because no resource-based policy allows the kms:%s action (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; Request ID: %s; Proxy: null)",
		Account, op, region, Account, strings.TrimPrefix(keyID, "arn:aws:kms:"), op, reqID)
}

func parameterARN(region, name string) string {
	return "arn:aws:ssm:" + region + ":" + Account + ":parameter/" + strings.TrimPrefix(name, "/")
}

func (s *Server) writeSSM(w http.ResponseWriter, lr *LoggedRequest, reqID string, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", ssmJSON)
	h.Set("x-amzn-RequestId", reqID)
	h.Set("Date", s.opts.Now().UTC().Format(http.TimeFormat))
	w.WriteHeader(status)
	lr.Status = status
	io.WriteString(w, body)
}

func (s *Server) writeSSMError(w http.ResponseWriter, lr *LoggedRequest, reqID string, e *apiError) {
	lr.Code = e.code
	body := map[string]string{"__type": e.code}
	if e.message != "" {
		body["message"] = e.message
	}
	b, _ := json.Marshal(body)
	s.writeSSM(w, lr, reqID, e.status, string(b))
}

// ssmRequest holds the members of every SSM request the stand-in reads.
type ssmRequest struct {
	Name           string
	Value          *string
	Type           string
	KeyID          string `json:"KeyId"`
	Description    string
	Overwrite      bool
	Tier           string
	DataType       string
	Tags           []ssmTag
	WithDecryption bool
	ResourceType   string
	ResourceID     string `json:"ResourceId"`
	TagKeys        []string
	// DescribeParameters
	ParameterFilters []struct {
		Key, Option string
		Values      []string
	}
	MaxResults int
	NextToken  string
}

type ssmTag struct{ Key, Value string }

func (s *Server) actSSM(region, action string, req *ssmRequest) (any, *apiError) {
	switch action {
	case "PutParameter":
		return s.putParameter(region, req)
	case "GetParameter":
		return s.getParameter(region, req)
	case "DeleteParameter":
		return s.deleteParameter(region, req)
	case "AddTagsToResource":
		return s.addTagsToResource(region, req)
	case "ListTagsForResource":
		return s.listTagsForResource(region, req)
	case "DescribeParameters":
		return s.describeParameters(region, req)
	}
	return nil, errorf(400, "UnknownOperationException", "The stand-in does not know the SSM action %q", action)
}

// Limits from the SSM API reference (PutParameter).
const (
	maxParameterNameLen = 1011 // fully qualified, "/" included
	maxStandardValue    = 4096
	maxAdvancedValue    = 8192
	maxParameterTags    = 50
)

func validateParameterName(name string) *apiError {
	switch {
	case name == "":
		return errorf(400, "ValidationException", "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
	case len(name) > maxParameterNameLen:
		return errorf(400, "ValidationException", "Parameter name must be at most %d characters", maxParameterNameLen)
	case strings.Contains(name, "/") && !strings.HasPrefix(name, "/"):
		return errorf(400, "ValidationException", "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_")
	}
	first := strings.ToLower(strings.TrimPrefix(name, "/"))
	if strings.HasPrefix(first, "aws") || strings.HasPrefix(first, "ssm") {
		return errorf(400, "ValidationException", "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive).")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-", r)) {
			return errorf(400, "ValidationException", "Parameter name: each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_")
		}
	}
	return nil
}

func validateSSMTags(tags []ssmTag) ([]pair.Tag, *apiError) {
	if len(tags) > maxParameterTags {
		return nil, errorf(400, "ValidationException", "A resource can have at most %d tags", maxParameterTags)
	}
	var out []pair.Tag
	seen := map[string]bool{}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 || strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return nil, errorf(400, "ValidationException", "Tag keys are 1 to 128 characters, values at most 256, and keys may not start with aws:")
		}
		if seen[t.Key] {
			return nil, errorf(400, "ValidationException", "Duplicate tag key %q", t.Key)
		}
		seen[t.Key] = true
		out = append(out, pair.Tag{Key: t.Key, Value: t.Value})
	}
	return out, nil
}

// kmsKeyOK says whether id names a key the caller may use, else the error.
// s.mu must be held.
func (s *Server) kmsKeyError(op, region, id, reqID string) *apiError {
	if id != DefaultKMSKey && !s.ssm.customKeys[id] {
		return errorf(400, "InvalidKeyId", "Invalid keyId %s", id)
	}
	if s.ssm.deniedKMS[id] {
		return kmsDenied(op, region, id, reqID)
	}
	return nil
}

func (s *Server) putParameter(region string, req *ssmRequest) (any, *apiError) {
	if aerr := validateParameterName(req.Name); aerr != nil {
		return nil, aerr
	}
	if req.Value == nil || *req.Value == "" {
		return nil, errorf(400, "ValidationException", "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	tier := req.Tier
	switch tier {
	case "", "Standard":
		tier = "Standard"
		if len(*req.Value) > maxStandardValue {
			return nil, errorf(400, "ValidationException", "Standard tier parameters support a maximum parameter value of %d characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.", maxStandardValue)
		}
	case "Advanced", "Intelligent-Tiering":
		if len(*req.Value) > maxAdvancedValue {
			return nil, errorf(400, "ValidationException", "Advanced tier parameters support a maximum parameter value of %d characters.", maxAdvancedValue)
		}
		tier = "Standard"
		if len(*req.Value) > maxStandardValue || req.Tier == "Advanced" {
			tier = "Advanced"
		}
	default:
		return nil, errorf(400, "ValidationException", "Tier %q is not Standard, Advanced or Intelligent-Tiering", req.Tier)
	}
	if req.Overwrite && len(req.Tags) > 0 {
		return nil, errorf(400, "ValidationException", "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.")
	}
	tags, aerr := validateSSMTags(req.Tags)
	if aerr != nil {
		return nil, aerr
	}
	reqID := s.newRequestID()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ssm.denied[req.Name] {
		return nil, ssmDenied("PutParameter", region, req.Name)
	}
	params := s.paramsOf(region)
	old, exists := params[req.Name]
	if exists && !req.Overwrite {
		return nil, errorf(400, "ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
	}
	typ := req.Type
	if typ == "" && exists {
		typ = old.Type
	}
	switch typ {
	case "String", "StringList", "SecureString":
	case "":
		return nil, errorf(400, "ValidationException", "A parameter type is required when you create a parameter.")
	default:
		return nil, errorf(400, "ValidationException", "1 validation error detected: Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]", typ)
	}
	keyID := req.KeyID
	if typ != "SecureString" && keyID != "" {
		return nil, errorf(400, "ValidationException", "KeyId is required for SecureString type parameter only.")
	}
	if typ == "SecureString" {
		if keyID == "" {
			keyID = DefaultKMSKey
		}
		if aerr := s.kmsKeyError("Encrypt", region, keyID, reqID); aerr != nil {
			return nil, aerr
		}
	}
	p := &Parameter{Name: req.Name, Type: typ, Value: *req.Value, KeyID: keyID, Description: req.Description,
		Version: 1, Tier: tier, Tags: tags, Modified: s.opts.Now()}
	if exists {
		p.Version = old.Version + 1
		p.Tags = old.Tags
		if req.Description == "" {
			p.Description = old.Description
		}
	}
	if typ == "SecureString" {
		p.ciphertext = s.fakeCiphertext(len(p.Value))
	}
	params[req.Name] = p
	return map[string]any{"Version": p.Version, "Tier": p.Tier}, nil
}

func (s *Server) getParameter(region string, req *ssmRequest) (any, *apiError) {
	if req.Name == "" {
		return nil, errorf(400, "ValidationException", "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
	}
	reqID := s.newRequestID()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ssm.denied[req.Name] {
		return nil, ssmDenied("GetParameter", region, req.Name)
	}
	p, ok := s.ssm.params[region][req.Name]
	if !ok {
		return nil, errorf(400, "ParameterNotFound", "")
	}
	value := p.Value
	if p.Type == "SecureString" {
		value = p.ciphertext
		if req.WithDecryption {
			if s.ssm.deniedKMS[p.KeyID] {
				return nil, kmsDenied("Decrypt", region, p.KeyID, reqID)
			}
			value = p.Value
		}
	}
	return map[string]any{"Parameter": map[string]any{
		"Name": p.Name, "Type": p.Type, "Value": value, "Version": p.Version,
		"LastModifiedDate": float64(p.Modified.UnixMilli()) / 1000, "ARN": parameterARN(region, p.Name), "DataType": "text",
	}}, nil
}

func (s *Server) deleteParameter(region string, req *ssmRequest) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ssm.denied[req.Name] {
		return nil, ssmDenied("DeleteParameter", region, req.Name)
	}
	if _, ok := s.ssm.params[region][req.Name]; !ok {
		return nil, errorf(400, "ParameterNotFound", "")
	}
	delete(s.ssm.params[region], req.Name)
	return map[string]any{}, nil
}

// taggedParameter is the parameter a tagging request names; s.mu must be held.
func (s *Server) taggedParameter(action, region string, req *ssmRequest) (*Parameter, *apiError) {
	if req.ResourceType != "Parameter" {
		return nil, errorf(400, "InvalidResourceType", "The stand-in tags parameters only, not %q", req.ResourceType)
	}
	if s.ssm.denied[req.ResourceID] {
		return nil, ssmDenied(action, region, req.ResourceID)
	}
	p, ok := s.ssm.params[region][req.ResourceID]
	if !ok {
		return nil, errorf(400, "InvalidResourceId", "The resource ID \"%s\" is not valid. Verify the ID and try again.", req.ResourceID)
	}
	return p, nil
}

func (s *Server) addTagsToResource(region string, req *ssmRequest) (any, *apiError) {
	tags, aerr := validateSSMTags(req.Tags)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, aerr := s.taggedParameter("AddTagsToResource", region, req)
	if aerr != nil {
		return nil, aerr
	}
	for _, t := range tags {
		replaced := false
		for i := range p.Tags {
			if p.Tags[i].Key == t.Key {
				p.Tags[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			p.Tags = append(p.Tags, t)
		}
	}
	if len(p.Tags) > maxParameterTags {
		return nil, errorf(400, "TooManyTagsError", "A resource can have at most %d tags", maxParameterTags)
	}
	return map[string]any{}, nil
}

func (s *Server) listTagsForResource(region string, req *ssmRequest) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, aerr := s.taggedParameter("ListTagsForResource", region, req)
	if aerr != nil {
		return nil, aerr
	}
	list := []ssmTag{}
	for _, t := range p.Tags {
		list = append(list, ssmTag{Key: t.Key, Value: t.Value})
	}
	return map[string]any{"TagList": list}, nil
}

// matches says whether p passes DescribeParameters' filters the stand-in
// knows: Path (OneLevel, Recursive) and Name (Equals, BeginsWith).
func (p *Parameter) matches(req *ssmRequest) (bool, *apiError) {
	for _, f := range req.ParameterFilters {
		ok := false
		for _, v := range f.Values {
			switch {
			case f.Key == "Path":
				dir := strings.TrimSuffix(v, "/") + "/"
				rest, under := strings.CutPrefix(p.Name, dir)
				ok = ok || (under && (f.Option == "Recursive" || !strings.Contains(rest, "/")))
			case f.Key == "Name" && f.Option == "BeginsWith":
				ok = ok || strings.HasPrefix(p.Name, v)
			case f.Key == "Name":
				ok = ok || p.Name == v
			default:
				return false, errorf(400, "InvalidFilterKey", "The stand-in does not know the filter key %q", f.Key)
			}
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

func (s *Server) describeParameters(region string, req *ssmRequest) (any, *apiError) {
	max := req.MaxResults
	if max <= 0 || max > 50 {
		max = 50
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for name, p := range s.ssm.params[region] {
		ok, aerr := p.matches(req)
		if aerr != nil {
			return nil, aerr
		}
		if ok && !s.ssm.denied[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	start := 0
	if req.NextToken != "" {
		start = sort.SearchStrings(names, req.NextToken)
	}
	list := []map[string]any{}
	next := ""
	for i := start; i < len(names); i++ {
		if len(list) == max {
			next = names[i]
			break
		}
		p := s.ssm.params[region][names[i]]
		item := map[string]any{"Name": p.Name, "Type": p.Type, "Version": p.Version, "Tier": p.Tier, "DataType": "text",
			"LastModifiedDate": float64(p.Modified.UnixMilli()) / 1000, "ARN": parameterARN(region, p.Name)}
		if p.KeyID != "" {
			item["KeyId"] = p.KeyID
		}
		if p.Description != "" {
			item["Description"] = p.Description
		}
		list = append(list, item)
	}
	out := map[string]any{"Parameters": list}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

// String describes the parameter without its value.
func (p Parameter) String() string {
	return fmt.Sprintf("parameter %s (%s, key %s, version %d, %d tags)", p.Name, p.Type, p.KeyID, p.Version, len(p.Tags))
}

// jsonParams flattens a JSON request body into parameters in the order sent
// (objects joined with ".", array members counted from 1), the way the
// Query protocol's parameters are logged, so tests can compare what a
// client says it sent with what arrived. A body that is not JSON gives nil.
func jsonParams(body []byte) []Param {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var ps []Param
	var walk func(name string) bool
	walk = func(name string) bool {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		child := func(k string) string {
			if name == "" {
				return k
			}
			return name + "." + k
		}
		switch v := tok.(type) {
		case json.Delim:
			n := 0
			for dec.More() {
				n++
				key := strconv.Itoa(n)
				if v == '{' {
					kt, err := dec.Token()
					if err != nil {
						return false
					}
					key, _ = kt.(string)
				}
				if !walk(child(key)) {
					return false
				}
			}
			if _, err := dec.Token(); err != nil {
				return false
			}
			if n == 0 {
				empty := "{}"
				if v == '[' {
					empty = "[]"
				}
				ps = append(ps, Param{Name: name, Value: empty})
			}
		case string:
			ps = append(ps, Param{Name: name, Value: v})
		case json.Number:
			ps = append(ps, Param{Name: name, Value: v.String()})
		case bool:
			ps = append(ps, Param{Name: name, Value: strconv.FormatBool(v)})
		case nil:
			ps = append(ps, Param{Name: name, Value: "null"})
		}
		return true
	}
	if !walk("") {
		return nil
	}
	return ps
}

package ec2test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// parseParams reads the Query parameters: the form body of a POST, plus the
// URL query (EC2 also accepts GET).
func parseParams(r *http.Request, body []byte) (url.Values, error) {
	params := r.URL.Query()
	if len(body) > 0 {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		for k, v := range form {
			params[k] = append(params[k], v...)
		}
	}
	return params, nil
}

// act carries out one action in region and returns its success XML.
func (s *Server) act(region, action string, p url.Values, reqID string) (string, *apiError) {
	if v := p.Get("Version"); v != "2016-11-15" && v != "" {
		// Real EC2 accepts older versions; the stand-in knows one.
		return "", errorf(400, "InvalidParameterValue", "Version %q is not supported by this stand-in", v)
	}
	switch action {
	case "CreateKeyPair":
		return s.createKeyPair(region, p, reqID)
	case "ImportKeyPair":
		return s.importKeyPair(region, p, reqID)
	case "DescribeKeyPairs":
		return s.describeKeyPairs(region, p, reqID)
	case "DeleteKeyPair":
		return s.deleteKeyPair(region, p, reqID)
	case "DescribeInstances":
		return s.describeInstances(region, p, reqID)
	case "DescribeLaunchTemplates":
		return s.describeLaunchTemplates(region, p, reqID)
	case "DescribeLaunchTemplateVersions":
		return s.describeLaunchTemplateVersions(region, p, reqID)
	case "DescribeSpotInstanceRequests":
		return s.describeSpotInstanceRequests(region, p, reqID)
	case "DescribeRegions":
		return s.describeRegions(region, p, reqID)
	case "":
		return "", errorf(400, "MissingAction", "The request must contain the parameter Action")
	}
	return "", errorf(400, "InvalidAction", "The action %s is not valid for this web service.", action)
}

var errDryRun = errorf(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")

// parseTags reads TagSpecification.N.ResourceType and TagSpecification.N.Tag.M.Key/Value.
func parseTags(p url.Values) ([]pair.Tag, *apiError) {
	var tags []pair.Tag
	seen := map[string]bool{}
	for n := 1; ; n++ {
		prefix := "TagSpecification." + strconv.Itoa(n) + "."
		rt, hasRT := p[prefix+"ResourceType"]
		hasTags := p.Has(prefix + "Tag.1.Key")
		if !hasRT && !hasTags {
			break
		}
		if !hasRT || rt[0] != "key-pair" {
			return nil, errorf(400, "InvalidParameterValue",
				"'%s' is not a valid taggable resource type for this operation.", strings.Join(rt, ""))
		}
		for m := 1; ; m++ {
			tp := prefix + "Tag." + strconv.Itoa(m) + "."
			key, ok := p[tp+"Key"]
			if !ok {
				break
			}
			k := key[0]
			if k == "" || strings.HasPrefix(strings.ToLower(k), "aws:") || len([]rune(k)) > 128 {
				return nil, errorf(400, "InvalidTagKey.Malformed", "Tag keys cannot be empty or null, and cannot start with aws:.")
			}
			if seen[k] {
				return nil, errorf(400, "InvalidParameterValue", "Duplicate tag key '%s' specified.", k)
			}
			seen[k] = true
			tags = append(tags, pair.Tag{Key: k, Value: p.Get(tp + "Value")})
		}
	}
	if len(tags) > 50 {
		return nil, errorf(400, "TagLimitExceeded", "The maximum number of tags per resource is 50.")
	}
	return tags, nil
}

func checkName(name string) *apiError {
	if name == "" {
		return errorf(400, "MissingParameter", "The request must contain the parameter KeyName")
	}
	if len(name) > 255 {
		return errorf(400, "InvalidParameterValue", "Value for parameter KeyName is invalid. Length exceeds maximum of 255.")
	}
	return nil
}

// reserve checks name and limit in region under the lock; the caller adds the pair.
func (s *Server) checkFree(region, name string) *apiError {
	pairs := s.regions[region]
	if _, ok := pairs[name]; ok {
		return errorf(400, "InvalidKeyPair.Duplicate", "The keypair '%s' already exists.", name)
	}
	if len(pairs) >= s.opts.KeyPairLimit {
		return errorf(400, "KeyPairLimitExceeded", "Maximum of %d keypairs reached.", s.opts.KeyPairLimit)
	}
	return nil
}

func (s *Server) store(region string, kp *KeyPair) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.checkFree(region, kp.Name); e != nil {
		return e
	}
	if s.regions[region] == nil {
		s.regions[region] = map[string]*KeyPair{}
	}
	s.regions[region][kp.Name] = kp
	return nil
}

func (s *Server) createKeyPair(region string, p url.Values, reqID string) (string, *apiError) {
	name := p.Get("KeyName")
	if e := checkName(name); e != nil {
		return "", e
	}
	typ := keys.Type(p.Get("KeyType"))
	if typ == "" {
		typ = keys.RSA
	}
	if typ != keys.RSA && typ != keys.ED25519 {
		return "", errorf(400, "InvalidParameterValue", "Value (%s) for parameter keyType is invalid. Valid values: rsa, ed25519.", typ)
	}
	format := keys.Format(p.Get("KeyFormat"))
	if format == "" {
		format = keys.PEM
	}
	if format != keys.PEM && format != keys.PPK {
		return "", errorf(400, "InvalidParameterValue", "Value (%s) for parameter keyFormat is invalid. Valid values: pem, ppk.", format)
	}
	tags, e := parseTags(p)
	if e != nil {
		return "", e
	}
	if p.Get("DryRun") == "true" {
		return "", errDryRun
	}
	s.mu.Lock()
	e = s.checkFree(region, name)
	s.mu.Unlock()
	if e != nil {
		return "", e
	}

	s.randMu.Lock()
	k, err := keys.Generate(typ, 0, s.opts.Rand)
	s.randMu.Unlock()
	if err != nil {
		return "", errorf(500, "InternalError", "key generation failed: %v", err)
	}
	k.Comment = name
	material, err := keys.Encode(k, format, keys.DefaultPPKVersion)
	if err != nil {
		return "", errorf(500, "InternalError", "key encoding failed: %v", err)
	}
	pub := k.SSHPublicKey()
	fp, err := keys.AWSFingerprint(pub, k, true)
	if err != nil {
		return "", errorf(500, "InternalError", "fingerprint failed: %v", err)
	}
	kp := &KeyPair{Name: name, ID: s.newKeyPairID(), Fingerprint: fp, Type: typ,
		PublicKey: strings.TrimSuffix(keys.AuthorizedKey(pub, name), "\n"), Created: s.opts.Now().UTC(), Tags: tags}
	if e := s.store(region, kp); e != nil {
		return "", e
	}
	var b strings.Builder
	open(&b, "CreateKeyPair", reqID)
	elem(&b, "keyName", kp.Name)
	elem(&b, "keyFingerprint", kp.Fingerprint)
	elem(&b, "keyMaterial", string(material))
	elem(&b, "keyPairId", kp.ID)
	tagSet(&b, "    ", kp.Tags)
	b.WriteString("</CreateKeyPairResponse>")
	return b.String(), nil
}

func (s *Server) importKeyPair(region string, p url.Values, reqID string) (string, *apiError) {
	name := p.Get("KeyName")
	if e := checkName(name); e != nil {
		return "", e
	}
	enc := p.Get("PublicKeyMaterial")
	if enc == "" {
		return "", errorf(400, "MissingParameter", "The request must contain the parameter PublicKeyMaterial")
	}
	tags, e := parseTags(p)
	if e != nil {
		return "", e
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return "", errorf(400, "InvalidParameterValue", "Value for parameter PublicKeyMaterial is invalid: not base64.")
	}
	// The raw file bytes arrive, trailing newline and comment included
	// (aws-keypairs.md §1.4); ParsePublicKey takes the comment off.
	pub, _, err := keys.ParsePublicKey(bytes.TrimSpace(raw))
	if err != nil {
		return "", errorf(400, "InvalidKey.Format", "Key is not in valid OpenSSH public key format")
	}
	typ := pair.TypeOf(pub)
	if typ == "" {
		return "", errorf(400, "InvalidKey.Format", "Key is not in valid OpenSSH public key format")
	}
	if p.Get("DryRun") == "true" {
		return "", errDryRun
	}
	fp, err := keys.FingerprintAWSImported(pub)
	if err != nil {
		return "", errorf(400, "InvalidKey.Format", "Key is not in valid OpenSSH public key format")
	}
	kp := &KeyPair{Name: name, ID: s.newKeyPairID(), Fingerprint: fp, Type: typ, Imported: true,
		PublicKey: strings.TrimSuffix(keys.AuthorizedKey(pub, name), "\n"), Created: s.opts.Now().UTC(), Tags: tags}
	if e := s.store(region, kp); e != nil {
		return "", e
	}
	var b strings.Builder
	open(&b, "ImportKeyPair", reqID)
	elem(&b, "keyFingerprint", kp.Fingerprint)
	elem(&b, "keyName", kp.Name)
	elem(&b, "keyPairId", kp.ID)
	tagSet(&b, "    ", kp.Tags)
	b.WriteString("</ImportKeyPairResponse>")
	return b.String(), nil
}

// listParam returns Prefix.1, Prefix.2, ... until the first gap.
func listParam(p url.Values, prefix string) []string {
	var out []string
	for n := 1; p.Has(prefix + "." + strconv.Itoa(n)); n++ {
		out = append(out, p.Get(prefix+"."+strconv.Itoa(n)))
	}
	return out
}

type filter struct {
	name   string
	values []string
}

func (f filter) match(kp *KeyPair) bool {
	for _, v := range f.values {
		switch {
		case f.name == "key-name" && kp.Name == v,
			f.name == "key-pair-id" && kp.ID == v,
			f.name == "fingerprint" && kp.Fingerprint == v:
			return true
		case f.name == "tag-key":
			for _, t := range kp.Tags {
				if t.Key == v {
					return true
				}
			}
		case strings.HasPrefix(f.name, "tag:"):
			for _, t := range kp.Tags {
				if t.Key == f.name[4:] && t.Value == v {
					return true
				}
			}
		}
	}
	return false
}

func (s *Server) describeKeyPairs(region string, p url.Values, reqID string) (string, *apiError) {
	names := listParam(p, "KeyName")
	ids := listParam(p, "KeyPairId")
	var filters []filter
	for n := 1; p.Has("Filter." + strconv.Itoa(n) + ".Name"); n++ {
		fp := "Filter." + strconv.Itoa(n)
		f := filter{name: p.Get(fp + ".Name"), values: listParam(p, fp+".Value")}
		switch {
		case f.name == "key-name", f.name == "key-pair-id", f.name == "fingerprint", f.name == "tag-key",
			strings.HasPrefix(f.name, "tag:"):
		default:
			return "", errorf(400, "InvalidParameterValue", "The filter '%s' is invalid", f.name)
		}
		filters = append(filters, f)
	}
	includePub := p.Get("IncludePublicKey") == "true"
	if p.Get("DryRun") == "true" {
		return "", errDryRun
	}

	s.mu.Lock()
	pairs := s.regions[region]
	var sel []KeyPair
	for _, n := range names {
		if _, ok := pairs[n]; !ok {
			s.mu.Unlock()
			return "", errorf(400, "InvalidKeyPair.NotFound", "The key pair '%s' does not exist", n)
		}
	}
	for _, id := range ids {
		found := false
		for _, kp := range pairs {
			found = found || kp.ID == id
		}
		if !found {
			s.mu.Unlock()
			return "", errorf(400, "InvalidKeyPair.NotFound", "The key pair ID '%s' does not exist", id)
		}
	}
	for _, kp := range pairs {
		if len(names) > 0 && !contains(names, kp.Name) || len(ids) > 0 && !contains(ids, kp.ID) {
			continue
		}
		ok := true
		for _, f := range filters {
			ok = ok && f.match(kp)
		}
		if ok {
			sel = append(sel, *kp)
		}
	}
	s.mu.Unlock()
	sort.Slice(sel, func(i, j int) bool { return sel[i].Name < sel[j].Name })

	var b strings.Builder
	open(&b, "DescribeKeyPairs", reqID)
	if len(sel) == 0 {
		b.WriteString("    <keySet/>\n")
	} else {
		b.WriteString("    <keySet>\n")
		for _, kp := range sel {
			b.WriteString("        <item>\n")
			ind := "            "
			b.WriteString(ind + "<keyPairId>" + xmlText(kp.ID) + "</keyPairId>\n")
			b.WriteString(ind + "<keyType>" + string(kp.Type) + "</keyType>\n")
			tagSet(&b, ind, kp.Tags)
			b.WriteString(ind + "<keyName>" + xmlText(kp.Name) + "</keyName>\n")
			b.WriteString(ind + "<keyFingerprint>" + xmlText(kp.Fingerprint) + "</keyFingerprint>\n")
			if includePub {
				b.WriteString(ind + "<publicKey>" + xmlText(kp.PublicKey) + "</publicKey>\n")
			}
			b.WriteString(ind + "<createTime>" + kp.Created.Format("2006-01-02T15:04:05.000Z") + "</createTime>\n")
			b.WriteString("        </item>\n")
		}
		b.WriteString("    </keySet>\n")
	}
	b.WriteString("</DescribeKeyPairsResponse>")
	return b.String(), nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (s *Server) deleteKeyPair(region string, p url.Values, reqID string) (string, *apiError) {
	name, id := p.Get("KeyName"), p.Get("KeyPairId")
	if name == "" && id == "" {
		return "", errorf(400, "MissingParameter", "The request must contain the parameter KeyName or KeyPairId")
	}
	if p.Get("DryRun") == "true" {
		return "", errDryRun
	}
	s.mu.Lock()
	var deleted string
	for n, kp := range s.regions[region] {
		if (name != "" && n == name) || (name == "" && kp.ID == id) {
			deleted = kp.ID
			delete(s.regions[region], n)
			break
		}
	}
	s.mu.Unlock()
	// EC2 answers success for a missing pair (aws-keypairs.md §5).
	var b strings.Builder
	open(&b, "DeleteKeyPair", reqID)
	b.WriteString("    <return>true</return>\n")
	if deleted != "" {
		elem(&b, "keyPairId", deleted)
	}
	b.WriteString("</DeleteKeyPairResponse>")
	return b.String(), nil
}

func open(b *strings.Builder, action, reqID string) {
	fmt.Fprintf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%sResponse xmlns=\"%s\">\n    <requestId>%s</requestId>\n",
		action, Namespace, reqID)
}

func elem(b *strings.Builder, name, value string) {
	b.WriteString("    <" + name + ">" + xmlText(value) + "</" + name + ">\n")
}

func tagSet(b *strings.Builder, indent string, tags []pair.Tag) {
	if len(tags) == 0 {
		b.WriteString(indent + "<tagSet/>\n")
		return
	}
	b.WriteString(indent + "<tagSet>")
	for _, t := range tags {
		b.WriteString("<item><key>" + xmlText(t.Key) + "</key><value>" + xmlText(t.Value) + "</value></item>")
	}
	b.WriteString("</tagSet>\n")
}

package ec2test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// This file answers the EC2 calls that tell what uses a key pair, and
// DescribeRegions: DescribeInstances, DescribeLaunchTemplates,
// DescribeLaunchTemplateVersions, DescribeSpotInstanceRequests. Shapes
// follow the EC2 API reference and the SDK's deserializers; every list is
// paginated with MaxResults/NextToken within EC2's bounds, and
// Options.PageSize makes pages smaller still.

// wait sleeps Options.Latency, or until the client gives up.
func (s *Server) wait(r *http.Request) {
	if s.opts.Latency <= 0 {
		return
	}
	t := time.NewTimer(s.opts.Latency)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

// filters reads Filter.N.Name and Filter.N.Value.M; a name not in allowed
// (nor tag:KEY when tags is set) is refused as EC2 does.
func parseFilters(p url.Values, tags bool, allowed ...string) ([]filter, *apiError) {
	var out []filter
	for n := 1; p.Has("Filter." + strconv.Itoa(n) + ".Name"); n++ {
		fp := "Filter." + strconv.Itoa(n)
		f := filter{name: p.Get(fp + ".Name"), values: listParam(p, fp+".Value")}
		if !contains(allowed, f.name) && !(tags && (strings.HasPrefix(f.name, "tag:") || f.name == "tag-key")) {
			return nil, errorf(400, "InvalidParameterValue", "The filter '%s' is invalid", f.name)
		}
		out = append(out, f)
	}
	return out, nil
}

// matches says whether value matches one of the filter's values, which may
// hold EC2's wildcards * and ?.
func (f filter) matches(value string) bool {
	for _, v := range f.values {
		if glob(v, value) {
			return true
		}
	}
	return false
}

// glob matches s against pattern with * (any run) and ? (any one character).
func glob(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	pi, ti, star, mark := 0, 0, -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi, mark = star+1, mark+1
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// page picks the slice [start, end) of n items the request asks for:
// NextToken says where to start, MaxResults (param, between lo and hi;
// absent = all) how many, Options.PageSize caps it. next is the token of
// the following page, "" on the last.
func (s *Server) page(p url.Values, action, param string, lo, hi, n int) (start, end int, next string, e *apiError) {
	size := n
	if v := p.Get(param); v != "" {
		m, err := strconv.Atoi(v)
		if err != nil || m < lo || m > hi {
			return 0, 0, "", errorf(400, "InvalidParameterValue",
				"Value ( %s ) for parameter %s is invalid. Expecting a value between %d and %d.", v, lowerFirst(param), lo, hi)
		}
		size = m
	}
	if s.opts.PageSize > 0 && size > s.opts.PageSize {
		size = s.opts.PageSize
	}
	if tok := p.Get("NextToken"); tok != "" {
		start = -1
		if raw, err := base64.RawURLEncoding.DecodeString(tok); err == nil {
			if at, ok := strings.CutPrefix(string(raw), action+":"); ok {
				if v, err := strconv.Atoi(at); err == nil && v >= 0 && v <= n {
					start = v
				}
			}
		}
		if start < 0 {
			return 0, 0, "", errorf(400, "InvalidParameterValue", "The token '%s' is invalid.", tok)
		}
	}
	end = start + size
	if size <= 0 || end > n {
		end = n
	}
	if end < n {
		next = base64.RawURLEncoding.EncodeToString([]byte(action + ":" + strconv.Itoa(end)))
	}
	return start, end, next, nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func nextToken(b *strings.Builder, next string) {
	if next != "" {
		elem(b, "nextToken", next)
	}
}

const ownerID = "123456789012"

func (s *Server) describeInstances(region string, p url.Values, reqID string) (string, *apiError) {
	ids := listParam(p, "InstanceId")
	filters, e := parseFilters(p, true, "key-name", "instance-state-name", "instance-state-code", "instance-id", "instance-type")
	if e != nil {
		return "", e
	}
	if len(ids) > 0 && p.Has("MaxResults") {
		return "", errorf(400, "InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults")
	}
	if p.Get("DryRun") == "true" {
		return "", errDryRun
	}
	s.mu.Lock()
	all := append([]Instance(nil), s.region(region).instances...)
	s.mu.Unlock()
	for _, id := range ids {
		found := false
		for _, in := range all {
			found = found || in.ID == id
		}
		if !found {
			return "", errorf(400, "InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", id)
		}
	}
	var sel []Instance
	for _, in := range all {
		if len(ids) > 0 && !contains(ids, in.ID) {
			continue
		}
		ok := true
		for _, f := range filters {
			switch {
			case f.name == "key-name":
				ok = ok && in.KeyName != "" && f.matches(in.KeyName)
			case f.name == "instance-state-name":
				ok = ok && f.matches(in.State)
			case f.name == "instance-state-code":
				ok = ok && f.matches(strconv.Itoa(instanceStateCodes[in.State]))
			case f.name == "instance-id":
				ok = ok && f.matches(in.ID)
			case f.name == "instance-type":
				ok = ok && f.matches(in.Type)
			case f.name == "tag:Name":
				ok = ok && in.Name != "" && f.matches(in.Name)
			case f.name == "tag-key":
				ok = ok && in.Name != "" && f.matches("Name")
			default: // another tag: seeded instances have only Name
				ok = false
			}
		}
		if ok {
			sel = append(sel, in)
		}
	}
	start, end, next, e := s.page(p, "DescribeInstances", "MaxResults", 5, 1000, len(sel))
	if e != nil {
		return "", e
	}

	var b strings.Builder
	open(&b, "DescribeInstances", reqID)
	if start == end {
		b.WriteString("    <reservationSet/>\n")
	} else {
		b.WriteString("    <reservationSet>\n")
		for _, in := range sel[start:end] {
			b.WriteString("        <item>\n")
			b.WriteString("            <reservationId>r-" + strings.TrimPrefix(in.ID, "i-") + "</reservationId>\n")
			b.WriteString("            <ownerId>" + ownerID + "</ownerId>\n")
			b.WriteString("            <groupSet/>\n")
			b.WriteString("            <instancesSet>\n                <item>\n")
			ind := "                    "
			b.WriteString(ind + "<instanceId>" + xmlText(in.ID) + "</instanceId>\n")
			b.WriteString(ind + "<imageId>ami-0abcdef1234567890</imageId>\n")
			fmt.Fprintf(&b, "%s<instanceState>\n%s    <code>%d</code>\n%s    <name>%s</name>\n%s</instanceState>\n",
				ind, ind, instanceStateCodes[in.State], ind, in.State, ind)
			b.WriteString(ind + "<privateDnsName/>\n" + ind + "<dnsName/>\n")
			if in.KeyName != "" {
				b.WriteString(ind + "<keyName>" + xmlText(in.KeyName) + "</keyName>\n")
			}
			b.WriteString(ind + "<amiLaunchIndex>0</amiLaunchIndex>\n")
			b.WriteString(ind + "<instanceType>" + xmlText(in.Type) + "</instanceType>\n")
			b.WriteString(ind + "<launchTime>" + in.Launch.UTC().Format("2006-01-02T15:04:05.000Z") + "</launchTime>\n")
			b.WriteString(ind + "<placement>\n" + ind + "    <availabilityZone>" + xmlText(region) + "a</availabilityZone>\n" +
				ind + "    <tenancy>default</tenancy>\n" + ind + "</placement>\n")
			b.WriteString(ind + "<monitoring>\n" + ind + "    <state>disabled</state>\n" + ind + "</monitoring>\n")
			if in.Name != "" {
				b.WriteString(ind + "<tagSet><item><key>Name</key><value>" + xmlText(in.Name) + "</value></item></tagSet>\n")
			}
			b.WriteString("                </item>\n            </instancesSet>\n")
			b.WriteString("        </item>\n")
		}
		b.WriteString("    </reservationSet>\n")
	}
	nextToken(&b, next)
	b.WriteString("</DescribeInstancesResponse>")
	return b.String(), nil
}

// templates returns a copy of region's launch templates.
func (s *Server) templates(region string) []LaunchTemplate {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []LaunchTemplate
	for _, t := range s.region(region).templates {
		c := *t
		c.Versions = append([]LaunchTemplateVersion(nil), t.Versions...)
		out = append(out, c)
	}
	return out
}

var templateCreated = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func (s *Server) describeLaunchTemplates(region string, p url.Values, reqID string) (string, *apiError) {
	ids, names := listParam(p, "LaunchTemplateId"), listParam(p, "LaunchTemplateName")
	filters, e := parseFilters(p, true, "launch-template-name", "create-time")
	if e != nil {
		return "", e
	}
	if p.Get("DryRun") == "true" {
		return "", errDryRun
	}
	all := s.templates(region)
	for _, want := range append(append([]string(nil), ids...), names...) {
		found := false
		for _, t := range all {
			found = found || t.ID == want || t.Name == want
		}
		if !found {
			if contains(ids, want) {
				return "", errorf(400, "InvalidLaunchTemplateId.NotFound",
					"The specified launch template, with template ID %s, does not exist.", want)
			}
			return "", errorf(400, "InvalidLaunchTemplateName.NotFoundException",
				"At least one of the launch templates specified in the request does not exist.")
		}
	}
	var sel []LaunchTemplate
	for _, t := range all {
		if len(ids)+len(names) > 0 && !contains(ids, t.ID) && !contains(names, t.Name) {
			continue
		}
		ok := true
		for _, f := range filters {
			ok = ok && f.name == "launch-template-name" && f.matches(t.Name)
		}
		if ok {
			sel = append(sel, t)
		}
	}
	start, end, next, e := s.page(p, "DescribeLaunchTemplates", "MaxResults", 1, 200, len(sel))
	if e != nil {
		return "", e
	}
	var b strings.Builder
	open(&b, "DescribeLaunchTemplates", reqID)
	if start == end {
		b.WriteString("    <launchTemplates/>\n")
	} else {
		b.WriteString("    <launchTemplates>\n")
		for _, t := range sel[start:end] {
			ind := "            "
			b.WriteString("        <item>\n")
			b.WriteString(ind + "<createTime>" + templateCreated.Format("2006-01-02T15:04:05.000Z") + "</createTime>\n")
			b.WriteString(ind + "<createdBy>arn:aws:iam::" + ownerID + ":root</createdBy>\n")
			b.WriteString(ind + "<defaultVersionNumber>" + strconv.Itoa(t.Default) + "</defaultVersionNumber>\n")
			b.WriteString(ind + "<latestVersionNumber>" + strconv.Itoa(len(t.Versions)) + "</latestVersionNumber>\n")
			b.WriteString(ind + "<launchTemplateId>" + xmlText(t.ID) + "</launchTemplateId>\n")
			b.WriteString(ind + "<launchTemplateName>" + xmlText(t.Name) + "</launchTemplateName>\n")
			b.WriteString("        </item>\n")
		}
		b.WriteString("    </launchTemplates>\n")
	}
	nextToken(&b, next)
	b.WriteString("</DescribeLaunchTemplatesResponse>")
	return b.String(), nil
}

type templateVersion struct {
	t      *LaunchTemplate
	number int
}

func (s *Server) describeLaunchTemplateVersions(region string, p url.Values, reqID string) (string, *apiError) {
	id, name := p.Get("LaunchTemplateId"), p.Get("LaunchTemplateName")
	versions := listParam(p, "LaunchTemplateVersion")
	filters, e := parseFilters(p, false, "is-default-version", "create-time", "ebs-optimized", "iam-instance-profile",
		"image-id", "instance-type", "kernel-id", "ram-disk-id")
	if e != nil {
		return "", e
	}
	if id != "" && name != "" {
		return "", errorf(400, "InvalidParameterCombination", "Specify either the launch template ID or the launch template name, but not both.")
	}
	minV, maxV := 0, 0
	for _, mv := range []struct {
		param string
		v     *int
	}{{"MinVersion", &minV}, {"MaxVersion", &maxV}} {
		if v := p.Get(mv.param); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return "", errorf(400, "InvalidParameterValue", "The value '%s' for parameter %s is invalid.", v, mv.param)
			}
			*mv.v = n
		}
	}
	if p.Get("DryRun") == "true" {
		return "", errDryRun
	}
	all := s.templates(region)
	var sel []templateVersion
	if id == "" && name == "" {
		// Every template's $Latest and/or $Default version, numbers refused.
		if len(versions) == 0 {
			return "", errorf(400, "MissingParameter", "The request must contain the parameter LaunchTemplateName or LaunchTemplateId, "+
				"or LaunchTemplateVersion $Latest or $Default to describe every launch template.")
		}
		for _, v := range versions {
			if v != "$Latest" && v != "$Default" {
				return "", errorf(400, "InvalidParameterValue",
					"Only $Latest and $Default can be specified when you describe versions of every launch template; '%s' was given.", v)
			}
		}
		for i := range all {
			t := &all[i]
			var nums []int
			if contains(versions, "$Latest") {
				nums = append(nums, len(t.Versions))
			}
			if contains(versions, "$Default") && (len(nums) == 0 || nums[0] != t.Default) {
				nums = append(nums, t.Default)
			}
			for _, n := range nums {
				sel = append(sel, templateVersion{t, n})
			}
		}
	} else {
		var t *LaunchTemplate
		for i := range all {
			if (id != "" && all[i].ID == id) || (name != "" && all[i].Name == name) {
				t = &all[i]
			}
		}
		if t == nil {
			if id != "" {
				return "", errorf(400, "InvalidLaunchTemplateId.NotFound",
					"The specified launch template, with template ID %s, does not exist.", id)
			}
			return "", errorf(400, "InvalidLaunchTemplateName.NotFoundException",
				"The specified launch template, with template name %s, does not exist.", name)
		}
		want := map[int]bool{}
		for _, v := range versions {
			switch v {
			case "$Latest":
				want[len(t.Versions)] = true
			case "$Default":
				want[t.Default] = true
			default:
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || n > len(t.Versions) {
					return "", errorf(400, "InvalidLaunchTemplateId.VersionNotFound",
						"Could not find launch template version %s for launch template %s.", v, t.ID)
				}
				want[n] = true
			}
		}
		for n := 1; n <= len(t.Versions); n++ {
			if len(want) > 0 && !want[n] || minV > 0 && n < minV || maxV > 0 && n > maxV {
				continue
			}
			sel = append(sel, templateVersion{t, n})
		}
	}
	var kept []templateVersion
	for _, tv := range sel {
		ok := true
		for _, f := range filters {
			switch f.name {
			case "is-default-version":
				ok = ok && f.matches(strconv.FormatBool(tv.number == tv.t.Default))
			default: // the seeded data has none of the others
				ok = false
			}
		}
		if ok {
			kept = append(kept, tv)
		}
	}
	start, end, next, e := s.page(p, "DescribeLaunchTemplateVersions", "MaxResults", 1, 200, len(kept))
	if e != nil {
		return "", e
	}
	var b strings.Builder
	open(&b, "DescribeLaunchTemplateVersions", reqID)
	if start == end {
		b.WriteString("    <launchTemplateVersionSet/>\n")
	} else {
		b.WriteString("    <launchTemplateVersionSet>\n")
		for _, tv := range kept[start:end] {
			v := tv.t.Versions[tv.number-1]
			ind := "            "
			b.WriteString("        <item>\n")
			b.WriteString(ind + "<createTime>" + templateCreated.Add(time.Duration(tv.number)*time.Hour).Format("2006-01-02T15:04:05.000Z") + "</createTime>\n")
			b.WriteString(ind + "<createdBy>arn:aws:iam::" + ownerID + ":root</createdBy>\n")
			b.WriteString(ind + "<defaultVersion>" + strconv.FormatBool(tv.number == tv.t.Default) + "</defaultVersion>\n")
			b.WriteString(ind + "<launchTemplateData>\n")
			b.WriteString(ind + "    <imageId>ami-0abcdef1234567890</imageId>\n")
			b.WriteString(ind + "    <instanceType>t3.micro</instanceType>\n")
			if v.KeyName != "" {
				b.WriteString(ind + "    <keyName>" + xmlText(v.KeyName) + "</keyName>\n")
			}
			b.WriteString(ind + "</launchTemplateData>\n")
			b.WriteString(ind + "<launchTemplateId>" + xmlText(tv.t.ID) + "</launchTemplateId>\n")
			b.WriteString(ind + "<launchTemplateName>" + xmlText(tv.t.Name) + "</launchTemplateName>\n")
			if v.Description != "" {
				b.WriteString(ind + "<versionDescription>" + xmlText(v.Description) + "</versionDescription>\n")
			}
			b.WriteString(ind + "<versionNumber>" + strconv.Itoa(tv.number) + "</versionNumber>\n")
			b.WriteString("        </item>\n")
		}
		b.WriteString("    </launchTemplateVersionSet>\n")
	}
	nextToken(&b, next)
	b.WriteString("</DescribeLaunchTemplateVersionsResponse>")
	return b.String(), nil
}

func (s *Server) describeSpotInstanceRequests(region string, p url.Values, reqID string) (string, *apiError) {
	ids := listParam(p, "SpotInstanceRequestId")
	filters, e := parseFilters(p, true, "launch.key-name", "state", "spot-instance-request-id", "instance-id")
	if e != nil {
		return "", e
	}
	if p.Get("DryRun") == "true" {
		return "", errDryRun
	}
	s.mu.Lock()
	all := append([]SpotRequest(nil), s.region(region).spots...)
	s.mu.Unlock()
	for _, id := range ids {
		found := false
		for _, sr := range all {
			found = found || sr.ID == id
		}
		if !found {
			return "", errorf(400, "InvalidSpotInstanceRequestID.NotFound", "The spot instance request ID '%s' does not exist", id)
		}
	}
	var sel []SpotRequest
	for _, sr := range all {
		if len(ids) > 0 && !contains(ids, sr.ID) {
			continue
		}
		ok := true
		for _, f := range filters {
			switch f.name {
			case "launch.key-name":
				ok = ok && sr.KeyName != "" && f.matches(sr.KeyName)
			case "state":
				ok = ok && f.matches(sr.State)
			case "spot-instance-request-id":
				ok = ok && f.matches(sr.ID)
			case "instance-id":
				ok = ok && sr.InstanceID != "" && f.matches(sr.InstanceID)
			default:
				ok = false
			}
		}
		if ok {
			sel = append(sel, sr)
		}
	}
	start, end, next, e := s.page(p, "DescribeSpotInstanceRequests", "MaxResults", 5, 1000, len(sel))
	if e != nil {
		return "", e
	}
	statusOf := map[string]string{"open": "pending-fulfillment", "active": "fulfilled", "closed": "instance-terminated-by-user",
		"cancelled": "canceled-before-fulfillment", "failed": "bad-parameters"}
	var b strings.Builder
	open(&b, "DescribeSpotInstanceRequests", reqID)
	if start == end {
		b.WriteString("    <spotInstanceRequestSet/>\n")
	} else {
		b.WriteString("    <spotInstanceRequestSet>\n")
		for _, sr := range sel[start:end] {
			ind := "            "
			b.WriteString("        <item>\n")
			b.WriteString(ind + "<spotInstanceRequestId>" + xmlText(sr.ID) + "</spotInstanceRequestId>\n")
			b.WriteString(ind + "<spotPrice>0.010000</spotPrice>\n")
			b.WriteString(ind + "<type>one-time</type>\n")
			b.WriteString(ind + "<state>" + sr.State + "</state>\n")
			b.WriteString(ind + "<status>\n" + ind + "    <code>" + statusOf[sr.State] + "</code>\n" +
				ind + "    <updateTime>" + templateCreated.Format("2006-01-02T15:04:05.000Z") + "</updateTime>\n" + ind + "</status>\n")
			b.WriteString(ind + "<launchSpecification>\n")
			b.WriteString(ind + "    <imageId>ami-0abcdef1234567890</imageId>\n")
			if sr.KeyName != "" {
				b.WriteString(ind + "    <keyName>" + xmlText(sr.KeyName) + "</keyName>\n")
			}
			b.WriteString(ind + "    <instanceType>t3.micro</instanceType>\n")
			b.WriteString(ind + "    <placement>\n" + ind + "        <availabilityZone>" + xmlText(region) + "a</availabilityZone>\n" + ind + "    </placement>\n")
			b.WriteString(ind + "</launchSpecification>\n")
			if sr.InstanceID != "" {
				b.WriteString(ind + "<instanceId>" + xmlText(sr.InstanceID) + "</instanceId>\n")
			}
			b.WriteString(ind + "<createTime>" + templateCreated.Format("2006-01-02T15:04:05.000Z") + "</createTime>\n")
			b.WriteString(ind + "<productDescription>Linux/UNIX</productDescription>\n")
			b.WriteString(ind + "<tagSet/>\n")
			b.WriteString(ind + "<instanceInterruptionBehavior>terminate</instanceInterruptionBehavior>\n")
			b.WriteString("        </item>\n")
		}
		b.WriteString("    </spotInstanceRequestSet>\n")
	}
	nextToken(&b, next)
	b.WriteString("</DescribeSpotInstanceRequestsResponse>")
	return b.String(), nil
}

func (s *Server) describeRegions(region string, p url.Values, reqID string) (string, *apiError) {
	names := listParam(p, "RegionName")
	filters, e := parseFilters(p, false, "endpoint", "opt-in-status", "region-name")
	if e != nil {
		return "", e
	}
	if p.Get("DryRun") == "true" {
		return "", errDryRun
	}
	enabled, notOptedIn := s.regionList()
	type info struct{ name, status string }
	var list []info
	for _, r := range enabled {
		st := "opt-in-not-required"
		if contains(s.opts.OptedIn, r) {
			st = "opted-in"
		}
		list = append(list, info{r, st})
	}
	if p.Get("AllRegions") == "true" {
		for _, r := range notOptedIn {
			list = append(list, info{r, "not-opted-in"})
		}
	}
	for _, n := range names {
		found := false
		for _, i := range list {
			found = found || i.name == n
		}
		if !found {
			return "", errorf(400, "InvalidParameterValue", "Invalid region: %s", n)
		}
	}
	var b strings.Builder
	open(&b, "DescribeRegions", reqID)
	b.WriteString("    <regionInfo>\n")
	for _, i := range list {
		if len(names) > 0 && !contains(names, i.name) {
			continue
		}
		endpoint := "ec2." + i.name + ".amazonaws.com"
		ok := true
		for _, f := range filters {
			switch f.name {
			case "region-name":
				ok = ok && f.matches(i.name)
			case "opt-in-status":
				ok = ok && f.matches(i.status)
			case "endpoint":
				ok = ok && f.matches(endpoint)
			}
		}
		if !ok {
			continue
		}
		b.WriteString("        <item>\n")
		b.WriteString("            <regionName>" + xmlText(i.name) + "</regionName>\n")
		b.WriteString("            <regionEndpoint>" + xmlText(endpoint) + "</regionEndpoint>\n")
		b.WriteString("            <optInStatus>" + i.status + "</optInStatus>\n")
		b.WriteString("        </item>\n")
	}
	b.WriteString("    </regionInfo>\n")
	b.WriteString("</DescribeRegionsResponse>")
	return b.String(), nil
}

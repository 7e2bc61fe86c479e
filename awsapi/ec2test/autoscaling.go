package ec2test

import (
	"net/url"
	"strings"
)

// This file answers Amazon EC2 Auto Scaling's Query API (version
// 2011-01-01, SigV4 service "autoscaling") on the same URL as EC2: its
// answers are in their own namespace with a <...Result> wrapper and
// <ResponseMetadata>, its errors are <ErrorResponse> documents, and its
// lists are <member> elements. Only DescribeLaunchConfigurations is known.

const (
	autoScalingService   = "autoscaling"
	autoScalingVersion   = "2011-01-01"
	AutoScalingNamespace = "http://autoscaling.amazonaws.com/doc/2011-01-01/"
)

// actAutoScaling carries out one Auto Scaling action in region.
func (s *Server) actAutoScaling(region, action string, p url.Values, reqID string) (string, *apiError) {
	if v := p.Get("Version"); v != autoScalingVersion && v != "" {
		return "", errorf(400, "InvalidParameterValue", "Version %q is not supported by this stand-in", v)
	}
	switch action {
	case "DescribeLaunchConfigurations":
		return s.describeLaunchConfigurations(region, p, reqID)
	case "":
		return "", errorf(400, "MissingAction", "The request must contain the parameter Action")
	}
	return "", errorf(400, "InvalidAction", "Could not find operation %s for version %s", action, autoScalingVersion)
}

// autoScalingError is the awsquery error document (Type Sender for 4xx).
func autoScalingError(e *apiError, reqID string) string {
	typ := "Sender"
	if e.status >= 500 {
		typ = "Receiver"
	}
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<ErrorResponse xmlns="` + AutoScalingNamespace + `">` + "\n" +
		"  <Error>\n    <Type>" + typ + "</Type>\n    <Code>" + xmlText(e.code) + "</Code>\n    <Message>" + xmlText(e.message) +
		"</Message>\n  </Error>\n  <RequestId>" + reqID + "</RequestId>\n</ErrorResponse>\n"
}

func (s *Server) describeLaunchConfigurations(region string, p url.Values, reqID string) (string, *apiError) {
	names := listParam(p, "LaunchConfigurationNames.member")
	s.mu.Lock()
	all := append([]LaunchConfiguration(nil), s.region(region).configs...)
	s.mu.Unlock()
	var sel []LaunchConfiguration
	for _, lc := range all {
		if len(names) == 0 || contains(names, lc.Name) {
			sel = append(sel, lc)
		}
	}
	// MaxRecords: 1 to 100, default 50.
	q := url.Values{}
	for k, v := range p {
		q[k] = v
	}
	if !q.Has("MaxRecords") {
		q.Set("MaxRecords", "50")
	}
	start, end, next, e := s.page(q, "DescribeLaunchConfigurations", "MaxRecords", 1, 100, len(sel))
	if e != nil {
		e.code = "ValidationError"
		if q.Get("NextToken") != "" && strings.HasPrefix(e.message, "The token") {
			e.code, e.message = "InvalidNextToken", "The NextToken value is not valid."
		}
		return "", e
	}
	var b strings.Builder
	b.WriteString(`<DescribeLaunchConfigurationsResponse xmlns="` + AutoScalingNamespace + `">` + "\n")
	b.WriteString("  <DescribeLaunchConfigurationsResult>\n")
	if start == end {
		b.WriteString("    <LaunchConfigurations/>\n")
	} else {
		b.WriteString("    <LaunchConfigurations>\n")
		for _, lc := range sel[start:end] {
			ind := "        "
			b.WriteString("      <member>\n")
			b.WriteString(ind + "<LaunchConfigurationName>" + xmlText(lc.Name) + "</LaunchConfigurationName>\n")
			b.WriteString(ind + "<LaunchConfigurationARN>arn:aws:autoscaling:" + xmlText(region) + ":" + ownerID +
				":launchConfiguration:" + launchConfigUUID(lc.Name) + ":launchConfigurationName/" + xmlText(lc.Name) + "</LaunchConfigurationARN>\n")
			b.WriteString(ind + "<ImageId>" + xmlText(lc.ImageID) + "</ImageId>\n")
			// Real Auto Scaling sends an empty KeyName for a configuration without one.
			b.WriteString(ind + "<KeyName>" + xmlText(lc.KeyName) + "</KeyName>\n")
			b.WriteString(ind + "<SecurityGroups/>\n")
			b.WriteString(ind + "<ClassicLinkVPCSecurityGroups/>\n")
			b.WriteString(ind + "<UserData/>\n")
			b.WriteString(ind + "<InstanceType>t3.micro</InstanceType>\n")
			b.WriteString(ind + "<KernelId/>\n" + ind + "<RamdiskId/>\n")
			b.WriteString(ind + "<BlockDeviceMappings/>\n")
			b.WriteString(ind + "<InstanceMonitoring>\n" + ind + "  <Enabled>true</Enabled>\n" + ind + "</InstanceMonitoring>\n")
			b.WriteString(ind + "<CreatedTime>" + lc.Created.UTC().Format("2006-01-02T15:04:05.000Z") + "</CreatedTime>\n")
			b.WriteString(ind + "<EbsOptimized>false</EbsOptimized>\n")
			b.WriteString("      </member>\n")
		}
		b.WriteString("    </LaunchConfigurations>\n")
	}
	if next != "" {
		b.WriteString("    <NextToken>" + next + "</NextToken>\n")
	}
	b.WriteString("  </DescribeLaunchConfigurationsResult>\n")
	b.WriteString("  <ResponseMetadata>\n    <RequestId>" + reqID + "</RequestId>\n  </ResponseMetadata>\n")
	b.WriteString("</DescribeLaunchConfigurationsResponse>\n")
	return b.String(), nil
}

// launchConfigUUID is a stable UUID-shaped part of the ARN, from the name.
func launchConfigUUID(name string) string {
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		h = (h ^ uint64(name[i])) * 1099511628211
	}
	const hexd = "0123456789abcdef"
	var b [32]byte
	for i := range b {
		h = h*6364136223846793005 + 1442695040888963407
		b[i] = hexd[h>>60]
	}
	x := string(b[:])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

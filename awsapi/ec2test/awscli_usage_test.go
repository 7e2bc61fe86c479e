package ec2test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestAWSCLIUsage drives awscli v2 through the calls that tell what uses a
// key pair, and DescribeRegions, against seeded state: the stand-in's
// answers, pages and errors must parse as real EC2's and Auto Scaling's do.
func TestAWSCLIUsage(t *testing.T) {
	requireAWSCLI(t)
	s := New(Options{})
	defer s.Close()
	r := "us-east-1"
	var webIDs []string
	for i := 0; i < 12; i++ {
		state := []string{"running", "stopped", "terminated"}[i%3]
		id, err := s.AddInstance(r, Instance{KeyName: "web", State: state, Name: fmt.Sprintf("web-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		webIDs = append(webIDs, id)
	}
	s.AddInstance(r, Instance{KeyName: "db"})
	s.AddInstance(r, Instance{})
	ltID, err := s.AddLaunchTemplate(r, LaunchTemplate{Name: "web-lt", Default: 2,
		Versions: []LaunchTemplateVersion{{KeyName: "old"}, {KeyName: "web", Description: "current"}, {}}})
	if err != nil {
		t.Fatal(err)
	}
	s.AddLaunchTemplate(r, LaunchTemplate{Name: "db-lt", Versions: []LaunchTemplateVersion{{KeyName: "db"}}})
	for _, lc := range []LaunchConfiguration{{Name: "lc-web", KeyName: "web"}, {Name: "lc-db", KeyName: "db"}, {Name: "lc-none"}} {
		if err := s.AddLaunchConfiguration(r, lc); err != nil {
			t.Fatal(err)
		}
	}
	s.AddSpotRequest(r, SpotRequest{ID: "sir-aaaaaaaa", KeyName: "web"})
	s.AddSpotRequest(r, SpotRequest{ID: "sir-bbbbbbbb", KeyName: "web", State: "active", InstanceID: webIDs[0]})
	s.AddSpotRequest(r, SpotRequest{ID: "sir-cccccccc", KeyName: "web", State: "cancelled"})
	s.AddSpotRequest(r, SpotRequest{ID: "sir-dddddddd", KeyName: "db"})

	run := func(t *testing.T, v any, service string, args ...string) {
		t.Helper()
		out, errOut, code := runAWSService(t, s, service, append(args, "--output", "json")...)
		if code != 0 {
			t.Fatalf("aws %s %v: exit %d: %s", service, args, code, errOut)
		}
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}
	count := func(action string) int {
		n := 0
		for _, lr := range s.Requests() {
			if lr.Action == action {
				n++
			}
		}
		return n
	}

	t.Run("describe-instances by key name, in pages of 5", func(t *testing.T) {
		s.ResetLog()
		var out struct {
			Reservations []struct {
				OwnerId   string
				Instances []struct {
					InstanceId, KeyName, InstanceType, LaunchTime string
					State                                         struct {
						Code int
						Name string
					}
					Tags []struct{ Key, Value string }
				}
			}
		}
		run(t, &out, "ec2", "describe-instances", "--filters", "Name=key-name,Values=web", "--page-size", "5")
		if len(out.Reservations) != 12 || count("DescribeInstances") != 3 {
			t.Fatalf("%d reservations in %d calls", len(out.Reservations), count("DescribeInstances"))
		}
		for i, res := range out.Reservations {
			in := res.Instances[0]
			want := map[string]int{"running": 16, "stopped": 80, "terminated": 48}[[]string{"running", "stopped", "terminated"}[i%3]]
			if in.InstanceId != webIDs[i] || in.KeyName != "web" || in.State.Code != want || res.OwnerId != ownerID ||
				len(in.Tags) != 1 || in.Tags[0].Value != fmt.Sprintf("web-%d", i) || !strings.HasSuffix(in.LaunchTime, "+00:00") {
				t.Errorf("reservation %d: %+v", i, res)
			}
		}
		run(t, &out, "ec2", "describe-instances", "--filters", "Name=key-name,Values=web",
			"Name=instance-state-name,Values=pending,running,shutting-down,stopping,stopped")
		if len(out.Reservations) != 8 {
			t.Errorf("not terminated: %d", len(out.Reservations))
		}
		// EC2's bounds on MaxResults.
		_, errOut, code := runAWS(t, s, "describe-instances", "--max-results", "2")
		if code != 254 || !strings.Contains(errOut, "InvalidParameterValue") {
			t.Errorf("max-results 2: exit %d %s", code, errOut)
		}
		_, errOut, code = runAWS(t, s, "describe-instances", "--filters", "Name=colour,Values=red")
		if code != 254 || !strings.Contains(errOut, "The filter 'colour' is invalid") {
			t.Errorf("bad filter: exit %d %s", code, errOut)
		}
	})

	t.Run("describe-launch-templates and versions", func(t *testing.T) {
		var lts struct {
			LaunchTemplates []struct {
				LaunchTemplateId, LaunchTemplateName, CreateTime string
				DefaultVersionNumber, LatestVersionNumber        int
			}
		}
		s.ResetLog()
		run(t, &lts, "ec2", "describe-launch-templates", "--page-size", "1")
		if len(lts.LaunchTemplates) != 2 || count("DescribeLaunchTemplates") != 2 {
			t.Fatalf("%+v in %d calls", lts, count("DescribeLaunchTemplates"))
		}
		if lt := lts.LaunchTemplates[0]; lt.LaunchTemplateId != ltID || lt.LaunchTemplateName != "web-lt" ||
			lt.DefaultVersionNumber != 2 || lt.LatestVersionNumber != 3 || lt.CreateTime == "" {
			t.Errorf("%+v", lt)
		}
		var vs struct {
			LaunchTemplateVersions []struct {
				LaunchTemplateId, LaunchTemplateName, VersionDescription string
				VersionNumber                                            int
				DefaultVersion                                           bool
				LaunchTemplateData                                       struct{ KeyName, ImageId, InstanceType string }
			}
		}
		run(t, &vs, "ec2", "describe-launch-template-versions", "--launch-template-id", ltID, "--page-size", "2")
		if len(vs.LaunchTemplateVersions) != 3 {
			t.Fatalf("%+v", vs)
		}
		for i, want := range []string{"old", "web", ""} {
			v := vs.LaunchTemplateVersions[i]
			if v.VersionNumber != i+1 || v.LaunchTemplateData.KeyName != want || v.DefaultVersion != (i == 1) ||
				v.LaunchTemplateName != "web-lt" || v.LaunchTemplateData.ImageId == "" {
				t.Errorf("version %d: %+v", i+1, v)
			}
		}
		if vs.LaunchTemplateVersions[1].VersionDescription != "current" {
			t.Errorf("description %+v", vs.LaunchTemplateVersions[1])
		}
		// Every template's $Latest, without naming one.
		run(t, &vs, "ec2", "describe-launch-template-versions", "--versions", "$Latest")
		if len(vs.LaunchTemplateVersions) != 2 || vs.LaunchTemplateVersions[0].VersionNumber != 3 ||
			vs.LaunchTemplateVersions[1].LaunchTemplateData.KeyName != "db" {
			t.Errorf("$Latest: %+v", vs)
		}
		_, errOut, code := runAWS(t, s, "describe-launch-template-versions", "--versions", "2")
		if code != 254 || !strings.Contains(errOut, "InvalidParameterValue") {
			t.Errorf("a number without a template: exit %d %s", code, errOut)
		}
		_, errOut, code = runAWS(t, s, "describe-launch-template-versions", "--launch-template-id", "lt-00000000000000000")
		if code != 254 || !strings.Contains(errOut, "InvalidLaunchTemplateId.NotFound") {
			t.Errorf("missing template: exit %d %s", code, errOut)
		}
	})

	t.Run("describe-spot-instance-requests", func(t *testing.T) {
		var out struct {
			SpotInstanceRequests []struct {
				SpotInstanceRequestId, State, InstanceId, CreateTime string
				LaunchSpecification                                  struct{ KeyName, ImageId string }
				Status                                               struct{ Code string }
			}
		}
		run(t, &out, "ec2", "describe-spot-instance-requests", "--filters", "Name=launch.key-name,Values=web", "Name=state,Values=open,active")
		if len(out.SpotInstanceRequests) != 2 {
			t.Fatalf("%+v", out)
		}
		a, b := out.SpotInstanceRequests[0], out.SpotInstanceRequests[1]
		if a.SpotInstanceRequestId != "sir-aaaaaaaa" || a.State != "open" || a.LaunchSpecification.KeyName != "web" ||
			a.Status.Code != "pending-fulfillment" || b.State != "active" || b.InstanceId != webIDs[0] {
			t.Errorf("%+v", out)
		}
	})

	t.Run("describe-regions", func(t *testing.T) {
		var out struct {
			Regions []struct{ RegionName, Endpoint, OptInStatus string }
		}
		run(t, &out, "ec2", "describe-regions")
		if len(out.Regions) != 17 || out.Regions[0].RegionName != "ap-northeast-1" ||
			out.Regions[0].Endpoint != "ec2.ap-northeast-1.amazonaws.com" || out.Regions[0].OptInStatus != "opt-in-not-required" {
			t.Errorf("%+v", out)
		}
		run(t, &out, "ec2", "describe-regions", "--all-regions", "--filters", "Name=opt-in-status,Values=not-opted-in")
		if len(out.Regions) != 3 || out.Regions[0].RegionName != "af-south-1" {
			t.Errorf("%+v", out)
		}
	})

	t.Run("autoscaling describe-launch-configurations", func(t *testing.T) {
		var out struct {
			LaunchConfigurations []struct {
				LaunchConfigurationName, LaunchConfigurationARN, KeyName, ImageId, CreatedTime string
				InstanceMonitoring                                                             struct{ Enabled bool }
			}
		}
		s.ResetLog()
		run(t, &out, "autoscaling", "describe-launch-configurations", "--page-size", "2")
		if len(out.LaunchConfigurations) != 3 || count("DescribeLaunchConfigurations") != 2 {
			t.Fatalf("%+v in %d calls", out, count("DescribeLaunchConfigurations"))
		}
		lc := out.LaunchConfigurations[0]
		if lc.LaunchConfigurationName != "lc-web" || lc.KeyName != "web" || !strings.HasPrefix(lc.ImageId, "ami-") ||
			!strings.HasPrefix(lc.LaunchConfigurationARN, "arn:aws:autoscaling:us-east-1:123456789012:launchConfiguration:") ||
			!strings.HasSuffix(lc.CreatedTime, "+00:00") || !lc.InstanceMonitoring.Enabled {
			t.Errorf("%+v", lc)
		}
		if out.LaunchConfigurations[2].KeyName != "" {
			t.Errorf("no key: %+v", out.LaunchConfigurations[2])
		}
		run(t, &out, "autoscaling", "describe-launch-configurations", "--launch-configuration-names", "lc-db")
		if len(out.LaunchConfigurations) != 1 || out.LaunchConfigurations[0].KeyName != "db" {
			t.Errorf("by name: %+v", out)
		}
		for _, lr := range s.Requests() {
			if lr.Service != "autoscaling" || lr.Region != "us-east-1" || lr.Status != 200 {
				t.Errorf("request %+v", lr)
			}
		}
		// Auto Scaling's own error document.
		s.Inject(Fault{Kind: Deny, Action: "DescribeLaunchConfigurations", Times: 1})
		_, errOut, code := runAWSService(t, s, "autoscaling", "describe-launch-configurations")
		if code != 254 || !strings.Contains(errOut, "An error occurred (AccessDenied) when calling the DescribeLaunchConfigurations operation: "+
			"User: arn:aws:iam::123456789012:user/example is not authorized to perform: autoscaling:DescribeLaunchConfigurations") {
			t.Errorf("denied: exit %d %s", code, errOut)
		}
		_, errOut, code = runAWSService(t, s, "autoscaling", "describe-launch-configurations", "--max-records", "101")
		if code != 254 || !strings.Contains(errOut, "(ValidationError)") {
			t.Errorf("max-records 101: exit %d %s", code, errOut)
		}
	})
}

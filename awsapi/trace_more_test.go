package awsapi

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/pair"
)

// TestTracedParamsEqualSentEveryOtherCall extends TestTracedParamsEqualSent
// to the calls behind UsedBy, Usage and Regions (EC2 and Auto Scaling, some
// of them concurrent) and to SSM's JSON protocol: every request the
// stand-in received has exactly one trace with the same service, action,
// attempt, status and parameters, SSM's Value shown as [redacted].
func TestTracedParamsEqualSentEveryOtherCall(t *testing.T) {
	s, c, ts := traceSetup(t)
	t.Setenv("AWS_ENDPOINT_URL_SSM", s.URL())
	c = newClient(t, s, Options{OnTrace: ts.add})
	ctx := context.Background()
	const region = "us-east-1"
	if _, err := s.AddInstance(region, ec2test.Instance{KeyName: "web", Name: "web-1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddLaunchTemplate(region, ec2test.LaunchTemplate{Name: "lt", Versions: []ec2test.LaunchTemplateVersion{{KeyName: "web"}, {KeyName: "other"}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddLaunchConfiguration(region, ec2test.LaunchConfiguration{Name: "lc", KeyName: "web"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddSpotRequest(region, ec2test.SpotRequest{KeyName: "web"}); err != nil {
		t.Fatal(err)
	}
	if uses, err := c.UsedBy(ctx, "web"); err != nil || len(uses) != 4 {
		t.Fatalf("UsedBy: %v %v", uses, err)
	}
	if _, err := c.Usage(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Regions(ctx); err != nil {
		t.Fatal(err)
	}
	name := KeyParameterName("key-0123456789abcdef0")
	if _, err := c.PutKeyParameter(ctx, PutParameterInput{Name: name, Value: []byte("secret value"), Description: "d",
		Tags: []pair.Tag{{Key: "env", Value: "dev"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetKeyParameter(ctx, name); err != nil {
		t.Fatal(err)
	}

	logged, traced := s.Requests(), ts.all()
	if len(logged) != len(traced) {
		t.Fatalf("%d traces for %d logged requests", len(traced), len(logged))
	}
	key := func(service, action string, attempt, status int, ps []Param) string {
		return fmt.Sprintf("%s %s attempt=%d status=%d %s", service, action, attempt, status, paramsKey(ps))
	}
	var want, got []string
	actions := map[string]bool{}
	for _, lr := range logged {
		ps := loggedParams(lr)
		for i := range ps {
			if lr.Service == "ssm" && ps[i].Name == "Value" {
				ps[i].Value = Redacted
			}
		}
		want = append(want, key(lr.Service, lr.Action, lr.Attempt, lr.Status, ps))
		actions[lr.Service+" "+lr.Action] = true
	}
	for _, tr := range traced {
		got = append(got, key(tr.Service, tr.Action, tr.Attempt, tr.Status, tr.Params))
	}
	sort.Strings(want)
	sort.Strings(got)
	if !reflect.DeepEqual(want, got) {
		t.Errorf("traced requests differ from those received:\n got %q\nwant %q", got, want)
	}
	for _, a := range []string{"ec2 DescribeInstances", "ec2 DescribeLaunchTemplates", "ec2 DescribeLaunchTemplateVersions",
		"ec2 DescribeSpotInstanceRequests", "autoscaling DescribeLaunchConfigurations", "ec2 DescribeRegions",
		"ssm PutParameter", "ssm GetParameter"} {
		if !actions[a] {
			t.Errorf("no %s request was made: %v", a, actions)
		}
	}
	for _, tr := range traced {
		for _, l := range tr.Lines() {
			if strings.Contains(l, "secret value") {
				t.Errorf("the parameter's value is in the trace: %q", l)
			}
		}
	}
}

func paramsKey(ps []Param) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%q=%q ", p.Name, p.Value)
	}
	return b.String()
}

package awsapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// cannedTransport answers every request with one status and body.
type cannedTransport struct {
	status int
	body   []byte
}

func (c cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{
		StatusCode: c.status, Status: http.StatusText(c.status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"text/xml;charset=UTF-8"}},
		Body:          io.NopCloser(bytes.NewReader(c.body)),
		ContentLength: int64(len(c.body)), Request: r,
	}, nil
}

// cannedClient is a client whose every request gets the answer status
// (folded into 100-599) with body, without a network.
func cannedClient(t *testing.T, status uint16, body []byte) *Client {
	t.Helper()
	c, err := New(context.Background(), Options{
		Region: "us-east-1", EndpointURL: "http://127.0.0.1:9", MaxAttempts: 1, MaxBackoff: time.Millisecond,
		HTTPClient: &http.Client{Transport: cannedTransport{status: int(status%500) + 100, body: body}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// FuzzResponseBody feeds arbitrary answers through the real SDK client for
// every action: no panic, and nothing returned carries control bytes.
func FuzzResponseBody(f *testing.F) {
	testEnv(f)
	seeds := []string{
		`<CreateKeyPairResponse xmlns="` + ec2test.Namespace + `"><requestId>r</requestId><keyName>a` + "\u009b" + `</keyName><keyMaterial>x</keyMaterial><tagSet><item><key>k</key><value>v</value></item></tagSet></CreateKeyPairResponse>`,
		`<DescribeKeyPairsResponse xmlns="` + ec2test.Namespace + `"><keySet><item><keyName>n</keyName><publicKey>p` + "\u0085" + `</publicKey><createTime>2026-11-27T06:00:00.000Z</createTime></item></keySet></DescribeKeyPairsResponse>`,
		`<Response><Errors><Error><Code>DryRunOperation</Code><Message>m` + "\u009b" + `</Message></Error></Errors><RequestID>x</RequestID></Response>`,
		`<Response><Errors><Error><Code>InvalidKeyPair.Duplicate</Code><Message>` + "\xff\xfe" + `</Message></Error></Errors></Response>`,
		"<DeleteKeyPairResponse><return>true</return><keyPairId>\u009dkey</keyPairId></DeleteKeyPairResponse>",
		"<<<",
		"",
	}
	for _, s := range seeds {
		for _, st := range []uint16{200, 400, 403, 412, 503} {
			f.Add(st, []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, status uint16, body []byte) {
		c := cannedClient(t, status, body)
		ctx := context.Background()
		check := func(err error, strs ...string) {
			t.Helper()
			if err != nil {
				assertClean(t, err.Error())
				if e, ok := err.(*Error); ok {
					strs = append(strs, e.Code, e.Message, e.RequestID, e.KeyName)
				}
			}
			for _, s := range strs {
				assertClean(t, s)
			}
		}
		dry := func(d *DryRunResult) string {
			if d == nil {
				return ""
			}
			return d.Message
		}
		tagStrs := func(tags []pair.Tag) (out []string) {
			for _, tg := range tags {
				out = append(out, tg.Key, tg.Value)
			}
			return out
		}
		for _, dryRun := range []bool{false, true} {
			co, err := c.CreateKeyPair(ctx, CreateInput{Name: "n", Type: keys.RSA, Format: keys.PEM, DryRun: dryRun})
			if co != nil {
				check(err, append(tagStrs(co.Tags), co.KeyName, co.KeyPairID, co.KeyFingerprint, dry(co.DryRun))...)
				if termtext.CleanMultiline(string(co.KeyMaterial)) != string(co.KeyMaterial) {
					t.Fatalf("key material carries control bytes: %q", co.KeyMaterial)
				}
			} else {
				check(err)
			}
			io, err := c.ImportKeyPair(ctx, ImportInput{Name: "n", PublicKey: []byte("ssh-ed25519 AAAA"), DryRun: dryRun})
			if io != nil {
				check(err, append(tagStrs(io.Tags), io.KeyName, io.KeyPairID, io.KeyFingerprint, dry(io.DryRun))...)
			} else {
				check(err)
			}
			do, err := c.DeleteKeyPair(ctx, DeleteInput{Name: "n", DryRun: dryRun})
			if do != nil {
				check(err, do.KeyPairID, dry(do.DryRun))
			} else {
				check(err)
			}
		}
		list, err := c.DescribeKeyPairs(ctx, DescribeInput{IncludePublicKey: true})
		check(err)
		for _, kp := range list {
			check(nil, append(tagStrs(kp.Tags), kp.KeyName, kp.KeyPairID, kp.KeyFingerprint, kp.KeyType, kp.PublicKey)...)
		}
	})
}

// FuzzUsageAnswers feeds arbitrary answers to the listings behind UsedBy,
// Usage and Regions: no panic, no endless paging, nothing returned carries
// control bytes.
func FuzzUsageAnswers(f *testing.F) {
	testEnv(f)
	ns := `xmlns="` + ec2test.Namespace + `"`
	for _, s := range []string{
		`<DescribeInstancesResponse ` + ns + `><reservationSet><item><instancesSet><item><instanceId>i-1` + "\u009b" + `</instanceId><keyName>web</keyName><instanceState><code>16</code><name>running</name></instanceState><tagSet><item><key>Name</key><value>x` + "\x1b[2J" + `</value></item></tagSet></item></instancesSet></item></reservationSet><nextToken>t</nextToken></DescribeInstancesResponse>`,
		`<DescribeLaunchTemplatesResponse ` + ns + `><launchTemplates><item><launchTemplateId>lt-1</launchTemplateId><latestVersionNumber>3</latestVersionNumber></item></launchTemplates></DescribeLaunchTemplatesResponse>`,
		`<DescribeLaunchTemplateVersionsResponse ` + ns + `><launchTemplateVersionSet><item><launchTemplateId>lt-1</launchTemplateId><launchTemplateName>n` + "\u0085" + `</launchTemplateName><versionNumber>2</versionNumber><launchTemplateData><keyName>web</keyName></launchTemplateData></item></launchTemplateVersionSet></DescribeLaunchTemplateVersionsResponse>`,
		`<DescribeSpotInstanceRequestsResponse ` + ns + `><spotInstanceRequestSet><item><spotInstanceRequestId>sir-1</spotInstanceRequestId><state>open</state><launchSpecification><keyName>web` + "\x07" + `</keyName></launchSpecification></item></spotInstanceRequestSet></DescribeSpotInstanceRequestsResponse>`,
		`<DescribeLaunchConfigurationsResponse xmlns="` + ec2test.AutoScalingNamespace + `"><DescribeLaunchConfigurationsResult><LaunchConfigurations><member><LaunchConfigurationName>lc` + "\x1b" + `</LaunchConfigurationName><KeyName>web</KeyName></member></LaunchConfigurations><NextToken>n</NextToken></DescribeLaunchConfigurationsResult></DescribeLaunchConfigurationsResponse>`,
		`<DescribeRegionsResponse ` + ns + `><regionInfo><item><regionName>eu` + "\u009b" + `</regionName><optInStatus>opted-in</optInStatus></item></regionInfo></DescribeRegionsResponse>`,
		`<ErrorResponse><Error><Code>AccessDenied</Code><Message>no` + "\x1b" + `</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
		"<<<",
	} {
		for _, st := range []uint16{200, 403, 503} {
			f.Add(st, []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, status uint16, body []byte) {
		c := cannedClient(t, status, body)
		ctx := context.Background()
		checkUses := func(uses []Use) {
			for _, u := range uses {
				assertClean(t, u.ID)
				assertClean(t, u.Detail)
			}
		}
		uses, err := c.UsedBy(ctx, "web")
		if err != nil {
			assertClean(t, err.Error())
		} else if uses == nil {
			t.Fatal("UsedBy answered nil without an error")
		}
		checkUses(uses)
		usage, err := c.Usage(ctx)
		if err != nil {
			assertClean(t, err.Error())
		}
		for name, uses := range usage {
			assertClean(t, name)
			checkUses(uses)
		}
		regions, err := c.Regions(ctx)
		if err != nil {
			assertClean(t, err.Error())
		}
		for _, r := range regions {
			assertClean(t, r)
		}
	})
}

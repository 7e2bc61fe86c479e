package main

import (
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/awsapi/ec2test"
)

// tracedBlock is one block of --trace output, read back from the
// documented layout.
type tracedBlock struct {
	head   string
	params []ec2test.Param
	answer string
}

func parseTrace(t *testing.T, stderr string) []tracedBlock {
	t.Helper()
	var out []tracedBlock
	for _, line := range strings.Split(stderr, "\n") {
		switch {
		case strings.HasPrefix(line, "-> "):
			out = append(out, tracedBlock{head: line})
		case strings.HasPrefix(line, "<- ") && len(out) > 0:
			out[len(out)-1].answer = line
		case strings.HasPrefix(line, "   ") && len(out) > 0 && out[len(out)-1].answer == "":
			name, value, ok := strings.Cut(strings.TrimPrefix(line, "   "), "=")
			if !ok {
				t.Fatalf("parameter line %q", line)
			}
			if strings.HasPrefix(value, `"`) {
				v, err := strconv.Unquote(value)
				if err != nil {
					t.Fatalf("parameter line %q: %v", line, err)
				}
				value = v
			}
			out[len(out)-1].params = append(out[len(out)-1].params, ec2test.Param{Name: name, Value: value})
		}
	}
	return out
}

// TestTraceFlagCreate: keypair --trace create --batch with a key made by
// the stand-in and temporary credentials: one block per request, the
// parameters the stand-in received, and no line of the private key, the
// signature or the session token anywhere on stderr.
func TestTraceFlagCreate(t *testing.T) {
	for _, format := range []string{"pem", "ppk"} {
		t.Run(format, func(t *testing.T) {
			c, srv := awsCLI(t)
			const token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN//session+token="
			c.env["AWS_SESSION_TOKEN"] = token
			srv.Inject(ec2test.Fault{Kind: ec2test.Throttle, Action: "CreateKeyPair", Times: 1})
			r := c.run("", "--trace", "create", "--batch", "--name", "web", "--type", "rsa", "--format", format,
				"--tag", "Name=web server", "--tag", "env=a&b")
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			logged := srv.Requests()
			blocks := parseTrace(t, r.stderr)
			if len(blocks) != len(logged) || len(blocks) != 2 {
				t.Fatalf("%d blocks for %d requests:\n%s", len(blocks), len(logged), r.stderr)
			}
			for i, b := range blocks {
				head := "-> ec2 CreateKeyPair  region=us-east-1  endpoint=" + srv.URL() + "/  attempt=" + strconv.Itoa(i+1)
				if b.head != head {
					t.Errorf("head %q, want %q", b.head, head)
				}
				if !reflect.DeepEqual(b.params, logged[i].Params) {
					t.Errorf("block %d params\n got %q\nsent %q", i, b.params, logged[i].Params)
				}
			}
			if !regexp.MustCompile(`^<- 503  request-id=\S+  code=RequestLimitExceeded  \d+ms$`).MatchString(blocks[0].answer) ||
				!regexp.MustCompile(`^<- 200  request-id=\S+  \d+ms$`).MatchString(blocks[1].answer) {
				t.Errorf("answers %q, %q", blocks[0].answer, blocks[1].answer)
			}
			key, err := os.ReadFile(c.home + "/.ssh/web." + format)
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(r.stderr, "\n") {
				for _, kl := range strings.Split(string(key), "\n") {
					if kl = strings.TrimSpace(kl); len(kl) >= 8 && strings.Contains(line, kl) {
						t.Errorf("stderr line %q holds key line %q", line, kl)
					}
				}
				for _, lr := range logged {
					if lr.SecurityToken != token || lr.Signature == "" {
						t.Fatalf("stand-in saw token %q signature %q", lr.SecurityToken, lr.Signature)
					}
					if strings.Contains(line, lr.Signature) {
						t.Errorf("stderr line %q holds the signature", line)
					}
				}
				if strings.Contains(line, token) {
					t.Errorf("stderr line %q holds the session token", line)
				}
			}
		})
	}
}

func TestTraceEnvironment(t *testing.T) {
	c, srv := awsCLI(t)
	r := c.run("", "list")
	if r.code != 0 || strings.Contains(r.stderr, "-> ") {
		t.Fatalf("without tracing: exit %d, stderr %q", r.code, r.stderr)
	}
	c.env["KEYPAIR_TRACE"] = "1"
	r = c.run("", "delete", "nope", "--yes")
	blocks := parseTrace(t, r.stderr)
	if r.code != 1 || len(blocks) != 1 || !strings.HasPrefix(blocks[0].head, "-> ec2 DescribeKeyPairs  region=us-east-1  ") ||
		!strings.Contains(blocks[0].answer, "  code=InvalidKeyPair.NotFound  ") {
		t.Fatalf("KEYPAIR_TRACE=1 delete: exit %d\n%s", r.code, r.stderr)
	}
	if want := srv.Requests()[1].Params; !reflect.DeepEqual(blocks[0].params, want) {
		t.Errorf("params %q, sent %q", blocks[0].params, want)
	}
	c.env["KEYPAIR_TRACE"] = "loud"
	r = c.run("", "list")
	if r.code != 2 || !strings.Contains(r.stderr, "KEYPAIR_TRACE") {
		t.Errorf("KEYPAIR_TRACE=loud: exit %d, %q", r.code, r.stderr)
	}
}

func TestTraceSinkHoldsWhileTheFormDraws(t *testing.T) {
	var out strings.Builder
	s := &traceSink{w: &out}
	s.Write([]byte("a\n"))
	s.hold()
	s.Write([]byte("b\n"))
	if out.String() != "a\n" {
		t.Fatalf("held output written: %q", out.String())
	}
	s.release()
	s.Write([]byte("c\n"))
	if out.String() != "a\nb\nc\n" {
		t.Errorf("output %q", out.String())
	}
}

// TestReadmeTraceLayout: the README's example is what Trace.String writes.
func TestReadmeTraceLayout(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(data), "### Tracing requests")
	_, block, ok2 := strings.Cut(sec, "```\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("README has no Tracing requests example")
	}
	lines := strings.Split(block, "\n")
	first := awsapi.Trace{Service: "ec2", Action: "CreateKeyPair", Region: "eu-west-1",
		Endpoint: "https://ec2.eu-west-1.amazonaws.com/", Attempt: 1,
		Params: []awsapi.Param{{Name: "Action", Value: "CreateKeyPair"}, {Name: "DryRun", Value: "false"},
			{Name: "KeyFormat", Value: "pem"}, {Name: "KeyName", Value: "web"}, {Name: "KeyType", Value: "ed25519"},
			{Name: "TagSpecification.1.ResourceType", Value: "key-pair"}, {Name: "TagSpecification.1.Tag.1.Key", Value: "env"},
			{Name: "TagSpecification.1.Tag.1.Value", Value: "prod"}, {Name: "Version", Value: "2016-11-15"}},
		Status: 503, RequestID: "5b1c6a0e-1f0b-4d2e-9a83-2f6d0c3b8a71", Code: "RequestLimitExceeded", Elapsed: 41 * time.Millisecond}
	second := first
	second.Attempt, second.Status, second.Code, second.RequestID, second.Elapsed = 2, 200, "", "59dbff89-35bd-4eac-99ed-be587EXAMPLE", 312*time.Millisecond
	second.Params = nil
	want := append(first.Lines(), second.Lines()...)
	want = append(want[:len(want)-1], "   …the same parameters…", want[len(want)-1], "")
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("README example\n%s\nTrace.String\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

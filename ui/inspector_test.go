package ui

import (
	"context"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
)

const kCtrlT = "\x14"

// standInClient is a real awsapi.Client on a fresh stand-in, with a
// session token in the environment.
func standInClient(t *testing.T, token string) (*ec2test.Server, *awsapi.Client) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", ec2test.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", ec2test.SecretAccessKey)
	t.Setenv("AWS_REGION", "us-east-1")
	if token != "" {
		t.Setenv("AWS_SESSION_TOKEN", token)
	}
	srv := ec2test.New(ec2test.Options{})
	t.Cleanup(srv.Close)
	client, err := awsapi.New(context.Background(), awsapi.Options{EndpointURL: srv.URL(), AppVersion: "test", MaxBackoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return srv, client
}

// paramLines reads the "   Name=Value" lines of a trace's lines.
func paramLines(t *testing.T, lines []string) []ec2test.Param {
	t.Helper()
	var ps []ec2test.Param
	for _, l := range lines {
		if !strings.HasPrefix(l, "   ") || strings.HasPrefix(l, "   error: ") {
			continue
		}
		name, value, _ := strings.Cut(strings.TrimPrefix(l, "   "), "=")
		if strings.HasPrefix(value, `"`) {
			v, err := strconv.Unquote(value)
			if err != nil {
				t.Fatalf("%q: %v", l, err)
			}
			value = v
		}
		ps = append(ps, ec2test.Param{Name: name, Value: value})
	}
	return ps
}

// TestInspectorPreviewIsWhatCreateSends: the form's preview, serialized by
// the SDK, has the parameters the stand-in then receives from Create.
func TestInspectorPreviewIsWhatCreateSends(t *testing.T) {
	for _, source := range []pair.Source{pair.SourceAWS, pair.SourceLocal} {
		t.Run(string(source), func(t *testing.T) {
			srv, client := standInClient(t, "")
			opts := testOptions(t, nil)
			opts.Request.Source = source
			opts.Request.Tags = []pair.Tag{{Key: "env", Value: "a & b"}}
			opts.Client = client
			opts.NewPipeline = func(context.Context) (*maker.Pipeline, error) {
				return &maker.Pipeline{API: client, Region: client.Region()}, nil
			}
			m := newTestModel(t, opts)
			typeText(t, m, "prev-web")
			press(t, m, "ctrl+t")
			if m.insp == nil || m.form.name.Value() != "prev-web" {
				t.Fatalf("ctrl+t: panel %v, name %q", m.insp != nil, m.form.name.Value())
			}
			preview := append([]string(nil), m.insp.preview...)
			action := "CreateKeyPair"
			if source == pair.SourceLocal {
				action = "ImportKeyPair"
			}
			if !strings.HasPrefix(preview[0], "-> ec2 "+action+"  region=us-east-1  endpoint="+srv.URL()+"/  attempt=1") ||
				preview[len(preview)-1] != "<- not sent (preview: serialized by the SDK, not signed)" {
				t.Fatalf("preview:\n%s", strings.Join(preview, "\n"))
			}
			wantScreen(t, m, "Create would send", "KeyName=prev-web", "Requests to AWS in this session")
			press(t, m, "esc")
			if m.insp != nil || screenOf(m) != screenForm {
				t.Fatal("esc did not close the panel")
			}
			srv.ResetLog()
			press(t, m, "ctrl+s")
			if source == pair.SourceLocal {
				press(t, m, "enter") // the import follows the save
			}
			var sent *ec2test.LoggedRequest
			for _, lr := range srv.Requests() {
				if lr.Action == action {
					lr := lr
					sent = &lr
				}
			}
			if sent == nil {
				t.Fatalf("no %s sent: %+v (screen %s)", action, srv.Requests(), screenText(m))
			}
			got := paramLines(t, preview)
			for i := range got {
				if got[i].Name == "PublicKeyMaterial" && got[i].Value == previewPublicKey {
					got[i].Value = sent.Params[i].Value // made at Create: the one part a preview cannot know
				}
			}
			if !reflect.DeepEqual(got, sent.Params) {
				t.Errorf("preview params\n got %q\nsent %q", got, sent.Params)
			}
		})
	}
}

func TestInspectorFromEveryScreenAndBounded(t *testing.T) {
	opts := testOptions(t, nil)
	m := newTestModel(t, opts)
	press(t, m, "ctrl+t")
	wantScreen(t, m, "Create would send", "Nothing: source offline makes the key on this machine", "None yet.")
	m.Update(tea.PasteMsg{Content: "pasted"})
	if m.form.name.Value() != "" {
		t.Errorf("a paste under the panel reached the form: %q", m.form.name.Value())
	}
	press(t, m, "ctrl+t")
	if m.insp != nil {
		t.Fatal("ctrl+t did not close the panel")
	}
	for i := range maxTraces + 5 {
		m.traces.add(awsapi.Trace{Service: "ec2", Action: "DescribeKeyPairs", Attempt: 1, Status: 200, RequestID: "r" + itoa(i),
			Params: []awsapi.Param{{Name: "KeyName.1", Value: "n" + itoa(i)}}})
	}
	typeText(t, m, "x")
	press(t, m, "ctrl+s")
	if screenOf(m) != screenSave {
		t.Fatalf("on %s", screenOf(m))
	}
	press(t, m, "f2")
	if m.insp == nil || m.insp.preview != nil {
		t.Fatal("F2 on the save dialog: no panel, or a preview where there is no form")
	}
	wantScreen(t, m, "Requests to AWS in this session: 205, newest first, the last 200 shown", "request-id=r204")
	dontWantScreen(t, m, "Create would send")
	lines := m.insp.lines()
	if !strings.Contains(strings.Join(lines, "\n"), "KeyName.1=n5\n") || strings.Contains(strings.Join(lines, "\n"), "KeyName.1=n4\n") {
		t.Error("not the last 200 kept")
	}
	press(t, m, "end")
	wantScreen(t, m, "request-id=r5 ")
	press(t, m, "home", "down", "down")
	if m.insp.scroll != 2 {
		t.Errorf("scroll %d", m.insp.scroll)
	}
	press(t, m, "esc")
	if m.insp != nil || screenOf(m) != screenSave {
		t.Fatal("esc did not close the panel over the save dialog")
	}
}

// TestInspectorSession runs the panel in a terminal on the real client:
// the name check and the Create show in it, with their answers, and no
// byte the program drew holds a line of the private key, a signature or
// the session token.
func TestInspectorSession(t *testing.T) {
	const token = "IQoJb3JpZ2luX2VjEXAMPLE/session+token=="
	srv, client := standInClient(t, token)
	opts := testOptions(t, nil)
	opts.Request.Source = pair.SourceAWS
	opts.Client = client
	opts.NewPipeline = func(context.Context) (*maker.Pipeline, error) {
		return &maker.Pipeline{API: client, Region: client.Region()}, nil
	}
	s := startSession(t, opts, colorprofile.ANSI256)
	s.waitFor("region us-east-1", "credentials: ok")
	s.send("web")
	s.waitFor("web")
	time.Sleep(2 * nameCheckDelay)
	s.send(kCtrlT)
	s.waitFor("Create would send", "-> ec2 CreateKeyPair", "KeyName=web", "<- not sent (preview",
		"-> ec2 DescribeKeyPairs", "KeyName.1=web")
	s.send("G") // the end: the name check's answer
	s.waitFor("code=InvalidKeyPair.NotFound")
	s.send(kEsc)
	s.waitFor("Name")
	s.send(kCtrlS)
	s.waitFor("Save the private key")
	s.send(kCtrlT)
	s.waitFor("Requests to AWS in this session: 2, newest first", "<- 200  request-id=")
	s.send(kEsc)
	s.waitFor("Save the private key")
	s.send(kEnter)
	s.waitFor("✓ Saved web")
	res := s.end("q")
	key, err := os.ReadFile(res.Saved[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	drawn := s.raw.String()
	for _, kl := range strings.Split(string(key), "\n") {
		if kl = strings.TrimSpace(kl); len(kl) >= 8 && strings.Contains(drawn, kl) {
			t.Errorf("the screen showed key line %q", kl)
		}
	}
	for _, lr := range srv.Requests() {
		if lr.Signature == "" || lr.SecurityToken != token {
			t.Fatalf("stand-in saw %+v", lr)
		}
		if strings.Contains(drawn, lr.Signature) {
			t.Error("the screen showed a signature")
		}
	}
	if strings.Contains(drawn, token) {
		t.Error("the screen showed the session token")
	}
}

func TestTraceWrap(t *testing.T) {
	head := "-> ec2 ImportKeyPair  region=us-east-1  endpoint=http://127.0.0.1:37049/  attempt=1"
	if got := traceWrap(head, 60); !reflect.DeepEqual(got, []string{"-> ec2 ImportKeyPair  region=us-east-1", "endpoint=http://127.0.0.1:37049/  attempt=1"}) {
		t.Errorf("head: %q", got)
	}
	param := "   PublicKeyMaterial=" + strings.Repeat("QUJD", 30)
	got := traceWrap(param, 40)
	if len(got) != 4 || got[0] != param[:40] || strings.Join(got, "") != param {
		t.Errorf("param: %q", got)
	}
	for i, l := range got {
		if n := len(l); (i == 0 && n > 40) || (i > 0 && n > 40-len(contIndent)) {
			t.Errorf("line %d is %d wide", i, n)
		}
	}
	if got := traceWrap("short", 40); len(got) != 1 {
		t.Errorf("short: %q", got)
	}
}

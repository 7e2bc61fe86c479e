package ec2test

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

const capturesDir = "../../../shared/testdata/awscli-captures"

// captureDir finds the shared captures from the module root or the shared checkout.
func captureDirs(t *testing.T) []string {
	t.Helper()
	var dirs []string
	for _, root := range []string{capturesDir, "/work/shared/testdata/awscli-captures"} {
		m, _ := filepath.Glob(filepath.Join(root, "awscli-*"))
		if len(m) > 0 {
			dirs = m
			break
		}
	}
	if len(dirs) == 0 {
		t.Fatal("awscli captures not found (shared/testdata/awscli-captures)")
	}
	return dirs
}

type capture struct {
	name string
	raw  []byte
}

func loadCaptures(t *testing.T, dir string) []capture {
	files, err := filepath.Glob(filepath.Join(dir, "[0-9][0-9]-*.http"))
	if err != nil {
		t.Fatal(err)
	}
	var out []capture
	for _, f := range files {
		if strings.HasSuffix(f, ".response.http") {
			continue
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, capture{filepath.Base(f), raw})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	if len(out) != 8 {
		t.Fatalf("%s: %d requests, want 8", dir, len(out))
	}
	return out
}

func readRequest(t *testing.T, raw []byte) *http.Request {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return r
}

// serveCapture sends one captured request to s with its clock at the capture time.
func serveCapture(t *testing.T, s *Server, raw []byte) (*httptest.ResponseRecorder, *http.Request) {
	t.Helper()
	r := readRequest(t, raw)
	when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		t.Fatal(err)
	}
	s.opts.Now = func() time.Time { return when.Add(20 * time.Second) }
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w, r
}

func errorCode(body string) string {
	_, after, ok := strings.Cut(body, "<Code>")
	if !ok {
		return ""
	}
	code, _, _ := strings.Cut(after, "</Code>")
	return code
}

// TestReplayCaptures replays every awscli request recorded in the shared
// captures: each must verify as a valid signature and get the answer a
// stateful EC2 would give.
func TestReplayCaptures(t *testing.T) {
	want := map[string]struct {
		status int
		code   string
	}{
		"01-CreateKeyPair-dryrun.http": {412, "DryRunOperation"},
		"02-CreateKeyPair.http":        {200, ""},
		"03-CreateKeyPair.http":        {400, "InvalidKeyPair.Duplicate"}, // same name again: the stand-in keeps state
		"04-CreateKeyPair.http":        {400, "InvalidKeyPair.Duplicate"},
		"05-CreateKeyPair-dup.http":    {200, ""},
		"06-ImportKeyPair.http":        {200, ""},
		"07-DescribeKeyPairs.http":     {200, ""},
		"08-DeleteKeyPair.http":        {200, ""},
	}
	for _, dir := range captureDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			s := newServer(Options{})
			for _, c := range loadCaptures(t, dir) {
				w, _ := serveCapture(t, s, c.raw)
				body := w.Body.String()
				if w.Code != want[c.name].status || errorCode(body) != want[c.name].code {
					t.Errorf("%s: %d %q, want %d %q\n%s", c.name, w.Code, errorCode(body), want[c.name].status, want[c.name].code, body)
				}
				if got := w.Header().Get("Content-Type"); got != "text/xml;charset=UTF-8" {
					t.Errorf("%s: Content-Type %q", c.name, got)
				}
				if w.Header().Get("Server") != "AmazonEC2" || w.Header().Get("x-amzn-RequestId") == "" {
					t.Errorf("%s: headers %v", c.name, w.Header())
				}
			}
			if got := s.KeyPairs("us-east-1"); len(got) != 2 || got[0].Name != "dup" || got[1].Name != "imported" {
				t.Errorf("state after replay = %+v, want dup and imported", got)
			}
			imp := s.KeyPairs("us-east-1")[1]
			if imp.Fingerprint != "N7s0Ikl0GcS+w0/NxCeXxz3oxzBtO2lEYk+QC+KTYY8=" {
				t.Errorf("imported fingerprint %q, want the captures' N7s0Ikl0...", imp.Fingerprint)
			}
			for _, lr := range s.Requests() {
				if lr.Region != "us-east-1" {
					t.Errorf("%s: region %q", lr.Action, lr.Region)
				}
			}
		})
	}
}

// TestReplayTampered: changing any signed byte must fail verification.
func TestReplayTampered(t *testing.T) {
	var v2 string
	for _, d := range captureDirs(t) {
		if strings.Contains(d, "awscli-2.") {
			v2 = d
		}
	}
	raw := loadCaptures(t, v2)[0].raw
	tamper := []struct {
		name string
		edit func([]byte) []byte
		code string
	}{
		{"body byte", func(b []byte) []byte { return bytes.Replace(b, []byte("KeyName=demo"), []byte("KeyName=demp"), 1) }, "SignatureDoesNotMatch"},
		{"signed header", func(b []byte) []byte {
			return bytes.Replace(b, []byte("charset=utf-8"), []byte("charset=utf-9"), 1)
		}, "SignatureDoesNotMatch"},
		{"signature hex", func(b []byte) []byte {
			return bytes.Replace(b, []byte("Signature=f0eb"), []byte("Signature=f0ec"), 1)
		}, "SignatureDoesNotMatch"},
		{"host", func(b []byte) []byte {
			return bytes.Replace(b, []byte("Host: 127.0.0.1:18734"), []byte("Host: 127.0.0.1:18735"), 1)
		}, "SignatureDoesNotMatch"},
		{"unknown access key", func(b []byte) []byte {
			return bytes.Replace(b, []byte("Credential=AKIDEXAMPLE"), []byte("Credential=AKIDEXAMPLF"), 1)
		}, "AuthFailure"},
		{"service scope", func(b []byte) []byte {
			return bytes.Replace(b, []byte("/ec2/aws4_request"), []byte("/sts/aws4_request"), 1)
		}, "SignatureDoesNotMatch"},
		{"region scope", func(b []byte) []byte { return bytes.Replace(b, []byte("/us-east-1/"), []byte("/us-west-2/"), 1) }, "SignatureDoesNotMatch"},
		{"no authorization", func(b []byte) []byte {
			i := bytes.Index(b, []byte("Authorization:"))
			j := i + bytes.Index(b[i:], []byte("\r\n")) + 2
			return append(append([]byte{}, b[:i]...), b[j:]...)
		}, "AuthFailure"},
	}
	for _, tc := range tamper {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(Options{})
			edited := tc.edit(append([]byte{}, raw...))
			if bytes.Equal(edited, raw) {
				t.Fatal("the edit changed nothing")
			}
			w, _ := serveCapture(t, s, edited)
			if code := errorCode(w.Body.String()); code != tc.code {
				t.Fatalf("code %q (status %d), want %s", code, w.Code, tc.code)
			}
			if len(s.KeyPairs("us-east-1")) != 0 {
				t.Fatal("a rejected request changed state")
			}
		})
	}
	t.Run("clock far off", func(t *testing.T) {
		s := newServer(Options{})
		r := readRequest(t, raw)
		s.opts.Now = func() time.Time { return time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC) }
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if code := errorCode(w.Body.String()); code != "RequestExpired" {
			t.Fatalf("code %q, want RequestExpired", code)
		}
	})
}

package maker

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// fakeEC2 answers like EC2 from real keys made here, and records calls.
type fakeEC2 struct {
	calls     []string
	createErr error
	importErr error
	material  func(k *keys.PrivateKey, f keys.Format) []byte // nil: encode k as EC2 would
	fp        string                                         // non-empty: reported fingerprint
	onCreate  func()                                         // runs after a successful create
	deleted   []string
}

func (f *fakeEC2) CreateKeyPair(_ context.Context, in awsapi.CreateInput) (*awsapi.CreateOutput, error) {
	f.calls = append(f.calls, "CreateKeyPair")
	if f.createErr != nil {
		return nil, f.createErr
	}
	if in.DryRun {
		return &awsapi.CreateOutput{DryRun: &awsapi.DryRunResult{Permitted: true}}, nil
	}
	k, err := keys.Generate(in.Type, 0, nil)
	if err != nil {
		return nil, err
	}
	var mat []byte
	if f.material != nil {
		mat = f.material(k, in.Format)
	} else if mat, err = keys.Encode(k, in.Format, 3); err != nil {
		return nil, err
	}
	fp := f.fp
	if fp == "" {
		fp, _ = keys.AWSFingerprint(k.SSHPublicKey(), k, true)
	}
	if f.onCreate != nil {
		f.onCreate()
	}
	return &awsapi.CreateOutput{KeyName: in.Name, KeyPairID: "key-0123456789abcdef0", KeyFingerprint: fp, KeyMaterial: mat}, nil
}

func (f *fakeEC2) ImportKeyPair(_ context.Context, in awsapi.ImportInput) (*awsapi.ImportOutput, error) {
	f.calls = append(f.calls, "ImportKeyPair")
	if f.importErr != nil {
		return nil, f.importErr
	}
	if in.DryRun {
		return &awsapi.ImportOutput{DryRun: &awsapi.DryRunResult{Permitted: false, Message: "denied"}}, nil
	}
	pub, _, err := keys.ParsePublicKey(in.PublicKey)
	if err != nil {
		return nil, &awsapi.Error{Kind: awsapi.BadPublicKey, Err: err}
	}
	fp, _ := keys.FingerprintAWSImported(pub)
	return &awsapi.ImportOutput{KeyName: in.Name, KeyPairID: "key-0fedcba9876543210", KeyFingerprint: fp}, nil
}

func (f *fakeEC2) DescribeKeyPairs(context.Context, awsapi.DescribeInput) ([]awsapi.KeyPairInfo, error) {
	f.calls = append(f.calls, "DescribeKeyPairs")
	return nil, nil
}

func (f *fakeEC2) DeleteKeyPair(_ context.Context, in awsapi.DeleteInput) (*awsapi.DeleteOutput, error) {
	f.calls = append(f.calls, "DeleteKeyPair")
	f.deleted = append(f.deleted, in.Name)
	return &awsapi.DeleteOutput{}, nil
}

func req(src pair.Source, t keys.Type, f keys.Format) pair.Request {
	return pair.Request{Name: "web", Type: t, Format: f, Source: src, Region: "us-east-1"}
}

func TestMakeAWSKeepsWhatEC2Returned(t *testing.T) {
	api := &fakeEC2{}
	m := &Maker{API: api}
	made, err := m.Make(context.Background(), req(pair.SourceAWS, keys.RSA, keys.PEM))
	if err != nil {
		t.Fatal(err)
	}
	if made.KeyPairID == "" || made.Key == nil || len(made.Warnings) != 0 {
		t.Fatalf("made: %+v", made)
	}
	if made.KeyFingerprint != made.Fingerprints.AWSCreated || len(made.KeyFingerprint) != 59 {
		t.Errorf("EC2-made RSA should show the SHA-1 of PKCS#8: %q vs %q", made.KeyFingerprint, made.Fingerprints.AWSCreated)
	}
	if !bytes.HasPrefix(made.File, []byte("-----BEGIN RSA PRIVATE KEY-----\n")) {
		t.Errorf("file: %.40q", made.File)
	}
}

func TestMakeAWSWarnsOnFingerprintMismatch(t *testing.T) {
	m := &Maker{API: &fakeEC2{fp: "00:11"}}
	made, err := m.Make(context.Background(), req(pair.SourceAWS, keys.ED25519, keys.PEM))
	if err != nil {
		t.Fatal(err)
	}
	if len(made.Warnings) != 1 || !strings.Contains(made.Warnings[0], "00:11") {
		t.Errorf("warnings: %q", made.Warnings)
	}
}

func TestMakeAWSKeepsUnreadableMaterial(t *testing.T) {
	raw := []byte("-----BEGIN SOMETHING NEW-----\r\nAAAA\r\n-----END SOMETHING NEW-----")
	m := &Maker{API: &fakeEC2{material: func(*keys.PrivateKey, keys.Format) []byte { return raw }}}
	made, err := m.Make(context.Background(), req(pair.SourceAWS, keys.RSA, keys.PEM))
	if err != nil {
		t.Fatalf("the only copy of a private key must not be dropped: %v", err)
	}
	want := "-----BEGIN SOMETHING NEW-----\nAAAA\n-----END SOMETHING NEW-----\n"
	if string(made.File) != want || len(made.Warnings) == 0 {
		t.Errorf("file %q warnings %q", made.File, made.Warnings)
	}
}

func TestMakeAWSRewritesPPKVersion(t *testing.T) {
	m := &Maker{API: &fakeEC2{}}
	r := req(pair.SourceAWS, keys.ED25519, keys.PPK)
	r.PPKVersion = 2
	made, err := m.Make(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(made.File, []byte("PuTTY-User-Key-File-2: ssh-ed25519\n")) {
		t.Errorf("asked for PPK v2, got %.40q", made.File)
	}
	if k, err := keys.ParsePrivateKey(made.File); err != nil || k.Comment != "web" {
		t.Errorf("rewritten file: %v", err)
	}
}

func TestMakeRefusesInvalidRequest(t *testing.T) {
	api := &fakeEC2{}
	_, err := (&Maker{API: api}).Make(context.Background(), pair.Request{Name: " bad", Type: "dsa", Format: keys.PEM, Source: pair.SourceAWS})
	var inv *InvalidRequestError
	if !errors.As(err, &inv) || len(inv.Errs) < 2 {
		t.Fatalf("err %v", err)
	}
	if len(api.calls) != 0 {
		t.Errorf("EC2 was called for an invalid request: %v", api.calls)
	}
}

func TestRunRollsBackWhenSaveFails(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "web.pem")
	// Another process takes the name between the check and the save.
	api := &fakeEC2{onCreate: func() { os.WriteFile(path, []byte("theirs"), 0o600) }}
	_, err := (&Maker{API: api}).Run(context.Background(), req(pair.SourceAWS, keys.ED25519, keys.PEM), path, nil)
	var sf *SaveFailedError
	if !errors.As(err, &sf) || !sf.RolledBack || !errors.Is(err, keys.ErrExists) {
		t.Fatalf("err %v", err)
	}
	if len(api.deleted) != 1 || api.deleted[0] != "web" {
		t.Errorf("the pair should be deleted from EC2: %v", api.calls)
	}
	if b, _ := os.ReadFile(path); string(b) != "theirs" {
		t.Errorf("the other file was touched: %q", b)
	}
}

func TestRunTargetCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "web.pem")
	os.WriteFile(path, nil, 0o600)
	api := &fakeEC2{}
	_, err := (&Maker{API: api}).Run(context.Background(), req(pair.SourceAWS, keys.RSA, keys.PEM), path, nil)
	var te *TargetError
	if !errors.As(err, &te) || len(api.calls) != 0 {
		t.Fatalf("err %v, calls %v", err, api.calls)
	}
}

func TestImportFailureRemovesOrKeepsFile(t *testing.T) {
	for _, tc := range []struct {
		kind    awsapi.Kind
		removed bool
	}{
		{awsapi.Unauthorized, true}, {awsapi.Duplicate, true}, {awsapi.BadPublicKey, true},
		{awsapi.Network, false}, {awsapi.Server, false}, {awsapi.LostAnswer, false}, {awsapi.Canceled, false},
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, "k.pem")
		api := &fakeEC2{importErr: &awsapi.Error{Kind: tc.kind, Op: "ImportKeyPair", Message: "no"}}
		_, err := (&Maker{API: api}).Run(context.Background(), req(pair.SourceLocal, keys.ED25519, keys.PEM), path, nil)
		var ie *ImportFailedError
		if !errors.As(err, &ie) || ie.Removed != tc.removed {
			t.Errorf("kind %v: err %v", tc.kind, err)
			continue
		}
		_, statErr := os.Stat(path)
		if tc.removed != os.IsNotExist(statErr) {
			t.Errorf("kind %v: removed=%v but stat says %v", tc.kind, tc.removed, statErr)
		}
	}
}

func TestLocalDryRunSendsNoPrivateKey(t *testing.T) {
	api := &fakeEC2{}
	r := req(pair.SourceLocal, keys.RSA, keys.PEM)
	r.DryRun = true
	made, err := (&Maker{API: api}).Run(context.Background(), r, filepath.Join(t.TempDir(), "x.pem"), nil)
	if err != nil || made.DryRun == nil || made.DryRun.Permitted || made.File != nil || made.Key != nil {
		t.Fatalf("made %+v err %v", made, err)
	}
}

func TestOfflineNeedsNoAPI(t *testing.T) {
	var out bytes.Buffer
	made, err := (&Maker{}).Run(context.Background(), req(pair.SourceOffline, keys.ED25519, keys.PPK), "-", &out)
	if err != nil || made.Path != "-" || !strings.HasPrefix(out.String(), "PuTTY-User-Key-File-3:") {
		t.Fatalf("err %v out %.30q", err, out.String())
	}
	if err := (&Maker{}).Save(made, "-", &out); err == nil {
		t.Error("a second save of the same key should be refused")
	}
	if _, err := (&Maker{}).Make(context.Background(), req(pair.SourceAWS, keys.RSA, keys.PEM)); err == nil {
		t.Error("source aws without a client should fail")
	}
}

func TestDefaultPath(t *testing.T) {
	for _, tc := range []struct {
		dir, name string
		f         keys.Format
		want      string
	}{
		{"", "web", keys.PEM, "~/.ssh/web.pem"},
		{"/keys", "web", keys.PPK, "/keys/web.ppk"},
		{"", "a/b", keys.PEM, "~/.ssh/a_b.pem"},
		{"", "..", keys.PEM, "~/.ssh/key...pem"},
		{"", "my key", keys.PEM, "~/.ssh/my key.pem"},
	} {
		if got := DefaultPath(tc.dir, pair.Request{Name: tc.name, Format: tc.f}); got != tc.want {
			t.Errorf("DefaultPath(%q, %q) = %q, want %q", tc.dir, tc.name, got, tc.want)
		}
	}
}

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
	// importActs: the import takes effect before importErr is returned (a lost answer).
	importActs bool
	pairs      []awsapi.KeyPairInfo // what DescribeKeyPairs lists
	// ignoreDryRun: an EC2 look-alike that carries a dry run out for real.
	ignoreDryRun bool
}

func (f *fakeEC2) CreateKeyPair(_ context.Context, in awsapi.CreateInput) (*awsapi.CreateOutput, error) {
	f.calls = append(f.calls, "CreateKeyPair")
	if f.createErr != nil {
		return nil, f.createErr
	}
	if in.DryRun && f.ignoreDryRun {
		return &awsapi.CreateOutput{KeyName: in.Name, DryRun: &awsapi.DryRunResult{Ignored: true}}, nil
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
		if f.importActs {
			f.pairs = append(f.pairs, awsapi.KeyPairInfo{KeyName: in.Name, KeyPairID: "key-0aaaabbbbccccdddd", PublicKey: string(in.PublicKey)})
		}
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
	if len(f.pairs) == 0 {
		return nil, &awsapi.Error{Kind: awsapi.NotFound, Op: "DescribeKeyPairs"}
	}
	return f.pairs, nil
}

func (f *fakeEC2) DeleteKeyPair(_ context.Context, in awsapi.DeleteInput) (*awsapi.DeleteOutput, error) {
	f.calls = append(f.calls, "DeleteKeyPair")
	f.deleted = append(f.deleted, in.Name)
	return &awsapi.DeleteOutput{}, nil
}

// makeOf plans and makes r with p, failing the test on a refusal.
func makeOf(t *testing.T, p *Pipeline, r pair.Request) (*Made, error) {
	t.Helper()
	plan, err := p.Plan(r, "")
	if err != nil {
		return nil, err
	}
	return p.Make(context.Background(), plan)
}

func req(src pair.Source, t keys.Type, f keys.Format) pair.Request {
	return pair.Request{Name: "web", Type: t, Format: f, Source: src, Region: "us-east-1"}
}

func TestMakeAWSKeepsWhatEC2Returned(t *testing.T) {
	api := &fakeEC2{}
	made, err := makeOf(t, &Pipeline{API: api}, req(pair.SourceAWS, keys.RSA, keys.PEM))
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
	made, err := makeOf(t, &Pipeline{API: &fakeEC2{fp: "00:11"}}, req(pair.SourceAWS, keys.ED25519, keys.PEM))
	if err != nil {
		t.Fatal(err)
	}
	if len(made.Warnings) != 1 || !strings.Contains(made.Warnings[0], "00:11") {
		t.Errorf("warnings: %q", made.Warnings)
	}
}

func TestMakeAWSKeepsUnreadableMaterial(t *testing.T) {
	raw := []byte("-----BEGIN SOMETHING NEW-----\r\nAAAA\r\n-----END SOMETHING NEW-----")
	made, err := makeOf(t, &Pipeline{API: &fakeEC2{material: func(*keys.PrivateKey, keys.Format) []byte { return raw }}}, req(pair.SourceAWS, keys.RSA, keys.PEM))
	if err != nil {
		t.Fatalf("the only copy of a private key must not be dropped: %v", err)
	}
	want := "-----BEGIN SOMETHING NEW-----\nAAAA\n-----END SOMETHING NEW-----\n"
	if string(made.File) != want || len(made.Warnings) == 0 {
		t.Errorf("file %q warnings %q", made.File, made.Warnings)
	}
}

func TestMakeAWSRewritesPPKVersion(t *testing.T) {
	r := req(pair.SourceAWS, keys.ED25519, keys.PPK)
	r.PPKVersion = 2
	made, err := makeOf(t, &Pipeline{API: &fakeEC2{}}, r)
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
	_, err := makeOf(t, &Pipeline{API: api}, pair.Request{Name: " bad", Type: "dsa", Format: keys.PEM, Source: pair.SourceAWS, Region: "us-east-1"})
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
	_, _, err := (&Pipeline{API: api}).Run(context.Background(), req(pair.SourceAWS, keys.ED25519, keys.PEM), path)
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
	_, _, err := (&Pipeline{API: api}).Run(context.Background(), req(pair.SourceAWS, keys.RSA, keys.PEM), path)
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
		_, _, err := (&Pipeline{API: api}).Run(context.Background(), req(pair.SourceLocal, keys.ED25519, keys.PEM), path)
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
	made, d, err := (&Pipeline{API: api}).Run(context.Background(), r, filepath.Join(t.TempDir(), "x.pem"))
	if err != nil || made != nil || d == nil || d.Permitted {
		t.Fatalf("made %+v dry run %+v err %v", made, d, err)
	}
	// Defect: a local dry run reported CreateKeyPair; it calls ImportKeyPair.
	if d.Action != ActionImport || len(api.calls) != 1 || api.calls[0] != "ImportKeyPair" {
		t.Errorf("action %q, calls %v", d.Action, api.calls)
	}
}

func TestOfflineDryRunIsRefused(t *testing.T) {
	r := req(pair.SourceOffline, keys.ED25519, keys.PEM)
	r.DryRun = true
	// Defect: this panicked with a nil pointer.
	_, _, err := (&Pipeline{}).Run(context.Background(), r, "-")
	var inv *InvalidRequestError
	if !errors.As(err, &inv) || inv.Errs[0].Field != "dry-run" || !Refused(err) {
		t.Fatalf("err %v", err)
	}
}

func TestOfflineNeedsNoAPI(t *testing.T) {
	var out bytes.Buffer
	p := &Pipeline{Stdout: &out}
	made, _, err := p.Run(context.Background(), req(pair.SourceOffline, keys.ED25519, keys.PPK), "-")
	if err != nil || made.Path != "-" || !strings.HasPrefix(out.String(), "PuTTY-User-Key-File-3:") {
		t.Fatalf("err %v out %.30q", err, out.String())
	}
	if err := p.Save(context.Background(), made, "-"); err == nil {
		t.Error("a second save of the same key should be refused")
	}
	_, err = (&Pipeline{}).Plan(req(pair.SourceAWS, keys.RSA, keys.PEM), "")
	var noAWS *NoAWSError
	if !errors.As(err, &noAWS) || !Refused(err) {
		t.Errorf("source aws without a client: %v", err)
	}
	r := req(pair.SourceAWS, keys.RSA, keys.PEM)
	r.Region = ""
	if _, err := (&Pipeline{API: &fakeEC2{}}).Plan(r, ""); !errors.As(err, &noAWS) || !noAWS.NoRegion {
		t.Errorf("source aws without a region: %v", err)
	}
}

// failingWriter is standard output whose reader has gone.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestFailedWriteToStdoutRollsBack(t *testing.T) {
	api := &fakeEC2{}
	p := &Pipeline{API: api, Stdout: failingWriter{}}
	_, _, err := p.Run(context.Background(), req(pair.SourceAWS, keys.ED25519, keys.PEM), "-")
	var sf *SaveFailedError
	if !errors.As(err, &sf) || !sf.RolledBack || len(api.deleted) != 1 {
		t.Fatalf("err %v, deleted %v", err, api.deleted)
	}
	if !strings.Contains(err.Error(), "standard output") || !strings.Contains(err.Error(), "deleted from EC2 again") {
		t.Errorf("message: %v", err)
	}
}

func TestDiscardDeletesOnlyOrphans(t *testing.T) {
	api := &fakeEC2{}
	p := &Pipeline{API: api}
	made, err := makeOf(t, p, req(pair.SourceAWS, keys.ED25519, keys.PEM))
	if err != nil || !made.Orphan() {
		t.Fatalf("made %+v err %v", made, err)
	}
	d := p.Discard(context.Background(), made)
	if !d.Deleted || d.MayStillExist() || len(api.deleted) != 1 || made.Orphan() || made.Key != nil {
		t.Fatalf("discard %+v, deleted %v", d, api.deleted)
	}
	local, err := makeOf(t, p, req(pair.SourceLocal, keys.ED25519, keys.PEM))
	if err != nil {
		t.Fatal(err)
	}
	if d := p.Discard(context.Background(), local); d.InEC2 || len(api.deleted) != 1 {
		t.Errorf("a key made here and not imported has no pair to delete: %+v", d)
	}
}

func TestDiscardRollsBackAfterCancel(t *testing.T) {
	api := &fakeEC2{}
	p := &Pipeline{API: api}
	made, err := makeOf(t, p, req(pair.SourceAWS, keys.ED25519, keys.PEM))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the signal that ends the run must not stop the rollback
	if d := p.Discard(ctx, made); !d.Deleted {
		t.Fatalf("discard %+v", d)
	}
}

func TestRenameAfterRefusedImport(t *testing.T) {
	dir := t.TempDir()
	api := &fakeEC2{importErr: &awsapi.Error{Kind: awsapi.Duplicate, Op: "ImportKeyPair"}}
	p := &Pipeline{API: api}
	plan, err := p.Plan(req(pair.SourceLocal, keys.ED25519, keys.PEM), "")
	if err != nil {
		t.Fatal(err)
	}
	made, err := p.Make(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	pub := made.Key.SSHPublicKey().Marshal()
	var ie *ImportFailedError
	if err := p.Save(context.Background(), made, filepath.Join(dir, "web.pem")); !errors.As(err, &ie) || !ie.Removed || made.Saved() {
		t.Fatalf("err %v", err)
	}
	api.importErr = nil
	if err := p.Rename(made, "web-2"); err != nil {
		t.Fatal(err)
	}
	if err := p.Save(context.Background(), made, filepath.Join(dir, "web-2.pem")); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(made.Key.SSHPublicKey().Marshal(), pub) || !strings.HasSuffix(strings.TrimSpace(made.PublicKey), " web-2") || made.KeyPairID == "" {
		t.Errorf("renamed: %+v", made)
	}
	if err := p.Rename(made, "again"); err == nil {
		t.Error("a saved and imported key cannot be renamed")
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

func TestLostImportAnswerIsCheckedNotUndone(t *testing.T) {
	lost := &awsapi.Error{Kind: awsapi.LostAnswer, Op: "ImportKeyPair", MayHaveActed: true}
	for _, tc := range []struct {
		name   string
		acts   bool
		other  bool // the name holds another public key
		wantOK bool
		want   string
	}{
		{name: "went through", acts: true, wantOK: true},
		{name: "did not happen", want: "so the import most likely did not happen"},
		{name: "someone else's", other: true, want: "holds another public key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "web.pem")
			api := &fakeEC2{importErr: lost, importActs: tc.acts}
			if tc.other {
				k, _ := keys.Generate(keys.ED25519, 0, nil)
				api.pairs = []awsapi.KeyPairInfo{{KeyName: "web", PublicKey: keys.AuthorizedKey(k.SSHPublicKey(), "x")}}
			}
			made, _, err := (&Pipeline{API: api}).Run(context.Background(), req(pair.SourceLocal, keys.ED25519, keys.PEM), path)
			if _, serr := os.Stat(path); serr != nil {
				t.Fatalf("the private key file must be kept: %v", serr)
			}
			if tc.wantOK {
				if err != nil || made.KeyPairID != "key-0aaaabbbbccccdddd" || len(made.Warnings) != 1 {
					t.Fatalf("made %+v err %v", made, err)
				}
				return
			}
			var ie *ImportFailedError
			if !errors.As(err, &ie) || ie.Removed || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "kept at "+path) {
				t.Fatalf("err %v", err)
			}
		})
	}
}

// blockingEC2 holds CreateKeyPair until release is closed.
type blockingEC2 struct {
	fakeEC2
	started chan struct{}
	release chan struct{}
}

func (b *blockingEC2) CreateKeyPair(ctx context.Context, in awsapi.CreateInput) (*awsapi.CreateOutput, error) {
	close(b.started)
	<-b.release
	return b.fakeEC2.CreateKeyPair(ctx, in)
}

// A cancel (esc, SIGINT, SIGHUP) while EC2 makes the pair: the call runs
// to its answer, and the pair made meanwhile is deleted again.
func TestCancelDuringCreateDeletesThePair(t *testing.T) {
	api := &blockingEC2{started: make(chan struct{}), release: make(chan struct{})}
	p := &Pipeline{API: api}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := p.Run(ctx, req(pair.SourceAWS, keys.ED25519, keys.PEM), filepath.Join(t.TempDir(), "web.pem"))
		done <- err
	}()
	<-api.started
	cancel()
	close(api.release)
	err := <-done
	var ce *CanceledError
	if !errors.As(err, &ce) || !ce.Made || !ce.RolledBack || !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if len(api.deleted) != 1 || api.deleted[0] != "web" {
		t.Errorf("the pair made after the cancel must be deleted: %v", api.calls)
	}
}

// Issue 9, item 12: a save folder others may write to is a warning that
// reaches the Made (and so both front ends).
func TestWorldWritableFolderWarns(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	made, _, err := (&Pipeline{}).Run(context.Background(), req(pair.SourceOffline, keys.ED25519, keys.PEM), filepath.Join(dir, "k.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if len(made.Warnings) != 1 || !strings.Contains(made.Warnings[0], "chmod go-w") {
		t.Errorf("warnings: %q", made.Warnings)
	}
}

// Close settles what a front end never saw: a pair made, its key neither
// saved nor discarded (the app ended before the answer reached it).
func TestCloseDeletesPairsNeverSaved(t *testing.T) {
	api := &fakeEC2{}
	p := &Pipeline{API: api}
	kept, err := makeOf(t, p, req(pair.SourceAWS, keys.ED25519, keys.PEM))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Save(context.Background(), kept, filepath.Join(t.TempDir(), "web.pem")); err != nil {
		t.Fatal(err)
	}
	r := req(pair.SourceAWS, keys.ED25519, keys.PEM)
	r.Name = "lost"
	if _, err := makeOf(t, p, r); err != nil {
		t.Fatal(err)
	}
	ds := p.Close(context.Background())
	if len(ds) != 1 || ds[0].Name != "lost" || !ds[0].Deleted || len(api.deleted) != 1 || api.deleted[0] != "lost" {
		t.Fatalf("close %+v, deleted %v", ds, api.deleted)
	}
}

// A dry run that the endpoint carried out for real is no "permitted": the
// pair it made is deleted again and the run fails.
func TestIgnoredDryRunIsUndone(t *testing.T) {
	api := &fakeEC2{ignoreDryRun: true}
	r := req(pair.SourceAWS, keys.ED25519, keys.PEM)
	r.DryRun = true
	_, d, err := (&Pipeline{API: api}).Run(context.Background(), r, "")
	var ie *DryRunIgnoredError
	if d != nil || !errors.As(err, &ie) || !ie.RolledBack || len(api.deleted) != 1 {
		t.Fatalf("dry run %+v, err %v, deleted %v", d, err, api.deleted)
	}
}

func TestFingerprintKindOfPair(t *testing.T) {
	for _, tc := range []struct {
		typ, fp string
		want    FingerprintKind
	}{
		{"ed25519", "Jx1PNrqJ5IiCWbdfTUOFHVHgP4x8fIeJnjNbE2wEb0s=", FingerprintED25519},
		{"ED25519", "", FingerprintED25519},
		{"rsa", "1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca:9f:f5:f1:6f", FingerprintCreatedRSA},
		{"rsa", "8f:1d:6e:5b:bc:39:71:9b:79:7e:7f:52:07:3d:d2:b5", FingerprintImportedRSA},
	} {
		if got := FingerprintKindOfPair(tc.typ, tc.fp); got != tc.want {
			t.Errorf("FingerprintKindOfPair(%q, %q) = %v, want %v", tc.typ, tc.fp, got, tc.want)
		}
	}
}

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

// fakeSSM is a parameter store that records what it was given.
type fakeSSM struct {
	params map[string]awsapi.PutParameterInput
	calls  []string
	putErr error
	// putActs: the write lands before putErr is returned (a lost answer).
	putActs bool
	getErr  error
}

func (f *fakeSSM) PutKeyParameter(_ context.Context, in awsapi.PutParameterInput) (*awsapi.PutParameterOutput, error) {
	f.calls = append(f.calls, "PutParameter")
	if f.params == nil {
		f.params = map[string]awsapi.PutParameterInput{}
	}
	if f.putErr == nil || f.putActs {
		f.params[in.Name] = in
	}
	if f.putErr != nil {
		return nil, f.putErr
	}
	return &awsapi.PutParameterOutput{Version: 1}, nil
}

func (f *fakeSSM) GetKeyParameter(_ context.Context, name string) (*awsapi.Parameter, error) {
	f.calls = append(f.calls, "GetParameter")
	if f.getErr != nil {
		return nil, f.getErr
	}
	p, ok := f.params[name]
	if !ok {
		return nil, &awsapi.Error{Kind: awsapi.ParameterNotFound, Op: "GetParameter", Parameter: name}
	}
	return &awsapi.Parameter{Name: name, Type: "SecureString", Value: p.Value}, nil
}

var lostPut = &awsapi.Error{Kind: awsapi.Network, Op: "PutParameter", MayHaveActed: true, Cause: "the connection closed before an answer arrived"}

func storeRequest(src pair.Source) pair.Request {
	return pair.Request{Name: "web", Type: keys.ED25519, Source: src, Store: pair.StoreSSM, Tags: []pair.Tag{{Key: "env", Value: "prod"}}}
}

func TestStoreKeepsTheKeyWhereCloudFormationDoes(t *testing.T) {
	for _, src := range []pair.Source{pair.SourceAWS, pair.SourceLocal} {
		for _, path := range []string{NoFile, "file"} {
			t.Run(string(src)+"-"+path, func(t *testing.T) {
				ec2, ssm := &fakeEC2{}, &fakeSSM{}
				p := &Pipeline{API: ec2, Store: ssm, Region: "eu-west-1"}
				if path == "file" {
					path = filepath.Join(t.TempDir(), "web.pem")
				}
				made, _, err := p.Run(context.Background(), storeRequest(src), path)
				if err != nil {
					t.Fatal(err)
				}
				want := "/ec2/keypair/" + made.KeyPairID
				in, ok := ssm.params[want]
				if made.Parameter != want || !ok || !bytes.Equal(in.Value, made.File) || in.KMSKeyID != "" ||
					len(in.Tags) != 1 || !strings.Contains(in.Description, `"web"`) || !strings.Contains(in.Description, made.KeyPairID) {
					t.Fatalf("made %q, stored %v", made.Parameter, in)
				}
				if made.Summary().Parameter != want {
					t.Error("the summary lacks the parameter")
				}
				if path == NoFile && made.Path != "" {
					t.Errorf("a file was written: %s", made.Path)
				}
				if path != NoFile {
					if b, err := os.ReadFile(path); err != nil || !bytes.Equal(b, made.File) {
						t.Errorf("file: %v", err)
					}
				}
				if len(ec2.deleted) != 0 || p.SavedPath("web") == "" {
					t.Errorf("deleted %v, saved %q", ec2.deleted, p.SavedPath("web"))
				}
			})
		}
	}
}

func TestStorePlanRules(t *testing.T) {
	p := &Pipeline{API: &fakeEC2{}, Region: "eu-west-1"}
	if _, err := p.Plan(storeRequest(pair.SourceAWS), NoFile); !errors.As(err, new(*NoAWSError)) {
		t.Errorf("no Store: %v", err)
	}
	p.Store = &fakeSSM{}
	req := storeRequest(pair.SourceAWS)
	req.Store = ""
	var inv *InvalidRequestError
	if _, err := p.Plan(req, NoFile); !errors.As(err, &inv) || inv.Errs[0].Field != "out" {
		t.Errorf("--out none without a store: %v", err)
	}
	req = storeRequest(pair.SourceOffline)
	if _, err := p.Plan(req, NoFile); !errors.As(err, &inv) || inv.Errs[0].Field != "store" {
		t.Errorf("offline: %v", err)
	}
	if plan, err := p.Plan(storeRequest(pair.SourceAWS), NoFile); err != nil || plan.Path != NoFile {
		t.Errorf("plan %+v, %v", plan, err)
	}
}

func TestStoreFailureWithoutFileRollsBack(t *testing.T) {
	for _, src := range []pair.Source{pair.SourceAWS, pair.SourceLocal} {
		ec2 := &fakeEC2{}
		ssm := &fakeSSM{putErr: &awsapi.Error{Kind: awsapi.Unauthorized, Op: "PutParameter", Parameter: "x"}}
		p := &Pipeline{API: ec2, Store: ssm, Region: "eu-west-1"}
		made, _, err := p.Run(context.Background(), storeRequest(src), NoFile)
		var sf *SaveFailedError
		var st *StoreFailedError
		if made != nil || !errors.As(err, &sf) || !sf.RolledBack || !errors.As(err, &st) {
			t.Fatalf("%s: made %v, err %v", src, made, err)
		}
		if len(ec2.deleted) != 1 || strings.Join(ssm.calls, " ") != "PutParameter" {
			t.Errorf("%s: deleted %v, calls %v", src, ec2.deleted, ssm.calls)
		}
		if !strings.Contains(err.Error(), "deleted from EC2 again") {
			t.Errorf("%s: %v", src, err)
		}
	}
}

func TestStoreFailureWithFileKeepsThePair(t *testing.T) {
	ec2 := &fakeEC2{}
	ssm := &fakeSSM{putErr: &awsapi.Error{Kind: awsapi.Unauthorized, Op: "PutParameter", Parameter: "x"}}
	p := &Pipeline{API: ec2, Store: ssm, Region: "eu-west-1"}
	path := filepath.Join(t.TempDir(), "web.pem")
	_, _, err := p.Run(context.Background(), storeRequest(pair.SourceAWS), path)
	var st *StoreFailedError
	if !errors.As(err, &st) || st.Path != path || len(ec2.deleted) != 0 {
		t.Fatalf("err %v, deleted %v", err, ec2.deleted)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(err.Error(), "aws ssm put-parameter --name /ec2/keypair/key-0123456789abcdef0") {
		t.Errorf("%v", err)
	}
}

func TestStoreLostAnswer(t *testing.T) {
	// Landed: read back, same key: kept.
	ec2, ssm := &fakeEC2{}, &fakeSSM{putErr: lostPut, putActs: true}
	p := &Pipeline{API: ec2, Store: ssm, Region: "eu-west-1"}
	made, _, err := p.Run(context.Background(), storeRequest(pair.SourceAWS), NoFile)
	if err != nil || made.Parameter == "" || len(made.Warnings) == 0 || len(ec2.deleted) != 0 {
		t.Fatalf("made %+v, err %v", made, err)
	}
	// Not landed: read back finds none: a definite failure, rolled back.
	ec2, ssm = &fakeEC2{}, &fakeSSM{putErr: lostPut}
	p = &Pipeline{API: ec2, Store: ssm, Region: "eu-west-1"}
	_, _, err = p.Run(context.Background(), storeRequest(pair.SourceAWS), NoFile)
	var st *StoreFailedError
	if !errors.As(err, &st) || !st.NotThere || len(ec2.deleted) != 1 {
		t.Fatalf("err %v, deleted %v", err, ec2.deleted)
	}
	// Unknown: the read fails too; the message says what to do with the parameter.
	ec2, ssm = &fakeEC2{}, &fakeSSM{putErr: lostPut, getErr: lostPut}
	p = &Pipeline{API: ec2, Store: ssm, Region: "eu-west-1"}
	_, _, err = p.Run(context.Background(), storeRequest(pair.SourceAWS), NoFile)
	if !errors.As(err, &st) || st.LookupErr == nil || !strings.Contains(err.Error(), "aws ssm delete-parameter --name /ec2/keypair/") {
		t.Fatalf("err %v", err)
	}
}

func TestChooseStore(t *testing.T) {
	p := &Pipeline{API: &fakeEC2{}, Store: &fakeSSM{}, Region: "eu-west-1"}
	made := &Made{Request: pair.Request{Name: "web", Source: pair.SourceAWS}}
	if err := p.ChooseStore(made, pair.StoreSSM, "alias/k"); err != nil || made.Request.Store != pair.StoreSSM || made.Request.KMSKeyID != "alias/k" {
		t.Fatalf("%v %+v", err, made.Request)
	}
	if err := p.ChooseStore(made, pair.StoreNone, "alias/k"); err != nil || made.Request.KMSKeyID != "" {
		t.Fatalf("%v %+v", err, made.Request)
	}
	off := &Made{Request: pair.Request{Name: "web", Source: pair.SourceOffline}}
	if err := p.ChooseStore(off, pair.StoreSSM, ""); err == nil || p.CanStore(pair.SourceOffline) {
		t.Error("offline keys cannot be stored in SSM")
	}
}

func testPair(t *testing.T, k *keys.PrivateKey, withPublic bool) awsapi.KeyPairInfo {
	t.Helper()
	fp, err := keys.AWSFingerprint(k.SSHPublicKey(), k, true)
	if err != nil {
		t.Fatal(err)
	}
	kp := awsapi.KeyPairInfo{KeyName: "web", KeyPairID: "key-0123456789abcdef0", KeyFingerprint: fp}
	if withPublic {
		kp.PublicKey = strings.TrimSpace(keys.AuthorizedKey(k.SSHPublicKey(), "web"))
	}
	return kp
}

func TestKeyBelongs(t *testing.T) {
	for _, typ := range []keys.Type{keys.RSA, keys.ED25519} {
		k, _ := keys.Generate(typ, 0, nil)
		other, _ := keys.Generate(typ, 0, nil)
		for _, format := range []keys.Format{keys.PEM, keys.PPK} {
			file, err := keys.Encode(k, format, 3)
			if err != nil {
				t.Fatal(err)
			}
			for _, withPublic := range []bool{true, false} {
				if _, _, err := KeyBelongs(file, testPair(t, k, withPublic)); err != nil {
					t.Errorf("%s %s public=%v: %v", typ, format, withPublic, err)
				}
				_, _, err := KeyBelongs(file, testPair(t, other, withPublic))
				if err == nil || !(strings.Contains(err.Error(), "public half") || strings.Contains(err.Error(), "fingerprint")) {
					t.Errorf("%s %s public=%v: another pair's key accepted: %v", typ, format, withPublic, err)
				}
			}
		}
		// An imported RSA pair shows the MD5 fingerprint: accepted too.
		if typ == keys.RSA {
			fp, _ := keys.FingerprintAWSImported(k.SSHPublicKey())
			if _, _, err := KeyBelongs(mustEncode(t, k), awsapi.KeyPairInfo{KeyFingerprint: fp}); err != nil {
				t.Error(err)
			}
		}
	}
	if _, _, err := KeyBelongs([]byte("not a key"), awsapi.KeyPairInfo{KeyFingerprint: "x"}); err == nil {
		t.Error("garbage accepted")
	}
	k, _ := keys.Generate(keys.ED25519, 0, nil)
	if _, _, err := KeyBelongs(mustEncode(t, k), awsapi.KeyPairInfo{}); err == nil {
		t.Error("nothing to compare with, accepted")
	}
}

func mustEncode(t *testing.T, k *keys.PrivateKey) []byte {
	t.Helper()
	b, err := keys.Encode(k, keys.PEM, 0)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzKeyBelongs feeds KeyBelongs parameter values as SSM might hold them:
// it must never panic, and must accept only the pair's own key.
func FuzzKeyBelongs(f *testing.F) {
	k, _ := keys.Generate(keys.ED25519, 0, nil)
	own, _ := keys.Encode(k, keys.PEM, 0)
	ppk, _ := keys.Encode(k, keys.PPK, 3)
	other, _ := keys.Generate(keys.ED25519, 0, nil)
	otherFile, _ := keys.Encode(other, keys.PEM, 0)
	f.Add(own)
	f.Add(ppk)
	f.Add(otherFile)
	f.Add([]byte("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"))
	f.Add([]byte("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n"))
	fp, _ := keys.AWSFingerprint(k.SSHPublicKey(), k, true)
	kp := awsapi.KeyPairInfo{KeyName: "web", KeyFingerprint: fp, PublicKey: keys.AuthorizedKey(k.SSHPublicKey(), "web")}
	f.Fuzz(func(t *testing.T, value []byte) {
		got, _, err := KeyBelongs(value, kp)
		if err != nil {
			return
		}
		if !bytes.Equal(got.SSHPublicKey().Marshal(), k.SSHPublicKey().Marshal()) {
			t.Fatalf("accepted another key for the pair")
		}
	})
}

package ui

import (
	"bytes"
	"context"
	"os"
	"sync"
	"testing"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
)

// fakeStore is SSM Parameter Store for the app's tests.
type fakeStore struct {
	mu     sync.Mutex
	params map[string]awsapi.PutParameterInput
	putErr error
}

func (f *fakeStore) PutKeyParameter(ctx context.Context, in awsapi.PutParameterInput) (*awsapi.PutParameterOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.putErr != nil {
		return nil, f.putErr
	}
	if f.params == nil {
		f.params = map[string]awsapi.PutParameterInput{}
	}
	f.params[in.Name] = in
	return &awsapi.PutParameterOutput{Version: 1}, nil
}

func (f *fakeStore) GetKeyParameter(ctx context.Context, name string) (*awsapi.Parameter, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.params[name]
	if !ok {
		return nil, &awsapi.Error{Kind: awsapi.ParameterNotFound, Op: "GetParameter", Parameter: name}
	}
	return &awsapi.Parameter{Name: name, Value: p.Value}, nil
}

func storeOptions(t *testing.T, fake *fakeAWS, store *fakeStore) Options {
	opts := testOptions(t, fake)
	opts.NewPipeline = func(context.Context) (*maker.Pipeline, error) {
		return &maker.Pipeline{API: fake, Store: store, Region: fake.region}, nil
	}
	return opts
}

func TestSaveStepKeepsTheKeyInSSM(t *testing.T) {
	fake, store := newFakeAWS(), &fakeStore{}
	opts := storeOptions(t, fake, store)
	m := newTestModel(t, opts)
	typeText(t, m, "web")
	press(t, m, "ctrl+s")
	wantScreen(t, m, "Keep in: file", "ctrl+o")
	press(t, m, "ctrl+o")
	wantScreen(t, m, "Keep in: SSM parameter", "/ec2/keypair/key-")
	dontWantScreen(t, m, "Path (mode 0600")
	press(t, m, "enter")
	if screenOf(m) != screenFingerprint {
		t.Fatalf("not on the fingerprint view:\n%s", screenText(m))
	}
	made := madeOf(m)
	want := awsapi.KeyParameterName(made.KeyPairID)
	wantScreen(t, m, "Kept in SSM Parameter Store: "+want)
	if made.Path != "" || made.Parameter != want {
		t.Errorf("path %q parameter %q", made.Path, made.Parameter)
	}
	if p, ok := store.params[want]; !ok || !bytes.Equal(p.Value, made.File) {
		t.Fatalf("the parameter does not hold the key")
	}
	if entries, _ := os.ReadDir(opts.Config.SaveDir); len(entries) != 0 {
		t.Errorf("a file was written: %v", entries)
	}
	if s := m.result.Saved; len(s) != 1 || s[0].Parameter != want {
		t.Errorf("result %+v", s)
	}
}

func TestSaveStepBothFromFlagsAndAFailedPutKeepsTheKey(t *testing.T) {
	fake, store := newFakeAWS(), &fakeStore{putErr: &awsapi.Error{Kind: awsapi.Unauthorized, Op: "PutParameter",
		Parameter: "/ec2/keypair/x", Code: "AccessDeniedException"}}
	opts := storeOptions(t, fake, store)
	opts.Store, opts.SavePath = pair.StoreSSM, maker.NoFile // create --store ssm --out none
	m := newTestModel(t, opts)
	typeText(t, m, "web")
	press(t, m, "ctrl+s")
	wantScreen(t, m, "Keep in: SSM parameter")
	press(t, m, "enter")
	wantScreen(t, m, "Could not keep the key in SSM", "ctrl+o to save a file")
	if made := madeOf(m); made == nil || made.Saved() || !made.Orphan() {
		t.Fatal("the key must stay in memory, its pair in EC2")
	}
	// Both: the file is written, the parameter fails: saved, with a warning.
	press(t, m, "ctrl+o")
	wantScreen(t, m, "Keep in: file and SSM parameter", "Path (mode 0600")
	press(t, m, "enter")
	if screenOf(m) != screenFingerprint {
		t.Fatalf("not on the fingerprint view:\n%s", screenText(m))
	}
	wantScreen(t, m, "not in SSM Parameter Store")
	if !m.result.Unconfirmed || madeOf(m).Path == "" {
		t.Errorf("unconfirmed %v, path %q", m.result.Unconfirmed, madeOf(m).Path)
	}
}

func TestSaveStepOffersNoSSMForOffline(t *testing.T) {
	opts := testOptions(t, nil)
	m := newTestModel(t, opts)
	typeText(t, m, "web")
	press(t, m, "ctrl+s")
	wantScreen(t, m, "Save the private key")
	dontWantScreen(t, m, "Keep in:")
	press(t, m, "ctrl+o")
	dontWantScreen(t, m, "Keep in:", "parameter")
}

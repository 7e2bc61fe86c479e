package fleet

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/keys"
)

// fakeCloud is EC2 in many regions, as fleet sees it: key pairs per region
// (DescribeKeyPairs answers a missing name with NotFound, as EC2 does),
// what uses them, injectable failures and latency, and a count of the calls
// in flight.
type fakeCloud struct {
	mu      sync.Mutex
	pairs   map[string]map[string]awsapi.KeyPairInfo
	usage   map[string]map[string][]awsapi.Use
	calls   []call
	nextID  int
	delay   time.Duration
	noPub   bool // DescribeKeyPairs leaves the public key out (older EC2 answers)
	connErr map[string]error

	// before runs first in every call; a non-nil error is the call's answer.
	before func(ctx context.Context, region, op string) error
	// afterImport runs after a pair was stored; a non-nil error is the
	// answer instead of success (the lost answer).
	afterImport func(region string) error
	// beforeImport runs before the name is checked: a race can store a pair.
	beforeImport func(region string)

	inflight, maxInflight atomic.Int32
}

type call struct {
	region, op, name string
	publicKey        string
}

func newFake() *fakeCloud {
	return &fakeCloud{pairs: map[string]map[string]awsapi.KeyPairInfo{}, usage: map[string]map[string][]awsapi.Use{}}
}

func (f *fakeCloud) connect(region string) (Client, error) {
	if err := f.connErr[region]; err != nil {
		return nil, err
	}
	return &fakeRegion{f: f, region: region}, nil
}

// put stores a pair the way EC2 keeps an imported one: its own comment (the
// name) on the public key line.
func (f *fakeCloud) put(region, name string, pub ssh.PublicKey) awsapi.KeyPairInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.putLocked(region, name, pub)
}

func (f *fakeCloud) putLocked(region, name string, pub ssh.PublicKey) awsapi.KeyPairInfo {
	if f.pairs[region] == nil {
		f.pairs[region] = map[string]awsapi.KeyPairInfo{}
	}
	f.nextID++
	fp, _ := keys.FingerprintAWSImported(pub)
	info := awsapi.KeyPairInfo{KeyName: name, KeyPairID: "key-" + region + "-" + string(rune('a'+f.nextID)), KeyFingerprint: fp,
		KeyType: keyType(pub), CreateTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		PublicKey: strings.TrimSuffix(keys.AuthorizedKey(pub, name), "\n")}
	f.pairs[region][name] = info
	return info
}

func keyType(pub ssh.PublicKey) string {
	if pub.Type() == ssh.KeyAlgoRSA {
		return "rsa"
	}
	return "ed25519"
}

func (f *fakeCloud) state(region string) map[string]awsapi.KeyPairInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]awsapi.KeyPairInfo{}
	for k, v := range f.pairs[region] {
		out[k] = v
	}
	return out
}

func (f *fakeCloud) callsOf(op string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if op == "" || c.op == op {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].region < out[j].region })
	return out
}

type fakeRegion struct {
	f      *fakeCloud
	region string
}

// enter records a call and holds it for the latency; its result is
// before's answer.
func (r *fakeRegion) enter(ctx context.Context, op, name, pub string) (done func(), err error) {
	f := r.f
	n := f.inflight.Add(1)
	for {
		m := f.maxInflight.Load()
		if n <= m || f.maxInflight.CompareAndSwap(m, n) {
			break
		}
	}
	done = func() { f.inflight.Add(-1) }
	f.mu.Lock()
	f.calls = append(f.calls, call{region: r.region, op: op, name: name, publicKey: pub})
	f.mu.Unlock()
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return done, &awsapi.Error{Kind: awsapi.Canceled, Op: op, Region: r.region, Err: ctx.Err()}
		}
	}
	if f.before != nil {
		if err := f.before(ctx, r.region, op); err != nil {
			return done, err
		}
	}
	return done, nil
}

func (r *fakeRegion) DescribeKeyPairs(ctx context.Context, in awsapi.DescribeInput) ([]awsapi.KeyPairInfo, error) {
	name := ""
	if len(in.Names) == 1 {
		name = in.Names[0]
	}
	done, err := r.enter(ctx, "DescribeKeyPairs", name, "")
	defer done()
	if err != nil {
		return nil, err
	}
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	var out []awsapi.KeyPairInfo
	for _, n := range in.Names {
		if _, ok := r.f.pairs[r.region][n]; !ok {
			return nil, &awsapi.Error{Kind: awsapi.NotFound, Op: "DescribeKeyPairs", Region: r.region, KeyName: n,
				Code: "InvalidKeyPair.NotFound"}
		}
	}
	for n, p := range r.f.pairs[r.region] {
		if len(in.Names) > 0 && n != in.Names[0] {
			continue
		}
		if !in.IncludePublicKey || r.f.noPub {
			p.PublicKey = ""
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].KeyName < out[j].KeyName })
	return out, nil
}

func (r *fakeRegion) ImportKeyPair(ctx context.Context, in awsapi.ImportInput) (*awsapi.ImportOutput, error) {
	done, err := r.enter(ctx, "ImportKeyPair", in.Name, string(in.PublicKey))
	defer done()
	if err != nil {
		return nil, err
	}
	if r.f.beforeImport != nil {
		r.f.beforeImport(r.region)
	}
	pub, _, err := keys.ParsePublicKey(in.PublicKey)
	if err != nil {
		return nil, &awsapi.Error{Kind: awsapi.BadPublicKey, Op: "ImportKeyPair", Region: r.region, KeyName: in.Name}
	}
	r.f.mu.Lock()
	if _, ok := r.f.pairs[r.region][in.Name]; ok {
		r.f.mu.Unlock()
		return nil, &awsapi.Error{Kind: awsapi.Duplicate, Op: "ImportKeyPair", Region: r.region, KeyName: in.Name,
			Code: "InvalidKeyPair.Duplicate", Message: "The keypair already exists"}
	}
	info := r.f.putLocked(r.region, in.Name, pub)
	r.f.mu.Unlock()
	if r.f.afterImport != nil {
		if err := r.f.afterImport(r.region); err != nil {
			return nil, err
		}
	}
	return &awsapi.ImportOutput{KeyName: in.Name, KeyPairID: info.KeyPairID, KeyFingerprint: info.KeyFingerprint}, nil
}

func (r *fakeRegion) UsedBy(ctx context.Context, name string) ([]awsapi.Use, error) {
	done, err := r.enter(ctx, "UsedBy", name, "")
	defer done()
	if err != nil {
		return nil, err
	}
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	return append([]awsapi.Use{}, r.f.usage[r.region][name]...), nil
}

func (r *fakeRegion) Usage(ctx context.Context) (map[string][]awsapi.Use, error) {
	done, err := r.enter(ctx, "Usage", "", "")
	defer done()
	if err != nil {
		return nil, err
	}
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	out := map[string][]awsapi.Use{}
	for k, v := range r.f.usage[r.region] {
		out[k] = append([]awsapi.Use{}, v...)
	}
	return out, nil
}

type regionsFunc func(ctx context.Context) ([]string, error)

func (f regionsFunc) Regions(ctx context.Context) ([]string, error) { return f(ctx) }

func newKey(t testing.TB, typ keys.Type) *keys.PrivateKey {
	t.Helper()
	bits := 0
	if typ == keys.RSA {
		bits = 2048
	}
	k, err := keys.Generate(typ, bits, nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var errBoom = errors.New("boom")

package ui

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/fleet"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/localkeys"
	"github.com/keypair-dev/keypair/pair"
)

// fakeFleet stands in for fleet, localkeys and the region's EC2 client,
// behaving as their contracts say (fleet.go, localkeys.go, usage.go):
// List returns the pairs with the local keys the index would match,
// CheckDelete what uses a name, Import one result per region.
type fakeFleet struct {
	mu      sync.Mutex
	region  string
	pairs   []fleet.Pair
	listErr error
	lists   int
	// listGate, when set, holds each List until it receives.
	listGate chan struct{}

	found   *localkeys.Found
	findErr error

	uses     map[string][]awsapi.Use
	checkErr error
	checks   int

	deletes   []string
	deleteErr error

	imports     []fleet.ImportRequest
	importAs    map[string]string // region -> status; default imported
	resolveErr  error
	allRegions  []string
	connects    []string
	describeIns []awsapi.DescribeInput
}

func newFakeFleet() *fakeFleet {
	return &fakeFleet{region: "eu-west-1", uses: map[string][]awsapi.Use{}, found: &localkeys.Found{}, importAs: map[string]string{}}
}

func (f *fakeFleet) deps() *pairsDeps {
	return &pairsDeps{
		find: func(ctx context.Context, opts localkeys.Options) (*localkeys.Found, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.findErr != nil {
				return nil, f.findErr
			}
			cp := *f.found
			return &cp, nil
		},
		list: func(ctx context.Context, connect fleet.Connect, req fleet.ListRequest) ([]fleet.Pair, []fleet.RegionError) {
			f.mu.Lock()
			gate := f.listGate
			f.lists++
			f.mu.Unlock()
			if gate != nil {
				select {
				case <-gate:
				case <-ctx.Done():
					return nil, []fleet.RegionError{{Region: f.region, Err: ctx.Err()}}
				}
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if len(req.Regions) != 1 || req.Regions[0] != f.region {
				return nil, []fleet.RegionError{{Region: fmt.Sprint(req.Regions), Err: fmt.Errorf("asked for regions %v", req.Regions)}}
			}
			if f.listErr != nil {
				return nil, []fleet.RegionError{{Region: f.region, Err: f.listErr}}
			}
			return append([]fleet.Pair(nil), f.pairs...), nil
		},
		checkDelete: func(ctx context.Context, inv awsapi.Inventory, name string) (*fleet.DeleteCheck, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.checks++
			if f.checkErr != nil {
				return nil, f.checkErr
			}
			chk := &fleet.DeleteCheck{UsedBy: append([]awsapi.Use{}, f.uses[name]...)}
			for _, p := range f.pairs {
				chk.Exists = chk.Exists || p.KeyName == name
			}
			return chk, nil
		},
		resolve: func(ctx context.Context, spec string, l fleet.RegionLister) ([]string, error) {
			f.mu.Lock()
			rerr := f.resolveErr
			f.mu.Unlock()
			if rerr != nil {
				return nil, rerr
			}
			if spec == "all" {
				return l.Regions(ctx)
			}
			return strings.Split(spec, ","), nil
		},
		importKey: func(ctx context.Context, connect fleet.Connect, req fleet.ImportRequest) []fleet.ImportResult {
			var out []fleet.ImportResult
			for _, r := range req.Regions {
				if _, err := connect(r); err != nil {
					out = append(out, fleet.ImportResult{Region: r, Status: fleet.StatusFailed, Message: err.Error()})
					continue
				}
				f.mu.Lock()
				st := f.importAs[r]
				f.mu.Unlock()
				if st == "" {
					st = fleet.StatusImported
				}
				res := fleet.ImportResult{Region: r, Status: st, KeyPairID: "key-0" + strings.ReplaceAll(r, "-", "")}
				if st == fleet.StatusConflict {
					res.Message = "a key pair of this name holds another public key"
					res.KeyPairID = ""
				}
				out = append(out, res)
			}
			f.mu.Lock()
			f.imports = append(f.imports, req)
			f.mu.Unlock()
			return out
		},
	}
}

// The fake is also the EC2 client of the region (PairsClient) and answers "all".

func (f *fakeFleet) DescribeKeyPairs(ctx context.Context, in awsapi.DescribeInput) ([]awsapi.KeyPairInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.describeIns = append(f.describeIns, in)
	var out []awsapi.KeyPairInfo
	for _, p := range f.pairs {
		info := p.KeyPairInfo
		if !in.IncludePublicKey {
			info.PublicKey = ""
		}
		out = append(out, info)
	}
	return out, nil
}

func (f *fakeFleet) UsedBy(ctx context.Context, name string) ([]awsapi.Use, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]awsapi.Use{}, f.uses[name]...), f.checkErr
}

func (f *fakeFleet) Usage(ctx context.Context) (map[string][]awsapi.Use, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.uses, f.checkErr
}

func (f *fakeFleet) ImportKeyPair(ctx context.Context, in awsapi.ImportInput) (*awsapi.ImportOutput, error) {
	return &awsapi.ImportOutput{KeyName: in.Name, KeyPairID: "key-0imported"}, nil
}

func (f *fakeFleet) DeleteKeyPair(ctx context.Context, in awsapi.DeleteInput) (*awsapi.DeleteOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deletes = append(f.deletes, in.Name)
	if f.deleteErr != nil {
		return nil, f.deleteErr
	}
	var kept []fleet.Pair
	for _, p := range f.pairs {
		if p.KeyName != in.Name {
			kept = append(kept, p)
		}
	}
	f.pairs = kept
	return &awsapi.DeleteOutput{}, nil
}

func (f *fakeFleet) Regions(ctx context.Context) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.allRegions...), nil
}

func (f *fakeFleet) connect(region string) (fleet.Client, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.connects = append(f.connects, region)
	return f, nil
}

func (f *fakeFleet) deleted() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.deletes...)
}

func (f *fakeFleet) listCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lists
}

// pairsOptions are testOptions with the Pairs screen enabled on fake.
func pairsOptions(opts Options, fake *fakeFleet) Options {
	opts.Pairs = fake
	opts.Connect = fake.connect
	opts.Regions = fake
	opts.LocalKeys = localkeys.Options{Dirs: []string{"/home/u/.ssh"}, AgentSocket: "/tmp/agent.sock"}
	opts.pairsDeps = fake.deps()
	return opts
}

// edKey is a deterministic ED25519 public key for seed.
func edKey(seed int) ssh.PublicKey {
	s := make([]byte, ed25519.SeedSize)
	copy(s, fmt.Sprintf("seed-%08d", seed))
	pub, err := ssh.NewPublicKey(ed25519.NewKeyFromSeed(s).Public())
	if err != nil {
		panic(err)
	}
	return pub
}

var pairsEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// fakePair is pair i: an ED25519 pair with its public key, created i days
// after pairsEpoch, tagged env=prod or env=dev.
func fakePair(i int, name string) fleet.Pair {
	pub := edKey(i)
	fp, err := keys.FingerprintAWSImported(pub)
	if err != nil {
		panic(err)
	}
	env := "dev"
	if i%3 == 0 {
		env = "prod"
	}
	return fleet.Pair{
		KeyPairInfo: awsapi.KeyPairInfo{
			KeyName: name, KeyPairID: fmt.Sprintf("key-%017x", i), KeyFingerprint: fp, KeyType: "ed25519",
			CreateTime: pairsEpoch.Add(time.Duration(i) * 24 * time.Hour),
			PublicKey:  keys.AuthorizedKey(pub, name),
			Tags:       []pair.Tag{{Key: "env", Value: env}},
		},
		Region:            "eu-west-1",
		SHA256Fingerprint: keys.FingerprintSHA256(pub),
		MD5Fingerprint:    keys.FingerprintMD5(pub),
	}
}

// manyPairs is n pairs named pair-00000 … with public keys.
func manyPairs(n int) []fleet.Pair {
	out := make([]fleet.Pair, n)
	for i := range out {
		out[i] = fakePair(i, fmt.Sprintf("pair-%05d", i))
	}
	return out
}

// localKey is the local key file at path that is pair p.
func localKey(p fleet.Pair, path string) localkeys.Key {
	pub, _, err := keys.ParsePublicKey([]byte(p.PublicKey))
	if err != nil {
		panic(err)
	}
	return localkeys.Key{Path: path, Source: localkeys.SourceFile, PublicKey: pub, EC2Fingerprints: []string{p.KeyFingerprint}}
}

// keysParse returns the base64 of an authorized_keys line.
func keysParse(line string) (b64, comment string, err error) {
	f := strings.Fields(line)
	if len(f) < 2 {
		return "", "", fmt.Errorf("not a public key line: %q", line)
	}
	if len(f) > 2 {
		comment = f[2]
	}
	return f[1], comment, nil
}

// fmtMsg is a message's text (a clipboard message is its content).
func fmtMsg(msg any) string { return fmt.Sprint(msg) }

// rsaPair is an RSA 2048 pair as EC2 lists it: created by EC2 (the SHA-1
// of its private key as fingerprint) or imported (the MD5 of the public
// key); imported is the MD5 one either way.
func rsaPair(t interface{ Fatal(...any) }, created bool) (p fleet.Pair, imported string) {
	k, err := keys.Generate(keys.RSA, 2048, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub := k.SSHPublicKey()
	imported, err = keys.FingerprintAWSImported(pub)
	if err != nil {
		t.Fatal(err)
	}
	fp := imported
	if created {
		if fp, err = keys.FingerprintAWSCreated(k.Key.(*rsa.PrivateKey)); err != nil {
			t.Fatal(err)
		}
	}
	p = fleet.Pair{KeyPairInfo: awsapi.KeyPairInfo{KeyName: "rsa-pair", KeyPairID: "key-0rsa", KeyFingerprint: fp, KeyType: "rsa",
		CreateTime: pairsEpoch, PublicKey: keys.AuthorizedKey(pub, "rsa-pair")}}
	return p, imported
}

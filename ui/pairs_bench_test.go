package ui

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/fleet"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/localkeys"
)

// benchPairsModel is the app at 120x40 on the Pairs list of n pairs.
func benchPairsModel(b *testing.B, n int) *Model {
	b.Helper()
	t := &testing.T{}
	fake := newFakeFleet()
	fake.pairs = manyPairs(n)
	opts := pairsOptions(testOptions(t, newFakeAWS()), fake)
	m := New(context.Background(), opts)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(credsMsg{})
	m.do(openPairsAction{})
	ctx := context.Background()
	msg := loadPairsCmd(ctx, opts.pairsDeps, fake, "eu-west-1", opts.LocalKeys, m.pairs.seq)()
	m.Update(msg)
	if len(m.pairs.shown) != n {
		b.Fatalf("%d rows shown, want %d", len(m.pairs.shown), n)
	}
	return m
}

// BenchmarkPairsFilterKeystroke is Update+View for one key typed into the
// filter of the Pairs list with 5,000 pairs at 120x40 (budget: < 2 ms).
// It types "pair-04" and deletes it again, one key per iteration: typing
// narrows the rows shown, each backspace searches them all again.
func BenchmarkPairsFilterKeystroke(b *testing.B) {
	m := benchPairsModel(b, 5000)
	m.Update(keyMsg("/"))
	var seq []tea.KeyPressMsg
	for _, r := range "pair-04" {
		seq = append(seq, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	for range "pair-04" {
		seq = append(seq, tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Update(seq[i%len(seq)])
		_ = m.View()
	}
	b.StopTimer()
	if !m.pairs.filtering {
		b.Fatal("the filter was left")
	}
}

// BenchmarkPairsScrollKeystroke is Update+View for one ↓ in the list of
// 5,000 pairs at 120x40.
func BenchmarkPairsScrollKeystroke(b *testing.B) {
	m := benchPairsModel(b, 5000)
	down, up := keyMsg("down"), keyMsg("up")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := down
		if (i/200)%2 == 1 {
			k = up
		}
		m.Update(k)
		_ = m.View()
	}
}

// BenchmarkPairsOpen is opening the Pairs screen (budget: < 100 ms): 5,000
// pairs as DescribeKeyPairs returns them, each public key parsed and
// fingerprinted as fleet.List does; 200 local key files parsed and
// matched by public key; the rows built and sorted; the first frame at
// 120x40. The EC2 call and the disk are fakes (in memory).
func BenchmarkPairsOpen(b *testing.B) {
	const nPairs, nLocal = 5000, 200
	infos := make([]awsapi.KeyPairInfo, nPairs)
	for i := range infos {
		infos[i] = fakePair(i, fmt.Sprintf("pair-%05d", i)).KeyPairInfo
	}
	files := make([][]byte, nLocal)
	for i := range files {
		s := make([]byte, ed25519.SeedSize)
		copy(s, fmt.Sprintf("seed-%08d", i*25)) // every 25th pair has its file here
		pem, err := keys.EncodePEM(&keys.PrivateKey{Key: ed25519.NewKeyFromSeed(s)})
		if err != nil {
			b.Fatal(err)
		}
		files[i] = pem
	}
	fake := newFakeFleet()
	deps := fake.deps()
	deps.find = func(ctx context.Context, opts localkeys.Options) (*localkeys.Found, error) {
		f := &localkeys.Found{}
		for i, data := range files {
			kf, err := keys.ParseKeyFile(data)
			if err != nil {
				return nil, err
			}
			f.Keys = append(f.Keys, localkeys.Key{Path: fmt.Sprintf("/home/u/.ssh/k%03d.pem", i), Source: localkeys.SourceFile, PublicKey: kf.Public})
		}
		return f, nil
	}
	// What fleet.List does with an index, done here on the fake's answer.
	deps.list = func(ctx context.Context, connect fleet.Connect, req fleet.ListRequest) ([]fleet.Pair, []fleet.RegionError) {
		out := make([]fleet.Pair, len(infos))
		for i, in := range infos {
			p := fleet.Pair{KeyPairInfo: in, Region: req.Regions[0]}
			if pub, _, err := keys.ParsePublicKey([]byte(in.PublicKey)); err == nil {
				p.SHA256Fingerprint, p.MD5Fingerprint = keys.FingerprintSHA256(pub), keys.FingerprintMD5(pub)
			}
			out[i] = p
		}
		return out, nil
	}
	opts := pairsOptions(testOptions(&testing.T{}, newFakeAWS()), fake)
	opts.pairsDeps = deps
	// The matching is localkeys.Index's (in loadPairsCmd): every 25th pair
	// has its file here.
	checkMatched := func(msg *pairsLoadedMsg) {
		matched := 0
		for _, r := range msg.rows {
			if len(r.p.LocalKeys) > 0 {
				matched++
			}
		}
		if matched != nLocal {
			b.Fatalf("%d pairs matched, want %d", matched, nLocal)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := New(context.Background(), opts)
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		m.do(openPairsAction{})
		msg := loadPairsCmd(context.Background(), deps, fake, "eu-west-1", opts.LocalKeys, m.pairs.seq)().(pairsLoadedMsg)
		checkMatched(&msg)
		m.Update(msg)
		if v := m.View(); len(v.Content) == 0 || len(m.pairs.shown) != nPairs {
			b.Fatal("no first frame")
		}
	}
}

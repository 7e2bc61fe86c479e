package fleet

import (
	"context"
	"crypto/rsa"
	"errors"
	"math/big"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/localkeys"
	"github.com/keypair-dev/keypair/pair"
)

func TestResolveRegions(t *testing.T) {
	all := regionsFunc(func(context.Context) ([]string, error) {
		return []string{"us-west-2", "eu-central-2", "us-east-1", "us-west-2", "ap-southeast-4"}, nil
	})
	for _, tc := range []struct {
		spec    string
		want    []string
		wantErr string // substring; "" = no error
	}{
		{"us-east-1", []string{"us-east-1"}, ""},
		{"us-east-1,eu-central-2", []string{"eu-central-2", "us-east-1"}, ""},
		{" us-east-1 , us-east-1,eu-west-1,", []string{"eu-west-1", "us-east-1"}, ""},
		{"us-gov-west-1,cn-north-1,cn-northwest-1,us-isob-east-1,il-central-1,mx-central-1",
			[]string{"cn-north-1", "cn-northwest-1", "il-central-1", "mx-central-1", "us-gov-west-1", "us-isob-east-1"}, ""},
		{"all", []string{"ap-southeast-4", "eu-central-2", "us-east-1", "us-west-2"}, ""},
		{"ALL", []string{"ap-southeast-4", "eu-central-2", "us-east-1", "us-west-2"}, ""},
		{"", nil, "no region given"},
		{" , ,", nil, "no region given"},
		{"all,us-east-1", nil, "cannot be combined"},
		{"US-EAST-1", nil, "lower case: us-east-1"},
		{"us-east", nil, `"us-east" is not a region name`},
		{"useast1", nil, "not a region name"},
		{"us-east-1;rm", nil, "not a region name"},
		{"us-east-1\x1b[2J", nil, "not a region name"},
	} {
		got, err := ResolveRegions(context.Background(), tc.spec, all)
		if tc.wantErr != "" {
			var bad *BadRegionsError
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.As(err, &bad) {
				t.Errorf("%q: error %v, want *BadRegionsError with %q", tc.spec, err, tc.wantErr)
			}
			if strings.ContainsRune(err.Error(), 0x1b) {
				t.Errorf("%q: control byte in the error", tc.spec)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: %v %v, want %v", tc.spec, got, err, tc.want)
		}
	}
}

func TestResolveRegionsAllAsksOnceAndPassesErrorsOn(t *testing.T) {
	calls := 0
	denied := &awsapi.Error{Kind: awsapi.Unauthorized, Op: "DescribeRegions"}
	_, err := ResolveRegions(context.Background(), "all", regionsFunc(func(context.Context) ([]string, error) {
		calls++
		return nil, denied
	}))
	var bad *BadRegionsError
	if !errors.Is(err, denied) || errors.As(err, &bad) || calls != 1 {
		t.Errorf("err %v, calls %d", err, calls)
	}
	// Names are never sent anywhere: no lister call for explicit names.
	if _, err := ResolveRegions(context.Background(), "us-east-1", regionsFunc(func(context.Context) ([]string, error) {
		t.Error("DescribeRegions called for explicit names")
		return nil, nil
	})); err != nil {
		t.Error(err)
	}
	_, err = ResolveRegions(context.Background(), "all", regionsFunc(func(context.Context) ([]string, error) { return []string{"bogus"}, nil }))
	if err == nil {
		t.Error("an answer with no usable region was accepted")
	}
}

func byRegion(rs []ImportResult) map[string]ImportResult {
	m := map[string]ImportResult{}
	for _, r := range rs {
		m[r.Region] = r
	}
	return m
}

func TestImportEveryStatus(t *testing.T) {
	ours := newKey(t, keys.ED25519).SSHPublicKey()
	theirs := newKey(t, keys.ED25519).SSHPublicKey()
	line := []byte(keys.AuthorizedKey(ours, "me@laptop"))
	f := newFake()
	f.put("r-present", "web", ours) // EC2's comment ("web"), not ours: still the same key
	other := f.put("r-conflict", "web", theirs)
	f.connErr = map[string]error{"r-noclient": errBoom}
	f.before = func(_ context.Context, region, op string) error {
		if region == "r-denied" && op == "DescribeKeyPairs" {
			return &awsapi.Error{Kind: awsapi.Unauthorized, Op: op, Region: region, Code: "UnauthorizedOperation", Message: "no \x1b[31mred"}
		}
		if region == "r-refused" && op == "ImportKeyPair" {
			return &awsapi.Error{Kind: awsapi.LimitExceeded, Op: op, Region: region, Code: "KeyPairLimitExceeded"}
		}
		if region == "r-network" && op == "ImportKeyPair" {
			// Sent, no answer, and EC2 did not act.
			return &awsapi.Error{Kind: awsapi.Network, Op: op, Region: region, MayHaveActed: true, Cause: "connection reset"}
		}
		return nil
	}
	// A race: between our look-up and our import, someone imports.
	f.beforeImport = func(region string) {
		switch region {
		case "r-race-same":
			f.put(region, "web", ours)
		case "r-race-other":
			f.put(region, "web", theirs)
		}
	}
	// The import went through; its answer was lost.
	f.afterImport = func(region string) error {
		if region == "r-lost" {
			return &awsapi.Error{Kind: awsapi.LostAnswer, Op: "ImportKeyPair", Region: region, Code: "InvalidKeyPair.Duplicate", MayHaveActed: true}
		}
		return nil
	}
	regions := []string{"r-new", "r-present", "r-conflict", "r-denied", "r-refused", "r-network", "r-race-same", "r-race-other", "r-lost", "r-noclient"}
	res := Import(context.Background(), f.connect, ImportRequest{Name: "web", PublicKey: line, Regions: regions,
		Tags: []pair.Tag{{Key: "env", Value: "prod"}}})
	if len(res) != len(regions) {
		t.Fatalf("%d results", len(res))
	}
	for i, r := range res {
		if r.Region != regions[i] {
			t.Errorf("result %d is %s, want %s (region order)", i, r.Region, regions[i])
		}
		if strings.ContainsRune(r.Message, 0x1b) {
			t.Errorf("%s: control byte in %q", r.Region, r.Message)
		}
	}
	want := map[string]string{
		"r-new": StatusImported, "r-present": StatusPresent, "r-conflict": StatusConflict, "r-denied": StatusFailed,
		"r-refused": StatusFailed, "r-network": StatusFailed, "r-race-same": StatusPresent, "r-race-other": StatusConflict,
		"r-lost": StatusImported, "r-noclient": StatusFailed,
	}
	got := byRegion(res)
	for region, status := range want {
		if got[region].Status != status {
			t.Errorf("%s: status %s (%q), want %s", region, got[region].Status, got[region].Message, status)
		}
		if ok := got[region].OK(); ok != (status == StatusImported || status == StatusPresent) {
			t.Errorf("%s: OK %v", region, ok)
		}
	}
	if r := got["r-new"]; r.KeyPairID == "" || r.KeyFingerprint != f.state("r-new")["web"].KeyFingerprint || r.Message != "" {
		t.Errorf("imported: %+v", r)
	}
	if r := got["r-conflict"]; r.KeyPairID != other.KeyPairID || !strings.Contains(r.Message, "another public key") {
		t.Errorf("conflict: %+v", r)
	}
	if st := f.state("r-conflict")["web"]; !reflect.DeepEqual(st, other) {
		t.Errorf("the conflicting pair was changed: %+v", st)
	}
	if !strings.Contains(got["r-lost"].Message, "went through") {
		t.Errorf("lost answer: %q", got["r-lost"].Message)
	}
	if !strings.Contains(got["r-network"].Message, "nothing was imported") {
		t.Errorf("network: %q", got["r-network"].Message)
	}
	if !strings.Contains(got["r-denied"].Message, "Nothing was imported") {
		t.Errorf("denied: %q", got["r-denied"].Message)
	}
	// Never an import where the name was already there.
	for _, c := range f.callsOf("ImportKeyPair") {
		switch c.region {
		case "r-present", "r-conflict", "r-denied":
			t.Errorf("ImportKeyPair sent to %s", c.region)
		}
		if c.publicKey != string(line) {
			t.Errorf("%s: sent %q", c.region, c.publicKey)
		}
	}
	// Every look-up asks for the public key.
	for _, c := range f.callsOf("DescribeKeyPairs") {
		if c.name != "web" {
			t.Errorf("describe of %q", c.name)
		}
	}
}

func TestImportWithoutPublicKeyInTheAnswerUsesTheFingerprint(t *testing.T) {
	ours := newKey(t, keys.RSA).SSHPublicKey()
	theirs := newKey(t, keys.ED25519).SSHPublicKey()
	f := newFake()
	f.noPub = true
	f.put("r-same", "k", ours)
	f.put("r-other", "k", theirs)
	res := byRegion(Import(context.Background(), f.connect, ImportRequest{Name: "k", PublicKey: []byte(keys.AuthorizedKey(ours, "")),
		Regions: []string{"r-same", "r-other"}}))
	if res["r-same"].Status != StatusPresent {
		t.Errorf("same fingerprint: %+v", res["r-same"])
	}
	if r := res["r-other"]; r.Status != StatusConflict || !strings.Contains(r.Message, "another public key") {
		t.Errorf("other: %+v", r)
	}
}

func TestImportSendsOnlyAPublicKeyLine(t *testing.T) {
	k := newKey(t, keys.ED25519)
	pem, err := keys.EncodePEM(k)
	if err != nil {
		t.Fatal(err)
	}
	f := newFake()
	res := Import(context.Background(), f.connect, ImportRequest{Name: "k", PublicKey: pem, Regions: []string{"a-b-1", "c-d-2"}})
	for _, r := range res {
		if r.Status != StatusFailed || !strings.Contains(r.Message, "Nothing was sent") {
			t.Errorf("a private key given as the public key: %+v", r)
		}
	}
	if c := f.callsOf(""); len(c) != 0 {
		t.Errorf("calls were made: %v", c)
	}
	// An RFC 4716 block goes out as one authorized_keys line.
	rfc := "---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"me\"\n" + strings.Fields(keys.AuthorizedKey(k.SSHPublicKey(), ""))[1] + "\n---- END SSH2 PUBLIC KEY ----\n"
	res = Import(context.Background(), f.connect, ImportRequest{Name: "k", PublicKey: []byte(rfc), Regions: []string{"a-b-1"}})
	if res[0].Status != StatusImported {
		t.Fatalf("%+v", res[0])
	}
	if got := f.callsOf("ImportKeyPair")[0].publicKey; got != keys.AuthorizedKey(k.SSHPublicKey(), "me") {
		t.Errorf("sent %q", got)
	}
}

func TestImportRespectsTheBound(t *testing.T) {
	pub := newKey(t, keys.ED25519).SSHPublicKey()
	for _, tc := range []struct{ limit, regions, want int }{{3, 20, 3}, {1, 5, 1}, {0, 40, DefaultConcurrency}} {
		f := newFake()
		f.delay = 2 * time.Millisecond
		var regions []string
		for i := range tc.regions {
			regions = append(regions, "r-"+string(rune('a'+i/26))+string(rune('a'+i%26)))
		}
		res := Import(context.Background(), f.connect, ImportRequest{Name: "k", PublicKey: []byte(keys.AuthorizedKey(pub, "")),
			Regions: regions, Concurrency: tc.limit})
		for _, r := range res {
			if r.Status != StatusImported {
				t.Errorf("%+v", r)
			}
		}
		if m := int(f.maxInflight.Load()); m > tc.want || m < 1 {
			t.Errorf("limit %d: %d calls in flight at once, bound %d", tc.limit, m, tc.want)
		}
		if tc.limit == 3 && f.maxInflight.Load() < 2 {
			t.Errorf("limit 3: the regions ran one by one (%d at once)", f.maxInflight.Load())
		}
	}
}

// Cancelling stops new regions from starting; the ones in flight say what
// is known about them, the others that they were not attempted.
func TestImportCancelled(t *testing.T) {
	pub := newKey(t, keys.ED25519).SSHPublicKey()
	f := newFake()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var started sync.WaitGroup
	started.Add(2)
	f.before = func(ctx context.Context, region, op string) error {
		switch {
		case region == "r-a" && op == "DescribeKeyPairs":
			started.Done()
			<-ctx.Done()
			return &awsapi.Error{Kind: awsapi.Canceled, Op: op, Region: region, Err: ctx.Err()}
		case region == "r-b" && op == "ImportKeyPair":
			started.Done()
			<-ctx.Done()
			// The import went out; whether EC2 acted is unknown until looked up.
			return &awsapi.Error{Kind: awsapi.Canceled, Op: op, Region: region, Err: ctx.Err(), MayHaveActed: true}
		}
		return nil
	}
	go func() { started.Wait(); cancel() }()
	regions := []string{"r-a", "r-b", "r-c", "r-d", "r-e"}
	res := Import(ctx, f.connect, ImportRequest{Name: "k", PublicKey: []byte(keys.AuthorizedKey(pub, "")), Regions: regions, Concurrency: 2})
	if r := res[0]; r.Status != StatusFailed || !strings.Contains(r.Message, "Cancelled while looking") {
		t.Errorf("r-a: %+v", r)
	}
	// The look-up after the cancelled import runs under its own context.
	if r := res[1]; r.Status != StatusFailed || !strings.Contains(r.Message, "nothing was imported") {
		t.Errorf("r-b: %+v", r)
	}
	for _, r := range res[2:] {
		if r.Status != StatusFailed || !strings.Contains(r.Message, "Not attempted") {
			t.Errorf("%s: %+v", r.Region, r)
		}
	}
	for _, c := range f.callsOf("") {
		if c.region != "r-a" && c.region != "r-b" {
			t.Errorf("a call went to %s after the cancel: %+v", c.region, c)
		}
	}
	if n := len(f.callsOf("DescribeKeyPairs")); n != 3 { // r-a, r-b, r-b's look-up after the cancel
		t.Errorf("%d look-ups", n)
	}
}

// A cancelled import that EC2 carried out is found by the look-up after it.
func TestImportCancelledButCarriedOut(t *testing.T) {
	pub := newKey(t, keys.ED25519).SSHPublicKey()
	f := newFake()
	ctx, cancel := context.WithCancel(context.Background())
	f.afterImport = func(region string) error {
		cancel()
		return &awsapi.Error{Kind: awsapi.Canceled, Op: "ImportKeyPair", Region: region, Err: context.Canceled, MayHaveActed: true}
	}
	res := Import(ctx, f.connect, ImportRequest{Name: "k", PublicKey: []byte(keys.AuthorizedKey(pub, "")), Regions: []string{"r-a"}})
	if r := res[0]; r.Status != StatusImported || !strings.Contains(r.Message, "went through") || r.KeyPairID == "" {
		t.Errorf("%+v", r)
	}
}

func TestImportCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := newFake()
	pub := newKey(t, keys.ED25519).SSHPublicKey()
	res := Import(ctx, f.connect, ImportRequest{Name: "k", PublicKey: []byte(keys.AuthorizedKey(pub, "")), Regions: []string{"r-a", "r-b"}})
	for _, r := range res {
		if r.Status != StatusFailed || !strings.Contains(r.Message, "Not attempted") {
			t.Errorf("%+v", r)
		}
	}
	if c := f.callsOf(""); len(c) != 0 {
		t.Errorf("calls: %v", c)
	}
}

func TestList(t *testing.T) {
	k1 := newKey(t, keys.ED25519).SSHPublicKey()
	k2 := newKey(t, keys.ED25519).SSHPublicKey()
	f := newFake()
	f.put("us-west-2", "zeta", k1)
	f.put("us-west-2", "alpha", k2)
	f.put("eu-west-1", "mid", k1)
	f.usage["us-west-2"] = map[string][]awsapi.Use{"zeta": {{Kind: awsapi.UseInstance, ID: "i-1", Detail: "running"}}}

	pairs, errs := List(context.Background(), f.connect, ListRequest{Regions: []string{"us-west-2", "eu-west-1"}})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	var order []string
	for _, p := range pairs {
		order = append(order, p.Region+"/"+p.KeyName)
		if p.UsedBy != nil {
			t.Errorf("%s: UsedBy loaded without being asked", p.KeyName)
		}
		if p.LocalKeys == nil {
			t.Errorf("%s: LocalKeys nil", p.KeyName)
		}
	}
	if want := []string{"eu-west-1/mid", "us-west-2/alpha", "us-west-2/zeta"}; !reflect.DeepEqual(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
	if p := pairs[2]; p.SHA256Fingerprint != keys.FingerprintSHA256(k1) || p.MD5Fingerprint != keys.FingerprintMD5(k1) || p.PublicKey == "" {
		t.Errorf("fingerprints: %+v", p)
	}
	if n := len(f.callsOf("Usage")); n != 0 {
		t.Errorf("%d Usage calls without UsedBy", n)
	}

	pairs, errs = List(context.Background(), f.connect, ListRequest{Regions: []string{"us-west-2", "eu-west-1"}, UsedBy: true,
		Index: localkeys.NewIndex(nil)})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	for _, p := range pairs {
		if p.UsedBy == nil {
			t.Errorf("%s: UsedBy nil when asked", p.KeyName)
		}
		want := 0
		if p.KeyName == "zeta" {
			want = 1
		}
		if len(p.UsedBy) != want {
			t.Errorf("%s: used by %v", p.KeyName, p.UsedBy)
		}
	}
	if n := len(f.callsOf("Usage")); n != 2 {
		t.Errorf("%d Usage calls for 2 regions, want one each", n)
	}
	if n := len(f.callsOf("UsedBy")); n != 0 {
		t.Errorf("%d UsedBy calls: list should scan once per region", n)
	}
}

func TestListRegionErrors(t *testing.T) {
	k := newKey(t, keys.ED25519).SSHPublicKey()
	f := newFake()
	for _, r := range []string{"r-ok", "r-nousage", "r-denied"} {
		f.put(r, "k", k)
	}
	f.connErr = map[string]error{"r-noclient": errBoom}
	denied := &awsapi.Error{Kind: awsapi.Unauthorized, Op: "DescribeKeyPairs"}
	f.before = func(_ context.Context, region, op string) error {
		switch {
		case region == "r-denied" && op == "DescribeKeyPairs":
			return denied
		case region == "r-nousage" && op == "Usage":
			return errBoom
		}
		return nil
	}
	pairs, errs := List(context.Background(), f.connect, ListRequest{Regions: []string{"r-ok", "r-nousage", "r-denied", "r-noclient"}, UsedBy: true})
	if len(pairs) != 1 || pairs[0].Region != "r-ok" {
		t.Errorf("pairs %+v: a region whose users are unknown must not be listed as if nothing used its pairs", pairs)
	}
	if len(errs) != 3 || errs[0].Region != "r-nousage" || errs[1].Region != "r-denied" || errs[2].Region != "r-noclient" {
		t.Fatalf("errors %v", errs)
	}
	if !errors.Is(errs[0].Err, errBoom) || !strings.Contains(errs[0].Err.Error(), "what uses them") {
		t.Errorf("usage error: %v", errs[0].Err)
	}
	if !errors.Is(errs[1].Err, denied) || !errors.Is(errs[2].Err, errBoom) {
		t.Errorf("%v %v", errs[1].Err, errs[2].Err)
	}
}

func TestListCancelled(t *testing.T) {
	f := newFake()
	ctx, cancel := context.WithCancel(context.Background())
	f.before = func(ctx context.Context, region, op string) error {
		cancel()
		<-ctx.Done()
		return &awsapi.Error{Kind: awsapi.Canceled, Op: op, Region: region, Err: ctx.Err()}
	}
	_, errs := List(ctx, f.connect, ListRequest{Regions: []string{"r-a", "r-b", "r-c"}, Concurrency: 1})
	if len(errs) != 3 || awsapi.KindOf(errs[0].Err) != awsapi.Canceled || errs[1].Err != ErrNotAttempted || errs[2].Err != ErrNotAttempted {
		t.Errorf("%v", errs)
	}
	if n := len(f.callsOf("")); n != 1 {
		t.Errorf("%d calls after the cancel", n)
	}
}

func TestCheckDelete(t *testing.T) {
	k := newKey(t, keys.ED25519).SSHPublicKey()
	f := newFake()
	info := f.put("r", "used", k)
	f.put("r", "free", k)
	f.put("r", "unknown", k)
	f.usage["r"] = map[string][]awsapi.Use{"used": {{Kind: awsapi.UseLaunchTemplate, ID: "lt-1:3", Detail: "web"}}}
	c, _ := f.connect("r")

	d, err := CheckDelete(context.Background(), c, "missing")
	if err != nil || d.Exists || d.InUse() {
		t.Errorf("missing: %+v %v", d, err)
	}
	if n := len(f.callsOf("UsedBy")); n != 0 {
		t.Errorf("UsedBy asked for a missing pair")
	}
	d, err = CheckDelete(context.Background(), c, "used")
	if err != nil || !d.Exists || len(d.UsedBy) != 1 || d.UsedBy[0].ID != "lt-1:3" || !d.InUse() || d.Pair.KeyPairID != info.KeyPairID {
		t.Errorf("used: %+v %v", d, err)
	}
	d, err = CheckDelete(context.Background(), c, "free")
	if err != nil || !d.Exists || d.UsedBy == nil || len(d.UsedBy) != 0 || d.InUse() {
		t.Errorf("free: %+v %v", d, err)
	}
	f.before = func(_ context.Context, _, op string) error {
		if op == "UsedBy" {
			return errBoom
		}
		return nil
	}
	d, err = CheckDelete(context.Background(), c, "unknown")
	if err != nil || !d.Exists || !errors.Is(d.UsedByErr, errBoom) || !d.InUse() {
		t.Errorf("unknown: %+v %v", d, err)
	}
	f.before = func(context.Context, string, string) error { return errBoom }
	if _, err := CheckDelete(context.Background(), c, "used"); !errors.Is(err, errBoom) {
		t.Errorf("describe failure: %v", err)
	}
}

// BenchmarkImportRegions runs Import over 17 regions and over 1 against a
// fake with 50 ms per call, in the same run, and reports the ratio
// (DESIGN.md: under 3x).
func BenchmarkImportRegions(b *testing.B) {
	pub := newKey(b, keys.ED25519).SSHPublicKey()
	line := []byte(keys.AuthorizedKey(pub, ""))
	regions := []string{"af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1",
		"ap-southeast-2", "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3",
		"sa-east-1", "us-east-1", "us-east-2", "us-west-2"}
	run := func(rs []string) time.Duration {
		f := newFake()
		f.delay = 50 * time.Millisecond
		start := time.Now()
		for _, r := range Import(context.Background(), f.connect, ImportRequest{Name: "k", PublicKey: line, Regions: rs}) {
			if r.Status != StatusImported {
				b.Fatalf("%+v", r)
			}
		}
		return time.Since(start)
	}
	var one, many time.Duration
	for b.Loop() {
		one += run(regions[:1])
		many += run(regions)
	}
	b.ReportMetric(float64(many)/float64(one), "x-one-region")
	b.ReportMetric(float64(one.Milliseconds())/float64(b.N), "ms-1-region")
	b.ReportMetric(float64(many.Milliseconds())/float64(b.N), "ms-17-regions")
}

// FuzzResolveRegions: any --regions value is refused or gives sorted,
// unique, well-formed names, and names are never sent anywhere.
func FuzzResolveRegions(f *testing.F) {
	for _, s := range []string{"us-east-1", "all", "us-east-1,,eu-west-1,", "US-EAST-1", "all,us-east-1", "\x1b[2J", "us-gov-west-1 , cn-north-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		got, err := ResolveRegions(context.Background(), spec, regionsFunc(func(context.Context) ([]string, error) {
			return []string{"us-east-1", "eu-west-1"}, nil
		}))
		if err != nil {
			if len(got) != 0 {
				t.Fatalf("regions with an error: %v", got)
			}
			return
		}
		if len(got) == 0 {
			t.Fatal("no regions and no error")
		}
		for i, r := range got {
			if !ValidRegion(r) || (i > 0 && got[i-1] >= r) {
				t.Fatalf("%q gave %v", spec, got)
			}
		}
	})
}

// What EC2 would refuse is refused before any call (RSA of 512 bits).
func TestImportRefusesWhatEC2Refuses(t *testing.T) {
	n := new(big.Int).Lsh(big.NewInt(1), 511)
	pub, err := ssh.NewPublicKey(&rsa.PublicKey{N: n.Add(n, big.NewInt(12345)), E: 65537})
	if err != nil {
		t.Fatal(err)
	}
	f := newFake()
	for _, r := range Import(context.Background(), f.connect, ImportRequest{Name: "k", PublicKey: ssh.MarshalAuthorizedKey(pub), Regions: []string{"r-a"}}) {
		if r.Status != StatusFailed || !strings.Contains(r.Message, "Nothing was sent") || !strings.Contains(r.Message, "1024") {
			t.Errorf("%+v", r)
		}
	}
	if c := f.callsOf(""); len(c) != 0 {
		t.Errorf("calls: %v", c)
	}
}

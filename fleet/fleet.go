// Package fleet is the one flow for key pairs across regions, for both front
// ends: list a region's (or many regions') pairs with their local keys and
// what uses them, import one public key into many regions, and the check
// before a delete.
package fleet

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/localkeys"
	"github.com/keypair-dev/keypair/pair"
)

// Client is what fleet needs of one region. *awsapi.Client implements it.
type Client interface {
	awsapi.Inventory
	ImportKeyPair(ctx context.Context, in awsapi.ImportInput) (*awsapi.ImportOutput, error)
}

var _ Client = (*awsapi.Client)(nil)

// Connect returns the client for a region.
type Connect func(region string) (Client, error)

// RegionLister answers "all" (DescribeRegions). *awsapi.Client implements it.
type RegionLister interface {
	Regions(ctx context.Context) ([]string, error)
}

// DefaultConcurrency is how many regions are worked on at once when a
// request leaves it 0. Each region is its own endpoint with its own request
// quota, so the bound is about sockets, not throttling; 16 keeps the 17
// regions enabled by default within two rounds of calls (DESIGN.md's
// budget: 17 regions in under 3x one region's time).
const DefaultConcurrency = 16

// BadRegionsError is a --regions value refused before anything was called.
type BadRegionsError struct {
	Spec   string
	Reason string
}

func (e *BadRegionsError) Error() string {
	return fmt.Sprintf("regions %q: %s", termtext.Clean(e.Spec), e.Reason)
}

// ValidRegion reports whether s has the shape of an AWS region name: a
// two-letter area, an optional partition word (gov, iso, isob, isoe, isof), a
// direction and a number: us-east-1, eu-central-2, us-gov-west-1, cn-north-1,
// us-isob-east-1. That is `^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$`,
// written out rather than a regexp compiled at every start of every command
// (issue 14); TestValidRegionMatchesPattern holds it to that pattern.
func ValidRegion(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) != 3 && len(parts) != 4 {
		return false
	}
	if len(parts) == 4 {
		p := parts[1]
		if p != "gov" && !(strings.HasPrefix(p, "iso") && len(p) <= 4 && lowerLetters(p)) {
			return false
		}
	}
	area, dir, num := parts[0], parts[len(parts)-2], parts[len(parts)-1]
	return len(area) == 2 && lowerLetters(area) && dir != "" && lowerLetters(dir) &&
		len(num) >= 1 && len(num) <= 2 && strings.Trim(num, "0123456789") == ""
}

// lowerLetters reports whether s is made only of a-z.
func lowerLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// ResolveRegions turns --regions' value ("all", or "R1,R2,…") into a sorted,
// de-duplicated list; bad names are refused before anything is called
// (*BadRegionsError). Spaces around names and empty items ("a,,b", a
// trailing comma) are ignored; "all" stands alone.
func ResolveRegions(ctx context.Context, spec string, l RegionLister) ([]string, error) {
	var names []string
	for _, item := range strings.Split(spec, ",") {
		if item = strings.TrimSpace(item); item != "" {
			names = append(names, item)
		}
	}
	switch {
	case len(names) == 0:
		return nil, &BadRegionsError{Spec: spec, Reason: `no region given: name regions (us-east-1,eu-west-1) or "all"`}
	case len(names) == 1 && strings.EqualFold(names[0], "all"):
		if l == nil {
			return nil, &BadRegionsError{Spec: spec, Reason: `"all" needs a client to ask DescribeRegions`}
		}
		all, err := l.Regions(ctx)
		if err != nil {
			return nil, err
		}
		var clean []string
		for _, r := range all {
			if r = termtext.Clean(r); ValidRegion(r) {
				clean = append(clean, r)
			}
		}
		if len(clean) == 0 {
			return nil, errors.New("DescribeRegions returned no region enabled for the account")
		}
		return sortedUnique(clean), nil
	}
	for _, n := range names {
		switch {
		case strings.EqualFold(n, "all"):
			return nil, &BadRegionsError{Spec: spec, Reason: `"all" cannot be combined with region names`}
		case !ValidRegion(n):
			hint := ""
			if ValidRegion(strings.ToLower(n)) {
				hint = " (region names are lower case: " + strings.ToLower(n) + ")"
			}
			return nil, &BadRegionsError{Spec: spec, Reason: fmt.Sprintf("%q is not a region name like us-east-1 or eu-central-2%s",
				termtext.Clean(n), hint)}
		}
	}
	return sortedUnique(names), nil
}

func sortedUnique(in []string) []string {
	out := append([]string(nil), in...)
	sort.Strings(out)
	j := 0
	for i, s := range out {
		if i == 0 || s != out[j-1] {
			out[j] = s
			j++
		}
	}
	return out[:j]
}

// Status of one region after Import (the status field of import --json).
const (
	StatusImported = "imported" // the key pair was imported
	StatusPresent  = "present"  // the name already holds the same public key
	StatusConflict = "conflict" // the name holds another key: never overwritten
	StatusFailed   = "failed"
)

// ImportRequest is one public key for many regions.
type ImportRequest struct {
	Name      string
	PublicKey []byte // an authorized_keys line (the public half, never a private key)
	Tags      []pair.Tag
	Regions   []string
	// Concurrency bounds the regions in flight (0 = DefaultConcurrency).
	Concurrency int
}

// ImportResult is one region's outcome, with import --json's field names.
type ImportResult struct {
	Region         string `json:"region"`
	Status         string `json:"status"`
	KeyPairID      string `json:"keyPairId"`
	KeyFingerprint string `json:"keyFingerprint"`
	Message        string `json:"message"`
}

// OK reports whether the region ended with the key there.
func (r ImportResult) OK() bool { return r.Status == StatusImported || r.Status == StatusPresent }

// recheckTimeout bounds the look-up after an import whose answer was lost
// or cancelled. It runs under a context of its own: the caller's may be
// what ended the import, and the user should still learn what happened.
var recheckTimeout = 15 * time.Second

// Import puts the key into every region, idempotently; results are in the
// order of req.Regions. A region that already has the name with the same
// public key is present; with another key it is a conflict and is left as
// it is. Once ctx ends no new region is started; those are failed with a
// message saying they were not attempted.
func Import(ctx context.Context, connect Connect, req ImportRequest) []ImportResult {
	results := make([]ImportResult, len(req.Regions))
	for i, r := range req.Regions {
		results[i].Region = r
	}
	pub, comment, err := keys.ParsePublicKey(req.PublicKey)
	if err != nil {
		for i := range results {
			results[i].Status = StatusFailed
			results[i].Message = "The public key could not be read: " + termtext.ForUser(err.Error()) + " Nothing was sent."
		}
		return results
	}
	if err := pair.CheckImportable(pub); err != nil {
		msg := err.Error()
		var fe *pair.FieldError
		if errors.As(err, &fe) {
			msg = fe.Msg
		}
		for i := range results {
			results[i].Status = StatusFailed
			results[i].Message = "EC2 would refuse this key: " + termtext.ForUser(msg) + ". Nothing was sent."
		}
		return results
	}
	// Only a public key line goes out, whatever req.PublicKey held.
	line := []byte(keys.AuthorizedKey(pub, comment))
	each(ctx, len(req.Regions), req.Concurrency, func(ctx context.Context, i int) {
		results[i] = importOne(ctx, connect, req.Regions[i], req.Name, pub, line, req.Tags)
	}, func(i int) {
		results[i].Status = StatusFailed
		results[i].Message = "Not attempted: the run was cancelled before this region was started. Nothing was sent to it."
	})
	return results
}

// each runs do(i) for i in [0,n) with at most limit at once, in order of i.
// Once ctx ends, the ones not yet started get skipped(i) instead.
func each(ctx context.Context, n, limit int, do func(context.Context, int), skipped func(int)) {
	if limit <= 0 {
		limit = DefaultConcurrency
	}
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		acquired := false
		select {
		case sem <- struct{}{}:
			acquired = true
		case <-ctx.Done():
		}
		// Checked after taking a slot too: both may have been ready.
		if ctx.Err() != nil {
			if acquired {
				<-sem
			}
			for ; i < n; i++ {
				skipped(i)
			}
			break
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			do(ctx, i)
		}(i)
	}
	wg.Wait()
}

// found is what a region holds under a name.
type found struct {
	info     *awsapi.KeyPairInfo // nil: no pair of that name
	sameKey  bool
	knownKey bool // EC2 returned the public key or a fingerprint that tells
}

// lookUp describes the name with its public key and compares it with pub.
func lookUp(ctx context.Context, c Client, name string, pub ssh.PublicKey) (found, error) {
	pairs, err := c.DescribeKeyPairs(ctx, awsapi.DescribeInput{Names: []string{name}, IncludePublicKey: true})
	if awsapi.KindOf(err) == awsapi.NotFound {
		return found{}, nil
	}
	if err != nil {
		return found{}, err
	}
	for i := range pairs {
		if pairs[i].KeyName != name {
			continue
		}
		f := found{info: &pairs[i]}
		f.sameKey, f.knownKey = pairs[i].Holds(pub)
		return f, nil
	}
	return found{}, nil
}

func importOne(ctx context.Context, connect Connect, region, name string, pub ssh.PublicKey, line []byte, tags []pair.Tag) ImportResult {
	res := ImportResult{Region: region, Status: StatusFailed}
	c, err := connect(region)
	if err != nil {
		res.Message = "No client for the region: " + termtext.ForUser(err.Error()) + " Nothing was sent."
		return res
	}
	f, err := lookUp(ctx, c, name, pub)
	if err != nil {
		res.Message = message(err)
		if awsapi.KindOf(err) == awsapi.Canceled {
			res.Message = "Cancelled while looking for the key pair; nothing was imported."
		} else {
			res.Message += " Nothing was imported."
		}
		return res
	}
	if f.info != nil {
		return existing(res, f, name)
	}
	out, err := c.ImportKeyPair(ctx, awsapi.ImportInput{Name: name, PublicKey: line, Tags: tags})
	if err == nil {
		res.Status = StatusImported
		res.KeyPairID = termtext.Clean(out.KeyPairID)
		res.KeyFingerprint = termtext.Clean(out.KeyFingerprint)
		return res
	}
	var ae *awsapi.Error
	mayHaveActed := errors.As(err, &ae) && ae.MayHaveActed
	kind := awsapi.KindOf(err)
	if kind != awsapi.Duplicate && kind != awsapi.LostAnswer && !mayHaveActed {
		res.Message = message(err)
		if kind == awsapi.Canceled {
			res.Message = "Cancelled before the import was sent; nothing was imported."
		}
		return res
	}
	// Someone made the name since the look-up (Duplicate), or the import
	// may have gone through without its answer: look again.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recheckTimeout)
	defer cancel()
	again, lerr := lookUp(rctx, c, name, pub)
	switch {
	case lerr != nil:
		res.Message = message(err) + " Looking again to see whether the import went through failed too: " + message(lerr)
		return res
	case again.info == nil:
		res.Message = message(err) + " A look afterwards found no key pair of that name: nothing was imported."
		return res
	case kind == awsapi.Duplicate:
		return existing(res, again, name)
	case again.sameKey:
		res.Status = StatusImported
		res.KeyPairID = termtext.Clean(again.info.KeyPairID)
		res.KeyFingerprint = termtext.Clean(again.info.KeyFingerprint)
		res.Message = "EC2's answer to the import did not arrive, but the key pair now holds this public key: the import went through."
		return res
	}
	return existing(res, again, name)
}

// existing is the result for a name the region already holds.
func existing(res ImportResult, f found, name string) ImportResult {
	res.KeyPairID = termtext.Clean(f.info.KeyPairID)
	res.KeyFingerprint = termtext.Clean(f.info.KeyFingerprint)
	switch {
	case f.sameKey:
		res.Status = StatusPresent
		res.Message = ""
	case f.knownKey:
		res.Status = StatusConflict
		res.Message = fmt.Sprintf("A key pair named %q holds another public key here; it was left as it is.", termtext.Clean(name))
	default:
		res.Status = StatusConflict
		res.Message = fmt.Sprintf("A key pair named %q exists here, and EC2 returned no public key to compare; it was left as it is.",
			termtext.Clean(name))
	}
	return res
}

// message is an error as one cleaned paragraph.
func message(err error) string {
	s := termtext.ForUser(err.Error())
	if s != "" && !strings.ContainsRune(".!?", rune(s[len(s)-1])) {
		s += "."
	}
	return s
}

// Pair is one key pair of one region with what is known about it here.
type Pair struct {
	awsapi.KeyPairInfo
	Region            string
	SHA256Fingerprint string // OpenSSH SHA256:…, "" when EC2 returned no public key
	MD5Fingerprint    string
	LocalKeys         []localkeys.Key
	// UsedBy is nil unless asked for (ListRequest.UsedBy).
	UsedBy []awsapi.Use
}

// ListRequest says which regions to list and what to add.
type ListRequest struct {
	Regions     []string
	UsedBy      bool             // also load what uses each pair
	Index       *localkeys.Index // nil = no local matching
	Concurrency int
}

// RegionError is a region that could not be listed.
type RegionError struct {
	Region string
	Err    error
}

func (e *RegionError) Error() string { return e.Region + ": " + e.Err.Error() }
func (e *RegionError) Unwrap() error { return e.Err }

// ErrNotAttempted is the RegionError.Err of a region that was not started
// because the run was cancelled.
var ErrNotAttempted = errors.New("not listed: the run was cancelled before this region was started")

// List lists the pairs of every region (sorted by region, then name), each
// with its OpenSSH fingerprints, its local keys (LocalKeys is never nil)
// and, with req.UsedBy, what uses it (one Usage scan per region; UsedBy is
// then never nil). A region that fails is left out of the pairs and named
// in the errors (in the order of req.Regions); with req.UsedBy that
// includes a region whose pairs were listed but whose users were not, so
// no pair is ever shown unused without knowing.
func List(ctx context.Context, connect Connect, req ListRequest) ([]Pair, []RegionError) {
	perRegion := make([][]Pair, len(req.Regions))
	errs := make([]error, len(req.Regions))
	each(ctx, len(req.Regions), req.Concurrency, func(ctx context.Context, i int) {
		perRegion[i], errs[i] = listOne(ctx, connect, req.Regions[i], req)
	}, func(i int) { errs[i] = ErrNotAttempted })
	var pairs []Pair
	var rerrs []RegionError
	for i, ps := range perRegion {
		if errs[i] != nil {
			rerrs = append(rerrs, RegionError{Region: req.Regions[i], Err: errs[i]})
			continue
		}
		pairs = append(pairs, ps...)
	}
	sort.SliceStable(pairs, func(i, j int) bool {
		if pairs[i].Region != pairs[j].Region {
			return pairs[i].Region < pairs[j].Region
		}
		return pairs[i].KeyName < pairs[j].KeyName
	})
	return pairs, rerrs
}

func listOne(ctx context.Context, connect Connect, region string, req ListRequest) ([]Pair, error) {
	c, err := connect(region)
	if err != nil {
		return nil, err
	}
	infos, err := c.DescribeKeyPairs(ctx, awsapi.DescribeInput{IncludePublicKey: true})
	if err != nil {
		return nil, err
	}
	var usage map[string][]awsapi.Use
	if req.UsedBy {
		if usage, err = c.Usage(ctx); err != nil {
			return nil, fmt.Errorf("the key pairs were listed, but what uses them could not be: %w", err)
		}
	}
	out := make([]Pair, len(infos))
	for i, info := range infos {
		p := Pair{KeyPairInfo: info, Region: region, LocalKeys: []localkeys.Key{}}
		if info.PublicKey != "" {
			if pub, _, err := keys.ParsePublicKey([]byte(info.PublicKey)); err == nil {
				p.SHA256Fingerprint = keys.FingerprintSHA256(pub)
				p.MD5Fingerprint = keys.FingerprintMD5(pub)
			}
		}
		if req.Index != nil {
			if m := req.Index.Match(info); len(m) > 0 {
				p.LocalKeys = m
			}
		}
		if req.UsedBy {
			p.UsedBy = append([]awsapi.Use{}, usage[info.KeyName]...)
		}
		out[i] = p
	}
	return out, nil
}

// DeleteCheck is what must be known before deleting a pair.
type DeleteCheck struct {
	Exists bool
	UsedBy []awsapi.Use
	// Pair is the pair as DescribeKeyPairs listed it (when Exists).
	Pair awsapi.KeyPairInfo
	// UsedByErr says what uses the pair could not be listed (UsedBy is then
	// nil): the caller must not take that for "nothing uses it".
	UsedByErr error
}

// InUse reports whether something uses the pair, or whether that is unknown.
func (d *DeleteCheck) InUse() bool { return len(d.UsedBy) > 0 || d.UsedByErr != nil }

// CheckDelete says whether the pair exists and what uses it. The error is
// for the existence look-up only; a failure to list the users is
// DeleteCheck.UsedByErr.
func CheckDelete(ctx context.Context, inv awsapi.Inventory, name string) (*DeleteCheck, error) {
	// Like awsapi.KeyPairExists (NotFound means absent), keeping the pair's
	// ID for the confirmation and the result.
	pairs, err := inv.DescribeKeyPairs(ctx, awsapi.DescribeInput{Names: []string{name}})
	if awsapi.KindOf(err) == awsapi.NotFound {
		return &DeleteCheck{}, nil
	}
	if err != nil {
		return nil, err
	}
	d := &DeleteCheck{}
	for _, p := range pairs {
		if p.KeyName == name {
			d.Exists, d.Pair = true, p
			break
		}
	}
	if !d.Exists {
		return d, nil
	}
	uses, err := inv.UsedBy(ctx, name)
	if err != nil {
		d.UsedByErr = err
		return d, nil
	}
	d.UsedBy = append([]awsapi.Use{}, uses...)
	return d, nil
}

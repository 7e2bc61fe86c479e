package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/fleet"
	"github.com/keypair-dev/keypair/localkeys"
	"github.com/keypair-dev/keypair/maker"
)

// PairsClient is what the Pairs screen needs of the region's EC2 client:
// fleet's calls (DescribeKeyPairs, what uses a pair, ImportKeyPair) and
// DeleteKeyPair. *awsapi.Client satisfies it.
type PairsClient interface {
	fleet.Client
	DeleteKeyPair(ctx context.Context, in awsapi.DeleteInput) (*awsapi.DeleteOutput, error)
}

var _ PairsClient = (*awsapi.Client)(nil)

// pairsDeps are the fleet and localkeys calls the Pairs screens make. The
// app uses the packages themselves; tests put in fakes that behave as
// the packages' contracts say, so the screens are tested on their own.
type pairsDeps struct {
	find        func(ctx context.Context, opts localkeys.Options) (*localkeys.Found, error)
	list        func(ctx context.Context, connect fleet.Connect, req fleet.ListRequest) ([]fleet.Pair, []fleet.RegionError)
	checkDelete func(ctx context.Context, inv awsapi.Inventory, name string) (*fleet.DeleteCheck, error)
	resolve     func(ctx context.Context, spec string, l fleet.RegionLister) ([]string, error)
	importKey   func(ctx context.Context, connect fleet.Connect, req fleet.ImportRequest) []fleet.ImportResult
}

var realPairsDeps = pairsDeps{
	find:        localkeys.Find,
	list:        fleet.List,
	checkDelete: fleet.CheckDelete,
	resolve:     fleet.ResolveRegions,
	importKey:   fleet.Import,
}

func (c *common) deps() *pairsDeps {
	if c.opts.pairsDeps != nil {
		return c.opts.pairsDeps
	}
	return &realPairsDeps
}

// pairsLoadedMsg is the end of a load of the Pairs list: the rows built
// (sorted both ways, search text ready), or why the region could not be
// listed, and what the search for local keys found.
type pairsLoadedMsg struct {
	seq      int
	rows     []*pairRow // sorted by name
	byAge    []*pairRow // newest first
	err      error      // the region could not be listed
	found    *localkeys.Found
	foundErr error
}

// loadPairsCmd lists the region's pairs (fleet.List: one DescribeKeyPairs
// with the public keys) while localkeys.Find looks for this machine's
// keys, then asks the local index which key is which pair. Everything
// heavy happens here, off the Update loop.
func loadPairsCmd(ctx context.Context, d *pairsDeps, client PairsClient, region string, local localkeys.Options, seq int) tea.Cmd {
	return func() tea.Msg {
		msg := pairsLoadedMsg{seq: seq}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg.found, msg.foundErr = d.find(ctx, local)
		}()
		connect := func(string) (fleet.Client, error) { return client, nil }
		// Matching waits for the search; listing does not.
		pairs, errs := d.list(ctx, connect, fleet.ListRequest{Regions: []string{region}})
		wg.Wait()
		if len(errs) > 0 {
			msg.err = errs[0].Err
			if msg.err == nil {
				msg.err = errors.New("the region could not be listed")
			}
			return msg
		}
		if msg.found != nil && len(msg.found.Keys) > 0 {
			ix := localkeys.NewIndex(msg.found.Keys)
			for i := range pairs {
				if len(pairs[i].LocalKeys) == 0 {
					pairs[i].LocalKeys = ix.Match(pairs[i].KeyPairInfo)
				}
			}
		}
		msg.rows, msg.byAge = buildRows(pairs)
		return msg
	}
}

// buildRows makes one row per pair and both orders the list offers.
func buildRows(pairs []fleet.Pair) (byName, byAge []*pairRow) {
	byName = make([]*pairRow, len(pairs))
	for i := range pairs {
		byName[i] = newPairRow(pairs[i])
	}
	slices.SortStableFunc(byName, func(a, b *pairRow) int { return strings.Compare(a.p.KeyName, b.p.KeyName) })
	for i, r := range byName {
		r.nameIdx = i
	}
	byAge = append([]*pairRow(nil), byName...)
	slices.SortStableFunc(byAge, func(a, b *pairRow) int { return b.p.CreateTime.Compare(a.p.CreateTime) })
	for i, r := range byAge {
		r.ageIdx = i
	}
	return byName, byAge
}

// usedByMsg answers what uses the pair a detail view shows.
type usedByMsg struct {
	seq   int
	check *fleet.DeleteCheck
	err   error
}

func usedByCmd(ctx context.Context, d *pairsDeps, inv awsapi.Inventory, name string, seq int) tea.Cmd {
	return func() tea.Msg {
		chk, err := d.checkDelete(ctx, inv, name)
		return usedByMsg{seq: seq, check: chk, err: err}
	}
}

// pairDeletedMsg is the end of a delete from the detail view. When force
// is false and the check just before the delete found users, nothing was
// deleted and check says who uses the pair now.
type pairDeletedMsg struct {
	seq   int
	name  string
	check *fleet.DeleteCheck
	inUse bool // something uses the pair now: not deleted
	gone  bool // the pair was not there any more: not deleted
	err   error
}

// deletePairCmd checks once more what uses the pair (it may have changed
// since the detail opened), then deletes it; with force, a pair in use is
// deleted too (the user confirmed twice, seeing the list).
func deletePairCmd(ctx context.Context, d *pairsDeps, client PairsClient, name string, force bool, seq int) tea.Cmd {
	return func() tea.Msg {
		msg := pairDeletedMsg{seq: seq, name: name}
		chk, err := d.checkDelete(ctx, client, name)
		switch {
		case err != nil && force:
			// The user confirmed twice, told that what uses it is not known.
		case err != nil:
			msg.err = err
			return msg
		case !chk.Exists:
			msg.gone = true
			return msg
		case len(chk.UsedBy) > 0 && !force:
			msg.check, msg.inUse = chk, true
			return msg
		}
		_, msg.err = client.DeleteKeyPair(ctx, awsapi.DeleteInput{Name: name})
		return msg
	}
}

// importedMsg is the end of an import into regions.
type importedMsg struct {
	seq     int
	regions []string
	results []fleet.ImportResult
	err     error // the regions could not be resolved; nothing was imported
}

func importCmd(ctx context.Context, d *pairsDeps, connect fleet.Connect, lister fleet.RegionLister, spec string, req fleet.ImportRequest, seq int) tea.Cmd {
	return func() tea.Msg {
		if lister == nil {
			lister = noRegionLister{}
		}
		regions, err := d.resolve(ctx, spec, lister)
		if err != nil {
			return importedMsg{seq: seq, err: err}
		}
		req.Regions = regions
		return importedMsg{seq: seq, regions: regions, results: d.importKey(ctx, connect, req)}
	}
}

// noRegionLister answers "all" when the app was given no way to list regions.
type noRegionLister struct{}

func (noRegionLister) Regions(context.Context) ([]string, error) {
	return nil, errors.New("this session cannot list the account's regions: name them, e.g. eu-west-1,us-east-1")
}

// cleanJoin is the cleaned parts joined by sep, skipping empty ones.
func cleanJoin(parts []string, sep string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(cleanText(p)); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// pairParamMsg says whether a pair's private key is kept in SSM.
type pairParamMsg struct {
	seq  int
	info *awsapi.ParameterInfo // nil: no parameter
	err  error
}

func pairParamCmd(ctx context.Context, c awsapi.Custody, id string, seq int) tea.Cmd {
	return func() tea.Msg {
		info, err := c.KeyParameter(ctx, awsapi.KeyParameterName(id))
		return pairParamMsg{seq: seq, info: info, err: err}
	}
}

// pairFetchedMsg is the end of a fetch from SSM: the path written, or why not.
type pairFetchedMsg struct {
	seq  int
	path string
	err  error
}

// pairFetchCmd is keypair fetch for one pair: the pipeline's Fetch (the
// key read back and checked against the pair) and SaveFetched (the safe
// writer, the default path in dir).
func pairFetchCmd(ctx context.Context, api awsapi.Describer, c awsapi.Custody, region, id, dir string, seq int) tea.Cmd {
	return func() tea.Msg {
		f, err := maker.Fetch(ctx, api, c, region, id)
		if err != nil {
			return pairFetchedMsg{seq: seq, err: err}
		}
		path, err := maker.SaveFetched(f, dir, "")
		return pairFetchedMsg{seq: seq, path: path, err: err}
	}
}

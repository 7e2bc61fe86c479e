package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/config"
	"github.com/keypair-dev/keypair/fleet"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/localkeys"
	"github.com/keypair-dev/keypair/pair"
)

// listOptions are the flags of `keypair list`.
type listOptions struct {
	json    bool
	regions string // "" = the configured region
	usedBy  bool
	unused  bool
}

func (a *app) listCommand() *cobra.Command {
	var o listOptions
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the key pairs in the region, or in many, with the local keys that match them",
		Long: `List key pairs (DescribeKeyPairs, with their public keys). A pair whose
public key is in a file under ~/.ssh or the save folder, or in the ssh-agent,
is marked as local. --regions lists many regions at once ("all" = every
region enabled for the account); --used-by and --unused also look up what
uses each pair (instances, launch templates, launch configurations, Spot
requests).`,
		Example: "  keypair list --region eu-west-1\n  keypair list --json | jq -r '.[].keyName'\n" +
			"  keypair list --regions all --unused",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runList(cmd.Context(), &o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.json, "json", false, "print a JSON array (with public keys and local keys)")
	f.StringVar(&o.regions, "regions", "", "list these regions: all, or R1,R2,... (default: the one --region)")
	f.BoolVar(&o.usedBy, "used-by", false, "also show what uses each pair")
	f.BoolVar(&o.unused, "unused", false, "show only the pairs nothing uses")
	_ = cmd.RegisterFlagCompletionFunc("regions", fixedCompletion("all"))
	return cmd
}

func (a *app) runList(ctx context.Context, o *listOptions) error {
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	base, regions, err := a.regionsClient(ctx, cfg, o.regions)
	if err != nil {
		return err
	}
	index := a.localKeyIndex(ctx, cfg)
	pairs, errs := fleet.List(ctx, a.regionConnect(base), fleet.ListRequest{
		Regions: regions, UsedBy: o.usedBy || o.unused, Index: index,
	})
	if len(errs) > 0 && len(regions) == 1 {
		return errs[0].Err // one region: the error as it always was
	}
	if o.unused {
		kept := pairs[:0]
		for _, p := range pairs {
			if p.UsedBy != nil && len(p.UsedBy) == 0 {
				kept = append(kept, p)
			}
		}
		pairs = kept
	}
	if o.json {
		out := make([]listEntry, len(pairs))
		for i, p := range pairs {
			out[i] = listEntryOf(p, o.usedBy || o.unused)
		}
		if err := writeJSON(a.stdout, out); err != nil {
			return err
		}
	} else if len(pairs) == 0 {
		what := "No key pairs"
		if o.unused {
			what = "No unused key pairs"
		}
		fmt.Fprintf(a.stderr, "%s in %s.\n", what, strings.Join(listedRegions(regions, errs), ", "))
	} else {
		width := 0 // piped: every column in full
		if a.term.stdout {
			width = a.term.width()
		}
		cols := tableColumns{region: len(regions) > 1, local: index != nil, usedBy: o.usedBy}
		if err := printPairTable(a.stdout, pairs, cols, width); err != nil {
			return err
		}
	}
	return regionErrors(a.stderr, "listed", errs)
}

// listedRegions are the regions that answered.
func listedRegions(regions []string, errs []fleet.RegionError) []string {
	failed := map[string]bool{}
	for _, e := range errs {
		failed[e.Region] = true
	}
	var out []string
	for _, r := range regions {
		if !failed[r] {
			out = append(out, r)
		}
	}
	return out
}

// regionErrors reports the regions that failed, one line each, and makes
// the run exit 1 when any did.
func regionErrors(w io.Writer, verb string, errs []fleet.RegionError) error {
	if len(errs) == 0 {
		return nil
	}
	for _, e := range errs {
		fmt.Fprintf(w, "keypair: %s: %s\n", e.Region, termtext.ForUser(e.Err.Error()))
	}
	fmt.Fprintf(w, "keypair: %d region(s) could not be %s; the others are shown above.\n", len(errs), verb)
	return &silentError{code: exitFailed}
}

// listEntry is one object of list --json: the one JSON vocabulary plus
// localKeys (always an array) and, when asked for, usedBy.
type listEntry struct {
	KeyName           string          `json:"keyName"`
	KeyPairID         string          `json:"keyPairId"`
	KeyType           string          `json:"keyType"`
	KeyFingerprint    string          `json:"keyFingerprint"`
	SHA256Fingerprint string          `json:"sha256Fingerprint"`
	MD5Fingerprint    string          `json:"md5Fingerprint"`
	PublicKey         string          `json:"publicKey"`
	Region            string          `json:"region"`
	Tags              []pair.Tag      `json:"tags"`
	CreateTime        string          `json:"createTime"`
	LocalKeys         []localKeyEntry `json:"localKeys"`
	UsedBy            *[]awsapi.Use   `json:"usedBy,omitempty"`
}

// localKeyEntry is one of localKeys: a file's path, or an agent key's comment.
type localKeyEntry struct {
	Path   string `json:"path"`
	Source string `json:"source"`
}

func listEntryOf(p fleet.Pair, withUsedBy bool) listEntry {
	e := listEntry{
		KeyName: termtext.Clean(p.KeyName), KeyPairID: termtext.Clean(p.KeyPairID), KeyType: termtext.Clean(p.KeyType),
		KeyFingerprint: termtext.Clean(p.KeyFingerprint), SHA256Fingerprint: p.SHA256Fingerprint, MD5Fingerprint: p.MD5Fingerprint,
		PublicKey: termtext.Clean(p.PublicKey), Region: p.Region, Tags: p.Tags, LocalKeys: []localKeyEntry{},
	}
	if e.Tags == nil {
		e.Tags = []pair.Tag{} // [] in JSON, never null
	}
	if !p.CreateTime.IsZero() {
		e.CreateTime = p.CreateTime.UTC().Format(time.RFC3339)
	}
	for _, k := range p.LocalKeys {
		e.LocalKeys = append(e.LocalKeys, localKeyEntry{Path: termtext.Clean(k.Path), Source: k.Source})
	}
	if withUsedBy {
		uses := make([]awsapi.Use, len(p.UsedBy))
		for i, u := range p.UsedBy {
			uses[i] = awsapi.Use{Kind: u.Kind, ID: termtext.Clean(u.ID), Detail: termtext.Clean(u.Detail)}
		}
		e.UsedBy = &uses
	}
	return e
}

// regionsClient is the client every region's client is made from, and the
// regions to work on: --regions resolved ("all" asks DescribeRegions in the
// configured region), or the configured region alone.
func (a *app) regionsClient(ctx context.Context, cfg config.Config, spec string) (*awsapi.Client, []string, error) {
	if spec == "" {
		client, err := a.awsClient(ctx, cfg)
		if err != nil {
			return nil, nil, err
		}
		return client, []string{client.Region()}, nil
	}
	client, err := a.newClient(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	if strings.EqualFold(strings.TrimSpace(spec), "all") && client.Region() == "" {
		return nil, nil, usagef("--regions all asks one region for the list of regions, and no region is configured: pass --region too")
	}
	regions, err := fleet.ResolveRegions(ctx, spec, client)
	var bad *fleet.BadRegionsError
	if errors.As(err, &bad) {
		return nil, nil, usagef("--regions %s: %s", termtext.Clean(spec), bad.Reason)
	}
	if err != nil {
		return nil, nil, err
	}
	if len(regions) > 1 {
		// One clear refusal instead of one per region when no credentials exist.
		if _, err := client.Credentials(ctx); awsapi.KindOf(err) == awsapi.NoCredentials {
			return nil, nil, err
		}
	}
	return client, regions, nil
}

// regionConnect makes each region's client from base: same configuration,
// credentials (and their cache) and endpoint rules.
func (a *app) regionConnect(base *awsapi.Client) fleet.Connect {
	return func(region string) (fleet.Client, error) {
		c := base
		if region != base.Region() {
			c = base.InRegion(region)
		}
		return a.fleetClient(c), nil
	}
}

// fleetClient is c as the fleet commands use it.
func (a *app) fleetClient(c *awsapi.Client) fleet.Client {
	if a.regionClient != nil {
		return a.regionClient(c)
	}
	return c
}

// localKeyIndex finds the public keys held here (files in ~/.ssh and the
// save folder, and the agent at SSH_AUTH_SOCK) for matching to pairs. A
// failed search is a warning: the pairs are still listed, without marks.
func (a *app) localKeyIndex(ctx context.Context, cfg config.Config) *localkeys.Index {
	found, err := localkeys.Find(ctx, a.localKeyOptions(cfg))
	if err != nil {
		fmt.Fprintf(a.stderr, "keypair: warning: local keys were not looked for: %s\n", termtext.ForUser(err.Error()))
		return nil
	}
	if found.AgentError != nil {
		fmt.Fprintf(a.stderr, "keypair: warning: the ssh-agent could not be asked: %s\n", termtext.ForUser(found.AgentError.Error()))
	}
	return localkeys.NewIndex(found.Keys)
}

// printPairs writes the table of one region's pairs (no region, local or
// used-by column).
func printPairs(w io.Writer, pairs []awsapi.KeyPairInfo, width int) error {
	fp := make([]fleet.Pair, len(pairs))
	for i, p := range pairs {
		fp[i] = fleet.Pair{KeyPairInfo: p}
	}
	return printPairTable(w, fp, tableColumns{}, width)
}

// tableColumns are the optional columns of the table of pairs.
type tableColumns struct {
	region bool // several regions are listed
	local  bool // local keys were looked for: "yes" where one matches
	usedBy bool // how many things use the pair
}

// printPairTable writes the table of pairs. width > 0 fits it to a terminal
// that wide, giving up detail in this order: the time of day, the ID
// column, the middle of long fingerprints, then the end of the tags; where
// the optional columns leave no room even so, the CREATED and TYPE columns
// go before the tags are cut.
func printPairTable(w io.Writer, pairs []fleet.Pair, cols tableColumns, width int) error {
	header := []string{}
	col := map[string]int{}
	add := func(name string, on bool) {
		if on {
			col[name] = len(header)
			header = append(header, name)
		}
	}
	add("REGION", cols.region)
	add("NAME", true)
	add("ID", true)
	add("TYPE", true)
	add("FINGERPRINT", true)
	add("CREATED", true)
	add("LOCAL", cols.local)
	add("USED BY", cols.usedBy)
	add("TAGS", true)
	rows := make([][]string, len(pairs))
	for i, p := range pairs {
		tags := make([]string, len(p.Tags))
		for j, t := range p.Tags {
			tags[j] = t.Key + "=" + t.Value
		}
		created := ""
		if !p.CreateTime.IsZero() {
			created = p.CreateTime.UTC().Format(time.RFC3339)
		}
		r := make([]string, len(header))
		set := func(name, v string) {
			if c, ok := col[name]; ok {
				r[c] = v
			}
		}
		set("REGION", termtext.Clean(p.Region))
		set("NAME", termtext.Clean(p.KeyName))
		set("ID", termtext.Clean(p.KeyPairID))
		set("TYPE", termtext.Clean(p.KeyType))
		set("FINGERPRINT", termtext.Clean(p.KeyFingerprint))
		set("CREATED", created)
		if len(p.LocalKeys) > 0 {
			set("LOCAL", "yes")
		}
		set("USED BY", strconv.Itoa(len(p.UsedBy)))
		set("TAGS", termtext.Clean(strings.Join(tags, ",")))
		rows[i] = r
	}
	colID, colFP, colCreated, colTags := col["ID"], col["FINGERPRINT"], col["CREATED"], col["TAGS"]
	const gap = 2
	drop := map[int]bool{}
	total := func() int {
		n := 0
		for c := range header {
			if drop[c] {
				continue
			}
			m := utf8.RuneCountInString(header[c])
			for _, r := range rows {
				m = max(m, utf8.RuneCountInString(r[c]))
			}
			n += m + gap
		}
		return n - gap
	}
	if width > 0 {
		steps := []func(){
			func() { forEach(rows, colCreated, func(s string) string { return strings.SplitN(s, "T", 2)[0] }) },
			func() { drop[colID] = true },
			func() { forEach(rows, colFP, func(s string) string { return middle(s, 23) }) },
		}
		for _, step := range steps {
			if total() <= width {
				break
			}
			step()
		}
		tagWidth := func() int {
			w := len("TAGS")
			for _, r := range rows {
				w = max(w, utf8.RuneCountInString(r[colTags]))
			}
			return w
		}
		// Where even the shortest tags leave it too wide (the optional
		// columns), CREATED and then TYPE go before the tags are cut.
		for _, c := range []int{colCreated, col["TYPE"]} {
			if total()-(tagWidth()-len("TAGS")) <= width {
				break
			}
			drop[c] = true
		}
		if over := total() - width; over > 0 {
			keep := max(len("TAGS"), tagWidth()-over)
			forEach(rows, colTags, func(s string) string { return cut(s, keep) })
		}
	}
	tw := tabwriter.NewWriter(w, 0, 4, gap, ' ', 0)
	line := func(cells []string) {
		var kept []string
		for c, s := range cells {
			if !drop[c] {
				kept = append(kept, s)
			}
		}
		fmt.Fprintln(tw, strings.Join(kept, "\t"))
	}
	line(header)
	for _, r := range rows {
		line(r)
	}
	return tw.Flush()
}

func forEach(rows [][]string, col int, f func(string) string) {
	for _, r := range rows {
		r[col] = f(r[col])
	}
}

// middle shortens s to n characters by putting "…" in its middle, so both
// ends of a fingerprint stay comparable with the console's.
func middle(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	head := (n - 1) / 2
	return string(r[:head]) + "…" + string(r[len(r)-(n-1-head):])
}

// cut shortens s to n characters, ending in "…".
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	return string(r[:n-1]) + "…"
}

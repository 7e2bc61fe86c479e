package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/pair"
)

// listOptions are the flags of `keypair list`.
type listOptions struct {
	json bool
}

func (a *app) listCommand() *cobra.Command {
	var o listOptions
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the key pairs in the region",
		Example: "  keypair list --region eu-west-1\n  keypair list --json | jq -r '.[].keyName'",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runList(cmd.Context(), &o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print a JSON array (with public keys)")
	return cmd
}

func (a *app) runList(ctx context.Context, o *listOptions) error {
	client, err := a.configuredClient(ctx)
	if err != nil {
		return err
	}
	pairs, err := client.DescribeKeyPairs(ctx, awsapi.DescribeInput{IncludePublicKey: o.json})
	if err != nil {
		return err
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].KeyName < pairs[j].KeyName })
	for i := range pairs {
		if pairs[i].Tags == nil {
			pairs[i].Tags = []pair.Tag{} // [] in JSON, never null
		}
	}
	if o.json {
		return writeJSON(a.stdout, pairs)
	}
	if len(pairs) == 0 {
		fmt.Fprintf(a.stderr, "No key pairs in %s.\n", client.Region())
		return nil
	}
	width := 0 // piped: every column in full
	if a.term.stdout {
		width = a.term.width()
	}
	return printPairs(a.stdout, pairs, width)
}

// printPairs writes the table of pairs. width > 0 fits it to a terminal
// that wide, giving up detail in this order: the time of day, the ID
// column, the middle of long fingerprints, then the end of the tags.
func printPairs(w io.Writer, pairs []awsapi.KeyPairInfo, width int) error {
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
		rows[i] = []string{termtext.Clean(p.KeyName), termtext.Clean(p.KeyPairID), termtext.Clean(p.KeyType),
			termtext.Clean(p.KeyFingerprint), created, termtext.Clean(strings.Join(tags, ","))}
	}
	header := []string{"NAME", "ID", "TYPE", "FINGERPRINT", "CREATED", "TAGS"}
	const (
		colID, colFP, colCreated, colTags = 1, 3, 4, 5
		gap                               = 2
	)
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
		if over := total() - width; over > 0 {
			tagWidth := 0
			for _, r := range rows {
				tagWidth = max(tagWidth, utf8.RuneCountInString(r[colTags]))
			}
			keep := max(len("TAGS"), tagWidth-over)
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

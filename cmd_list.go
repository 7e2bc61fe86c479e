package main

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/internal/termtext"
)

func (a *app) listCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the key pairs in the region",
		Example: "  keypair list --region eu-west-1\n  keypair list --json | jq -r '.[].keyName'",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			client, err := a.configuredClient(cmd.Context())
			if err != nil {
				return err
			}
			pairs, err := client.DescribeKeyPairs(cmd.Context(), awsapi.DescribeInput{IncludePublicKey: asJSON})
			if err != nil {
				return err
			}
			sort.Slice(pairs, func(i, j int) bool { return pairs[i].KeyName < pairs[j].KeyName })
			if asJSON {
				if pairs == nil {
					pairs = []awsapi.KeyPairInfo{}
				}
				return writeJSON(a.stdout, pairs)
			}
			if len(pairs) == 0 {
				fmt.Fprintf(a.stderr, "No key pairs in %s.\n", client.Region())
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tID\tTYPE\tFINGERPRINT\tCREATED\tTAGS")
			for _, p := range pairs {
				tags := make([]string, len(p.Tags))
				for i, t := range p.Tags {
					tags[i] = t.Key + "=" + t.Value
				}
				created := ""
				if !p.CreateTime.IsZero() {
					created = p.CreateTime.UTC().Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", termtext.Clean(p.KeyName), termtext.Clean(p.KeyPairID),
					termtext.Clean(p.KeyType), termtext.Clean(p.KeyFingerprint), created, termtext.Clean(strings.Join(tags, ",")))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array (with public keys)")
	return cmd
}

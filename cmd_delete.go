package main

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/maker"
)

func (a *app) deleteCommand() *cobra.Command {
	var yes, dryRun, asJSON bool
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a key pair from EC2 (the local private key file is not touched)",
		Long: `Delete a key pair from EC2 (DeleteKeyPair). Only the public key EC2 keeps is
removed: instances keep their authorized_keys, and your private key file stays
where it is. Launch templates that name the pair will fail to launch.

Without --yes it asks you to type the name, and refuses when standard input is
not a terminal.`,
		Example: "  keypair delete old-key\n  keypair delete old-key --yes\n  keypair delete old-key --dry-run",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("delete takes exactly one key pair name (got %d arguments)", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			client, err := a.configuredClient(cmd.Context())
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			// EC2 answers success for a name that does not exist, so look
			// first, in a dry run too.
			pairs, err := client.DescribeKeyPairs(ctx, awsapi.DescribeInput{Names: []string{name}})
			if err != nil && awsapi.KindOf(err) != awsapi.NotFound {
				return err
			}
			if len(pairs) == 0 {
				return fmt.Errorf("no key pair named %q in %s; nothing was deleted (key pairs belong to one region: is it in another? see --region)", name, client.Region())
			}
			if dryRun {
				out, err := client.DeleteKeyPair(ctx, awsapi.DeleteInput{Name: name, DryRun: true})
				if err != nil {
					return err
				}
				return a.printDryRun(asJSON, &maker.DryRunResult{Action: "DeleteKeyPair", KeyName: name, Region: client.Region(),
					Permitted: out.DryRun.Permitted, Message: termtext.Clean(out.DryRun.Message)})
			}
			if !yes {
				if !a.term.stdin {
					return usagef("refusing to delete %q without --yes when standard input is not a terminal", name)
				}
				fmt.Fprintf(a.stderr, "Delete key pair %q (%s) from %s? Type its name to confirm: ", name, termtext.Clean(pairs[0].KeyPairID), client.Region())
				line, _ := bufio.NewReader(a.stdin).ReadString('\n')
				if strings.TrimRight(line, "\r\n") != name {
					fmt.Fprintln(a.stderr, "Not deleted.")
					return &silentError{code: exitFailed}
				}
			}
			out, err := client.DeleteKeyPair(ctx, awsapi.DeleteInput{Name: name})
			if err != nil {
				return err
			}
			id := termtext.Clean(out.KeyPairID)
			if id == "" {
				id = termtext.Clean(pairs[0].KeyPairID)
			}
			if asJSON {
				return writeJSON(a.stdout, map[string]any{"keyName": name, "keyPairId": id, "region": client.Region(), "deleted": true})
			}
			fmt.Fprintf(a.stdout, "Deleted key pair %q (%s) from %s. Local private key files were not touched.\n", name, id, client.Region())
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&yes, "yes", false, "delete without asking")
	f.BoolVar(&dryRun, "dry-run", false, "only ask EC2 whether the delete would be permitted")
	f.BoolVar(&asJSON, "json", false, "print the result as one JSON object")
	return cmd
}

package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/maker"
)

// deleteOptions are the flags of `keypair delete`.
type deleteOptions struct {
	name   string
	yes    bool
	dryRun bool
	json   bool
}

func (a *app) deleteCommand() *cobra.Command {
	var o deleteOptions
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a key pair from EC2 (the local private key file is not touched)",
		Long: `Delete a key pair from EC2 (DeleteKeyPair). Only the public key EC2 keeps is
removed: instances keep their authorized_keys, and your private key file stays
where it is. Launch templates that name the pair will fail to launch.

Without --yes it asks you to type the name, and refuses when standard input is
not a terminal. A name that does not exist is an error (exit 1), in a dry run too.`,
		Example: "  keypair delete old-key\n  keypair delete old-key --yes\n  keypair delete old-key --dry-run",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("delete takes exactly one key pair name (got %d arguments)", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name = args[0]
			return a.runDelete(cmd.Context(), &o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.yes, "yes", false, "delete without asking")
	f.BoolVar(&o.dryRun, "dry-run", false, "only ask EC2 whether the delete would be permitted")
	f.BoolVar(&o.json, "json", false, "print the result as one JSON object")
	return cmd
}

func (a *app) runDelete(ctx context.Context, o *deleteOptions) error {
	name := o.name
	client, err := a.configuredClient(ctx)
	if err != nil {
		return err
	}
	region := client.Region()
	// EC2 answers success for a name that does not exist, so look first,
	// in a dry run too.
	pairs, err := client.DescribeKeyPairs(ctx, awsapi.DescribeInput{Names: []string{name}})
	if err != nil && awsapi.KindOf(err) != awsapi.NotFound {
		return err
	}
	if len(pairs) == 0 {
		return fmt.Errorf("no key pair named %q in %s; nothing was deleted (key pairs belong to one region: is it in another? see --region)",
			termtext.Clean(name), region)
	}
	if o.dryRun {
		out, err := client.DeleteKeyPair(ctx, awsapi.DeleteInput{Name: name, DryRun: true})
		if err != nil {
			return err
		}
		if out.DryRun.Ignored {
			return fmt.Errorf("the endpoint ignored the dry run and deleted the key pair %q from %s for real", termtext.Clean(name), region)
		}
		return a.printDryRun(o.json, &maker.DryRunResult{Action: "DeleteKeyPair", KeyName: name, Region: region,
			Permitted: out.DryRun.Permitted, Message: termtext.Clean(out.DryRun.Message)})
	}
	if !o.yes {
		if !a.term.canPrompt() {
			return usagef("refusing to delete %q without --yes when there is no terminal to ask on", termtext.Clean(name))
		}
		fmt.Fprintf(a.stderr, "Delete key pair %q (%s) from %s? Type its name to confirm: ", termtext.Clean(name), termtext.Clean(pairs[0].KeyPairID), region)
		// Read the answer under the command's context: ctrl+c (SIGINT) ends
		// the question instead of waiting for a line.
		answer := make(chan string, 1)
		go func() {
			line, _ := bufio.NewReader(a.stdin).ReadString('\n')
			answer <- line
		}()
		var line string
		select {
		case line = <-answer:
		case <-ctx.Done():
			fmt.Fprintln(a.stderr)
			return fmt.Errorf("cancelled: the key pair %q was not deleted", termtext.Clean(name))
		}
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
	if o.json {
		return writeJSON(a.stdout, deleteResult{KeyName: name, KeyPairID: id, Region: region, Deleted: true})
	}
	fmt.Fprintf(a.stdout, "Deleted key pair %q (%s) from %s. Local private key files were not touched.\n", termtext.Clean(name), id, region)
	return nil
}

// deleteResult is the --json object of `keypair delete`.
type deleteResult struct {
	KeyName   string `json:"keyName"`
	KeyPairID string `json:"keyPairId"`
	Region    string `json:"region"`
	Deleted   bool   `json:"deleted"`
}

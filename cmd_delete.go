package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/fleet"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/maker"
)

// deleteOptions are the flags of `keypair delete`.
type deleteOptions struct {
	name   string
	yes    bool
	dryRun bool
	json   bool
	force  bool
}

func (a *app) deleteCommand() *cobra.Command {
	var o deleteOptions
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a key pair from EC2 (the local private key file is not touched)",
		Long: `Delete a key pair from EC2 (DeleteKeyPair). Only the public key EC2 keeps is
removed: instances keep their authorized_keys, and your private key file stays
where it is. Launch templates that name the pair will fail to launch.

Before deleting, it looks up what uses the pair: instances (in any state but
terminated), launch template versions, Auto Scaling launch configurations and
open Spot requests. A pair in use is not deleted: the users are listed and the
exit status is 1, unless --force. The same holds when what uses it cannot be
looked up (for example, a missing ec2:DescribeInstances permission).

Without --yes it asks you to type the name, and refuses when standard input is
not a terminal. A name that does not exist is an error (exit 1), in a dry run too.`,
		Example: "  keypair delete old-key\n  keypair delete old-key --yes\n  keypair delete old-key --dry-run\n  keypair delete old-key --yes --force",
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
	f.BoolVar(&o.force, "force", false, "delete even when something uses the pair (or that cannot be looked up)")
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
	check, err := fleet.CheckDelete(ctx, a.fleetClient(client), name)
	if err != nil {
		return err
	}
	if !check.Exists {
		return fmt.Errorf("no key pair named %q in %s; nothing was deleted (key pairs belong to one region: is it in another? see --region)",
			termtext.Clean(name), region)
	}
	if !o.dryRun && !o.yes && !a.term.canPrompt() {
		return usagef("refusing to delete %q without --yes when there is no terminal to ask on", termtext.Clean(name))
	}
	if check.InUse() {
		if err := a.reportUsers(name, region, check, o.force); err != nil {
			return err
		}
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
		fmt.Fprintf(a.stderr, "Delete key pair %q (%s) from %s? Type its name to confirm: ", termtext.Clean(name), termtext.Clean(check.Pair.KeyPairID), region)
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
		id = termtext.Clean(check.Pair.KeyPairID)
	}
	if o.json {
		return writeJSON(a.stdout, deleteResult{KeyName: name, KeyPairID: id, Region: region, Deleted: true})
	}
	fmt.Fprintf(a.stdout, "Deleted key pair %q (%s) from %s. Local private key files were not touched.\n", termtext.Clean(name), id, region)
	return nil
}

// reportUsers lists on stderr what uses the pair (or why that is unknown)
// and, without force, refuses the delete.
func (a *app) reportUsers(name, region string, check *fleet.DeleteCheck, force bool) error {
	qname := termtext.Clean(name)
	if check.UsedByErr != nil {
		fmt.Fprintf(a.stderr, "keypair: what uses key pair %q in %s could not be looked up: %s\n", qname, region,
			termtext.ForUser(check.UsedByErr.Error()))
		if force {
			fmt.Fprintln(a.stderr, "keypair: warning: deleting it anyway (--force).")
			return nil
		}
		return &inUseError{name: name, region: region, unknown: true, err: check.UsedByErr}
	}
	fmt.Fprintf(a.stderr, "Key pair %q in %s is used by:\n", qname, region)
	for _, u := range check.UsedBy {
		line := "  " + termtext.Clean(u.Kind) + " " + termtext.Clean(u.ID)
		if d := termtext.Clean(u.Detail); d != "" {
			line += " (" + d + ")"
		}
		fmt.Fprintln(a.stderr, line)
	}
	if force {
		fmt.Fprintf(a.stderr, "keypair: warning: deleting it anyway (--force): these keep their keys, but new launches that name it will fail.\n")
		return nil
	}
	return &inUseError{name: name, region: region, users: len(check.UsedBy)}
}

// inUseError refuses to delete a pair that something uses (or may use).
type inUseError struct {
	name, region string
	users        int
	unknown      bool
	err          error // why the users are unknown
}

func (e *inUseError) Error() string {
	if e.unknown {
		return fmt.Sprintf("key pair %q in %s was not deleted: what uses it is unknown", termtext.Clean(e.name), e.region)
	}
	return fmt.Sprintf("key pair %q in %s is in use (%d listed above); nothing was deleted", termtext.Clean(e.name), e.region, e.users)
}

// deleteResult is the --json object of `keypair delete`.
type deleteResult struct {
	KeyName   string `json:"keyName"`
	KeyPairID string `json:"keyPairId"`
	Region    string `json:"region"`
	Deleted   bool   `json:"deleted"`
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/config"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
)

// createOptions are the flags of `keypair create`.
type createOptions struct {
	name       string
	keyType    string
	bits       int
	format     string
	ppkVersion int
	tags       []string
	source     string
	dryRun     bool
	out        string
	json       bool
	batch      bool
	store      string
	kmsKey     string
}

func (a *app) createCommand() *cobra.Command {
	var o createOptions
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a key pair (the form, prefilled; --batch for scripts)",
		Long: `Create a key pair. In a terminal this opens the form prefilled from the
flags; with --batch, or when standard input is not a terminal, it runs without
a form and needs --name.

Sources:
  aws      EC2 makes the pair (CreateKeyPair) and returns the private key once
  local    made here, the private key saved, then the public key imported
  offline  made here and saved; no AWS call and no credentials needed

The private key is saved to --out (default ~/.ssh/NAME.pem or .ppk) with mode
0600; an existing file is never overwritten. With --source aws the path is
checked free and writable before EC2 is called.

With --store ssm the private key is also kept in SSM Parameter Store, as a
SecureString at /ec2/keypair/<key pair id> (where CloudFormation and CDK keep
theirs), encrypted with --kms-key (default: the account's aws/ssm key) and
tagged like the pair; --out none keeps no file. If the parameter cannot be
written and no file was saved, the pair is deleted again. keypair fetch reads
the key back.`,
		Example: `  keypair create --name web --type ed25519
  keypair create --batch --name ci --source offline --type ed25519 --out ./ci.pem --json
  keypair create --batch --name win --type rsa --format ppk --tag env=prod --tag team=ops
  keypair create --batch --name check --dry-run
  keypair create --batch --name vault --store ssm --out none --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runCreate(cmd, &o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.name, "name", "", "key pair name: 1-255 printable ASCII characters, no leading or trailing space")
	f.StringVar(&o.keyType, "type", "", "key type: rsa or ed25519 (default from config, else rsa)")
	f.IntVar(&o.bits, "bits", 0, "RSA size: 2048 (EC2 makes only 2048); 4096 with --source local|offline")
	f.StringVar(&o.format, "format", "", "private key format: pem (PKCS#1 for RSA, OpenSSH for ED25519) or ppk (PuTTY) (default from config, else pem)")
	f.IntVar(&o.ppkVersion, "ppk-version", 0, "PPK version: 3, or 2 for PuTTY 0.74 and older (default 3)")
	f.StringArrayVar(&o.tags, "tag", nil, "tag KEY=VALUE (repeatable, at most 50)")
	f.StringVar(&o.source, "source", "", "where the key is made: aws, local or offline (default from config, else aws)")
	f.BoolVar(&o.dryRun, "dry-run", false, "only ask EC2 whether the call would be permitted; nothing is made")
	f.StringVar(&o.out, "out", "", "where to save the private key (default ~/.ssh/NAME.pem|.ppk; - for standard output; none with --store ssm)")
	f.StringVar(&o.store, "store", "", "also keep the private key in: ssm (SSM Parameter Store, /ec2/keypair/<key pair id>)")
	f.StringVar(&o.kmsKey, "kms-key", "", "KMS key for --store ssm: key id, key ARN or alias/NAME (default: the account's aws/ssm key)")
	f.BoolVar(&o.json, "json", false, "print the result as one JSON object")
	f.BoolVar(&o.batch, "batch", false, "no form: create from the flags alone")
	_ = cmd.RegisterFlagCompletionFunc("type", fixedCompletion("rsa", "ed25519"))
	_ = cmd.RegisterFlagCompletionFunc("format", fixedCompletion("pem", "ppk"))
	_ = cmd.RegisterFlagCompletionFunc("source", fixedCompletion("aws", "local", "offline"))
	_ = cmd.RegisterFlagCompletionFunc("store", fixedCompletion("ssm"))
	_ = cmd.RegisterFlagCompletionFunc("ppk-version", fixedCompletion("3", "2"))
	_ = cmd.RegisterFlagCompletionFunc("bits", fixedCompletion("2048", "4096"))
	return cmd
}

func fixedCompletion(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// requestFrom builds the one complete request: defaults < config file <
// environment (all in cfg) < the flags that were set. The form gets it as
// it is, so nothing is merged a second time.
func requestFrom(cmd *cobra.Command, cfg config.Config, o *createOptions) (pair.Request, error) {
	req := cfg.Request()
	req.Name, req.DryRun, req.Bits = o.name, o.dryRun, o.bits
	flags := cmd.Flags()
	if flags.Changed("type") {
		req.Type = keys.Type(strings.ToLower(o.keyType))
	}
	if flags.Changed("format") {
		req.Format = keys.Format(strings.ToLower(o.format))
	}
	if flags.Changed("ppk-version") {
		req.PPKVersion = o.ppkVersion
	}
	if flags.Changed("source") {
		req.Source = pair.Source(strings.ToLower(o.source))
	}
	if flags.Changed("store") {
		req.Store = pair.Store(strings.ToLower(o.store))
	}
	if flags.Changed("kms-key") {
		req.KMSKeyID = o.kmsKey
	}
	tags, err := tagsFromFlags(req.Tags, o.tags)
	if err != nil {
		return req, err
	}
	req.Tags = tags
	return maker.Normalize(req), nil
}

// tagsFromFlags puts the --tag flags over the config file's default tags:
// a --tag with a default's key replaces it; the same key in two --tag
// flags is refused, naming both, never merged silently.
func tagsFromFlags(defaults []pair.Tag, flags []string) ([]pair.Tag, error) {
	given := make(map[string]string, len(flags))
	tags := append([]pair.Tag(nil), defaults...)
	for _, s := range flags {
		t, err := pair.ParseTag(s)
		if err != nil {
			return nil, usagef("--tag %s: %v", termtext.ShellQuote(s), err)
		}
		if first, dup := given[t.Key]; dup {
			return nil, usagef("--tag %s and --tag %s give the tag key %q twice; each key may appear once (nothing was made)",
				termtext.ShellQuote(first), termtext.ShellQuote(s), termtext.Clean(t.Key))
		}
		given[t.Key] = s
		tags = setTag(tags, t)
	}
	return tags, nil
}

// setTag replaces the tag with t's key, or appends t.
func setTag(tags []pair.Tag, t pair.Tag) []pair.Tag {
	for i := range tags {
		if tags[i].Key == t.Key {
			tags[i] = t
			return tags
		}
	}
	return append(tags, t)
}

// invalidRequest turns every broken rule into one usage error, a line each.
func invalidRequest(errs []*pair.FieldError) error {
	lines := make([]string, len(errs))
	for i, fe := range errs {
		lines[i] = "  " + fe.Error()
	}
	return usagef("the request was refused; nothing was made:\n%s", strings.Join(lines, "\n"))
}

func (a *app) runCreate(cmd *cobra.Command, o *createOptions) error {
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	req, err := requestFrom(cmd, cfg, o)
	if err != nil {
		return err
	}
	if !o.batch && a.term.stdin {
		if o.out == "-" {
			return usagef("--out - (the key on standard output) needs --batch; the form saves to a file")
		}
		// The form shows the request's other rules live; where the key is
		// kept is chosen in its save step, which cannot show these.
		for _, fe := range req.Validate() {
			if fe.Field == "store" || fe.Field == "kms-key" {
				return invalidRequest([]*pair.FieldError{fe})
			}
		}
		if o.out == maker.NoFile && req.Store != pair.StoreSSM {
			return usagef("--out none keeps no file, and the private key must be kept somewhere: add --store ssm, or give a path")
		}
		return a.runInteractive(cmd.Context(), &interactiveOptions{prefill: &req, savePath: o.out, json: o.json})
	}
	if req.Name == "" {
		return usagef("--name is required without the form (--batch, or standard input not a terminal)")
	}
	if o.out == "-" && o.json {
		return usagef("--out - writes the private key to standard output, where --json would go too: choose one")
	}
	out := o.out
	if out == "" {
		out = maker.DefaultPath(cfg.SaveDir, req)
	}
	if errs := req.Validate(); len(errs) > 0 {
		return invalidRequest(errs) // before any AWS configuration is read
	}
	p := &maker.Pipeline{Stdout: a.stdout}
	if maker.NeedsAWS(req.Source) {
		client, err := a.awsClient(cmd.Context(), cfg)
		if err != nil {
			return err
		}
		p.API, p.Region = client, client.Region()
		if req.Store == pair.StoreSSM {
			p.Store = client
		}
	}
	made, dry, err := p.Run(cmd.Context(), req, out)
	if err != nil {
		var inv *maker.InvalidRequestError
		var target *maker.TargetError
		switch {
		case errors.As(err, &inv):
			return invalidRequest(inv.Errs)
		case errors.As(err, &target):
			return usagef("--out %s: %s. Nothing was made.", termtext.Clean(out), strings.TrimRight(termtext.ForUser(target.Err.Error()), "."))
		}
		return err
	}
	if dry != nil {
		return a.printDryRun(o.json, dry)
	}
	for _, w := range made.Warnings {
		fmt.Fprintln(a.stderr, "keypair: warning: "+termtext.Clean(w))
	}
	if o.json {
		return writeJSON(a.stdout, made.Summary())
	}
	summary := a.stdout
	if made.Path == "-" {
		summary = a.stderr
	}
	printCreated(summary, made)
	return nil
}

// configuredClient resolves the configuration and builds the EC2 client.
func (a *app) configuredClient(ctx context.Context) (*awsapi.Client, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, err
	}
	return a.awsClient(ctx, cfg)
}

// awsClient builds the EC2 client and insists on a region.
func (a *app) awsClient(ctx context.Context, cfg config.Config) (*awsapi.Client, error) {
	client, err := a.newClient(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if client.Region() == "" {
		return nil, usagef("no AWS region is configured: pass --region, set AWS_REGION, or set region in the config file or your AWS profile")
	}
	return client, nil
}

func printCreated(w io.Writer, m *maker.Made) {
	r := m.Request
	switch r.Source {
	case pair.SourceAWS:
		fmt.Fprintf(w, "Created key pair %q (%s) in %s.\n", r.Name, m.KeyPairID, m.Region)
	case pair.SourceLocal:
		fmt.Fprintf(w, "Made key pair %q here and imported it to %s (%s).\n", r.Name, m.Region, m.KeyPairID)
	default:
		fmt.Fprintf(w, "Made key pair %q offline; it is not in AWS (import it with: keypair import --name %q --public-key FILE).\n", r.Name, r.Name)
	}
	switch m.Path {
	case "-":
		fmt.Fprintf(w, "  private key:  written to standard output\n")
	case "":
		fmt.Fprintf(w, "  private key:  no file (kept in SSM only)\n")
	default:
		fmt.Fprintf(w, "  private key:  %s (mode 0600)\n", m.Path)
	}
	if m.Parameter != "" {
		fmt.Fprintf(w, "  parameter:    %s (SecureString; keypair fetch %s)\n", m.Parameter, termtext.ShellQuote(r.Name))
	}
	fmt.Fprintf(w, "  fingerprint:  %s  (EC2: %s)\n", m.KeyFingerprint, m.KeyFingerprintKind())
	fmt.Fprintf(w, "  OpenSSH:      %s\n", m.Fingerprints.SHA256)
	fmt.Fprintf(w, "  public key:   %s", m.PublicKey)
}

// dryRunResult is the --json object of a dry run.
type dryRunResult struct {
	KeyName   string `json:"keyName"`
	Action    string `json:"action"`
	Source    string `json:"source,omitempty"`
	Region    string `json:"region"`
	DryRun    bool   `json:"dryRun"`
	Permitted bool   `json:"permitted"`
	Message   string `json:"message"`
}

// printDryRun reports a dry run; a denied one is a failure (exit 1).
func (a *app) printDryRun(asJSON bool, d *maker.DryRunResult) error {
	if asJSON {
		if err := writeJSON(a.stdout, dryRunResult{KeyName: d.KeyName, Action: string(d.Action), Source: string(d.Source),
			Region: d.Region, DryRun: true, Permitted: d.Permitted, Message: d.Message}); err != nil {
			return err
		}
	} else if d.Permitted {
		fmt.Fprintf(a.stdout, "Dry run: %s of %q in %s would be permitted. Nothing was made.\n", d.Action, d.KeyName, d.Region)
	}
	if !d.Permitted {
		if !asJSON {
			fmt.Fprintf(a.stderr, "keypair: dry run: %s of %q in %s would be denied: %s\n", d.Action, d.KeyName, d.Region, d.Message)
		}
		return &silentError{code: exitFailed}
	}
	return nil
}

package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
)

// fetchOptions are the flags of `keypair fetch`.
type fetchOptions struct {
	ref  string
	out  string
	json bool
}

func (a *app) fetchCommand() *cobra.Command {
	var o fetchOptions
	cmd := &cobra.Command{
		Use:   "fetch NAME|KEY-PAIR-ID",
		Short: "Save the private key of a pair kept in SSM Parameter Store",
		Long: `Fetch the private key of a key pair from SSM Parameter Store, where
keypair create --store ssm, CloudFormation's AWS::EC2::KeyPair and CDK's KeyPair
keep it: the SecureString parameter /ec2/keypair/<key pair id>.

The pair is looked up by name or id (DescribeKeyPairs), the parameter read with
decryption, and the key checked to belong to the pair (its public half is the
pair's public key) before it is saved to --out (default ~/.ssh/NAME.pem or
.ppk, by the key's format) with mode 0600, never over an existing file. A
missing or denied parameter, a KMS key you may not use, or a key that is not
the pair's is an error (exit 1), and nothing is written.`,
		Example: "  keypair fetch web\n  keypair fetch key-0123456789abcdef0 --out ./web.pem\n  keypair fetch web --json",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("fetch takes exactly one key pair name or id (got %d arguments)", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ref = args[0]
			return a.runFetch(cmd.Context(), &o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "where to save the private key (default ~/.ssh/NAME.pem|.ppk)")
	f.BoolVar(&o.json, "json", false, "print the result as one JSON object (never the key)")
	return cmd
}

// fetchResult is the --json object of fetch: the vocabulary plus parameter.
type fetchResult struct {
	KeyName           string     `json:"keyName"`
	KeyPairID         string     `json:"keyPairId"`
	KeyType           string     `json:"keyType"`
	KeyFormat         string     `json:"keyFormat"`
	KeyFingerprint    string     `json:"keyFingerprint"`
	SHA256Fingerprint string     `json:"sha256Fingerprint"`
	MD5Fingerprint    string     `json:"md5Fingerprint"`
	PublicKey         string     `json:"publicKey"`
	Region            string     `json:"region"`
	Path              string     `json:"path"`
	Parameter         string     `json:"parameter"`
	Tags              []pair.Tag `json:"tags"`
	CreateTime        string     `json:"createTime,omitempty"`
}

func (a *app) runFetch(ctx context.Context, o *fetchOptions) error {
	if o.ref == "" || strings.TrimSpace(o.ref) != o.ref {
		return usagef("fetch needs a key pair name or id without leading or trailing space")
	}
	if o.out == "-" {
		return usagef("fetch saves the private key to a file (mode 0600); --out - is not offered")
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	var out string
	if o.out != "" {
		// Check the path before anything is read, as create does.
		full, err := keys.ResolvePath(o.out)
		if err == nil {
			err = keys.CheckFree(full)
		}
		if err != nil {
			return usagef("--out %s: %s. Nothing was fetched.", termtext.Clean(o.out), strings.TrimRight(termtext.ForUser(err.Error()), "."))
		}
		out = full
	}
	client, err := a.awsClient(ctx, cfg)
	if err != nil {
		return err
	}
	f, err := maker.Fetch(ctx, client, client, client.Region(), o.ref)
	if err != nil {
		return err
	}
	saved, err := maker.SaveFetched(f, cfg.SaveDir, out)
	if err != nil {
		return fmt.Errorf("%w; choose a path with --out", err)
	}
	out = saved
	if o.json {
		tags := f.Pair.Tags
		if tags == nil {
			tags = []pair.Tag{}
		}
		r := fetchResult{
			KeyName: f.Pair.KeyName, KeyPairID: f.Pair.KeyPairID, KeyType: string(f.Key.Type()), KeyFormat: string(f.Format),
			KeyFingerprint: f.Pair.KeyFingerprint, SHA256Fingerprint: f.Fingerprints.SHA256, MD5Fingerprint: f.Fingerprints.MD5,
			PublicKey: strings.TrimSpace(keys.AuthorizedKey(f.Key.SSHPublicKey(), f.Pair.KeyName)), Region: f.Region,
			Path: out, Parameter: f.Parameter, Tags: tags,
		}
		if !f.Pair.CreateTime.IsZero() {
			r.CreateTime = f.Pair.CreateTime.UTC().Format(time.RFC3339)
		}
		return writeJSON(a.stdout, r)
	}
	fmt.Fprintf(a.stdout, "Fetched the private key of key pair %q (%s) from %s in %s.\n",
		f.Pair.KeyName, f.Pair.KeyPairID, f.Parameter, f.Region)
	fmt.Fprintf(a.stdout, "  private key:  %s (mode 0600)\n", out)
	fmt.Fprintf(a.stdout, "  fingerprint:  %s  (EC2)\n", f.Pair.KeyFingerprint)
	fmt.Fprintf(a.stdout, "  OpenSSH:      %s\n", f.Fingerprints.SHA256)
	return nil
}

package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/keys"
)

// fingerprintResult is one file's entry in `keypair fingerprint --json`,
// in the one JSON vocabulary (README): keyFingerprint is what the EC2
// console shows for this key once imported (RSA: MD5 of the public key;
// ED25519: SHA-256), createdKeyFingerprint what it shows for an RSA pair
// EC2 created (SHA-1 of the private key; only with the private key).
type fingerprintResult struct {
	Path                  string `json:"path"`
	KeyType               string `json:"keyType"`
	Bits                  int    `json:"bits"`
	Private               bool   `json:"private"`
	Encrypted             bool   `json:"encrypted"`
	Comment               string `json:"comment"`
	KeyFingerprint        string `json:"keyFingerprint"`
	CreatedKeyFingerprint string `json:"createdKeyFingerprint,omitempty"`
	SHA256Fingerprint     string `json:"sha256Fingerprint"`
	MD5Fingerprint        string `json:"md5Fingerprint"`
	PublicKey             string `json:"publicKey"`
	Randomart             string `json:"randomart"`
	Error                 string `json:"error,omitempty"`
}

// fingerprintOptions are the flags of `keypair fingerprint`.
type fingerprintOptions struct {
	files []string
	json  bool
}

func (a *app) fingerprintCommand() *cobra.Command {
	var o fingerprintOptions
	cmd := &cobra.Command{
		Use:   "fingerprint FILE...",
		Short: "Print every fingerprint of key files, labelled as EC2 and OpenSSH show them",
		Long: `Print every fingerprint of each key file (private or public; PEM, OpenSSH,
PKCS#8, PPK, RFC 4716), labelled so you can match it with the EC2 console:

  EC2, created by EC2   RSA: SHA-1 of the private key (PKCS#8 DER); needs the private key
  EC2, imported         RSA: MD5 of the public key (DER); ED25519: SHA-256, base64
  OpenSSH SHA256 / MD5  what ssh-keygen -l shows (MD5 here is not EC2's MD5)

"-" reads standard input. A file that cannot be read is reported and the others
are still printed; the exit status is then 1.`,
		Example: "  keypair fingerprint ~/.ssh/web.pem\n  keypair fingerprint --json *.pem *.ppk",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("fingerprint needs at least one key file")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.files = args
			return a.runFingerprint(cmd.Context(), &o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print a JSON array, one object per file")
	return cmd
}

func (a *app) runFingerprint(ctx context.Context, o *fingerprintOptions) error {
	results := make([]fingerprintResult, 0, len(o.files))
	failed := false
	for _, file := range o.files {
		r := a.fingerprintFile(ctx, file)
		if r.Error != "" {
			failed = true
			fmt.Fprintf(a.stderr, "keypair: %s: %s\n", r.Path, r.Error)
		}
		results = append(results, r)
		if ctx.Err() != nil {
			break
		}
	}
	if o.json {
		if err := writeJSON(a.stdout, results); err != nil {
			return err
		}
	} else {
		first := true
		for _, r := range results {
			if r.Error != "" {
				continue
			}
			if !first {
				fmt.Fprintln(a.stdout)
			}
			first = false
			printFingerprints(a.stdout, r)
		}
	}
	if failed {
		return &silentError{code: exitFailed}
	}
	return nil
}

func (a *app) fingerprintFile(ctx context.Context, file string) fingerprintResult {
	// The name is outside text too: it is printed, so it is cleaned.
	r := fingerprintResult{Path: termtext.Clean(file)}
	data, err := a.readInput(ctx, file)
	if err != nil {
		r.Error = termtext.ForUser(err.Error())
		return r
	}
	kf, err := keys.ParseKeyFile(data)
	if err != nil {
		r.Error = termtext.ForUser(err.Error())
		return r
	}
	fps, err := keys.FingerprintsOf(kf.Public, kf.Private)
	if err != nil {
		r.Error = termtext.ForUser(err.Error())
		return r
	}
	r.KeyType = string(fps.Type)
	r.Bits = fps.Bits
	r.Private = kf.Private != nil || kf.Encrypted
	r.Encrypted = kf.Encrypted
	r.Comment = termtext.Clean(kf.Comment)
	r.KeyFingerprint = fps.AWSImported
	r.CreatedKeyFingerprint = fps.AWSCreated
	r.SHA256Fingerprint = fps.SHA256
	r.MD5Fingerprint = fps.MD5
	r.PublicKey = strings.TrimSuffix(keys.AuthorizedKey(kf.Public, r.Comment), "\n")
	r.Randomart = fps.Randomart
	return r
}

func printFingerprints(w io.Writer, r fingerprintResult) {
	kind := "public key"
	switch {
	case r.Encrypted:
		kind = "private key, passphrase-protected (its public half is read without the passphrase)"
	case r.Private:
		kind = "private key"
	}
	fmt.Fprintf(w, "%s: %s %d %s", r.Path, strings.ToUpper(r.KeyType), r.Bits, kind)
	if r.Comment != "" {
		fmt.Fprintf(w, " (%s)", r.Comment)
	}
	fmt.Fprintln(w)
	if r.KeyType == string(keys.RSA) {
		switch {
		case r.CreatedKeyFingerprint != "":
			fmt.Fprintf(w, "  EC2, created by EC2 (SHA-1 of private key):  %s\n", r.CreatedKeyFingerprint)
		case r.Encrypted:
			fmt.Fprintf(w, "  EC2, created by EC2 (SHA-1 of private key):  (needs the passphrase)\n")
		default:
			fmt.Fprintf(w, "  EC2, created by EC2 (SHA-1 of private key):  (needs the private key file)\n")
		}
		fmt.Fprintf(w, "  EC2, imported (MD5 of public key):           %s\n", r.KeyFingerprint)
	} else {
		fmt.Fprintf(w, "  EC2, created or imported (SHA-256):          %s\n", r.KeyFingerprint)
	}
	fmt.Fprintf(w, "  OpenSSH SHA256:                              %s\n", r.SHA256Fingerprint)
	fmt.Fprintf(w, "  OpenSSH MD5:                                 %s\n", r.MD5Fingerprint)
	for _, line := range strings.Split(r.Randomart, "\n") {
		fmt.Fprintf(w, "  %s\n", line)
	}
}

package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/keys"
)

// fingerprintResult is one file's entry in `keypair fingerprint --json`.
type fingerprintResult struct {
	File        string `json:"file"`
	KeyType     string `json:"keyType"`
	Bits        int    `json:"bits"`
	Private     bool   `json:"private"`
	Comment     string `json:"comment"`
	AWSCreated  string `json:"awsCreated,omitempty"`
	AWSImported string `json:"awsImported"`
	SHA256      string `json:"sha256"`
	MD5         string `json:"md5"`
	PublicKey   string `json:"publicKey"`
	Randomart   string `json:"randomart"`
	Error       string `json:"error,omitempty"`
}

func (a *app) fingerprintCommand() *cobra.Command {
	var asJSON bool
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
			results := make([]fingerprintResult, 0, len(args))
			failed := false
			for _, file := range args {
				r := a.fingerprintFile(file)
				if r.Error != "" {
					failed = true
					fmt.Fprintf(a.stderr, "keypair: %s: %s\n", file, r.Error)
				}
				results = append(results, r)
			}
			if asJSON {
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
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array, one object per file")
	return cmd
}

func (a *app) fingerprintFile(file string) fingerprintResult {
	r := fingerprintResult{File: file}
	data, err := a.readInput(file)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	kf, err := keys.ParseKeyFile(data)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	fps, err := keys.FingerprintsOf(kf.Public, kf.Private)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.KeyType = string(fps.Type)
	r.Bits = fps.Bits
	r.Private = kf.Private != nil
	r.Comment = termtext.Clean(kf.Comment)
	r.AWSCreated = fps.AWSCreated
	r.AWSImported = fps.AWSImported
	r.SHA256 = fps.SHA256
	r.MD5 = fps.MD5
	r.PublicKey = strings.TrimSuffix(keys.AuthorizedKey(kf.Public, r.Comment), "\n")
	r.Randomart = fps.Randomart
	return r
}

func printFingerprints(w io.Writer, r fingerprintResult) {
	kind := "public key"
	if r.Private {
		kind = "private key"
	}
	fmt.Fprintf(w, "%s: %s %d %s", r.File, strings.ToUpper(r.KeyType), r.Bits, kind)
	if r.Comment != "" {
		fmt.Fprintf(w, " (%s)", r.Comment)
	}
	fmt.Fprintln(w)
	if r.KeyType == string(keys.RSA) {
		if r.AWSCreated != "" {
			fmt.Fprintf(w, "  EC2, created by EC2 (SHA-1 of private key):  %s\n", r.AWSCreated)
		} else {
			fmt.Fprintf(w, "  EC2, created by EC2 (SHA-1 of private key):  (needs the private key file)\n")
		}
		fmt.Fprintf(w, "  EC2, imported (MD5 of public key):           %s\n", r.AWSImported)
	} else {
		fmt.Fprintf(w, "  EC2, created or imported (SHA-256):          %s\n", r.AWSImported)
	}
	fmt.Fprintf(w, "  OpenSSH SHA256:                              %s\n", r.SHA256)
	fmt.Fprintf(w, "  OpenSSH MD5:                                 %s\n", r.MD5)
	for _, line := range strings.Split(r.Randomart, "\n") {
		fmt.Fprintf(w, "  %s\n", line)
	}
}

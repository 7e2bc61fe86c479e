package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/config"
	"github.com/keypair-dev/keypair/fleet"
	"github.com/keypair-dev/keypair/internal/inputfile"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
)

// importOptions are the flags of `keypair import`.
type importOptions struct {
	name      string
	publicKey string
	tags      []string
	dryRun    bool
	json      bool
	regions   string // "" = the one configured region, as before
}

func (a *app) importCommand() *cobra.Command {
	var o importOptions
	cmd := &cobra.Command{
		Use:   "import --name NAME --public-key FILE",
		Short: "Import a public key you already have as an EC2 key pair",
		Long: `Import a public key as an EC2 key pair (ImportKeyPair). FILE may be an
OpenSSH public key line (id_ed25519.pub), an RFC 4716 "SSH2 PUBLIC KEY" block,
base64 DER (RSA), or a private key file of any supported format, including a
passphrase-protected OpenSSH or PPK file, whose public half is imported (no
private key material is ever sent); "-" reads standard input. EC2 accepts RSA
(1024, 2048, 4096 bits) and ED25519 keys.

--regions imports into many regions at once ("all" = every region enabled for
the account), idempotently: a region that already has the name with the same
public key counts as present; the same name with another key is a conflict and
is left as it is. The exit status is 0 only when every region ends imported or
present.`,
		Example: `  keypair import --name laptop --public-key ~/.ssh/id_ed25519.pub
  keypair import --name ci --public-key ci.pub --tag env=ci --dry-run
  keypair import --name laptop --public-key ~/.ssh/id_ed25519 --regions all`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runImport(cmd, &o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.name, "name", "", "key pair name (required)")
	f.StringVar(&o.publicKey, "public-key", "", "public key file to import (required; - for standard input)")
	f.StringArrayVar(&o.tags, "tag", nil, "tag KEY=VALUE (repeatable, at most 50)")
	f.BoolVar(&o.dryRun, "dry-run", false, "only ask EC2 whether the import would be permitted")
	f.BoolVar(&o.json, "json", false, "print the result as one JSON object (with --regions: an array, one per region)")
	f.StringVar(&o.regions, "regions", "", "import into these regions: all, or R1,R2,... (default: the one --region)")
	_ = cmd.RegisterFlagCompletionFunc("regions", fixedCompletion("all"))
	return cmd
}

// importResult is the --json object of `keypair import`, in the one JSON
// vocabulary (README).
type importResult struct {
	KeyName           string     `json:"keyName"`
	KeyPairID         string     `json:"keyPairId"`
	KeyFingerprint    string     `json:"keyFingerprint"`
	KeyType           string     `json:"keyType"`
	Region            string     `json:"region"`
	PublicKey         string     `json:"publicKey"`
	SHA256Fingerprint string     `json:"sha256Fingerprint"`
	MD5Fingerprint    string     `json:"md5Fingerprint"`
	Tags              []pair.Tag `json:"tags"`
}

func (a *app) runImport(cmd *cobra.Command, o *importOptions) error {
	if o.name == "" || o.publicKey == "" {
		return usagef("import needs --name and --public-key")
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	data, err := a.readInput(cmd.Context(), o.publicKey)
	if err != nil {
		return usagef("--public-key: %v", err)
	}
	kf, err := keys.ParseKeyFile(data)
	if err != nil {
		return usagef("--public-key %s: %v", o.publicKey, err)
	}
	if err := pair.CheckImportable(kf.Public); err != nil {
		return usagef("--public-key %s: %v (nothing was sent)", termtext.Clean(o.publicKey), err.(*pair.FieldError).Msg)
	}
	req := pair.Request{Name: o.name, Type: pair.TypeOf(kf.Public), Format: keys.PEM, Source: pair.SourceLocal}
	if req.Tags, err = tagsFromFlags(cfg.Tags, o.tags); err != nil {
		return err
	}
	if errs := req.Validate(); len(errs) > 0 {
		return invalidRequest(errs)
	}
	// Send a clean authorized_keys line whatever form the file had: EC2
	// reads it best, and no private key material can ever be sent.
	line := keys.AuthorizedKey(kf.Public, kf.Comment)
	if o.regions != "" {
		if o.dryRun {
			return usagef("--dry-run cannot be combined with --regions; nothing was sent")
		}
		return a.runImportRegions(cmd.Context(), cfg, o, req, line)
	}
	client, err := a.awsClient(cmd.Context(), cfg)
	if err != nil {
		return err
	}
	out, err := client.ImportKeyPair(cmd.Context(), awsapi.ImportInput{
		Name: o.name, PublicKey: []byte(line), Tags: req.Tags, DryRun: o.dryRun,
	})
	if err != nil {
		return err
	}
	if out.DryRun != nil && out.DryRun.Ignored {
		return fmt.Errorf("the endpoint ignored the dry run and imported the key pair %q into %s for real (keypair delete %s removes it)",
			termtext.Clean(o.name), client.Region(), termtext.ShellQuote(o.name))
	}
	if out.DryRun != nil {
		return a.printDryRun(o.json, &maker.DryRunResult{Action: maker.ActionImport, KeyName: o.name, Source: pair.SourceLocal,
			Region: client.Region(), Permitted: out.DryRun.Permitted, Message: termtext.Clean(out.DryRun.Message)})
	}
	fps, _ := keys.FingerprintsOf(kf.Public, nil)
	res := importResult{
		KeyName: termtext.Clean(out.KeyName), KeyPairID: termtext.Clean(out.KeyPairID),
		KeyFingerprint: termtext.Clean(out.KeyFingerprint), KeyType: string(req.Type), Region: client.Region(),
		PublicKey: line[:len(line)-1], SHA256Fingerprint: fps.SHA256, MD5Fingerprint: fps.MD5, Tags: req.Tags,
	}
	if res.Tags == nil {
		res.Tags = []pair.Tag{}
	}
	if res.KeyName == "" {
		res.KeyName = o.name
	}
	if o.json {
		return writeJSON(a.stdout, res)
	}
	fmt.Fprintf(a.stdout, "Imported key pair %q (%s) into %s.\n", res.KeyName, res.KeyPairID, res.Region)
	fmt.Fprintf(a.stdout, "  fingerprint:  %s  (EC2: %s)\n", res.KeyFingerprint, maker.FingerprintKindOf(req.Type, pair.SourceLocal))
	fmt.Fprintf(a.stdout, "  OpenSSH:      %s\n", res.SHA256Fingerprint)
	if fps.AWSImported != "" && res.KeyFingerprint != "" && fps.AWSImported != res.KeyFingerprint {
		fmt.Fprintf(a.stderr, "keypair: warning: EC2 reported fingerprint %s, but %s was computed here\n", res.KeyFingerprint, fps.AWSImported)
	}
	return nil
}

// runImportRegions imports the key into every region of --regions.
func (a *app) runImportRegions(ctx context.Context, cfg config.Config, o *importOptions, req pair.Request, line string) error {
	base, regions, err := a.regionsClient(ctx, cfg, o.regions)
	if err != nil {
		return err
	}
	results := fleet.Import(ctx, a.regionConnect(base), fleet.ImportRequest{
		Name: o.name, PublicKey: []byte(line), Tags: req.Tags, Regions: regions,
	})
	if o.json {
		if err := writeJSON(a.stdout, results); err != nil {
			return err
		}
	} else {
		width := 0
		if a.term.stdout {
			width = a.term.width()
		}
		printImportResults(a.stdout, results, width)
	}
	counts := map[string]int{}
	var notOK []string
	for _, r := range results {
		counts[r.Status]++
		if !r.OK() {
			notOK = append(notOK, r.Region+" ("+r.Status+")")
		}
	}
	var parts []string
	for _, st := range []string{fleet.StatusImported, fleet.StatusPresent, fleet.StatusConflict, fleet.StatusFailed} {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	fmt.Fprintf(a.stderr, "%q in %d region(s): %s.\n", termtext.Clean(o.name), len(results), strings.Join(parts, ", "))
	if len(notOK) > 0 {
		fmt.Fprintf(a.stderr, "keypair: the key is not in every region: %s\n", strings.Join(notOK, ", "))
		if counts[fleet.StatusConflict] > 0 {
			fmt.Fprintf(a.stderr, "  A conflict is a pair of that name holding another key; it was not touched. Choose another --name, or delete that pair first.\n")
		}
		return &silentError{code: exitFailed}
	}
	return nil
}

// printImportResults writes one line per region; width > 0 cuts the
// messages to fit a terminal that wide.
func printImportResults(w io.Writer, results []fleet.ImportResult, width int) {
	rows := [][]string{{"REGION", "STATUS", "ID", "FINGERPRINT", "MESSAGE"}}
	for _, r := range results {
		rows = append(rows, []string{r.Region, r.Status, termtext.Clean(r.KeyPairID), termtext.Clean(r.KeyFingerprint), termtext.Clean(r.Message)})
	}
	if width > 0 {
		used := 0
		for c := 0; c < 4; c++ {
			m := 0
			for _, r := range rows {
				m = max(m, utf8.RuneCountInString(r[c]))
			}
			used += m + 2
		}
		keep := max(len("MESSAGE"), width-used)
		forEach(rows, 4, func(s string) string { return cut(s, keep) })
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

// maxKeyFile caps what is read of a key file: far above any real key
// (an RSA 4096 PPK is under 4 KiB), far below what could hurt.
const maxKeyFile = 1 << 20

// readInput reads a key file, or standard input for "-": regular files
// only (a FIFO or /dev/zero is refused), at most maxKeyFile, and under ctx,
// so ctrl+c and SIGTERM always end a read of a terminal or a pipe.
func (a *app) readInput(ctx context.Context, path string) ([]byte, error) {
	if path != "-" {
		full, err := keys.ExpandHome(path)
		if err != nil {
			return nil, err
		}
		path = full
	}
	return inputfile.Read(ctx, path, a.stdin, maxKeyFile)
}

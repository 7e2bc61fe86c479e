// Package maker is the one pipeline that turns a pair.Request into a saved
// key pair, shared by the batch command line and the interactive app:
// make (EC2 CreateKeyPair, or generate here), save safely, and for the local
// source import the public key after the private key is safe on disk.
package maker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// rollbackTimeout bounds the DeleteKeyPair that undoes a create whose key could not be saved.
const rollbackTimeout = 30 * time.Second

// Maker runs requests. API may be nil when only the offline source is used.
type Maker struct {
	API  awsapi.API
	Rand io.Reader // nil means crypto/rand
}

// Made is a key pair in the making: after Make it holds the private key in
// memory; after Save, the path it was written to; after Import (local), the
// key pair ID EC2 gave it.
type Made struct {
	Request pair.Request
	Key     *keys.PrivateKey
	// File is the private key file to save, exactly as it will be written.
	File []byte
	// PublicKey is the authorized_keys line (with a final newline).
	PublicKey string
	// KeyFingerprint is the one fingerprint the EC2 console shows (or will
	// show once imported) for this pair.
	KeyFingerprint string
	Fingerprints   keys.Fingerprints
	KeyPairID      string // set once EC2 knows the pair
	Path           string // set once saved ("-" for stdout)
	// DryRun is set (and nothing else) when the request was a dry run.
	DryRun *awsapi.DryRunResult
	// Region is where the pair lives in EC2 ("" for offline).
	Region string
	// Warnings are things the user should know that did not stop the run,
	// e.g. a fingerprint from EC2 that differs from the one computed here.
	Warnings []string
}

// Summary is what a user or script needs to know of a made key pair: the
// object `keypair create --json` prints (DESIGN.md), and what the
// interactive app returns for each saved key.
type Summary struct {
	KeyName           string `json:"keyName"`
	KeyPairID         string `json:"keyPairId"`
	KeyFingerprint    string `json:"keyFingerprint"`
	KeyType           string `json:"keyType"`
	KeyFormat         string `json:"keyFormat"`
	Source            string `json:"source"`
	Region            string `json:"region"`
	Path              string `json:"path"`
	PublicKey         string `json:"publicKey"`
	SHA256Fingerprint string `json:"sha256Fingerprint"`
}

// Summary returns the summary of m.
func (m *Made) Summary() Summary {
	return Summary{
		KeyName:           m.Request.Name,
		KeyPairID:         m.KeyPairID,
		KeyFingerprint:    m.KeyFingerprint,
		KeyType:           string(m.Request.Type),
		KeyFormat:         string(m.Request.Format),
		Source:            string(m.Request.Source),
		Region:            m.Region,
		Path:              m.Path,
		PublicKey:         strings.TrimSpace(m.PublicKey),
		SHA256Fingerprint: m.Fingerprints.SHA256,
	}
}

// Saved reports whether the private key has been written somewhere.
func (m *Made) Saved() bool { return m != nil && m.Path != "" }

// InvalidRequestError lists every rule a request broke. Nothing was made.
type InvalidRequestError struct {
	Errs []*pair.FieldError
}

func (e *InvalidRequestError) Error() string {
	msgs := make([]string, len(e.Errs))
	for i, fe := range e.Errs {
		msgs[i] = fe.Error()
	}
	return "invalid request: " + strings.Join(msgs, "; ")
}

// Normalize fills the request's defaults (RSA bits, PPK version) so that
// what is validated is what is made.
func Normalize(req pair.Request) pair.Request {
	if req.Type == keys.RSA && req.Bits == 0 {
		req.Bits = keys.DefaultRSABits
	}
	if req.Format == keys.PPK && req.PPKVersion == 0 {
		req.PPKVersion = keys.DefaultPPKVersion
	}
	return req
}

// Make makes the key pair: for SourceAWS it calls CreateKeyPair and parses
// the returned material; for SourceLocal and SourceOffline it generates the
// key here. A dry run (aws or local) asks EC2 whether the call is permitted
// and returns with only DryRun set. The request must be valid (Validate).
func (m *Maker) Make(ctx context.Context, req pair.Request) (*Made, error) {
	req = Normalize(req)
	if errs := req.Validate(); len(errs) > 0 {
		return nil, &InvalidRequestError{Errs: errs}
	}
	if req.Source != pair.SourceOffline && m.API == nil {
		return nil, fmt.Errorf("source %q needs AWS, but no AWS client is configured", req.Source)
	}
	switch req.Source {
	case pair.SourceAWS:
		return m.makeInAWS(ctx, req)
	default:
		return m.makeHere(ctx, req)
	}
}

func (m *Maker) makeInAWS(ctx context.Context, req pair.Request) (*Made, error) {
	out, err := m.API.CreateKeyPair(ctx, awsapi.CreateInput{
		Name: req.Name, Type: req.Type, Format: req.Format, Tags: req.Tags, DryRun: req.DryRun,
	})
	if err != nil {
		return nil, err
	}
	made := &Made{Request: req, Region: req.Region}
	if out.DryRun != nil {
		made.DryRun = out.DryRun
		return made, nil
	}
	made.KeyPairID = termtext.Clean(out.KeyPairID)
	made.KeyFingerprint = termtext.Clean(out.KeyFingerprint)
	// From here on EC2 holds the pair and we hold the only copy of its
	// private key: never return without it. Keep the material as EC2 sent
	// it, normalised to LF line endings and a final newline.
	made.File = normalizeNewlines(out.KeyMaterial)
	key, err := keys.ParsePrivateKey(made.File)
	if err != nil {
		made.Warnings = append(made.Warnings,
			fmt.Sprintf("the private key EC2 returned could not be read (%v); it will be saved exactly as received", err))
		return made, nil
	}
	key.Comment = req.Name
	made.Key = key
	if req.Format == keys.PPK && req.PPKVersion != 0 && !bytes.HasPrefix(made.File, fmt.Appendf(nil, "PuTTY-User-Key-File-%d:", req.PPKVersion)) {
		// EC2 chooses the PPK version; rewrite the same key in the one asked for.
		if f, err := keys.EncodePPK(key, req.PPKVersion); err == nil {
			made.File = f
		}
	}
	if err := m.describe(made, true); err != nil {
		made.Warnings = append(made.Warnings, err.Error())
	}
	ours := made.Fingerprints.AWSCreated
	if key.Type() == keys.ED25519 {
		ours = made.Fingerprints.AWSImported
	}
	checkFingerprint(made, ours)
	return made, nil
}

// checkFingerprint compares EC2's fingerprint with the one computed here
// from the material it returned; a mismatch is worth a warning, not a loss.
func checkFingerprint(made *Made, ours string) {
	if made.KeyFingerprint == "" {
		made.KeyFingerprint = ours
		return
	}
	if ours != "" && ours != made.KeyFingerprint {
		made.Warnings = append(made.Warnings, fmt.Sprintf(
			"EC2 reported fingerprint %s but the key it returned has %s", made.KeyFingerprint, ours))
	}
}

func (m *Maker) makeHere(ctx context.Context, req pair.Request) (*Made, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key, err := keys.Generate(req.Type, req.Bits, m.Rand)
	if err != nil {
		return nil, fmt.Errorf("generate %s key: %w", req.Type, err)
	}
	key.Comment = req.Name
	made := &Made{Request: req, Key: key}
	if req.Source == pair.SourceLocal {
		made.Region = req.Region
	}
	if err := m.describe(made, false); err != nil {
		return nil, err
	}
	if req.DryRun {
		out, err := m.API.ImportKeyPair(ctx, awsapi.ImportInput{
			Name: req.Name, PublicKey: []byte(made.PublicKey), Tags: req.Tags, DryRun: true,
		})
		if err != nil {
			return nil, err
		}
		return &Made{Request: req, Region: made.Region, DryRun: out.DryRun}, nil
	}
	made.File, err = keys.Encode(key, req.Format, req.PPKVersion)
	if err != nil {
		return nil, fmt.Errorf("encode private key: %w", err)
	}
	made.KeyFingerprint = made.Fingerprints.AWSImported
	return made, nil
}

// describe fills the public key line and the fingerprints of made.Key.
func (m *Maker) describe(made *Made, createdByAWS bool) error {
	pub := made.Key.SSHPublicKey()
	made.PublicKey = keys.AuthorizedKey(pub, made.Request.Name)
	fps, err := keys.FingerprintsOf(pub, made.Key)
	if err != nil {
		return fmt.Errorf("fingerprint: %w", err)
	}
	made.Fingerprints = fps
	if !createdByAWS {
		made.Fingerprints.AWSCreated = ""
	}
	return nil
}

func normalizeNewlines(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	b = bytes.ReplaceAll(b, []byte("\r"), []byte("\n"))
	b = bytes.TrimLeft(b, "\n")
	if len(b) > 0 && b[len(b)-1] != '\n' {
		b = append(b, '\n')
	}
	return b
}

// Save writes the private key to path with keys.WriteNewFile ("-" writes to
// stdout) and records the path. It never overwrites; on failure the key is
// still in memory and Save may be called again with another path.
func (m *Maker) Save(made *Made, path string, stdout io.Writer) error {
	if made == nil || len(made.File) == 0 {
		return errors.New("there is no private key to save")
	}
	if made.Saved() {
		return fmt.Errorf("the private key is already saved to %s", made.Path)
	}
	if path == "-" {
		if _, err := stdout.Write(made.File); err != nil {
			return fmt.Errorf("write private key to standard output: %w", err)
		}
		made.Path = "-"
		return nil
	}
	full, err := keys.ExpandHome(path)
	if err != nil {
		return err
	}
	if abs, err := filepath.Abs(full); err == nil {
		full = abs
	}
	if err := keys.WriteNewFile(full, made.File); err != nil {
		return err
	}
	made.Path = full
	return nil
}

// ImportFailedError is an ImportKeyPair failure after the private key was
// saved. Removed says whether the saved file was removed again (EC2
// certainly has no pair) or kept (EC2 may have imported it).
type ImportFailedError struct {
	Path    string
	Removed bool
	Err     error
}

func (e *ImportFailedError) Error() string {
	if e.Removed {
		return fmt.Sprintf("%v\nNothing was created in EC2, and the private key file %s was removed again.", e.Err, e.Path)
	}
	if e.Path == "-" || e.Path == "" {
		return fmt.Sprintf("%v\nEC2 may or may not have imported the public key: check with `keypair list`.", e.Err)
	}
	return fmt.Sprintf("%v\nEC2 may or may not have imported the public key: check with `keypair list`. The private key is kept at %s.", e.Err, e.Path)
}

func (e *ImportFailedError) Unwrap() error { return e.Err }

// Import uploads the public key for SourceLocal (a no-op for other sources).
// If the import fails, the saved private key file is removed so that neither
// half exists, and the error says so; where EC2 may have imported the key
// anyway (a lost answer, a network failure) the file is kept.
func (m *Maker) Import(ctx context.Context, made *Made) error {
	if made.Request.Source != pair.SourceLocal || made.DryRun != nil {
		return nil
	}
	if m.API == nil {
		return errors.New("source local needs AWS, but no AWS client is configured")
	}
	out, err := m.API.ImportKeyPair(ctx, awsapi.ImportInput{
		Name: made.Request.Name, PublicKey: []byte(made.PublicKey), Tags: made.Request.Tags,
	})
	if err != nil {
		ferr := &ImportFailedError{Path: made.Path, Err: err}
		if definitelyNotImported(err) && made.Path != "-" && made.Path != "" {
			if rerr := os.Remove(made.Path); rerr == nil || errors.Is(rerr, os.ErrNotExist) {
				ferr.Removed = true
				made.Path = ""
			}
		}
		return ferr
	}
	made.KeyPairID = termtext.Clean(out.KeyPairID)
	if fp := termtext.Clean(out.KeyFingerprint); fp != "" {
		if fp != made.KeyFingerprint {
			made.Warnings = append(made.Warnings, fmt.Sprintf(
				"EC2 reported fingerprint %s, but %s was computed here", fp, made.KeyFingerprint))
		}
		made.KeyFingerprint = fp
	}
	return nil
}

// definitelyNotImported reports whether err proves EC2 did not import the key.
func definitelyNotImported(err error) bool {
	switch awsapi.KindOf(err) {
	case awsapi.Duplicate, awsapi.BadPublicKey, awsapi.Unauthorized, awsapi.BadCredentials,
		awsapi.ClockSkew, awsapi.Throttled, awsapi.LimitExceeded, awsapi.NoCredentials,
		awsapi.InvalidParameter:
		return true
	}
	return false
}

// Rollback deletes a pair EC2 created whose private key could not be saved,
// so that neither half exists. It is for the batch mode, where nobody can
// choose another path; the interactive app asks instead.
func (m *Maker) Rollback(ctx context.Context, made *Made) error {
	if made.Request.Source != pair.SourceAWS || made.Saved() || m.API == nil {
		return nil
	}
	_, err := m.API.DeleteKeyPair(ctx, awsapi.DeleteInput{Name: made.Request.Name})
	return err
}

// DefaultPath is where the private key of req is saved unless told
// otherwise: DIR/NAME.pem or DIR/NAME.ppk (DIR defaults to ~/.ssh). Path
// separators in the name become "_".
func DefaultPath(dir string, req pair.Request) string {
	if dir == "" {
		dir = "~/.ssh"
	}
	name := strings.NewReplacer("/", "_", `\`, "_").Replace(req.Name)
	if name == "" || name == "." || name == ".." {
		name = "key" + name
	}
	ext := ".pem"
	if req.Format == keys.PPK {
		ext = ".ppk"
	}
	return filepath.Join(dir, name+ext)
}

// TargetError says the save path was refused before anything was made.
type TargetError struct{ Err error }

func (e *TargetError) Error() string { return e.Err.Error() }
func (e *TargetError) Unwrap() error { return e.Err }

// SaveFailedError is a failed save of a key pair EC2 had created. RolledBack
// says whether the pair was deleted from EC2 again.
type SaveFailedError struct {
	Name        string
	Region      string
	Err         error
	RolledBack  bool
	RollbackErr error
}

func (e *SaveFailedError) Error() string {
	if e.RolledBack {
		return fmt.Sprintf("%v\nThe key pair %q was deleted from EC2 again, so nothing was left behind; fix the path and run again.", e.Err, e.Name)
	}
	return fmt.Sprintf("%v\nEC2 created key pair %q in %s but its private key could not be saved, and deleting the pair failed too (%v): delete it with `keypair delete %s` before trying again.", e.Err, e.Name, e.Region, e.RollbackErr, e.Name)
}

func (e *SaveFailedError) Unwrap() error { return e.Err }

// Run is the whole batch flow: check the save path is free and writable
// (before EC2 is called), make, save, and import for the local source. On
// failure nothing is left behind, in EC2 or on disk, except where EC2's
// answer was lost (the error then says so).
func (m *Maker) Run(ctx context.Context, req pair.Request, path string, stdout io.Writer) (*Made, error) {
	req = Normalize(req)
	if errs := req.Validate(); len(errs) > 0 {
		return nil, &InvalidRequestError{Errs: errs}
	}
	if path != "-" && !req.DryRun {
		// Before EC2 makes a pair, prove the key can be saved (a probe file);
		// a key made here costs nothing to drop, so the name check will do.
		check := keys.CheckFree
		if req.Source == pair.SourceAWS {
			check = keys.CheckTarget
		}
		if err := check(path); err != nil {
			return nil, &TargetError{Err: err}
		}
	}
	made, err := m.Make(ctx, req)
	if err != nil || made.DryRun != nil {
		return made, err
	}
	if err := m.Save(made, path, stdout); err != nil {
		if req.Source != pair.SourceAWS {
			return nil, err
		}
		// Use a fresh context: the pair must not outlive a failed save
		// because the caller's context was cancelled meanwhile.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
		defer cancel()
		rerr := m.Rollback(rctx, made)
		return nil, &SaveFailedError{Name: req.Name, Region: made.Region, Err: err, RolledBack: rerr == nil, RollbackErr: rerr}
	}
	if err := m.Import(ctx, made); err != nil {
		return made, err
	}
	return made, nil
}

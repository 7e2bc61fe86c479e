package maker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// importGiven imports the public key of a SourceLogin or SourcePublicKey
// request: no private
// key exists here, so there is nothing to save and nothing to roll back;
// the Made that comes back is in EC2 (or the error says why not).
func (p *Pipeline) importGiven(ctx context.Context, req pair.Request) (*Made, error) {
	if req.PublicKey == nil {
		return nil, &InvalidRequestError{Errs: []*pair.FieldError{{Field: "source", Msg: "there is no public key to import"}}}
	}
	if ctx.Err() != nil || !p.begin() {
		return nil, &CanceledError{Name: req.Name, Region: req.Region}
	}
	defer p.inflight.Done()
	made := &Made{Request: req, Region: req.Region}
	made.PublicKey = keys.AuthorizedKey(req.PublicKey, req.Name)
	fps, err := keys.FingerprintsOf(req.PublicKey, nil)
	if err != nil {
		return nil, fmt.Errorf("fingerprint: %w", err)
	}
	made.Fingerprints = fps
	made.Fingerprints.AWSCreated = ""
	made.KeyFingerprint = fps.AWSImported
	// As for CreateKeyPair: run to the answer even after a cancel, so that
	// what happened is known.
	ictx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.callTimeout())
	defer cancel()
	out, err := p.API.ImportKeyPair(ictx, awsapi.ImportInput{Name: req.Name, PublicKey: []byte(made.PublicKey), Tags: req.Tags})
	if err == nil {
		made.InEC2 = true
		made.KeyPairID = termtext.Clean(out.KeyPairID)
		made.setImportedFingerprint(termtext.Clean(out.KeyFingerprint))
		return made, nil
	}
	if definitelyNotImported(err) {
		return nil, err
	}
	lctx, lcancel := context.WithTimeout(context.WithoutCancel(ctx), p.rollbackTimeout())
	defer lcancel()
	if found, lerr := p.findOurs(lctx, made); lerr == nil && found != nil {
		made.InEC2 = true
		made.KeyPairID = termtext.Clean(found.KeyPairID)
		made.setImportedFingerprint(termtext.Clean(found.KeyFingerprint))
		made.Warnings = append(made.Warnings, lostImportWarning(err, req.Name))
		return made, nil
	}
	return nil, err
}

// Imported reports whether m is a public key imported with no private key
// here (source login): nothing to save, nothing to discard.
func (m *Made) Imported() bool { return m != nil && pair.GivenKey(m.Request.Source) }

// ErrOutsideRoot is why a path outside Pipeline.Root is refused.
var ErrOutsideRoot = errors.New("keys are saved only in this session's own folder")

// resolve is keys.ResolvePath, and with Root set the check that the path
// stays in Root: no "..", no absolute path elsewhere, no symbolic link on
// the way (Root itself is created 0700 when missing).
func (p *Pipeline) resolve(path string) (string, error) {
	if p.Root == "" {
		return keys.ResolvePath(path)
	}
	root, err := filepath.Abs(p.Root)
	if err != nil {
		return "", err
	}
	full := path
	if !filepath.IsAbs(full) {
		full = filepath.Join(root, full) // a bare name lands in the folder
	}
	full = filepath.Clean(full)
	rel, err := filepath.Rel(root, full)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", fmt.Errorf("%w (%s)", ErrOutsideRoot, root)
	}
	if err := os.Mkdir(root, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return "", err // the folder above Root must exist already
	}
	// Every step from Root down must be a real folder, never a link: the
	// file itself is created by the safe writer, which never follows one.
	at := root
	if fi, err := os.Lstat(at); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("%w: %s is not a folder", ErrOutsideRoot, root)
	}
	parts := strings.Split(rel, string(filepath.Separator))
	for _, part := range parts[:len(parts)-1] {
		at = filepath.Join(at, part)
		fi, err := os.Lstat(at)
		if err != nil {
			return "", fmt.Errorf("the folder %s does not exist (%w)", at, err)
		}
		if fi.Mode()&os.ModeSymlink != 0 || !fi.IsDir() {
			return "", fmt.Errorf("%w: %s is not a plain folder", ErrOutsideRoot, at)
		}
	}
	if fi, err := os.Lstat(full); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return "", fmt.Errorf("%w: %s is a symbolic link", ErrOutsideRoot, full)
	}
	return full, nil
}

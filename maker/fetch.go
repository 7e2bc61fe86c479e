package maker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// This file reads a private key back from SSM Parameter Store, where
// keypair (create --store ssm), CloudFormation and CDK keep it, and checks
// it belongs to its pair before anyone saves it.

// IsKeyPairID reports whether ref is a key pair id rather than a name. EC2's
// ids are "key-" and 17 lowercase hex digits; older ones have 8. The check is
// `^key-[0-9a-f]{8,17}$` written out rather than a regexp compiled at every
// start of every command (issue 14); TestIsKeyPairIDMatchesPattern holds it
// to that pattern.
func IsKeyPairID(ref string) bool {
	hex, ok := strings.CutPrefix(ref, "key-")
	return ok && len(hex) >= 8 && len(hex) <= 17 && strings.Trim(hex, "0123456789abcdef") == ""
}

// Fetched is a private key read from its parameter and checked against
// its pair: the key's public half is the pair's.
type Fetched struct {
	Pair      awsapi.KeyPairInfo
	Parameter string
	Region    string
	// File is the key file to save: the parameter's value, with LF line
	// endings and a final newline.
	File         []byte
	Key          *keys.PrivateKey
	Format       keys.Format // PPK for a PuTTY file, else PEM
	Fingerprints keys.Fingerprints
}

// Request is the request a pair like this would have been made with, for
// DefaultPath (the name and format).
func (f *Fetched) Request() pair.Request {
	return pair.Request{Name: f.Pair.KeyName, Format: f.Format, Type: f.Key.Type(), Region: f.Region}
}

// FetchError says why a key was not fetched; nothing was written.
type FetchError struct {
	Ref       string // the name or id asked for
	Name      string // the pair's name, once found
	Parameter string
	Region    string
	// NoPair: no key pair of that name or id. Mismatch: the parameter holds
	// a key that is not the pair's (or none that can be read).
	NoPair   bool
	Mismatch string
	Err      error
}

func (e *FetchError) Error() string {
	var s string
	switch {
	case e.NoPair && IsKeyPairID(e.Ref):
		s = fmt.Sprintf("no key pair with the id %s exists in %s", e.Ref, e.Region)
	case e.NoPair:
		s = fmt.Sprintf("no key pair named %q exists in %s", e.Ref, e.Region)
	case e.Mismatch != "":
		s = fmt.Sprintf("the parameter %s does not hold the private key of key pair %q: %s", e.Parameter, e.Name, e.Mismatch)
	case awsapi.KindOf(e.Err) == awsapi.ParameterNotFound:
		s = fmt.Sprintf("the private key of key pair %q is not in SSM Parameter Store: there is no parameter %s in %s "+
			"(keypair create --store ssm, CloudFormation and CDK keep it there; a pair made otherwise has none)", e.Name, e.Parameter, e.Region)
	default:
		s = sentenceBody(e.Err)
	}
	return s + ". Nothing was written."
}
func (e *FetchError) Unwrap() error { return e.Err }

// Fetch finds the pair ref names (a name, or an id as IsKeyPairID tells),
// reads its parameter with decryption and checks the key belongs to it:
// its public half is the pair's public key, or (when EC2 does not give the
// public key) its EC2 fingerprint is the pair's. Every failure is a
// *FetchError, or the *awsapi.Error of the lookup.
func Fetch(ctx context.Context, api awsapi.Describer, store awsapi.ParameterStore, region, ref string) (*Fetched, error) {
	in := awsapi.DescribeInput{Names: []string{ref}, IncludePublicKey: true}
	if IsKeyPairID(ref) {
		in = awsapi.DescribeInput{IDs: []string{ref}, IncludePublicKey: true}
	}
	pairs, err := api.DescribeKeyPairs(ctx, in)
	if awsapi.KindOf(err) == awsapi.NotFound {
		return nil, &FetchError{Ref: ref, Region: region, NoPair: true, Err: err}
	}
	if err != nil {
		return nil, err
	}
	var kp *awsapi.KeyPairInfo
	for i := range pairs {
		if pairs[i].KeyName == ref || pairs[i].KeyPairID == ref {
			kp = &pairs[i]
			break
		}
	}
	if kp == nil {
		return nil, &FetchError{Ref: ref, Region: region, NoPair: true}
	}
	fe := &FetchError{Ref: ref, Name: kp.KeyName, Region: region, Parameter: awsapi.KeyParameterName(kp.KeyPairID)}
	if kp.KeyPairID == "" {
		fe.Err = fmt.Errorf("EC2 did not give the id of key pair %q, which names its parameter", kp.KeyName)
		return nil, fe
	}
	param, err := store.GetKeyParameter(ctx, fe.Parameter)
	if err != nil {
		fe.Err = err
		return nil, fe
	}
	f := &Fetched{Pair: *kp, Parameter: fe.Parameter, Region: region, File: normalizeNewlines(param.Value)}
	f.Key, f.Fingerprints, err = KeyBelongs(f.File, *kp)
	if err != nil {
		fe.Mismatch = termtext.Clean(err.Error())
		return nil, fe
	}
	f.Format = keys.PEM
	if bytes.HasPrefix(f.File, []byte("PuTTY-User-Key-File-")) {
		f.Format = keys.PPK
	}
	return f, nil
}

// KeyBelongs parses file as a private key and checks it is the key of kp:
// its public half equals kp.PublicKey, or, without a public key, its EC2
// fingerprint (as EC2 made it or as it was imported) equals
// kp.KeyFingerprint. The error says what differs, in words for a sentence.
func KeyBelongs(file []byte, kp awsapi.KeyPairInfo) (*keys.PrivateKey, keys.Fingerprints, error) {
	key, err := keys.ParsePrivateKey(file)
	if err != nil {
		if errors.Is(err, keys.ErrEncrypted) {
			return nil, keys.Fingerprints{}, errors.New("it holds a passphrase-protected key, which cannot be checked")
		}
		return nil, keys.Fingerprints{}, errors.New("it holds no private key that can be read")
	}
	fps, err := keys.FingerprintsOf(nil, key)
	if err != nil {
		return nil, keys.Fingerprints{}, fmt.Errorf("its key cannot be fingerprinted (%s)", termtext.Clean(err.Error()))
	}
	if kp.PublicKey != "" {
		pub, _, perr := keys.ParsePublicKey([]byte(kp.PublicKey))
		if perr != nil {
			return nil, fps, errors.New("EC2's public key of the pair cannot be read, so the key cannot be checked")
		}
		if bytes.Equal(pub.Marshal(), key.SSHPublicKey().Marshal()) {
			return key, fps, nil
		}
		return nil, fps, fmt.Errorf("its public half is %s, the pair's is %s", fps.SHA256, keys.FingerprintSHA256(pub))
	}
	want := termtext.Clean(kp.KeyFingerprint)
	if want == "" {
		return nil, fps, errors.New("EC2 gave neither the pair's public key nor its fingerprint, so the key cannot be checked")
	}
	if want == fps.AWSImported || (fps.AWSCreated != "" && want == fps.AWSCreated) {
		return key, fps, nil
	}
	have := fps.AWSImported
	if fps.AWSCreated != "" {
		have = fps.AWSCreated + " (or " + fps.AWSImported + " imported)"
	}
	return nil, fps, fmt.Errorf("its EC2 fingerprint is %s, the pair's is %s", have, want)
}

// SaveFetched saves a fetched key with the safe writer (mode 0600, never
// over a file): at path, or "" for the default path in saveDir
// (NAME.pem|.ppk). It returns the path written.
func SaveFetched(f *Fetched, saveDir, path string) (string, error) {
	if path == "" {
		path = DefaultPath(saveDir, f.Request())
	}
	full, err := keys.ResolvePath(path)
	if err != nil {
		return "", fmt.Errorf("%s. Nothing was written", strings.TrimRight(termtext.Clean(err.Error()), "."))
	}
	if err := keys.WriteNewFile(full, f.File); err != nil {
		return "", fmt.Errorf("the private key of %q was fetched but could not be saved: %s. Nothing was written",
			f.Pair.KeyName, strings.TrimRight(termtext.Clean(err.Error()), "."))
	}
	return full, nil
}

package maker

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/pair"
)

// This file keeps a private key in SSM Parameter Store the way
// CloudFormation's AWS::EC2::KeyPair and CDK's KeyPair do: a SecureString
// at /ec2/keypair/<key pair id>, with the pair's tags and a description
// naming the pair (DESIGN.md, "Custody"). The invariant is the file's: the
// pair exists and its key is kept (in a file, the parameter, or both), or
// neither. A key kept only in the parameter is kept once SSM says so, or
// once reading the parameter back finds exactly this key.

// ParameterDescription is the description of the parameter holding made's key.
func ParameterDescription(made *Made) string {
	return fmt.Sprintf("Private key of EC2 key pair %q (%s), stored by keypair", made.Request.Name, made.KeyPairID)
}

// ChooseStore sets where the key of made is kept besides a file, and with
// which KMS key (the form's save step asks, after the key exists):
// StoreSSM needs a source that calls AWS and the pipeline's Store. It
// refuses once the key is kept.
func (p *Pipeline) ChooseStore(made *Made, store pair.Store, kmsKeyID string) error {
	if made == nil {
		return errors.New("there is no private key to keep")
	}
	if made.Saved() {
		return errors.New("the private key is already kept")
	}
	req := made.Request
	req.Store, req.KMSKeyID = store, kmsKeyID
	if store == pair.StoreNone {
		req.KMSKeyID = ""
	}
	for _, fe := range req.Validate() {
		if fe.Field == "store" || fe.Field == "kms-key" {
			return &InvalidRequestError{Errs: []*pair.FieldError{fe}}
		}
	}
	if store == pair.StoreSSM && p.Store == nil {
		return &NoAWSError{Source: req.Source, Store: true}
	}
	made.Request = req
	return nil
}

// CanStore reports whether the pipeline can keep keys of source s in SSM.
func (p *Pipeline) CanStore(s pair.Source) bool { return p.Store != nil && NeedsAWS(s) }

// planStore refuses a key kept in SSM only when SSM cannot be reached.
func (p *Pipeline) planStore(made *Made) error {
	if p.Store == nil {
		return &NoAWSError{Source: made.Request.Source, Store: true}
	}
	return nil
}

// storeKey writes made's key to its parameter. Like CreateKeyPair it runs
// to its answer even after a cancel, so what happened is known. When the
// answer is lost, the parameter is read back: holding this key, the write
// went through.
func (p *Pipeline) storeKey(ctx context.Context, made *Made) error {
	req := made.Request
	serr := &StoreFailedError{Name: req.Name, KeyPairID: made.KeyPairID, Region: made.Region, Path: made.Path}
	if p.Store == nil {
		serr.Err = &NoAWSError{Source: req.Source, Store: true}
		return serr
	}
	if made.KeyPairID == "" {
		serr.Err = errors.New("EC2 did not give the key pair's ID, which names the parameter")
		return serr
	}
	name := awsapi.KeyParameterName(made.KeyPairID)
	serr.Parameter = name
	if !p.begin() {
		serr.Err = &CanceledError{Name: req.Name, Region: req.Region}
		return serr
	}
	defer p.inflight.Done()
	if made.Orphan() {
		// No file holds the key (a pair imported just now is not held
		// yet): until SSM holds it, Close must delete the pair.
		p.hold(made)
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.callTimeout())
	defer cancel()
	_, err := p.Store.PutKeyParameter(sctx, awsapi.PutParameterInput{
		Name: name, Value: made.File, KMSKeyID: req.KMSKeyID,
		Description: ParameterDescription(made), Tags: req.Tags,
	})
	if err == nil {
		made.Parameter = name
		p.kept(made, name)
		return nil
	}
	serr.Err = err
	if !mayHaveStored(err) {
		return serr
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.rollbackTimeout())
	defer cancel()
	got, gerr := p.Store.GetKeyParameter(lctx, name)
	switch {
	case gerr == nil && bytes.Equal(got.Value, made.File):
		made.Parameter = name
		p.kept(made, name)
		made.Warnings = append(made.Warnings, fmt.Sprintf(
			"SSM's answer to the write was lost (%s), but the parameter %s holds this private key: the write went through.",
			awsapi.KindOf(err), name))
		return nil
	case gerr == nil:
		serr.Other = true
	case awsapi.KindOf(gerr) == awsapi.ParameterNotFound:
		serr.NotThere = true
	default:
		serr.LookupErr = gerr
	}
	return serr
}

// mayHaveStored reports whether err leaves open that SSM wrote the parameter.
func mayHaveStored(err error) bool {
	var e *awsapi.Error
	return errors.As(err, &e) && (e.MayHaveActed || e.Kind == awsapi.LostAnswer)
}

// StoreFailedError is a failed write of the private key to SSM Parameter
// Store. Path is the file the key is kept in too ("" when none: the key is
// then only in memory, and Run deletes the pair again). When SSM's answer
// was lost: NotThere says reading the parameter back found none (the write
// did not happen), Other that it holds another value (left as it is),
// LookupErr that the read failed too (unknown).
type StoreFailedError struct {
	Name, KeyPairID, Region string
	Parameter               string
	Path                    string
	Err                     error
	NotThere, Other         bool
	LookupErr               error
}

func (e *StoreFailedError) Error() string {
	s := sentenceBody(e.Err) + "."
	switch {
	case e.NotThere:
		s += " Reading the parameter back found none, so it was not written."
	case e.Other:
		s += fmt.Sprintf(" The parameter %s holds another value, which was left as it is.", e.Parameter)
	case e.LookupErr != nil:
		s += fmt.Sprintf(" It is not known whether SSM wrote the parameter %s: reading it back failed too (%s).",
			e.Parameter, sentenceBody(e.LookupErr))
		if e.Path == "" {
			s += fmt.Sprintf(" If the key pair %q is deleted, delete the parameter as well if it exists (aws ssm delete-parameter --name %s).",
				e.Name, e.Parameter)
		}
	}
	switch {
	case e.Path == "-":
		s += fmt.Sprintf(" The key pair %q exists, and its private key was written to standard output only.", e.Name)
	case e.Path != "":
		s += fmt.Sprintf(" The key pair %q exists, and its private key is kept at %s.", e.Name, e.Path)
		if e.Parameter != "" && !e.Other {
			s += fmt.Sprintf(" To store it in SSM later: aws ssm put-parameter --name %s --type SecureString --value %s",
				e.Parameter, termtext.ShellQuote("file://"+e.Path))
		}
	}
	return s
}
func (e *StoreFailedError) Unwrap() error { return e.Err }

package maker

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/pair"
)

// The errors below say what happened and what is kept safe, in words that
// suit both front ends; each front end adds its own next step (flags on
// the command line, fields and keys in the form).

// InvalidRequestError lists every rule a request broke. Nothing was made.
type InvalidRequestError struct {
	Errs []*pair.FieldError
}

func (e *InvalidRequestError) Error() string {
	msgs := make([]string, len(e.Errs))
	for i, fe := range e.Errs {
		msgs[i] = fe.Error()
	}
	return "the request was refused: " + strings.Join(msgs, "; ")
}

// NoAWSError says a source that calls EC2 cannot: no client could be made,
// or no region is configured. Nothing was sent.
type NoAWSError struct {
	Source   pair.Source
	NoRegion bool
	// Store: the key was to be kept in SSM Parameter Store, and no SSM client is configured.
	Store bool
}

func (e *NoAWSError) Error() string {
	if e.Store {
		return "store ssm keeps the private key in SSM Parameter Store, but SSM is not configured"
	}
	if e.NoRegion {
		return fmt.Sprintf("source %s calls EC2, but no AWS region is configured", e.Source)
	}
	return fmt.Sprintf("source %s calls EC2, but AWS is not configured", e.Source)
}

// TargetError says the save path was refused before anything was made.
type TargetError struct {
	Path string
	Err  error
}

func (e *TargetError) Error() string { return termtext.Clean(e.Err.Error()) }
func (e *TargetError) Unwrap() error { return e.Err }

// WriteError is a failed write of the private key; the key is still in memory.
type WriteError struct {
	Path string // "-" for standard output
	Err  error
}

func (e *WriteError) Error() string {
	if e.Path == "-" {
		return fmt.Sprintf("the private key could not be written to standard output: %s", termtext.Clean(e.Err.Error()))
	}
	return termtext.Clean(e.Err.Error())
}
func (e *WriteError) Unwrap() error { return e.Err }

// Rollback is what the pipeline did about a pair EC2 made whose key will
// never be kept: it deleted it again (RolledBack), or the delete failed
// too (RollbackErr).
type Rollback struct {
	Name, Region string
	RolledBack   bool
	RollbackErr  error
}

// after tells, after the sentence about cause, where the pair stands.
func (r Rollback) after(cause error) string {
	if r.RolledBack {
		return fmt.Sprintf("%s. The key pair %q was deleted from EC2 again, so nothing was left behind.", sentenceBody(cause), r.Name)
	}
	return fmt.Sprintf("%s. Deleting the key pair %q from EC2 failed too (%s): the pair is still in %s and nobody has its private key.",
		sentenceBody(cause), r.Name, sentenceBody(r.RollbackErr), r.Region)
}

// SaveFailedError is a failed save of a key pair EC2 had created, after
// which the pipeline tried to delete the pair again (Run).
type SaveFailedError struct {
	Rollback
	Err error
}

func (e *SaveFailedError) Error() string { return e.after(e.Err) }
func (e *SaveFailedError) Unwrap() error { return e.Err }

// UnusableAnswerError is a CreateKeyPair that EC2 answered with success
// but whose answer could not be used (too large, unreadable): the pair
// existed without a usable key, and the pipeline deleted it again.
type UnusableAnswerError struct {
	Rollback
	Err error
}

func (e *UnusableAnswerError) Error() string { return e.after(e.Err) }
func (e *UnusableAnswerError) Unwrap() error { return e.Err }

// ImportFailedError is an ImportKeyPair failure after the private key was
// saved (source local). Removed: EC2 certainly has no pair and the file was
// removed again, the key is still in memory. Otherwise the file is kept:
// NotThere says a lookup found no pair of that name (the import did not
// happen), LookupErr says the lookup failed too (unknown).
type ImportFailedError struct {
	Name, Region string
	Path         string
	Err          error
	Removed      bool
	RemoveErr    error
	NotThere     bool
	LookupErr    error
}

func (e *ImportFailedError) Error() string {
	s := sentenceBody(e.Err) + "."
	kept := "The private key is kept at " + e.Path + "."
	switch e.Path {
	case "-":
		kept = "The private key was written to standard output."
	case "":
		kept = "No file of the private key was written (none was asked for)."
	}
	switch {
	case e.Removed && e.Path == "":
		return s + " Nothing was created in EC2."
	case e.Removed && e.Path == "-":
		return s + " Nothing was created in EC2; the private key already written to standard output belongs to no key pair."
	case e.Removed:
		return s + " Nothing was created in EC2, and the private key file was removed again."
	case e.RemoveErr != nil:
		return s + " Nothing was created in EC2, but removing the private key file failed (" + sentenceBody(e.RemoveErr) + "). " + kept
	case e.NotThere:
		return s + fmt.Sprintf(" EC2 does not list a key pair named %q in %s (yet), so the import most likely did not happen. %s", e.Name, e.Region, kept)
	case e.LookupErr != nil:
		var taken *NameTakenError
		if errors.As(e.LookupErr, &taken) {
			return s + fmt.Sprintf(" The key pair %q in %s holds another public key, so this one was not imported. %s", e.Name, e.Region, kept)
		}
		return s + fmt.Sprintf(" It is not known whether EC2 imported the public key as %q in %s: looking it up failed too (%s). %s",
			e.Name, e.Region, sentenceBody(e.LookupErr), kept)
	}
	return s + " " + kept
}
func (e *ImportFailedError) Unwrap() error { return e.Err }

// CanceledError is a run cancelled (esc, a signal) while EC2 was making
// the pair. Made says EC2's answer arrived after the cancel with the pair
// made; the pipeline then deleted it again (RolledBack) or could not.
type CanceledError struct {
	Name, Region string
	Made         bool
	RolledBack   bool
	RollbackErr  error
}

func (e *CanceledError) Error() string {
	switch {
	case !e.Made:
		return "cancelled; nothing was made"
	case e.RolledBack:
		return fmt.Sprintf("cancelled while EC2 was making the key pair %q: it was made, and deleted from EC2 again, so nothing was left behind", e.Name)
	}
	return fmt.Sprintf("cancelled while EC2 was making the key pair %q: it was made, and deleting it again failed (%s): the pair is still in %s and nobody has its private key",
		e.Name, sentenceBody(e.RollbackErr), e.Region)
}

// Is makes errors.Is(err, context.Canceled) true for a CanceledError.
func (e *CanceledError) Is(target error) bool { return target == context.Canceled }

// DryRunIgnoredError is a dry run the endpoint carried out for real (an
// EC2 look-alike that ignores DryRun): the pair was made, and the pipeline
// deleted it again (RolledBack) or could not.
type DryRunIgnoredError struct {
	Action       Action
	Name, Region string
	RolledBack   bool
	RollbackErr  error
}

func (e *DryRunIgnoredError) Error() string {
	s := fmt.Sprintf("the endpoint ignored the dry run and carried out %s of %q for real", e.Action, e.Name)
	if e.RolledBack {
		return s + ", so the key pair was deleted again: nothing was left behind"
	}
	return s + fmt.Sprintf(", and deleting the key pair again failed (%s): it is in %s without a kept private key", sentenceBody(e.RollbackErr), e.Region)
}

// NameTakenError says a pair of the name exists with another public key.
type NameTakenError struct{ Name string }

func (e *NameTakenError) Error() string {
	return fmt.Sprintf("the key pair %q exists with another public key", e.Name)
}

// Refused reports whether err means nothing was done: the request broke a
// rule, the save path cannot be used, AWS is not configured, or no
// credentials were found, so nothing was sent. The command line exits 2
// for these, 1 for every other failure.
func Refused(err error) bool {
	var inv *InvalidRequestError
	var target *TargetError
	var noAWS *NoAWSError
	switch {
	case errors.As(err, &inv), errors.As(err, &target), errors.As(err, &noAWS):
		return true
	}
	var imp *ImportFailedError
	if errors.As(err, &imp) && !imp.Removed {
		return false // a key file is left: something was done
	}
	return awsapi.KindOf(err) == awsapi.NoCredentials
}

// sentenceBody is err's text without a final full stop, cleaned, so it can
// start a sentence of ours.
func sentenceBody(err error) string {
	if err == nil {
		return "unknown error"
	}
	s := strings.TrimSpace(termtext.Clean(err.Error()))
	return strings.TrimRight(s, ".")
}

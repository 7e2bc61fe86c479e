// Package maker is the one pipeline that carries a key pair request from
// plan to end. Both front ends, the batch command line and the interactive
// app, call the same methods in the same order:
//
//	plan := p.Plan(req, path)        normalize, validate once, decide the EC2 action,
//	                                 check the save path before EC2 is called
//	p.DryRun(ctx, plan)              or
//	made := p.Make(ctx, plan)        CreateKeyPair, or generate here
//	p.Save(ctx, made, path)          write safely; for source local, import, and
//	                                 remove the file again after a definite refusal
//	p.Discard(ctx, made)             when the key will not be saved: delete the
//	                                 pair EC2 made, under its own timeout
//
// Every rule that keeps a key safe lives here once; the front ends only ask
// and present the answer in their own words.
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
	"sync"
	"time"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// DefaultRollbackTimeout bounds the DeleteKeyPair that undoes a pair whose
// private key will not be kept.
const DefaultRollbackTimeout = 30 * time.Second

// Action is the EC2 call a request makes.
type Action string

// The actions; ActionNone is the offline source, which calls nothing.
const (
	ActionCreate Action = "CreateKeyPair"
	ActionImport Action = "ImportKeyPair"
	ActionNone   Action = ""
)

// ActionFor says which EC2 call a request with source s makes.
func ActionFor(s pair.Source) Action {
	switch s {
	case pair.SourceLocal, pair.SourceLogin, pair.SourcePublicKey:
		return ActionImport
	case pair.SourceOffline:
		return ActionNone
	}
	return ActionCreate
}

// NoFile is the save path that keeps no file: the private key is kept in
// SSM Parameter Store only (create --out none).
const NoFile = "none"

// NeedsAWS reports whether requests with source s call EC2.
func NeedsAWS(s pair.Source) bool { return ActionFor(s) != ActionNone }

// Pipeline runs requests. API may be nil when only the offline source is used.
type Pipeline struct {
	API awsapi.API
	// Store is SSM Parameter Store, for requests with Store ssm (nil when
	// none is configured: such a request is then refused by Plan).
	Store awsapi.ParameterStore
	// Region is where API sends its requests ("" when unknown: a request
	// that needs AWS is then refused by Plan).
	Region string
	// Stdout receives the private key when the save path is "-".
	Stdout io.Writer
	// Rand is the randomness keys are made from; nil means crypto/rand.
	Rand io.Reader
	// RollbackTimeout bounds the delete of Discard; 0 means DefaultRollbackTimeout.
	RollbackTimeout time.Duration
	// CallTimeout bounds a creating call that runs on after a cancel; 0
	// means DefaultCallTimeout.
	CallTimeout time.Duration
	// Root, when set, is the only folder private keys may be saved in
	// (keypair serve --keys-dir): Plan and Save refuse a path outside it,
	// or one that reaches it through a symbolic link.
	Root string
	// LoginOnly refuses every source but those of a given public key
	// (pair.SourceLogin, pair.SourcePublicKey): no private key
	// is made or received (keypair serve without --keys-dir).
	LoginOnly bool

	// The pairs EC2 made whose keys are held in memory, not yet saved or
	// discarded, and the creating calls still running: what Close settles.
	mu       sync.Mutex
	orphans  map[string]*Made  // by key pair name
	settled  []*Discarded      // pairs made after a cancel and deleted again
	closed   bool              // Close has begun: no creating call may start
	saved    map[string]string // key pair name -> where its key was saved
	inflight sync.WaitGroup
}

// begin registers a creating call about to start; false once Close has
// begun, so that no call can start after Close waited for the others.
func (p *Pipeline) begin() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.inflight.Add(1)
	return true
}

// settle records a pair the pipeline deleted on its own (made after a
// cancel), so that Close can tell a front end that never saw the answer.
func (p *Pipeline) settle(d *Discarded) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.settled = append(p.settled, d)
}

// hold records made as a pair in EC2 whose key is only in memory.
func (p *Pipeline) hold(made *Made) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.orphans == nil {
		p.orphans = map[string]*Made{}
	}
	p.orphans[made.Request.Name] = made
}

// release forgets the pair name: its key was saved, or it was deleted.
func (p *Pipeline) release(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.orphans, name)
}

// SavedPath is where this pipeline saved the key of the pair name ("" when
// it did not): for a front end that ended before it heard of the save.
func (p *Pipeline) SavedPath(name string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.saved[name]
}

// Close settles what a front end may not have seen before it ended (a
// signal or a closed terminal ends the app while EC2 is still answering):
// it waits for the creating calls still running, then discards every pair
// EC2 made whose key was neither saved nor discarded. Each result says
// what happened, for a note on the way out, together with the pairs made
// after a cancel that the pipeline deleted on its own.
func (p *Pipeline) Close(ctx context.Context) []*Discarded {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.inflight.Wait()
	p.mu.Lock()
	var left []*Made
	for _, m := range p.orphans {
		left = append(left, m)
	}
	out := p.settled
	p.settled = nil
	p.mu.Unlock()
	for _, m := range left {
		out = append(out, p.Discard(ctx, m))
	}
	return out
}

// Plan is a request checked and ready to run.
type Plan struct {
	// Request is the request as it will be made: defaults filled in.
	Request pair.Request
	// Action is the EC2 call Make or DryRun sends.
	Action Action
	// Path is the save path as the writer will resolve it ("" when the
	// front end chooses it later, "-" for standard output).
	Path string
	// Warnings are found while planning and did not stop it (a save folder
	// others may write to); Make passes them on to the Made.
	Warnings []string
}

// Normalize fills the request's defaults (source aws, type RSA, format
// PEM, RSA bits, PPK version) so that what is validated is what is made.
func Normalize(req pair.Request) pair.Request {
	if req.Source == "" {
		req.Source = pair.SourceAWS
	}
	if pair.GivenKey(req.Source) {
		// The key exists: its type is its own, and no file is written.
		if req.PublicKey != nil {
			req.Type = pair.TypeOf(req.PublicKey)
		}
		req.Bits, req.Format, req.PPKVersion = 0, "", 0
		return req
	}
	if req.Type == "" {
		req.Type = keys.RSA
	}
	if req.Format == "" {
		req.Format = keys.PEM
	}
	if req.Type == keys.RSA && req.Bits == 0 {
		req.Bits = keys.DefaultRSABits
	}
	if req.Format == keys.PPK && req.PPKVersion == 0 {
		req.PPKVersion = keys.DefaultPPKVersion
	}
	if !NeedsAWS(req.Source) {
		req.Region = ""
	}
	return req
}

// CreateInput is the CreateKeyPair request the pipeline sends for req (a
// normalized request): Make sends it as is (req.DryRun is false there),
// DryRun with DryRun set. The app's inspector previews exactly this.
func CreateInput(req pair.Request) awsapi.CreateInput {
	return awsapi.CreateInput{Name: req.Name, Type: req.Type, Format: req.Format, Tags: req.Tags, DryRun: req.DryRun}
}

// ImportInput is the ImportKeyPair request the pipeline sends for req with
// the public key file pub (see CreateInput).
func ImportInput(req pair.Request, pub []byte) awsapi.ImportInput {
	return awsapi.ImportInput{Name: req.Name, PublicKey: pub, Tags: req.Tags, DryRun: req.DryRun}
}

// Plan checks everything that can be checked before anything is made, in
// this order, and returns the first kind of problem it finds: the
// request's rules (*InvalidRequestError, every broken rule at once), AWS
// not reachable for a source that needs it (*NoAWSError), a save path that
// cannot be written (*TargetError). path "" skips the path check
// (the interactive app chooses the path after the key exists and checks it
// then); "-" means standard output. Nothing is written or sent.
func (p *Pipeline) Plan(req pair.Request, path string) (*Plan, error) {
	req = Normalize(req)
	if NeedsAWS(req.Source) && req.Region == "" {
		req.Region = p.Region
	}
	if errs := req.Validate(); len(errs) > 0 {
		return nil, &InvalidRequestError{Errs: errs}
	}
	if p.LoginOnly && !pair.GivenKey(req.Source) {
		return nil, &InvalidRequestError{Errs: []*pair.FieldError{{Field: "source",
			Msg: fmt.Sprintf("source %s makes a private key on this server, which is off here (keypair serve --keys-dir turns it on); import the key you logged in with instead", req.Source)}}}
	}
	plan := &Plan{Request: req, Action: ActionFor(req.Source)}
	if plan.Action != ActionNone {
		switch {
		case p.API == nil:
			return nil, &NoAWSError{Source: req.Source}
		case req.Region == "":
			return nil, &NoAWSError{Source: req.Source, NoRegion: true}
		case req.Store == pair.StoreSSM && p.Store == nil && !req.DryRun:
			return nil, &NoAWSError{Source: req.Source, Store: true}
		}
	}
	if path == NoFile && req.Store != pair.StoreSSM {
		return nil, &InvalidRequestError{Errs: []*pair.FieldError{{Field: "out",
			Msg: "none keeps no file, and the private key must be kept somewhere: add store ssm, or give a path"}}}
	}
	if req.DryRun || path == "" || pair.GivenKey(req.Source) {
		return plan, nil // nothing to save
	}
	if path == NoFile {
		plan.Path = NoFile
		return plan, nil
	}
	if path == "-" {
		if discards(p.Stdout) {
			return nil, &TargetError{Path: "-", Err: errors.New("standard output is /dev/null (closed, or sent nowhere), so the private key would be lost")}
		}
		plan.Path = "-"
		return plan, nil
	}
	full, err := p.resolve(path)
	if err != nil {
		return nil, &TargetError{Path: path, Err: err}
	}
	// Before EC2 makes a pair, prove the key can be saved (a probe file);
	// a key made here costs nothing to drop, so the name check will do.
	check := keys.CheckFree
	if plan.Action == ActionCreate {
		check = keys.CheckTarget
	}
	if err := check(full); err != nil {
		return nil, &TargetError{Path: path, Err: err}
	}
	plan.Path = full
	if w := keys.FolderWarning(filepath.Dir(full)); w != "" {
		plan.Warnings = append(plan.Warnings, w)
	}
	return plan, nil
}

// DryRun asks EC2 whether the plan's call would be permitted; nothing is
// made. The offline source has nothing to ask (Plan refuses a dry run there).
func (p *Pipeline) DryRun(ctx context.Context, plan *Plan) (*DryRunResult, error) {
	req := plan.Request
	res := &DryRunResult{Action: plan.Action, KeyName: req.Name, Source: req.Source, Region: req.Region}
	var d *awsapi.DryRunResult
	switch plan.Action {
	case ActionCreate:
		in := CreateInput(req)
		in.DryRun = true
		out, err := p.API.CreateKeyPair(ctx, in)
		if err != nil {
			return nil, err
		}
		d = out.DryRun
	case ActionImport:
		// EC2 checks the public key too, so the dry run sends a real one:
		// the login key itself, or one made for the purpose.
		pub := req.PublicKey
		if !pair.GivenKey(req.Source) {
			key, err := keys.Generate(req.Type, req.Bits, p.Rand)
			if err != nil {
				return nil, fmt.Errorf("generate %s key: %w", req.Type, err)
			}
			pub = key.SSHPublicKey()
		}
		in := ImportInput(req, []byte(keys.AuthorizedKey(pub, req.Name)))
		in.DryRun = true
		out, err := p.API.ImportKeyPair(ctx, in)
		if err != nil {
			return nil, err
		}
		d = out.DryRun
	default:
		return nil, &InvalidRequestError{Errs: []*pair.FieldError{{Field: "dry-run", Msg: "source offline makes no AWS call, so there is nothing to ask"}}}
	}
	if d == nil {
		return nil, errors.New("EC2 did not answer the dry run as a dry run")
	}
	if d.Ignored {
		// The endpoint made (or imported) the pair for real: undo it, since
		// a dry run was asked for and no key of it is kept.
		derr := p.rollback(ctx, req.Name)
		return nil, &DryRunIgnoredError{Action: plan.Action, Name: req.Name, Region: req.Region, RolledBack: derr == nil, RollbackErr: derr}
	}
	res.Permitted, res.Message = d.Permitted, termtext.Clean(d.Message)
	return res, nil
}

// Make makes the key pair of plan: for ActionCreate EC2 makes it and returns
// the private key once; otherwise it is generated here. The key is then in
// memory only: the caller must Save it or Discard it.
func (p *Pipeline) Make(ctx context.Context, plan *Plan) (*Made, error) {
	if plan.Request.DryRun {
		return nil, errors.New("a dry run makes nothing: call DryRun")
	}
	var made *Made
	var err error
	switch {
	case pair.GivenKey(plan.Request.Source):
		made, err = p.importGiven(ctx, plan.Request)
	case plan.Action == ActionCreate:
		made, err = p.makeInAWS(ctx, plan.Request)
	default:
		made, err = p.makeHere(ctx, plan.Request)
	}
	if made != nil {
		made.Warnings = append(append([]string(nil), plan.Warnings...), made.Warnings...)
	}
	return made, err
}

func (p *Pipeline) makeInAWS(ctx context.Context, req pair.Request) (*Made, error) {
	// A cancel (esc, a signal) must not cut the call off mid-flight: EC2 may
	// have made the pair, and only its answer can tell. So the call runs to
	// its answer under a bound of its own, and a pair made after the cancel
	// is deleted again.
	if ctx.Err() != nil || !p.begin() {
		return nil, &CanceledError{Name: req.Name, Region: req.Region}
	}
	defer p.inflight.Done()
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.callTimeout())
	defer cancel()
	out, err := p.API.CreateKeyPair(cctx, CreateInput(req))
	var lateWarning string
	if err == nil && ctx.Err() != nil {
		derr := p.rollback(ctx, req.Name)
		if derr == nil {
			p.settle(&Discarded{Name: req.Name, Region: req.Region, InEC2: true, Deleted: true})
			return nil, &CanceledError{Name: req.Name, Region: req.Region, Made: true, RolledBack: true}
		}
		// The pair stays and so must its key: hand it on to be saved, as
		// if the cancel had come too late.
		lateWarning = fmt.Sprintf("The run was cancelled while EC2 made the key pair %q, and deleting it again failed (%s), so its private key is kept to be saved instead.",
			req.Name, sentenceBody(derr))
	}
	if err != nil {
		if awsapi.KindOf(err) == awsapi.BadAnswer {
			// EC2 made the pair, but its answer cannot be used: nobody will
			// ever have this private key, so the pair must go.
			return nil, p.unusableAnswer(ctx, req, err)
		}
		return nil, err
	}
	made := &Made{Request: req, Region: req.Region, InEC2: true}
	if lateWarning != "" {
		made.Warnings = append(made.Warnings, lateWarning)
	}
	p.hold(made)
	made.KeyPairID = termtext.Clean(out.KeyPairID)
	made.KeyFingerprint = termtext.Clean(out.KeyFingerprint)
	// From here on EC2 holds the pair and we hold the only copy of its
	// private key: never return without it. Keep the material as EC2 sent
	// it, normalised to LF line endings and a final newline.
	made.File = normalizeNewlines(out.KeyMaterial)
	key, err := keys.ParsePrivateKey(made.File)
	if err != nil {
		made.Warnings = append(made.Warnings,
			fmt.Sprintf("The private key EC2 returned could not be read (%s); it will be saved exactly as received.", termtext.Clean(err.Error())))
		return made, nil
	}
	key.Comment = req.Name
	made.Key = key
	if req.Format == keys.PPK && !bytes.HasPrefix(made.File, fmt.Appendf(nil, "PuTTY-User-Key-File-%d:", req.PPKVersion)) {
		// EC2 chooses the PPK version; write the same key in the one asked for.
		f, err := keys.EncodePPK(key, req.PPKVersion)
		if err != nil {
			made.Warnings = append(made.Warnings, fmt.Sprintf("The key could not be written as PPK version %d (%s); it is saved as EC2 sent it.", req.PPKVersion, err))
		} else {
			made.File = f
		}
	}
	if err := made.describe(); err != nil {
		made.Warnings = append(made.Warnings, err.Error())
	}
	ours := made.Fingerprints.AWSCreated
	if key.Type() == keys.ED25519 {
		ours = made.Fingerprints.AWSImported
	}
	if made.KeyFingerprint == "" {
		made.KeyFingerprint = ours
	} else if ours != "" && ours != made.KeyFingerprint {
		made.Warnings = append(made.Warnings, fmt.Sprintf(
			"EC2 reported the fingerprint %s, but the key it returned has %s.", made.KeyFingerprint, ours))
	}
	return made, nil
}

// unusableAnswer deletes a pair whose CreateKeyPair answer could not be used.
func (p *Pipeline) unusableAnswer(ctx context.Context, req pair.Request, cause error) error {
	derr := p.rollback(ctx, req.Name)
	return &UnusableAnswerError{Rollback: Rollback{Name: req.Name, Region: req.Region, RolledBack: derr == nil, RollbackErr: derr}, Err: cause}
}

func (p *Pipeline) makeHere(ctx context.Context, req pair.Request) (*Made, error) {
	if ctx.Err() != nil {
		return nil, &CanceledError{Name: req.Name, Region: req.Region}
	}
	key, err := keys.Generate(req.Type, req.Bits, p.Rand)
	if err != nil {
		return nil, fmt.Errorf("generate %s key: %w", req.Type, err)
	}
	key.Comment = req.Name
	made := &Made{Request: req, Key: key, Region: req.Region}
	if err := made.describe(); err != nil {
		return nil, err
	}
	made.File, err = keys.Encode(key, req.Format, req.PPKVersion)
	if err != nil {
		return nil, fmt.Errorf("encode private key: %w", err)
	}
	made.KeyFingerprint = made.Fingerprints.AWSImported
	return made, nil
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

// Rename gives a key made here (not yet in EC2) another name, for a retry
// after EC2 refused the first one: the request, the public key comment and
// the file to save change; the key itself stays.
func (p *Pipeline) Rename(made *Made, name string) error {
	if made.InEC2 || made.Key == nil {
		return errors.New("only a key made here and not in EC2 can be renamed")
	}
	if made.Saved() {
		return fmt.Errorf("the private key is already saved to %s", made.Path)
	}
	if err := pair.ValidateName(name); err != nil {
		return &InvalidRequestError{Errs: []*pair.FieldError{err.(*pair.FieldError)}}
	}
	req := made.Request
	req.Name = name
	key := *made.Key
	key.Comment = name
	file, err := keys.Encode(&key, req.Format, req.PPKVersion)
	if err != nil {
		return fmt.Errorf("encode private key: %w", err)
	}
	made.Request, made.Key, made.File = req, &key, file
	return made.describe()
}

// Save writes the private key to path with the safe writer ("-" writes to
// the pipeline's Stdout; NoFile writes none), then, for source local,
// imports the public key, then, for Store ssm, writes the key to SSM
// Parameter Store at awsapi.KeyParameterName(KeyPairID) (see storeKey).
//
// A failed write leaves the key in memory (Saved is false): the caller may
// Save again with another path, or Discard. A failed import returns an
// *ImportFailedError: after a definite refusal the file is removed again
// (so neither half exists, and the key is still in memory for a Rename and
// another Save); where EC2 may have imported it anyway, the file is kept and
// the pipeline looks the pair up: if it holds our public key, the import
// went through and Save succeeds.
func (p *Pipeline) Save(ctx context.Context, made *Made, path string) error {
	if made == nil || len(made.File) == 0 {
		return errors.New("there is no private key to save")
	}
	if made.Saved() {
		return fmt.Errorf("the private key is already saved to %s", made.Path)
	}
	// Close waits for a save under way, so that it never deletes the pair
	// of a key that is landing on disk; no save starts once Close has begun.
	store := made.Request.Store == pair.StoreSSM
	if path == NoFile || path == "" {
		if !store {
			return &WriteError{Path: path, Err: errors.New("no file was asked for, and no other place to keep the private key")}
		}
		if err := p.planStore(made); err != nil {
			return err
		}
	} else {
		if !p.begin() {
			return &WriteError{Path: path, Err: errors.New("the program is ending; the key was not saved")}
		}
		err := p.write(made, path)
		if err == nil {
			p.kept(made, made.Path)
		}
		p.inflight.Done()
		if err != nil {
			return err
		}
	}
	if made.Request.Source == pair.SourceLocal && !made.InEC2 {
		if err := p.importSaved(ctx, made); err != nil {
			return err
		}
	}
	if store {
		return p.storeKey(ctx, made)
	}
	return nil
}

// kept records that the key of made is kept at where (a path or a parameter).
func (p *Pipeline) kept(made *Made, where string) {
	p.release(made.Request.Name)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.saved == nil {
		p.saved = map[string]string{}
	}
	if made.Path == "" || where == made.Path {
		p.saved[made.Request.Name] = where // the file, when there is one
	}
}

func (p *Pipeline) write(made *Made, path string) error {
	if path == "-" {
		w := p.Stdout
		if w == nil {
			return errors.New("there is no standard output to write the private key to")
		}
		if err := writeAll(w, made.File); err != nil {
			return &WriteError{Path: "-", Err: err}
		}
		made.Path = "-"
		return nil
	}
	full, err := p.resolve(path)
	if err != nil {
		return &WriteError{Path: path, Err: err}
	}
	if err := keys.WriteNewFile(full, made.File); err != nil {
		return &WriteError{Path: full, Err: err}
	}
	made.Path = full
	return nil
}

// writeAll writes b and, where w is a file, syncs it: a key written to a
// closed pipe or a full disk must fail here, not vanish silently.
func writeAll(w io.Writer, b []byte) error {
	if _, err := w.Write(b); err != nil {
		return err
	}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			return f.Sync()
		}
	}
	return nil
}

func (p *Pipeline) importSaved(ctx context.Context, made *Made) error {
	if p.API == nil {
		return &NoAWSError{Source: made.Request.Source}
	}
	req := made.Request
	// As for CreateKeyPair: run to the answer even after a cancel, so that
	// what happened is known.
	if !p.begin() {
		return &ImportFailedError{Name: req.Name, Region: req.Region, Path: made.Path, Err: &CanceledError{Name: req.Name, Region: req.Region}}
	}
	defer p.inflight.Done()
	ictx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.callTimeout())
	defer cancel()
	out, err := p.API.ImportKeyPair(ictx, ImportInput(req, []byte(made.PublicKey)))
	if err == nil {
		made.InEC2 = true
		made.KeyPairID = termtext.Clean(out.KeyPairID)
		made.setImportedFingerprint(termtext.Clean(out.KeyFingerprint))
		return nil
	}
	ferr := &ImportFailedError{Name: req.Name, Region: req.Region, Path: made.Path, Err: err}
	if definitelyNotImported(err) {
		if made.Path != "-" && made.Path != "" {
			if rerr := os.Remove(made.Path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
				ferr.RemoveErr = rerr
				return ferr
			}
		}
		ferr.Removed = true
		made.Path = ""
		return ferr
	}
	// EC2 may have imported it: ask which, under a context of its own, since
	// the caller's may be what ended the import.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.rollbackTimeout())
	defer cancel()
	found, lerr := p.findOurs(lctx, made)
	switch {
	case lerr != nil:
		ferr.LookupErr = lerr
	case found != nil:
		made.InEC2 = true
		made.KeyPairID = termtext.Clean(found.KeyPairID)
		made.setImportedFingerprint(termtext.Clean(found.KeyFingerprint))
		made.Warnings = append(made.Warnings, lostImportWarning(err, req.Name))
		return nil
	default:
		ferr.NotThere = true
	}
	return ferr
}

// findOurs looks the pair up by name and returns it when it holds made's
// public key; nil, nil when there is no pair of that name.
func (p *Pipeline) findOurs(ctx context.Context, made *Made) (*awsapi.KeyPairInfo, error) {
	pairs, err := p.API.DescribeKeyPairs(ctx, awsapi.DescribeInput{Names: []string{made.Request.Name}, IncludePublicKey: true})
	if awsapi.KindOf(err) == awsapi.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for i, kp := range pairs {
		if kp.KeyName != made.Request.Name {
			continue
		}
		same, known := kp.Holds(made.publicKey())
		switch {
		case same:
			return &pairs[i], nil
		case !known:
			return nil, fmt.Errorf("EC2 lists a key pair %q but not its public key, so it cannot be told whether it is this one", made.Request.Name)
		}
		return nil, &NameTakenError{Name: made.Request.Name}
	}
	return nil, nil
}

// lostImportWarning says an import whose answer was lost went through.
func lostImportWarning(err error, name string) string {
	return fmt.Sprintf("EC2's answer to the import was lost (%s), but the pair %q now holds this public key: the import went through.",
		awsapi.KindOf(err), name)
}

// definitelyNotImported reports whether err proves EC2 did not import the key.
func definitelyNotImported(err error) bool {
	var e *awsapi.Error
	if errors.As(err, &e) && e.MayHaveActed {
		return false
	}
	switch awsapi.KindOf(err) {
	case awsapi.Duplicate, awsapi.BadPublicKey, awsapi.Unauthorized, awsapi.BadCredentials,
		awsapi.ClockSkew, awsapi.Throttled, awsapi.LimitExceeded, awsapi.NoCredentials,
		awsapi.InvalidParameter:
		return true
	}
	return false
}

// Discard drops a key that will not be saved. Where EC2 made the pair, the
// pair is deleted again so that neither half is left, under its own timeout
// (the caller's context may be the signal that ended the run). The result
// says what happened, for the front end to tell the user.
func (p *Pipeline) Discard(ctx context.Context, made *Made) *Discarded {
	if made == nil || !made.Orphan() {
		return &Discarded{}
	}
	d := &Discarded{Name: made.Request.Name, Region: made.Region, InEC2: true}
	d.Err = p.rollback(ctx, made.Request.Name)
	d.Deleted = d.Err == nil
	p.release(made.Request.Name)
	made.InEC2 = !d.Deleted
	if d.Deleted {
		// Only now is the key worth nothing; while the pair stays, a
		// front end may still save it.
		made.Key, made.File = nil, nil
	}
	return d
}

// DefaultCallTimeout bounds a creating call (CreateKeyPair, ImportKeyPair)
// that runs on after a cancel, in case the client's own timeouts do not.
const DefaultCallTimeout = 2 * time.Minute

func (p *Pipeline) callTimeout() time.Duration {
	if p.CallTimeout > 0 {
		return p.CallTimeout
	}
	return DefaultCallTimeout
}

func (p *Pipeline) rollbackTimeout() time.Duration {
	if p.RollbackTimeout > 0 {
		return p.RollbackTimeout
	}
	return DefaultRollbackTimeout
}

func (p *Pipeline) rollback(ctx context.Context, name string) error {
	if p.API == nil {
		return &NoAWSError{Source: pair.SourceAWS}
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.rollbackTimeout())
	defer cancel()
	_, err := p.API.DeleteKeyPair(rctx, awsapi.DeleteInput{Name: name})
	return err
}

// Run is the whole batch flow, the same steps the app takes: plan, make,
// save (and import), and discard when the save fails. A dry run returns its
// result and no Made.
func (p *Pipeline) Run(ctx context.Context, req pair.Request, path string) (*Made, *DryRunResult, error) {
	plan, err := p.Plan(req, path)
	if err != nil {
		return nil, nil, err
	}
	if plan.Request.DryRun {
		d, err := p.DryRun(ctx, plan)
		return nil, d, err
	}
	if plan.Path == "" {
		return nil, nil, errors.New("no save path was given")
	}
	made, err := p.Make(ctx, plan)
	if err != nil {
		return nil, nil, err
	}
	if err := p.Save(ctx, made, plan.Path); err != nil {
		var ierr *ImportFailedError
		if errors.As(err, &ierr) {
			return made, nil, err
		}
		if d := p.Discard(ctx, made); d.InEC2 {
			return nil, nil, &SaveFailedError{Rollback: Rollback{Name: d.Name, Region: d.Region, RolledBack: d.Deleted, RollbackErr: d.Err}, Err: err}
		}
		var werr *WriteError
		if errors.As(err, &werr) && werr.Path != "-" {
			// Made here and never written: nothing exists anywhere, so this
			// is the same refusal Plan would have given with a probe file.
			return nil, nil, &TargetError{Path: werr.Path, Err: werr.Err}
		}
		return nil, nil, err
	}
	return made, nil, nil
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

// discards reports whether w is /dev/null: where a key written to standard
// output is lost. The Go runtime opens /dev/null in place of a closed
// standard output (">&-"), so a closed one looks like this too.
func discards(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || f == nil {
		return false
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(fi, null)
}

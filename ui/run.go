// Package ui is keypair's interactive app: one Bubble Tea v2 program with a
// form (live validation, tags editor, duplicate-name check), a cancellable
// working screen, a save dialog that never overwrites, and a fingerprint
// view. It draws on the writer it is given (stderr, gum-style) and returns
// what was saved so the caller can print a summary on stdout.
package ui

import (
	"context"
	"io"
	"os"
	"sync"

	tea "charm.land/bubbletea/v2"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/config"
	"github.com/keypair-dev/keypair/fleet"
	"github.com/keypair-dev/keypair/localkeys"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
	"golang.org/x/crypto/ssh"
)

// AWSClient is what the app needs of an EC2 client before anything is made:
// the region for the header, credentials resolved in the background, and
// DescribeKeyPairs for the duplicate-name check. *awsapi.Client satisfies it.
type AWSClient interface {
	Region() string
	Credentials(ctx context.Context) (awsapi.CredentialInfo, error)
	DescribeKeyPairs(ctx context.Context, in awsapi.DescribeInput) ([]awsapi.KeyPairInfo, error)
}

var _ AWSClient = (*awsapi.Client)(nil)

// Options configure Run. Only Config is required.
type Options struct {
	// Config supplies the save folder and the profile shown in the header.
	Config config.Config
	// Request is the form's starting request, complete: the caller merged
	// defaults < config file < environment < flags once. The form does not
	// merge Config into it again; empty fields get the pipeline's defaults.
	Request pair.Request
	// NewPipeline builds the pipeline, and with it the AWS client, when the
	// first key pair is made. nil means &maker.Pipeline{} (offline only). For
	// the offline source a failing NewPipeline falls back to &maker.Pipeline{}.
	NewPipeline func(ctx context.Context) (*maker.Pipeline, error)
	// Client, when not nil, resolves credentials for the header and checks
	// names against the region. nil means no check and "credentials: not checked".
	Client AWSClient
	// Pairs, when not nil, enables the Pairs screen (ctrl+p from the form):
	// the region's key pairs, which local key is which pair, what uses a
	// pair, and delete. *awsapi.Client satisfies it. nil: ctrl+p says why not.
	Pairs PairsClient
	// LocalKeys says where the Pairs screen looks for this machine's keys
	// (~/.ssh, the save folder, SSH_AUTH_SOCK).
	LocalKeys localkeys.Options
	// Connect returns the client of another region, for "import into
	// regions" (from a pair's local key and from the fingerprint view).
	// nil: that import is not offered.
	Connect fleet.Connect
	// Regions answers "all" in the import prompt (DescribeRegions). nil:
	// only a list of regions can be given.
	Regions fleet.RegionLister
	// Custody, when set, lets a pair's detail show whether its private key
	// is kept in SSM Parameter Store (/ec2/keypair/<id>, where create
	// --store ssm, CloudFormation and CDK keep it) and fetch it (s): the key
	// is checked against the pair and saved in the save folder with the
	// safe writer, as keypair fetch does. *awsapi.Client implements it.
	Custody awsapi.Custody
	// NoDelete takes delete away from the Pairs screen (keypair serve
	// without --allow-delete): the detail says so instead of asking.
	NoDelete bool
	// SavePath, when set, prefills the save dialog of the first key instead
	// of ~/.ssh/NAME.pem (keypair create --out PATH; maker.NoFile starts
	// it on "parameter only").
	SavePath string
	// Store and KMSKeyID are the save dialog's starting choice of where the
	// key is kept besides a file (keypair create --store ssm --kms-key ID).
	// The dialog offers SSM whenever the pipeline has a Store.
	Store    pair.Store
	KMSKeyID string
	// Version is shown in the header.
	Version string
	// Input and Output are the terminal; nil means stdin and stderr.
	Input  io.Reader
	Output io.Writer
	// Env is the terminal's environment (NO_COLOR, TERM, SSH_CONNECTION,
	// USER); nil means os.Environ().
	Env []string

	// LoginKey is the public key this session logged in with: the one a
	// keypair serve session authenticated with (for a certificate, its
	// inner key), or the one $SSH_USER_AUTH names under OpenSSH. When set,
	// the form offers the source "login key", which imports it into EC2
	// with no private key made anywhere.
	LoginKey ssh.PublicKey
	// Sources are the sources the form offers, in this order; nil means
	// aws, local and offline, and "login key" after them when LoginKey is
	// set. A served session passes [login] (and the rest with --keys-dir).
	Sources []pair.Source
	// Served says the app runs inside keypair serve: the disk is the
	// server's, so saving is confined to SaveRoot.
	Served bool
	// SaveRoot, when set, is the one folder keys may be saved in and the
	// save dialog may list (its pipeline's Root must be the same).
	SaveRoot string
	// FetchCommand, when set, gives the command that fetches a saved key
	// from this host (keypair serve's scp line); nil means the scp line
	// built from SSH_CONNECTION.
	FetchCommand func(path string) string
	// Messages, when set, are sent to the program as they arrive (keypair
	// serve: window size changes, the shutdown notice).
	Messages <-chan tea.Msg
	// ProgramOptions are added to the program's (keypair serve: the
	// session's window size and colour profile).
	ProgramOptions []tea.ProgramOption

	programOptions []tea.ProgramOption // tests: window size, colour profile
	pairsDeps      *pairsDeps          // tests: fakes of fleet and localkeys
}

// Saved describes one key pair saved during the session, with the field
// names of `keypair create --json`.
type Saved = maker.Summary

// Result is what the session did.
type Result struct {
	// Saved lists every key pair whose private key was saved, in order
	// (n on the fingerprint view starts another).
	Saved []Saved
	// DryRun is the answer to the last dry run, if any.
	DryRun *maker.DryRunResult
	// Discarded is set when the user confirmed quitting (or going back)
	// with a private key that was never saved.
	Discarded bool
	// Unconfirmed says a key was saved whose import EC2 did not confirm
	// (the pair may or may not exist): the run did not fully succeed.
	Unconfirmed bool
	// Notes are what the user should still read after the screen is gone:
	// every warning of the pipeline for a saved key (Saved[i].Warnings too),
	// and a discarded key whose pair was (or could not be) deleted from EC2.
	Notes []string
}

// frameRate is the renderer's frames per second (see Run).
const frameRate = 30

// Run runs the app until the user quits or ctx ends. The error is the
// program's (terminal trouble, ctx cancelled); what the user did is in Result.
func Run(ctx context.Context, opts Options) (*Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if opts.Env == nil {
		opts.Env = os.Environ()
	}
	out := opts.Output
	if out == nil {
		out = os.Stderr
	}
	var built pipelines
	if newPipe := opts.NewPipeline; newPipe != nil {
		opts.NewPipeline = func(ctx context.Context) (*maker.Pipeline, error) {
			p, err := newPipe(ctx)
			built.add(p)
			return p, err
		}
	}
	m := New(ctx, opts)
	popts := []tea.ProgramOption{
		tea.WithContext(ctx),
		tea.WithOutput(out),
		tea.WithEnvironment(opts.Env),
		// Bubble Tea v2.1 wakes up on a frame ticker even when nothing
		// changed (it cannot be turned off); 30 frames a second halves the
		// idle wake-ups of the default 60 and still draws a keystroke
		// within 33 ms. Served sessions (keypair serve) add up.
		tea.WithFPS(frameRate),
	}
	popts = append(popts, opts.ProgramOptions...)
	popts = append(popts, opts.programOptions...)
	if opts.Input != nil {
		popts = append(popts, tea.WithInput(opts.Input))
	}
	prog := tea.NewProgram(m, popts...)
	if msgs := opts.Messages; msgs != nil {
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case msg, ok := <-msgs:
					if !ok {
						return
					}
					prog.Send(msg)
				}
			}
		}()
	}
	final, err := prog.Run()
	if fm, ok := final.(*Model); ok && fm != nil {
		m = fm
	}
	m.stopAll()
	unsaved, h := m.unsaved(), m.held()
	// The program ended (a signal, a closed terminal) perhaps while EC2 was
	// still making a pair, or with the only copy of an EC2-made pair's key
	// unsaved: each pipeline waits for its calls and deletes such pairs
	// under its own timeout, so that neither half is left.
	for _, p := range built.all() {
		for _, d := range p.Close(ctx) {
			note, _ := discardNote(d)
			m.result.Notes = append(m.result.Notes, note)
		}
	}
	if unsaved && h != nil && h.pipe != nil {
		// The save may have ended after the program did: then the key is
		// kept after all, and it is reported as saved, not discarded.
		if path := h.pipe.SavedPath(h.made.Request.Name); path != "" {
			saved := *h.made
			saved.Path = path
			m.result.Saved = append(m.result.Saved, saved.Summary())
			unsaved = false
		}
	}
	if unsaved {
		m.result.Discarded = true // ended (ctx, signal) with a key never saved
	}
	return m.Result(), err
}

// pipelines are the pipelines the app built, for Run to Close at the end.
type pipelines struct {
	mu   sync.Mutex
	list []*maker.Pipeline
}

func (ps *pipelines) add(p *maker.Pipeline) {
	if p == nil {
		return
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for _, q := range ps.list {
		if q == p {
			return
		}
	}
	ps.list = append(ps.list, p)
}

func (ps *pipelines) all() []*maker.Pipeline {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return append([]*maker.Pipeline(nil), ps.list...)
}

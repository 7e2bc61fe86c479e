package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/keypair-dev/keypair/config"
	"github.com/keypair-dev/keypair/fleet"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/internal/userauth"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/localkeys"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
	"github.com/keypair-dev/keypair/ui"
)

// interactiveOptions are what `keypair create` passes on to the form.
type interactiveOptions struct {
	prefill  *pair.Request // nil: the config's defaults
	savePath string        // --out: prefills the save dialog
	json     bool          // --json: print each saved key as create --json does
}

// runInteractive runs the form (drawn on stderr, gum-style) and prints what
// was saved on stdout when it returns.
func (a *app) runInteractive(ctx context.Context, o *interactiveOptions) error {
	if !a.term.interactive() {
		return usagef("the interactive form needs a terminal; for scripts use: keypair create --batch --name NAME ...")
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	opts := a.formOptions(cfg, o)
	if on, _ := a.tracing(); on {
		// The form is drawn on stderr: --trace output waits for its end.
		a.traceSink().hold()
		defer a.traceSink().release()
	}
	// Building the client reads the AWS files but resolves no credentials;
	// the form resolves them in the background.
	client, clientErr := a.newClient(ctx, cfg)
	if clientErr == nil {
		opts.Client = client
		opts.Pairs = client
		opts.Custody = client
		opts.Regions = client
		opts.Connect = func(region string) (fleet.Client, error) { return client.InRegion(region), nil }
	}
	opts.LocalKeys = a.localKeyOptions(cfg)
	opts.NewPipeline = func(context.Context) (*maker.Pipeline, error) {
		if clientErr != nil {
			return &maker.Pipeline{}, clientErr
		}
		return &maker.Pipeline{API: client, Store: client, Region: client.Region()}, nil
	}
	res, runErr := ui.Run(ctx, opts)
	if a.traces != nil {
		a.traces.release() // before the summary, which follows the requests
	}
	if res == nil {
		return runErr
	}
	for _, s := range res.Saved {
		if o.json {
			if err := writeJSON(a.stdout, s); err != nil {
				return err
			}
			continue
		}
		where := s.Path
		switch {
		case s.Parameter != "" && where != "":
			where += " and ssm:" + s.Parameter
		case s.Parameter != "":
			where = "ssm:" + s.Parameter
		case where == "":
			where = "imported, no private key here"
		}
		if s.Region != "" {
			where += " (" + s.Region + ")"
		}
		fmt.Fprintf(a.stdout, "%s\t%s\t%s\n", termtext.Clean(s.KeyName), s.KeyFingerprint, where)
	}
	for _, n := range res.Notes {
		fmt.Fprintln(a.stderr, "keypair: "+termtext.Clean(n))
	}
	if runErr != nil {
		// The program was ended (a signal, a closed terminal): what was
		// saved and the notes are printed above; say it in a sentence.
		if ctx.Err() != nil {
			fmt.Fprintln(a.stderr, "keypair: interrupted")
		} else {
			fmt.Fprintln(a.stderr, "keypair: the terminal failed: "+termtext.ForUser(runErr.Error()))
		}
		return &silentError{code: exitFailed}
	}
	if res.Unconfirmed {
		return &silentError{code: exitFailed} // as batch mode: the import is not known to have happened
	}
	if res.Discarded {
		fmt.Fprintln(a.stderr, "keypair: a private key was discarded without being saved")
		return &silentError{code: exitFailed}
	}
	if res.DryRun != nil && !res.DryRun.Permitted {
		return &silentError{code: exitFailed}
	}
	return nil
}

// localKeyOptions say where this machine's keys are: ~/.ssh, the save
// folder (when it is another) and the ssh-agent of SSH_AUTH_SOCK.
func (a *app) localKeyOptions(cfg config.Config) localkeys.Options {
	var o localkeys.Options
	seen := map[string]bool{}
	for _, d := range []string{"~/.ssh", cfg.SaveDir} {
		if d == "" {
			continue
		}
		p, err := keys.ExpandHome(d)
		if err != nil || seen[filepath.Clean(p)] {
			continue
		}
		p = filepath.Clean(p)
		seen[p] = true
		o.Dirs = append(o.Dirs, p)
	}
	o.AgentSocket = a.getenv("SSH_AUTH_SOCK")
	return o
}

// formOptions hands the form the one complete request (defaults < config
// file < environment < flags); the form merges nothing itself.
func (a *app) formOptions(cfg config.Config, o *interactiveOptions) ui.Options {
	req := maker.Normalize(cfg.Request())
	if o.prefill != nil {
		req = *o.prefill
	}
	opts := ui.Options{Config: cfg, Request: req, Version: buildVersion().Version, Input: a.stdin, Output: a.stderr, SavePath: o.savePath,
		Store: req.Store, KMSKeyID: req.KMSKeyID}
	// Inside an OpenSSH login with ExposeAuthInfo yes, the key the admin
	// logged in with can be imported as it is (source "login key").
	if k, err := userauth.LoginKey(a.getenv); err != nil {
		fmt.Fprintln(a.stderr, "keypair: warning: the login key cannot be offered: "+termtext.ForUser(err.Error()))
	} else if k != nil {
		opts.LoginKey = k
	}
	return opts
}

package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/spinner"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
)

// job is what the working screen waits for.
type job int

const (
	jobCreate job = iota // Make: CreateKeyPair, or generate here
	jobDryRun            // Make with DryRun: ask EC2 only
	jobImport            // Import after saving (local source)
	jobDelete            // DeleteKeyPair of an EC2-made pair whose private key was discarded
)

// working is the screen shown while a command runs: a spinner, what is
// happening, and esc to cancel where that can still help.
type working struct {
	job        job
	req        pair.Request
	spin       spinner.Model
	cancel     context.CancelFunc
	cancelling bool
}

func newWorking(j job, req pair.Request, cancel context.CancelFunc, st Styles) *working {
	return &working{
		job:    j,
		req:    req,
		spin:   spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(st.Title)),
		cancel: cancel,
	}
}

func (w *working) what() string {
	region := regionOr(w.req.Region)
	switch w.job {
	case jobDryRun:
		op := "CreateKeyPair"
		if w.req.Source == pair.SourceLocal {
			op = "ImportKeyPair"
		}
		return fmt.Sprintf("Asking EC2 in %s whether %s of %q is permitted (dry run)…", region, op, w.req.Name)
	case jobImport:
		return fmt.Sprintf("Importing the public key of %q into EC2 in %s…", w.req.Name, region)
	case jobDelete:
		return fmt.Sprintf("Deleting the key pair %q from EC2 in %s, since its private key was discarded…", w.req.Name, region)
	}
	switch w.req.Source {
	case pair.SourceAWS:
		return fmt.Sprintf("EC2 is creating the key pair %q in %s…", w.req.Name, region)
	default:
		return fmt.Sprintf("Generating the %s key %q on this machine…", strings.ToUpper(string(w.req.Type)), w.req.Name)
	}
}

// mayHaveDone says what a cancelled job may have left behind.
func (w *working) mayHaveDone() string {
	switch {
	case w.job == jobCreate && w.req.Source == pair.SourceAWS:
		return "EC2 may have created the pair; check with keypair list (and keypair delete " + w.req.Name + " if it is there)."
	case w.job == jobImport:
		return "EC2 may have imported the public key; check with keypair list."
	case w.job == jobDelete:
		return "The pair may still be in EC2 without its private key: check with keypair list, and delete it with keypair delete " + w.req.Name + "."
	}
	return "Nothing was created."
}

func (w *working) view(width int, st Styles) []string {
	lines := []string{w.spin.View() + " " + st.Label.Render(w.what())}
	lines = append(lines, "")
	if w.cancelling {
		for _, l := range wrap("Cancelling… "+w.mayHaveDone(), width) {
			lines = append(lines, st.Warning.Render(l))
		}
	} else {
		lines = append(lines, st.Hint.Render("esc cancels"))
	}
	return lines
}

// outcome is a screen that ends a job without a key to save: a dry-run
// answer or a failure. esc or enter returns to the form with its values kept.
type outcome struct {
	ok    bool
	title string
	body  []string // already cleaned of control bytes
}

func dryRunOutcome(d *maker.DryRunResult, req pair.Request) outcome {
	op := "ec2:CreateKeyPair"
	if req.Source == pair.SourceLocal {
		op = "ec2:ImportKeyPair"
	}
	region := regionOr(req.Region)
	if d.Permitted {
		o := outcome{ok: true, title: "✓ Dry run: permitted"}
		o.body = []string{
			fmt.Sprintf("EC2 would allow %s of %q in %s.", op, req.Name, region),
			"Nothing was created. Turn off Dry run in the form to create the key pair.",
		}
		if msg := termtext.Clean(d.Message); msg != "" {
			o.body = append(o.body, "EC2 said: "+msg)
		}
		return o
	}
	o := outcome{title: "✗ Dry run: denied"}
	o.body = []string{fmt.Sprintf("EC2 would refuse %s of %q in %s.", op, req.Name, region)}
	if msg := termtext.Clean(d.Message); msg != "" {
		o.body = append(o.body, "EC2 said: "+msg)
	}
	o.body = append(o.body, "Nothing was created. Ask an administrator for "+op+" in "+region+", or use another profile.")
	return o
}

func errorOutcome(err error, req pair.Request, cancelled bool, w *working) outcome {
	kind := awsapi.KindOf(err)
	if errors.Is(err, context.Canceled) {
		kind = awsapi.Canceled
	}
	o := outcome{title: "✗ " + kindTitle(kind)}
	o.body = errLines(err)
	if kind == awsapi.Canceled || cancelled {
		if w != nil {
			o.body = append(o.body, w.mayHaveDone())
		}
		return o
	}
	// awsapi's errors already say what to do next; add advice to others.
	var ae *awsapi.Error
	if !errors.As(err, &ae) {
		if next := nextStep(kind, req); next != "" {
			o.body = append(o.body, next)
		}
	}
	return o
}

// errLines is err's text cleaned of control bytes, one entry per line.
func errLines(err error) []string {
	var out []string
	for _, l := range strings.Split(termtext.CleanMultiline(err.Error()), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// errText is err's text cleaned of control bytes, on one line.
func errText(err error) string { return strings.Join(errLines(err), " ") }

func kindTitle(k awsapi.Kind) string {
	switch k {
	case awsapi.Duplicate:
		return "The name is taken"
	case awsapi.NotFound:
		return "Not found"
	case awsapi.BadPublicKey:
		return "EC2 refused the public key"
	case awsapi.Unauthorized:
		return "Not permitted"
	case awsapi.BadCredentials:
		return "Credentials rejected"
	case awsapi.ClockSkew:
		return "Clock skew"
	case awsapi.Throttled:
		return "Throttled by EC2"
	case awsapi.LimitExceeded:
		return "Key pair limit reached"
	case awsapi.Network:
		return "Network error"
	case awsapi.NoCredentials:
		return "No credentials"
	case awsapi.LostAnswer:
		return "The answer was lost"
	case awsapi.Canceled:
		return "Cancelled"
	case awsapi.Server:
		return "EC2 server error"
	case awsapi.InvalidParameter:
		return "EC2 refused a value"
	}
	return "Failed"
}

// nextStep says what the user can do about a failure of kind k.
func nextStep(k awsapi.Kind, req pair.Request) string {
	region := regionOr(req.Region)
	switch k {
	case awsapi.Duplicate:
		return "A key pair named " + req.Name + " already exists in " + region + ": press esc and choose another name."
	case awsapi.NotFound:
		return "Check the region (" + region + "): key pairs exist in one region only."
	case awsapi.BadPublicKey:
		return "EC2 imports RSA (1024, 2048, 4096 bits) and ED25519 keys only."
	case awsapi.Unauthorized:
		return "Ask an administrator for the permission named above, or choose another profile or the offline source."
	case awsapi.BadCredentials:
		return "Refresh your credentials (aws sso login, or check AWS_PROFILE and ~/.aws/credentials), then press esc and try again."
	case awsapi.ClockSkew:
		return "Fix this machine's clock (e.g. timedatectl set-ntp true), then try again."
	case awsapi.Throttled:
		return "Wait a moment, then press esc and try again."
	case awsapi.LimitExceeded:
		return "A region holds at most 5,000 key pairs: delete unused ones (keypair list, keypair delete NAME)."
	case awsapi.Network:
		return "Check the network, proxy and endpoint URL, then try again; or choose the offline source."
	case awsapi.NoCredentials:
		return "Configure credentials (aws configure, aws sso login, AWS_PROFILE), or choose the offline source."
	case awsapi.LostAnswer:
		return "EC2 probably created " + req.Name + " but its answer, with the private key, was lost. Check with keypair list, delete it with keypair delete " + req.Name + ", then create it again."
	case awsapi.Server:
		return "EC2 had trouble; try again in a minute."
	case awsapi.InvalidParameter:
		return "Press esc and fix the value EC2 named."
	}
	return "Press esc to return to the form and try again."
}

func (o outcome) view(width int, st Styles) []string {
	title := st.Error.Bold(true).Render(o.title)
	if o.ok {
		title = st.OK.Render(o.title)
	}
	lines := []string{title, ""}
	for _, b := range o.body {
		lines = append(lines, wrap(b, width)...)
		lines = append(lines, "")
	}
	return lines
}

func regionOr(r string) string {
	if r == "" {
		return "the default region"
	}
	return r
}

package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
)

// Every command here does its I/O and returns a typed message; none changes
// the model. Values the model owns (a *maker.Made) are copied before a
// command may change them, and the copy comes back in the message.

// credsMsg reports the credentials resolved at start-up.
type credsMsg struct {
	info awsapi.CredentialInfo
	err  error
}

func credsCmd(ctx context.Context, c AWSClient) tea.Cmd {
	return func() tea.Msg {
		info, err := c.Credentials(ctx)
		return credsMsg{info: info, err: err}
	}
}

// nameTickMsg fires when typing paused; seq tells whether the name changed since.
type nameTickMsg struct{ seq int }

// nameCheckMsg answers whether name exists in the region.
type nameCheckMsg struct {
	seq    int
	name   string
	exists bool
	err    error
}

// checkNameCmd looks name up in the region.
func checkNameCmd(ctx context.Context, c AWSClient, seq int, name string) tea.Cmd {
	return func() tea.Msg {
		exists, err := awsapi.KeyPairExists(ctx, c, name)
		return nameCheckMsg{seq: seq, name: name, exists: exists, err: err}
	}
}

// madeMsg is the end of Plan and Make or DryRun: a key in memory, a
// dry-run answer, or an error (refused: Plan said no, nothing was made).
type madeMsg struct {
	pipe    *maker.Pipeline // the pipeline of this key (saves and discards it)
	keep    bool            // pipe came from NewPipeline: reuse it for the next key
	made    *maker.Made
	dry     *maker.DryRunResult
	err     error
	refused bool
}

// makeCmd plans req with the save path the dialog will propose (so a
// path that cannot be written stops the request before EC2 is called),
// then asks the pipeline for a dry run or the key.
func makeCmd(ctx context.Context, p *maker.Pipeline, newPipe func(context.Context) (*maker.Pipeline, error), req pair.Request, path string) tea.Cmd {
	return func() tea.Msg {
		keep := true
		if p == nil {
			var err error
			if newPipe != nil {
				p, err = newPipe(ctx)
			}
			if err != nil || p == nil {
				if maker.NeedsAWS(req.Source) {
					if err == nil {
						err = &maker.NoAWSError{Source: req.Source}
					}
					return madeMsg{err: err, refused: true}
				}
				// Offline needs no AWS; don't keep this pipeline for later keys.
				p, keep = &maker.Pipeline{}, false
			}
		}
		plan, err := p.Plan(req, path)
		if err != nil {
			return madeMsg{pipe: p, keep: keep, err: err, refused: maker.Refused(err)}
		}
		if plan.Request.DryRun {
			d, err := p.DryRun(ctx, plan)
			return madeMsg{pipe: p, keep: keep, dry: d, err: err}
		}
		made, err := p.Make(ctx, plan)
		return madeMsg{pipe: p, keep: keep, made: made, err: err}
	}
}

// savedMsg is the end of a save (and, for source local, the import): made
// is a copy of the model's Made with Path set.
type savedMsg struct {
	made   *maker.Made
	path   string
	err    error
	folder bool // the path names a folder
}

func saveCmd(ctx context.Context, p *maker.Pipeline, made *maker.Made, path string) tea.Cmd {
	cp := *made
	return func() tea.Msg {
		err := p.Save(ctx, &cp, path)
		msg := savedMsg{made: &cp, path: path, err: err, folder: errors.Is(err, keys.ErrIsFolder)}
		return msg
	}
}

// deletedMsg is the end of the Discard of a key whose pair EC2 made.
type deletedMsg struct{ d *maker.Discarded }

func discardCmd(ctx context.Context, p *maker.Pipeline, made *maker.Made) tea.Cmd {
	cp := *made
	return func() tea.Msg { return deletedMsg{d: p.Discard(ctx, &cp)} }
}

// completeMsg lists the entries of dir whose names start with base.
type completeMsg struct {
	seq       int
	input     string // the input value the completion is for
	dir, base string
	folders   []string
	files     []string
	err       error
}

func completeCmd(seq int, input string) tea.Cmd {
	return func() tea.Msg {
		dir, base := splitPath(input)
		msg := completeMsg{seq: seq, input: input, dir: dir, base: base}
		read := dir
		if read == "" {
			read = "."
		}
		read, err := keys.ExpandHome(read)
		if err != nil {
			msg.err = err
			return msg
		}
		entries, err := os.ReadDir(read)
		if err != nil {
			msg.err = err
			return msg
		}
		for _, e := range entries {
			n := e.Name()
			if !strings.HasPrefix(n, base) || (strings.HasPrefix(n, ".") && !strings.HasPrefix(base, ".")) {
				continue
			}
			isDir := e.IsDir()
			if e.Type()&os.ModeSymlink != 0 {
				if st, err := os.Stat(filepath.Join(read, n)); err == nil {
					isDir = st.IsDir()
				}
			}
			if isDir {
				msg.folders = append(msg.folders, termtext.Clean(n))
			} else {
				msg.files = append(msg.files, termtext.Clean(n))
			}
		}
		sort.Strings(msg.folders)
		sort.Strings(msg.files)
		return msg
	}
}

// splitPath splits a typed path after its last slash.
func splitPath(p string) (dir, base string) {
	i := strings.LastIndex(p, "/")
	if i < 0 {
		if p == "~" {
			return "~/", ""
		}
		return "", p
	}
	return p[:i+1], p[i+1:]
}

// commonPrefix is the longest prefix all names share.
func commonPrefix(names []string) string {
	if len(names) == 0 {
		return ""
	}
	p := names[0]
	for _, n := range names[1:] {
		for !strings.HasPrefix(n, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

// errIsExists reports whether a save failed because the path is taken.
func errIsExists(err error) bool { return errors.Is(err, keys.ErrExists) }

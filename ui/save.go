package ui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
)

// saveDialog asks where to write the private key. It never overwrites: an
// existing file is refused and the key stays in memory until a save works.
type saveDialog struct {
	path    textinput.Model
	saving  bool
	err     string   // why the last save failed
	note    string   // e.g. an import that failed and removed the file
	matches []string // folders offered by the last tab
	compSeq int
}

func newSaveDialog(st Styles, path string, width int) *saveDialog {
	d := &saveDialog{path: newInput(st, "path of the private key file", 4096, 40)}
	d.path.SetValue(path)
	d.path.CursorEnd()
	d.path.Focus()
	d.setWidth(width)
	return d
}

func (d *saveDialog) setWidth(w int) { d.path.SetWidth(max(20, min(100, w-8))) }

// saveError turns a failed save into what to do next.
func saveError(err error, path string) string {
	if errors.Is(err, keys.ErrExists) {
		return path + " exists, choose another name (keypair never overwrites a file)."
	}
	return "Could not save: " + errText(err) + ". The key is still in memory: choose another path."
}

// completed applies a folder completion to the input.
func (d *saveDialog) completed(msg completeMsg) {
	d.matches = nil
	if msg.err != nil {
		d.err = "cannot list " + termtext.Clean(msg.dir) + ": " + errText(msg.err)
		return
	}
	switch len(msg.names) {
	case 0:
		d.err = "no folder in " + termtext.Clean(dirOr(msg.dir)) + " starts with " + fmt.Sprintf("%q", termtext.Clean(msg.base))
	case 1:
		d.path.SetValue(msg.dir + msg.names[0] + "/")
	default:
		d.path.SetValue(msg.dir + commonPrefix(msg.names))
		d.matches = msg.names
	}
	d.path.CursorEnd()
}

func dirOr(d string) string {
	if d == "" {
		return "."
	}
	return d
}

// view renders the dialog and returns the line and column of the input.
func (d *saveDialog) view(width int, st Styles, made *maker.Made) (lines []string, cursor *tea.Cursor) {
	req := made.Request
	lines = append(lines, st.Title.Render("Save the private key"))
	what := fmt.Sprintf("%s %s key %q", strings.ToUpper(string(req.Type)), strings.ToUpper(string(req.Format)), req.Name)
	if req.Format == keys.PPK {
		v := req.PPKVersion
		if v == 0 {
			v = keys.DefaultPPKVersion
		}
		if req.Source == pair.SourceAWS {
			what += " (PuTTY format as EC2 wrote it)"
		} else {
			what += fmt.Sprintf(" (PPK version %d)", v)
		}
	}
	lines = append(lines, st.Label.Render(what))
	switch req.Source {
	case pair.SourceAWS:
		lines = append(lines, wrapStyled(st.Warning, "! EC2 has created the pair in "+regionOr(made.Region)+" and will never return this private key again: save it now.", width)...)
	case pair.SourceLocal:
		lines = append(lines, wrapStyled(st.Hint, "After saving, the public key is imported into EC2 in "+regionOr(req.Region)+".", width)...)
	}
	lines = append(lines, "")
	if d.note != "" {
		lines = append(lines, wrapStyled(st.Error, d.note, width)...)
		lines = append(lines, "")
	}
	lines = append(lines, st.Label.Render("Path (mode 0600, never overwrites):"))
	if c := d.path.Cursor(); c != nil {
		c.X += 2
		c.Y = len(lines)
		cursor = c
	}
	lines = append(lines, "  "+d.path.View())
	switch {
	case d.saving:
		lines = append(lines, st.Hint.Render("  saving…"))
	case d.err != "":
		lines = append(lines, wrapStyled(st.Error, "✗ "+d.err, width)...)
	}
	if len(d.matches) > 0 {
		lines = append(lines, wrapStyled(st.Hint, "folders: "+strings.Join(d.matches, "  "), width)...)
	}
	return lines, cursor
}

func wrapStyled(s interface{ Render(...string) string }, text string, width int) []string {
	ls := wrap(text, width)
	for i, l := range ls {
		ls[i] = s.Render(l)
	}
	return ls
}

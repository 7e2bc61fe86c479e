package ui

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
	"github.com/keypair-dev/keypair/ui/internal/field"
)

// saveScreen asks where to write the private key. It never overwrites: an
// existing file is refused and the key stays in memory until a save works.
// After EC2 refused the import of a key made here, it offers to rename the
// same key and try again (maker.Pipeline.Rename).
type saveScreen struct {
	c       *common
	key     heldKey
	path    field.Model
	saving  bool
	err     string   // why the last save failed
	note    string   // e.g. the cancel came too late, or EC2 refused the import
	folders []string // folders offered by the last tab
	files   []string // files of that prefix, which a save would not overwrite
	compSeq int

	// Where the key is kept: a file, an SSM parameter, or both; SSM is
	// offered when the pipeline can reach it (maker.Pipeline.CanStore).
	keep     keepIn
	canStore bool
	kmsKey   string

	// After a refused import: a new name for the same key.
	canRename bool
	renaming  bool
	newName   field.Model
	proposed  string // the path the dialog proposed, to follow a rename
}

const pathPlaceholder = "path of the private key file"

// keepIn is where the save dialog keeps the key.
type keepIn int

const (
	keepFile keepIn = iota
	keepParameter
	keepBoth
)

var keepLabels = [...]string{"file", "SSM parameter", "file and SSM parameter"}

func newSaveScreen(c *common, k heldKey, path string, late bool) *saveScreen {
	d := &saveScreen{c: c, key: k, kmsKey: c.opts.KMSKeyID}
	d.canStore = k.pipe != nil && k.made != nil && k.pipe.CanStore(k.made.Request.Source)
	if d.canStore && c.opts.Store == pair.StoreSSM {
		d.keep = keepBoth
	}
	if path == maker.NoFile {
		path = maker.DefaultPath(c.opts.Config.SaveDir, k.made.Request)
		if d.canStore {
			d.keep = keepParameter
		}
	}
	d.proposed = path
	d.path = newInput(c.styles, pathPlaceholder, 4096, 40)
	d.path.SetValue(path)
	d.path.Focus()
	d.newName = newInput(c.styles, "new name of the key pair", pair.MaxNameLen+1, 40)
	d.resize()
	if late {
		d.note = "The cancel came too late: the key pair was made. Save it now."
	}
	return d
}

func (d *saveScreen) made() *maker.Made { return d.key.made }

// fileName is the key's own file name, kept when a folder is completed.
func (d *saveScreen) fileName() string {
	return filepath.Base(maker.DefaultPath("", d.made().Request))
}

func (d *saveScreen) update(msg tea.Msg) (tea.Cmd, action) {
	switch msg := msg.(type) {
	case savedMsg:
		return nil, d.saved(msg)
	case completeMsg:
		if msg.seq == d.compSeq && msg.input == d.path.Value() {
			d.completed(msg)
		}
		return nil, nil
	case tea.PasteMsg:
		if d.saving {
			return nil, nil
		}
		if d.renaming {
			d.newName.Update(msg)
		} else {
			d.path.Update(msg)
		}
		return nil, nil
	case tea.KeyPressMsg:
		return d.keyPress(msg)
	}
	return nil, nil
}

func (d *saveScreen) keyPress(msg tea.KeyPressMsg) (tea.Cmd, action) {
	k := d.c.keys.Save
	if d.saving {
		return nil, nil
	}
	if d.renaming {
		switch {
		case key.Matches(msg, k.Save):
			return d.rename()
		case key.Matches(msg, k.Back):
			d.renaming = false
			d.newName.Blur()
			d.path.Focus()
			return nil, nil
		}
		d.newName.Update(msg)
		return nil, nil
	}
	switch {
	case key.Matches(msg, k.Keep) && d.canStore:
		d.keep = (d.keep + 1) % keepIn(len(keepLabels))
		d.err = ""
		return nil, nil
	case key.Matches(msg, k.Save) && d.keep == keepParameter:
		return d.save(maker.NoFile)
	case key.Matches(msg, k.Save):
		p := strings.TrimSpace(d.path.Value())
		switch p {
		case "":
			d.err = "Type a path for the private key file."
			return nil, nil
		case "-":
			d.err = "The form saves to a file; type a path."
			return nil, nil
		}
		return d.save(p)
	case key.Matches(msg, k.Complete) && d.keep != keepParameter:
		d.compSeq++
		d.err = ""
		if root := d.c.opts.SaveRoot; root != "" && !insideRoot(root, d.path.Value()) {
			d.err = "Keys are saved only in this session's folder " + cleanText(root) + "; only it can be listed."
			return nil, nil
		}
		return completeCmd(d.compSeq, d.path.Value()), nil
	case key.Matches(msg, k.Rename) && d.canRename:
		d.renaming = true
		d.newName.SetValue(d.made().Request.Name)
		d.path.Blur()
		d.newName.Focus()
		return nil, nil
	case key.Matches(msg, k.Back):
		return nil, askDiscardAction{}
	case d.keep == keepParameter:
		return nil, nil // no path to type
	}
	d.path.Update(msg)
	d.folders, d.files = nil, nil
	return nil, nil
}

// save keeps the key where the dialog says: the pipeline is told the
// choice (no I/O), then saves to path (maker.NoFile for none).
func (d *saveScreen) save(path string) (tea.Cmd, action) {
	store := pair.StoreNone
	if d.keep != keepFile {
		store = pair.StoreSSM
	}
	if err := d.key.pipe.ChooseStore(d.made(), store, d.kmsKey); err != nil {
		d.err = "Cannot keep the key in SSM: " + errText(err)
		return nil, nil
	}
	d.err, d.folders, d.files = "", nil, nil
	d.saving = true
	return saveCmd(d.c.ctx, d.key.pipe, d.made(), path), nil
}

// rename gives the key in memory the new name (no I/O: the pipeline
// re-encodes the file in memory), follows it in the proposed path, and
// saves (and imports) again.
func (d *saveScreen) rename() (tea.Cmd, action) {
	name := d.newName.Value()
	cp := *d.made()
	if err := d.key.pipe.Rename(&cp, name); err != nil {
		d.err = "Cannot rename: " + errText(err)
		return nil, nil
	}
	d.key.made = &cp
	if strings.TrimSpace(d.path.Value()) == d.proposed {
		d.proposed = maker.DefaultPath(filepath.Dir(d.proposed), cp.Request)
		d.path.SetValue(d.proposed)
	}
	d.renaming, d.canRename, d.note, d.err = false, false, "", ""
	d.newName.Blur()
	d.path.Focus()
	if d.keep == keepParameter {
		return d.save(maker.NoFile)
	}
	return d.save(strings.TrimSpace(d.path.Value()))
}

// saved handles the end of a save.
func (d *saveScreen) saved(msg savedMsg) action {
	d.saving = false
	var ierr *maker.ImportFailedError
	if errors.As(msg.err, &ierr) {
		d.key.made = msg.made
		if !ierr.Removed {
			return savedAction{made: msg.made, unconfirmed: true, warning: "The private key is saved, but EC2 did not confirm the import: " + errText(msg.err)}
		}
		d.path.SetValue(msg.path)
		d.canRename = msg.made.Key != nil && !msg.made.InEC2
		d.note = "EC2 did not import the public key: " + sentence(errText(ierr.Err)) +
			" Nothing is in EC2 and the file was removed again; the key is still in memory. enter saves and imports again"
		if d.canRename {
			d.note += "; ctrl+r gives the same key another name and tries again"
		}
		d.note += "; esc discards it."
		return nil
	}
	var serr *maker.StoreFailedError
	if errors.As(msg.err, &serr) && msg.made.Saved() {
		// The file holds the key; only the parameter is missing.
		d.key.made = msg.made
		return savedAction{made: msg.made, unconfirmed: true, warning: "The private key is saved, but not in SSM Parameter Store: " + errText(msg.err)}
	}
	if serr != nil {
		d.key.made = msg.made
		d.err = "Could not keep the key in SSM: " + sentence(errText(msg.err)) +
			" The key is still in memory: try again, or ctrl+o to save a file."
		return nil
	}
	if msg.err != nil {
		d.err = d.saveError(msg)
		return nil
	}
	d.key.made = msg.made
	return savedAction{made: msg.made}
}

// saveError turns a failed save into what happened and what to do next.
func (d *saveScreen) saveError(msg savedMsg) string {
	path := cleanText(msg.path)
	switch {
	case msg.folder:
		return path + " is a folder: add a file name, e.g. " + strings.TrimSuffix(path, "/") + "/" + d.fileName() + "."
	case errIsExists(msg.err):
		return path + " exists, and keypair never overwrites a file: choose another path."
	}
	return "Could not save: " + sentence(errText(msg.err)) + " The key is still in memory: choose another path."
}

// completed applies a completion. A unique folder is entered and the key's
// file name kept after it, so the path still names a file; files of the
// prefix are listed (a save would not overwrite them).
func (d *saveScreen) completed(msg completeMsg) {
	d.folders, d.files = nil, nil
	if msg.err != nil {
		d.err = "cannot list " + cleanText(dirOr(msg.dir)) + ": " + errText(msg.err)
		return
	}
	switch len(msg.folders) {
	case 0:
		if len(msg.files) == 0 {
			d.err = "nothing in " + cleanText(dirOr(msg.dir)) + " starts with " + fmt.Sprintf("%q", cleanText(msg.base))
		}
	case 1:
		if len(msg.files) == 0 {
			d.path.SetValue(msg.dir + msg.folders[0] + "/" + d.fileName())
			break
		}
		fallthrough
	default:
		d.path.SetValue(msg.dir + commonPrefix(append(append([]string(nil), msg.folders...), msg.files...)))
		d.folders = msg.folders
	}
	d.files = msg.files
	d.path.CursorEnd()
}

func dirOr(d string) string {
	if d == "" {
		return "."
	}
	return d
}

func (d *saveScreen) view() body {
	st, width := d.c.styles, d.c.width
	md := d.made()
	req := md.Request
	lines := []string{st.Title.Render("Save the private key")}
	what := fmt.Sprintf("%s %s key %q", strings.ToUpper(string(req.Type)), strings.ToUpper(string(req.Format)), req.Name)
	if req.Format == keys.PPK {
		what += fmt.Sprintf(" (PPK version %d)", req.PPKVersion)
	}
	lines = append(lines, st.Label.Render(truncate(what, width)))
	switch {
	case md.Orphan():
		lines = append(lines, wrapStyled(st.Warning, "! EC2 has created the pair in "+regionOr(md.Region)+" and will never return this private key again: save it now.", width)...)
	case maker.NeedsAWS(req.Source):
		lines = append(lines, wrapStyled(st.Hint, "After saving, the public key is imported into EC2 in "+regionOr(req.Region)+".", width)...)
	}
	for _, w := range md.Warnings {
		lines = append(lines, wrapStyled(st.Warning, "! "+cleanText(w), width)...)
	}
	lines = append(lines, "")
	if d.note != "" {
		lines = append(lines, wrapStyled(st.Error, d.note, width)...)
		lines = append(lines, "")
	}
	var cursor *tea.Cursor
	if d.renaming {
		lines = append(lines, st.Label.Render("New name for the same key:"))
		cursor = d.newName.CursorAt(2, len(lines))
		lines = append(lines, "  "+d.newName.View(), "")
	}
	if d.canStore {
		lines = append(lines, st.Label.Render("Keep in: ")+st.Value.Render(keepLabels[d.keep])+st.Hint.Render("  (ctrl+o changes)"))
		if d.keep != keepFile {
			where := awsapi.KeyParameterName(cleanText(md.KeyPairID))
			if md.KeyPairID == "" {
				where = awsapi.KeyParameterName("<key pair id>")
			}
			lines = append(lines, wrapStyled(st.Hint, "  SecureString "+where+", with the pair's tags", width)...)
		}
		lines = append(lines, "")
	}
	if d.keep != keepParameter {
		lines = append(lines, st.Label.Render("Path (mode 0600, never overwrites):"))
		if !d.renaming {
			cursor = d.path.CursorAt(2, len(lines))
		}
		lines = append(lines, "  "+d.path.View())
	}
	switch {
	case d.saving:
		lines = append(lines, st.Hint.Render("  saving…"))
	case d.err != "":
		lines = append(lines, wrapStyled(st.Error, "✗ "+d.err, width)...)
	}
	if len(d.folders) > 0 {
		lines = append(lines, wrapStyled(st.Hint, "folders: "+strings.Join(d.folders, "/  ")+"/", width)...)
	}
	if len(d.files) > 0 {
		lines = append(lines, wrapStyled(st.Hint, "existing files (never overwritten): "+strings.Join(d.files, "  "), width)...)
	}
	v := body{lines: lines, cursor: cursor}
	if cursor != nil {
		v.focusLine, v.focusEnd = cursor.Y, cursor.Y+1
	}
	return v
}

func (d *saveScreen) help() helpSet {
	k, g := d.c.keys.Save, d.c.keys.Global
	if d.renaming {
		save, back := k.Save, k.Back
		save.SetHelp("enter", "rename and save")
		back.SetHelp("esc", "keep the name")
		return helpSet{short: []key.Binding{save, back, g.Quit}, full: [][]key.Binding{{save, back, g.Quit}}}
	}
	rename, keep, complete := k.Rename, k.Keep, k.Complete
	rename.SetEnabled(d.canRename)
	keep.SetEnabled(d.canStore)
	complete.SetEnabled(d.keep != keepParameter)
	return helpSet{
		short: []key.Binding{k.Save, complete, keep, rename, k.Back, g.Quit},
		full:  [][]key.Binding{{k.Save, complete, keep, rename}, {k.Back, g.Quit}},
	}
}

func (d *saveScreen) typing() bool { return true }

func (d *saveScreen) held() *heldKey { return &d.key }

func (d *saveScreen) quitQuestion() []string {
	q := []string{"The private key is not saved and cannot be made again."}
	if md := d.made(); md.Orphan() {
		q = append(q, "The pair "+quote(md.Request.Name)+" exists in EC2 ("+regionOr(md.Region)+"): quitting deletes it there again, so nothing is left behind.")
	}
	return q
}

// discardQuestion is asked before esc drops the key.
func (d *saveScreen) discardQuestion() []string {
	md := d.made()
	q := []string{"Go back and discard the private key of " + quote(md.Request.Name) + "? It cannot be made again."}
	if md.Orphan() {
		q = append(q, "The pair exists in EC2 ("+regionOr(md.Region)+"): discarding deletes it there again, so nothing is left behind.")
	}
	return q
}

func (d *saveScreen) restyle() {
	st := d.c.styles
	d.path.SetStyles(st.Input)
	d.path.Placeholder = st.placeholder(pathPlaceholder)
	d.newName.SetStyles(st.Input)
}

func (d *saveScreen) resize() {
	w := max(20, min(100, d.c.width-8))
	d.path.SetWidth(w)
	d.newName.SetWidth(w)
}

// insideRoot reports whether the folder of the typed path p lies in root
// (keypair serve --keys-dir): the save dialog lists nothing else of the
// server's disk.
func insideRoot(root, p string) bool {
	dir, _ := splitPath(p)
	if !filepath.IsAbs(dir) {
		return false // "~" and relative paths are the server's, not the folder's
	}
	rel, err := filepath.Rel(filepath.Clean(root), filepath.Clean(dir))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../") && !filepath.IsAbs(rel)
}

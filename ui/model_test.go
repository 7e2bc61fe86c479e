package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// lineAfter returns the screen lines that follow the first line containing label.
func linesAfter(t *testing.T, m *Model, label string, n int) string {
	t.Helper()
	lines := strings.Split(screenText(m), "\n")
	for i, l := range lines {
		if strings.Contains(l, label) {
			return strings.Join(lines[i:min(len(lines), i+1+n)], "\n")
		}
	}
	t.Fatalf("no line with %q:\n%s", label, screenText(m))
	return ""
}

// fieldMsg is keys' message for field in req, which must be broken.
func fieldMsg(t *testing.T, req pair.Request, field string) string {
	t.Helper()
	for _, e := range req.Validate() {
		if e.Key() == field {
			return e.Msg
		}
	}
	t.Fatalf("keys finds nothing wrong with %s of %+v", field, req)
	return ""
}

// flat joins wrapped lines so a long message can be searched for.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestNameRulesShowBesideTheFieldAndBlockSubmit(t *testing.T) {
	for _, tc := range []struct{ what, name string }{
		{"256 characters", strings.Repeat("a", 256)},
		{"non-ASCII", "clé-prod"},
		{"leading space", " web"},
		{"trailing space", "web "},
	} {
		t.Run(tc.what, func(t *testing.T) {
			m := newTestModel(t, testOptions(t, nil))
			m.Update(tea.PasteMsg{Content: tc.name})
			want := fieldMsg(t, pair.Request{Name: tc.name}, "name")
			// The name input scrolls; the message sits on the lines under it.
			got := flat(linesAfter(t, m, "Name", 3))
			if !strings.Contains(got, flat("name: "+want)) {
				t.Fatalf("message %q not under the name field:\n%s", want, got)
			}
			wantScreen(t, m, "cannot create yet")
			press(t, m, "ctrl+s")
			if screenOf(m) != screenForm {
				t.Fatalf("submitted an invalid request (screen %s)", m.screen)
			}
			wantScreen(t, m, "Cannot create yet: 1 problem")
		})
	}
}

func TestTypedNameIsCappedOneOverTheLimit(t *testing.T) {
	m := newTestModel(t, testOptions(t, nil))
	typeText(t, m, strings.Repeat("b", 300))
	if n := len(m.form.name.Value()); n != pair.MaxNameLen+1 {
		t.Fatalf("name holds %d characters, want %d (one over, so the rule shows)", n, pair.MaxNameLen+1)
	}
	wantScreen(t, m, "at most 255")
	press(t, m, "backspace")
	dontWantScreen(t, m, "✗ name:", "cannot create yet")
}

func TestTagRules(t *testing.T) {
	tags := func(kv ...string) []pair.Tag {
		var out []pair.Tag
		for i := 0; i < len(kv); i += 2 {
			out = append(out, pair.Tag{Key: kv[i], Value: kv[i+1]})
		}
		return out
	}
	many := make([]pair.Tag, 51)
	for i := range many {
		many[i] = pair.Tag{Key: fmt.Sprintf("k%d", i), Value: "v"}
	}
	for _, tc := range []struct {
		what  string
		tags  []pair.Tag
		field string
	}{
		{"aws: prefix", tags("aws:owner", "me"), "tag[1].key"},
		{"51 tags", many, "tags"},
		{"duplicate keys", tags("team", "a", "team", "b"), "tag[2].key"},
		{"empty key", tags("", "x"), "tag[1].key"},
	} {
		t.Run(tc.what, func(t *testing.T) {
			opts := testOptions(t, nil)
			opts.Request = pair.Request{Name: "web", Tags: tc.tags}
			m := newTestModel(t, opts)
			want := fieldMsg(t, pair.Request{Name: "web", Tags: tc.tags}, tc.field)
			// Move to the Tags header so the rows are on screen.
			for m.form.focus.kind != fieldTags {
				press(t, m, "tab")
			}
			if tc.field != "tags" {
				press(t, m, "tab") // into the first row
			}
			if !strings.Contains(flat(screenText(m)), flat(tc.field+": "+want)) {
				t.Fatalf("%s: %q not shown:\n%s", tc.field, want, screenText(m))
			}
			press(t, m, "ctrl+s")
			if screenOf(m) != screenForm {
				t.Fatal("submitted with a broken tag rule")
			}
		})
	}
}

func TestTagWarningIsShownButDoesNotBlock(t *testing.T) {
	value := "a#b{c}"
	w := pair.TagWarning(value)
	if w == "" {
		t.Fatalf("pair.TagWarning(%q) is empty; pick a value outside the portable set", value)
	}
	opts := testOptions(t, nil)
	opts.Request = pair.Request{Name: "web", Tags: []pair.Tag{{Key: "team", Value: value}}}
	m := newTestModel(t, opts)
	if !strings.Contains(flat(screenText(m)), flat("! "+w)) {
		t.Fatalf("warning %q not shown:\n%s", w, screenText(m))
	}
	dontWantScreen(t, m, "cannot create yet")
}

func TestTagsEditorAddsAndRemovesRows(t *testing.T) {
	m := newTestModel(t, testOptions(t, nil))
	typeText(t, m, "web")
	press(t, m, "ctrl+n")
	if m.form.focus != (focusID{kind: fieldTagKey, tag: 0}) {
		t.Fatalf("ctrl+n did not focus the new row's key: %+v", m.form.focus)
	}
	typeText(t, m, "team")
	press(t, m, "tab")
	typeText(t, m, "infra")
	press(t, m, "ctrl+n")
	typeText(t, m, "env")
	wantScreen(t, m, "2/50", "team", "infra", "env")
	if got := m.form.request().Tags; len(got) != 2 || got[0] != (pair.Tag{Key: "team", Value: "infra"}) {
		t.Fatalf("request tags = %+v", got)
	}
	press(t, m, "ctrl+x")
	wantScreen(t, m, "1/50")
	dontWantScreen(t, m, "env")
	// + and enter on the Tags header add rows too.
	m.form.setFocus(focusID{kind: fieldTags})
	press(t, m, "+")
	press(t, m, "esc")
	m.form.setFocus(focusID{kind: fieldTags})
	press(t, m, "enter")
	if n := len(m.form.tags.rows); n != 3 {
		t.Fatalf("%d rows, want 3", n)
	}
	// Empty keys are broken rules: submit is refused until they are removed.
	press(t, m, "ctrl+s")
	if screenOf(m) != screenForm {
		t.Fatal("submitted with empty tag keys")
	}
	press(t, m, "ctrl+x")
	m.form.setFocus(focusID{kind: fieldTagKey, tag: 1})
	press(t, m, "ctrl+x")
	dontWantScreen(t, m, "cannot create yet")
}

func TestED25519NoteAndChoices(t *testing.T) {
	m := newTestModel(t, testOptions(t, nil))
	typeText(t, m, "web")
	dontWantScreen(t, m, "Windows")
	press(t, m, "tab", "right")
	wantScreen(t, m, "Windows instances cannot use ED25519", "Windows password")
	if m.form.request().Type != keys.ED25519 {
		t.Fatal("right did not choose ED25519")
	}
	press(t, m, "space")
	dontWantScreen(t, m, "Windows")

	// PPK version: only for .ppk made here.
	press(t, m, "tab", "right")
	if !(m.form.format.value() == "ppk") {
		t.Fatal("offline .ppk must show the PPK version")
	}
	wantScreen(t, m, "PPK ", "PuTTY 0.74 and older")
	m.form.source.set("aws") // EC2-made keys are written in the version asked for too
	wantScreen(t, m, "PuTTY 0.74 and older")

	// Dry run: not for offline.
	wantScreen(t, m, "Dry run")
	m.form.source.set("offline")
	dontWantScreen(t, m, "Dry run")
}

func TestSourceChangeKeepsFocusOnSource(t *testing.T) {
	opts := testOptions(t, nil)
	opts.Request.Format = keys.PPK
	m := newTestModel(t, opts)
	typeText(t, m, "web")
	for m.form.focus.kind != fieldSource {
		press(t, m, "tab")
	}
	press(t, m, "left") // offline -> local: PPK row stays
	press(t, m, "left") // local -> aws: PPK row goes away above
	if m.form.focus.kind != fieldSource || m.form.src() != pair.SourceAWS {
		t.Fatalf("focus %+v source %s", m.form.focus, m.form.src())
	}
}

func TestHelpToggles(t *testing.T) {
	m := newTestModel(t, testOptions(t, nil))
	typeText(t, m, "a?") // in the name, ? is a character
	if m.form.name.Value() != "a?" || m.fullHelp {
		t.Fatal("? in a text field must type")
	}
	press(t, m, "backspace", "tab", "?")
	wantScreen(t, m, "remove tag", "shift+tab")
	press(t, m, "esc")
	dontWantScreen(t, m, "remove tag")
}

func TestCredentialsInHeader(t *testing.T) {
	fake := newFakeAWS()
	opts := testOptions(t, fake)
	m := New(context.Background(), opts)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	wantScreen(t, m, "credentials: checking…", "region eu-west-1")
	drain(t, m, m.Init())
	wantScreen(t, m, "credentials: ok (access key …WXYZ)")
	dontWantScreen(t, m, "EnvConfigCredentials")

	fake.credErr = &awsapi.Error{Kind: awsapi.NoCredentials, Message: "no credentials"}
	m = newTestModel(t, testOptions(t, fake))
	wantScreen(t, m, "credentials: none found")
	m.form.source.set("offline")
	wantScreen(t, m, "offline: no credentials needed")
}

func TestDuplicateNameCheck(t *testing.T) {
	fake := newFakeAWS()
	fake.existing["taken"] = true
	m := newTestModel(t, testOptions(t, fake))
	typeText(t, m, "taken")
	wantScreen(t, m, "already exists in eu-west-1")
	press(t, m, "ctrl+s")
	if screenOf(m) != screenForm {
		t.Fatal("submitted a taken name")
	}
	typeText(t, m, "2")
	dontWantScreen(t, m, "already exists")
	m.form.source.set("offline") // offline names are not checked
	m.Update(keyMsg("backspace"))
	if n := fake.describeCount(); n == 0 {
		t.Fatal("no lookups")
	}
}

func TestDuplicateNameCheckIsDebounced(t *testing.T) {
	fake := newFakeAWS()
	m := newTestModel(t, testOptions(t, fake))
	m.c.debounce = 30 * time.Millisecond
	var ticks []tea.Cmd
	for _, r := range "abcde" {
		_, cmd := m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		ticks = append(ticks, cmd)
	}
	for _, c := range ticks {
		drain(t, m, c) // every tick fires, only the last one is current
	}
	if got := fake.describes; len(got) != 1 || got[0] != "abcde" {
		t.Fatalf("lookups %q, want one for abcde", got)
	}
}

func TestStaleNameCheckIsDiscarded(t *testing.T) {
	fake := newFakeAWS()
	fake.existing["ab"] = true
	m := newTestModel(t, testOptions(t, fake))
	typeText(t, m, "a")
	wantScreen(t, m, "✓ no key pair of this name in eu-west-1")
	// Type "b" and let the debounce fire; the lookup for "ab" runs...
	_, _ = m.Update(keyMsg("b"))
	lookup := m.form.startNameCheck(m.form.nameSeq)
	if lookup == nil {
		t.Fatal("no lookup started")
	}
	wantScreen(t, m, "checking eu-west-1…")
	stale := lookup()
	if !stale.(nameCheckMsg).exists {
		t.Fatal("fake: ab should exist")
	}
	// ...but the name changes before its answer is handled: it is dropped.
	_, _ = m.Update(keyMsg("c"))
	m.Update(stale)
	dontWantScreen(t, m, "already exists")
	if m.form.nameTaken != "" {
		t.Fatal("stale answer recorded")
	}
	wantScreen(t, m, "checking eu-west-1…")
	drain(t, m, m.form.startNameCheck(m.form.nameSeq))
	wantScreen(t, m, "✓ no key pair of this name in eu-west-1")

	// A held lookup is cancelled when the name changes.
	fake.describeGate = make(chan struct{})
	_, _ = m.Update(keyMsg("d"))
	held := m.form.startNameCheck(m.form.nameSeq)
	done := make(chan tea.Msg)
	go func() { done <- held() }()
	_, _ = m.Update(keyMsg("e"))
	select {
	case got := <-done:
		if err := got.(nameCheckMsg).err; !errors.Is(err, context.Canceled) {
			t.Fatalf("held lookup ended with %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the held lookup was not cancelled")
	}
}

func TestCtrlCAsksWhileUnsaved(t *testing.T) {
	m := newTestModel(t, testOptions(t, nil))
	// Nothing unsaved: quits at once.
	_, cmd := m.Update(keyMsg("ctrl+c"))
	if cmd == nil {
		t.Fatal("ctrl+c did not quit")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("ctrl+c did not quit")
	}

	m = newTestModel(t, testOptions(t, nil))
	typeText(t, m, "web")
	press(t, m, "ctrl+s")
	if screenOf(m) != screenSave {
		t.Fatalf("not on the save screen:\n%s", screenText(m))
	}
	_, cmd = m.Update(keyMsg("ctrl+c"))
	if cmd != nil {
		t.Fatal("quit with an unsaved key")
	}
	wantScreen(t, m, "not saved", "Quit anyway? y/n")
	press(t, m, "n")
	wantScreen(t, m, "Save the private key")
	press(t, m, "esc") // back asks too
	wantScreen(t, m, "Discard? y/n")
	press(t, m, "esc")
	_, _ = m.Update(keyMsg("ctrl+c"))
	_, cmd = m.Update(keyMsg("y"))
	if cmd == nil {
		t.Fatal("y did not quit")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok || !m.Result().Discarded {
		t.Fatal("y did not quit with Discarded")
	}
}

func TestSaveNeverOverwritesThenAnotherPathWorks(t *testing.T) {
	opts := testOptions(t, nil)
	m := newTestModel(t, opts)
	typeText(t, m, "web")
	press(t, m, "ctrl+s")
	wantScreen(t, m, "Save the private key", "web.pem")
	if got := saveOf(m).path.Value(); got != filepath.Join(opts.Config.SaveDir, "web.pem") {
		t.Fatalf("default path %q", got)
	}

	existing := filepath.Join(t.TempDir(), "taken.pem")
	if err := os.WriteFile(existing, []byte("keep me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	saveOf(m).path.SetValue(existing)
	press(t, m, "enter")
	wantScreen(t, m, "exists, and keypair never overwrites a file: choose another path.")
	if n := strings.Count(flat(screenText(m)), "choose another path"); n != 1 {
		t.Fatalf("\"choose another path\" said %d times:\n%s", n, screenText(m))
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me\n" {
		t.Fatal("an existing file was overwritten")
	}
	if madeOf(m) == nil || madeOf(m).Path != "" {
		t.Fatal("the key must stay in memory, unsaved")
	}
	other := filepath.Join(filepath.Dir(existing), "other.pem")
	saveOf(m).path.SetValue(other)
	press(t, m, "enter")
	if screenOf(m) != screenFingerprint {
		t.Fatalf("not on the fingerprint view:\n%s", screenText(m))
	}
	st, err := os.Stat(other)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("saved file: %v %v", st, err)
	}
	if r := m.Result(); len(r.Saved) != 1 || r.Saved[0].Path != other || r.Saved[0].KeyName != "web" {
		t.Fatalf("result %+v", r)
	}
	// Nothing unsaved now: ctrl+c and q quit without asking.
	_, cmd := m.Update(keyMsg("q"))
	if cmd == nil {
		t.Fatal("q did not quit")
	}
}

// TestSaveDialogCompletionKeepsTheFileName: completing a folder keeps the
// key's file name after it (issue 8, 15), and files of the prefix are listed.
func TestSaveDialogCompletionKeepsTheFileName(t *testing.T) {
	m := newTestModel(t, testOptions(t, nil))
	typeText(t, m, "web")
	press(t, m, "ctrl+s")
	base := t.TempDir()
	for _, d := range []string{"keys-prod", "keys-dev", "other"} {
		os.Mkdir(filepath.Join(base, d), 0o700)
	}
	saveOf(m).path.SetValue(base + "/ot")
	press(t, m, "tab")
	if got := saveOf(m).path.Value(); got != base+"/other/web.pem" {
		t.Fatalf("completed to %q", got)
	}
	saveOf(m).path.SetValue(base + "/k")
	press(t, m, "tab")
	if got := saveOf(m).path.Value(); got != base+"/keys-" {
		t.Fatalf("completed to %q", got)
	}
	wantScreen(t, m, "keys-dev", "keys-prod")
	saveOf(m).path.SetValue(base + "/zz")
	press(t, m, "tab")
	wantScreen(t, m, "nothing in")
	os.WriteFile(filepath.Join(base, "zz.pem"), []byte("x"), 0o600)
	saveOf(m).path.SetValue(base + "/zz")
	press(t, m, "tab")
	wantScreen(t, m, "existing files (never overwritten): zz.pem")
}

// savedOffline runs the offline flow to the fingerprint view.
func savedOffline(t *testing.T, opts Options, typ string) *Model {
	t.Helper()
	opts.Request.Type = keys.Type(typ)
	m := newTestModel(t, opts)
	typeText(t, m, "web-prod")
	press(t, m, "ctrl+s", "enter")
	if screenOf(m) != screenFingerprint {
		t.Fatalf("not on the fingerprint view:\n%s", screenText(m))
	}
	return m
}

func TestFingerprintView(t *testing.T) {
	for _, typ := range []string{"rsa", "ed25519"} {
		t.Run(typ, func(t *testing.T) {
			m := savedOffline(t, testOptions(t, nil), typ)
			md := madeOf(m)
			label := "EC2: MD5 of the public key, as EC2 shows imported RSA keys (once imported)"
			if typ == "ed25519" {
				label = "EC2: SHA-256 of the public key, as EC2 shows ED25519 keys"
			}
			art := strings.Split(md.Fingerprints.Randomart, "\n")
			if !strings.Contains(strings.ReplaceAll(screenText(m), "\n", ""), md.Path) {
				t.Fatalf("no path %s", md.Path)
			}
			wantScreen(t, m, label, md.KeyFingerprint, md.Fingerprints.SHA256, md.Fingerprints.MD5,
				art[0], art[len(art)-1], "(offline: not in EC2)", strings.Fields(md.PublicKey)[0])
			dontWantScreen(t, m, "scp ")

			_, cmd := m.Update(keyMsg("c"))
			if got := fmt.Sprint(cmd()); got != strings.TrimSpace(md.PublicKey) {
				t.Fatalf("c copied %q", got)
			}
			_, cmd = m.Update(keyMsg("f"))
			if got := fmt.Sprint(cmd()); got != md.KeyFingerprint || strings.Contains(got, "PRIVATE") {
				t.Fatalf("f copied %q", got)
			}
			wantScreen(t, m, "Copied the EC2 fingerprint")

			press(t, m, "n")
			if screenOf(m) != screenForm || m.form.name.Value() != "" || string(m.form.typ.value()) != typ {
				t.Fatalf("n: screen %s name %q type %s", screenOf(m), m.form.name.Value(), m.form.typ.value())
			}
		})
	}
}

func TestScpLineOnlyInSSHSession(t *testing.T) {
	opts := testOptions(t, nil, "SSH_CONNECTION=203.0.113.9 50000 198.51.100.7 22", "USER=ada")
	m := savedOffline(t, opts, "ed25519")
	if !strings.Contains(strings.ReplaceAll(screenText(m), "\n", ""), "scp ada@198.51.100.7:"+madeOf(m).Path+" .") {
		t.Fatalf("no scp line:\n%s", screenText(m))
	}

	// From the program's environment message too, and a non-standard port.
	m.Update(tea.EnvMsg{"SSH_CONNECTION=::1 50000 2001:db8::7 2222", "LOGNAME=bob"})
	if !strings.Contains(strings.ReplaceAll(screenText(m), "\n", ""), "scp -P 2222 'bob@[2001:db8::7]:") {
		t.Fatalf("no scp line:\n%s", screenText(m))
	}

	m.Update(tea.EnvMsg{"USER=bob"})
	dontWantScreen(t, m, "scp ")
}

var sgr = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// colourSGR reports whether s sets a foreground or background colour.
func colourSGR(s string) bool {
	for _, m := range sgr.FindAllStringSubmatch(s, -1) {
		for _, p := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' }) {
			var n int
			fmt.Sscan(p, &n)
			// 39 and 49 reset to the terminal's own colours; they set none.
			if (n >= 30 && n <= 48 || n >= 90 && n <= 107) && n != 39 {
				return true
			}
		}
	}
	return false
}

func TestNoColor(t *testing.T) {
	screens := func(m *Model) string {
		var all strings.Builder
		all.WriteString(m.View().Content)
		typeText(t, m, "clé")
		press(t, m, "tab", "right", "tab", "tab", "tab", "ctrl+n")
		typeText(t, m, "aws:x")
		all.WriteString(m.View().Content)
		return all.String()
	}
	coloured := screens(newTestModel(t, testOptions(t, nil, "COLORTERM=truecolor")))
	if !colourSGR(coloured) {
		t.Fatal("the colour screens have no colour: the check below proves nothing")
	}
	m := newTestModel(t, testOptions(t, nil, "NO_COLOR=1"))
	if got := screens(m); colourSGR(got) {
		t.Fatalf("NO_COLOR screen has colour: %q", got)
	}
	// The program's profile message restyles too.
	m = newTestModel(t, testOptions(t, nil, "COLORTERM=truecolor"))
	m.Update(tea.ColorProfileMsg{Profile: colorprofile.Ascii})
	if got := screens(m); colourSGR(got) {
		t.Fatal("Ascii profile screen has colour")
	}
	m.Update(tea.BackgroundColorMsg{})
}

func TestTooSmall(t *testing.T) {
	m := newTestModel(t, testOptions(t, nil))
	m.Update(tea.WindowSizeMsg{Width: 50, Height: 15})
	wantScreen(t, m, "terminal too small (50x15), need at least 60x20")
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	wantScreen(t, m, "Name")
}

func TestEveryScreenFits80x24And60x20(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 20}, {120, 40}} {
		opts := testOptions(t, nil, "SSH_CONNECTION=203.0.113.9 50000 198.51.100.7 22", "USER=ada")
		opts.Request = pair.Request{Tags: []pair.Tag{{Key: "a", Value: "b"}, {Key: "c", Value: "d"}, {Key: "e", Value: "f"}}}
		m := newTestModel(t, opts)
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		check := func(where string) {
			lines := strings.Split(screenText(m), "\n")
			if len(lines) > size[1] {
				t.Fatalf("%v %s: %d lines", size, where, len(lines))
			}
			for _, l := range lines {
				if w := len([]rune(l)); w > size[0] {
					t.Fatalf("%v %s: line of %d cells: %q", size, where, w, l)
				}
			}
		}
		check("form")
		typeText(t, m, "web")
		press(t, m, "tab", "right")
		check("form ed25519")
		for range 12 {
			press(t, m, "tab")
			check("form scrolled")
		}
		press(t, m, "ctrl+s")
		check("save")
		press(t, m, "enter")
		check("fingerprint")
		press(t, m, "?")
		check("fingerprint help")
	}
}

func TestRestylesForLightBackground(t *testing.T) {
	m := newTestModel(t, testOptions(t, nil, "COLORTERM=truecolor"))
	typeText(t, m, "web")
	dark := m.View().Content
	m.Update(tea.BackgroundColorMsg{Color: color.White})
	if m.isDark {
		t.Fatal("a white background is not dark")
	}
	if light := m.View().Content; light == dark {
		t.Fatal("the light background did not restyle")
	}
}

func TestErrorOutcomes(t *testing.T) {
	c := &common{styles: NewStyles(true, colorprofile.TrueColor), width: 80}
	req := pair.Request{Name: "web", Source: pair.SourceAWS, Region: "eu-west-1"}
	o := failedResult(c, failedAction{err: errors.New("dial tcp: connection refused\x1b[2J"), req: req})
	if o.title != "✗ Failed" || strings.Contains(strings.Join(o.body, " "), "\x1b") {
		t.Fatalf("%+v", o)
	}
	o = failedResult(c, failedAction{err: &awsapi.Error{Kind: awsapi.LostAnswer, Op: "CreateKeyPair", Region: "eu-west-1", KeyName: "web"}, req: req})
	if o.title != "✗ The answer was lost" || len(o.body) == 0 {
		t.Fatalf("%+v", o)
	}
	w := &workingScreen{c: c, req: req}
	o = failedResult(c, failedAction{err: context.Canceled, req: req, cancelled: true, mayHaveDone: w.mayHaveDone()})
	if o.title != "✗ Cancelled" || !strings.Contains(strings.Join(o.body, " "), "EC2 may have created the pair") {
		t.Fatalf("%+v", o)
	}
	req.Source = pair.SourceOffline
	w = &workingScreen{c: c, req: req}
	o = failedResult(c, failedAction{err: context.Canceled, req: req, cancelled: true, mayHaveDone: w.mayHaveDone()})
	if !strings.Contains(strings.Join(o.body, " "), "Nothing was created") {
		t.Fatalf("%+v", o)
	}
}

func TestUntouchedEmptyFieldsWaitUntilSubmit(t *testing.T) {
	m := newTestModel(t, testOptions(t, nil))
	press(t, m, "ctrl+n") // an empty tag row the user added shows its problem at once
	dontWantScreen(t, m, "✗ name:")
	wantScreen(t, m, "✗ tag[1].key: required")
	wantScreen(t, m, "cannot create yet: 1 problem") // the rules still block; the quiet name is not listed yet
	dontWantScreen(t, m, "• name:")
	press(t, m, "ctrl+s")
	if screenOf(m) != screenForm {
		t.Fatal("submitted an empty name")
	}
	wantScreen(t, m, "✗ tag[1].key: required")
	m.form.setFocus(focusID{kind: fieldName})
	wantScreen(t, m, "✗ name: required")
}

func TestFingerprintViewScrollsWhenTooTall(t *testing.T) {
	opts := testOptions(t, nil, "SSH_CONNECTION=203.0.113.9 50000 198.51.100.7 22", "USER=ada")
	m := savedOffline(t, opts, "rsa")
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	wantScreen(t, m, "↓ more below")
	dontWantScreen(t, m, "Public key (c copies it)")
	for range 30 {
		press(t, m, "down")
	}
	wantScreen(t, m, "Public key (c copies it)", "ssh-rsa ")
	dontWantScreen(t, m, "↓ more below")
	press(t, m, "up")
	wantScreen(t, m, "↓ more below")
}

// Discarding the private key of a pair EC2 made deletes the pair, so that
// neither half is left (DESIGN.md's invariant); a failed delete says how to
// finish by hand.
func TestDiscardingAnEC2KeyDeletesThePair(t *testing.T) {
	for _, quit := range []bool{false, true} {
		fake := newFakeAWS()
		m := newTestModel(t, testOptions(t, fake))
		typeText(t, m, "web")
		drain(t, m, func() tea.Msg { _, c := m.Update(keyMsg("ctrl+s")); return c() })
		if screenOf(m) != screenSave {
			t.Fatalf("not on the save screen:\n%s", screenText(m))
		}
		if quit {
			press(t, m, "ctrl+c")
			wantScreen(t, m, "deletes it there again", "Quit anyway? y/n")
		} else {
			press(t, m, "esc")
			wantScreen(t, m, "deletes it there again", "Discard? y/n")
		}
		_, cmd := m.Update(keyMsg("y"))
		if screenOf(m) != screenWorking {
			t.Fatalf("no delete was started:\n%s", screenText(m))
		}
		wantScreen(t, m, "Deleting the key pair")
		var last tea.Msg
		drain(t, m, func() tea.Msg { last = cmd(); return last })
		if len(fake.deletes) != 1 || fake.deletes[0] != "web" {
			t.Fatalf("deletes %v", fake.deletes)
		}
		r := m.Result()
		if !r.Discarded || len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "nothing is left behind") {
			t.Errorf("result %+v", r)
		}
		if quit != m.quitting {
			t.Errorf("quit=%v but quitting=%v", quit, m.quitting)
		}
		if !quit {
			wantScreen(t, m, "Nothing left behind")
		}
	}

	fake := newFakeAWS()
	fake.deleteErr = &awsapi.Error{Kind: awsapi.Unauthorized, Op: "DeleteKeyPair", Message: "denied"}
	m := newTestModel(t, testOptions(t, fake))
	typeText(t, m, "web")
	drain(t, m, func() tea.Msg { _, c := m.Update(keyMsg("ctrl+s")); return c() })
	press(t, m, "esc")
	_, cmd := m.Update(keyMsg("y"))
	drain(t, m, cmd)
	wantScreen(t, m, "still in EC2", "ec2:DeleteKeyPair", "Delete the pair \"web\" in EC2.")
}

// An offline key has no pair to delete: discarding it asks EC2 nothing.
func TestDiscardingAnOfflineKeyCallsNothing(t *testing.T) {
	m := newTestModel(t, testOptions(t, nil))
	typeText(t, m, "web")
	press(t, m, "ctrl+s")
	press(t, m, "esc")
	dontWantScreen(t, m, "deletes it there again")
	press(t, m, "y")
	if screenOf(m) != screenForm || !m.Result().Discarded || len(m.Result().Notes) != 0 {
		t.Fatalf("screen %s result %+v", screenOf(m), m.Result())
	}
}

// keypair create --out PATH (without --batch) prefills the save dialog.
func TestSavePathPrefillsTheDialog(t *testing.T) {
	opts := testOptions(t, nil)
	opts.SavePath = filepath.Join(t.TempDir(), "else.pem")
	m := newTestModel(t, opts)
	typeText(t, m, "web")
	press(t, m, "ctrl+s")
	if got := saveOf(m).path.Value(); got != opts.SavePath {
		t.Fatalf("save path %q", got)
	}
}

package ui

// One test per defect of issue 8 (items 3-19) and issue 9 (item 10) that
// concerns the form and the app; each fails on the commit before the split.

import (
	"bytes"
	"errors"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// (3) The PPK version asked for is what is saved, for every source, and
// the save dialog says which.
func TestPPKVersionIsOfferedAndWrittenForEverySource(t *testing.T) {
	for _, src := range []pair.Source{pair.SourceAWS, pair.SourceLocal, pair.SourceOffline} {
		for _, v := range []int{2, 3} {
			t.Run(string(src)+"-v"+itoa(v), func(t *testing.T) {
				fake := newFakeAWS()
				opts := testOptions(t, fake)
				opts.Request.Source, opts.Request.Format, opts.Request.PPKVersion = src, keys.PPK, v
				m := newTestModel(t, opts)
				typeText(t, m, "putty")
				if v == 2 {
					wantScreen(t, m, "(•) 2  PuTTY 0.74 and older")
				}
				press(t, m, "ctrl+s")
				wantScreen(t, m, "Save the private key", "(PPK version "+itoa(v)+")")
				press(t, m, "enter")
				md := madeOf(m)
				if screenOf(m) != screenFingerprint || md == nil {
					t.Fatalf("not saved:\n%s", screenText(m))
				}
				data, err := os.ReadFile(md.Path)
				if err != nil {
					t.Fatal(err)
				}
				if want := "PuTTY-User-Key-File-" + itoa(v) + ":"; !bytes.HasPrefix(data, []byte(want)) {
					t.Fatalf("file starts %q, want %q", data[:min(30, len(data))], want)
				}
			})
		}
	}
}

// (4) An offline key never consults EC2: a name taken there does not block it.
func TestOfflineIgnoresNamesTakenInEC2(t *testing.T) {
	fake := newFakeAWS()
	fake.existing["taken"] = true
	m := newTestModel(t, testOptions(t, fake))
	typeText(t, m, "taken")
	wantScreen(t, m, "already exists in eu-west-1")
	m.form.setFocus(focusID{kind: fieldSource})
	press(t, m, "right", "right") // aws -> local -> offline
	if m.form.src() != pair.SourceOffline {
		t.Fatalf("source %s", m.form.src())
	}
	dontWantScreen(t, m, "already exists")
	n := fake.describeCount()
	m.form.setFocus(focusID{kind: fieldName})
	typeText(t, m, "2")
	press(t, m, "backspace")
	if fake.describeCount() != n {
		t.Fatal("an offline name was looked up in EC2")
	}
	press(t, m, "ctrl+s")
	if screenOf(m) != screenSave {
		t.Fatalf("offline key refused:\n%s", screenText(m))
	}
}

// (5) n starts another key with the user's choices and an empty name.
func TestNewKeyKeepsTheChoices(t *testing.T) {
	m := newTestModel(t, testOptions(t, nil))
	typeText(t, m, "first")
	m.form.setFocus(focusID{kind: fieldType})
	press(t, m, "right", "tab", "right") // ED25519, .ppk
	press(t, m, "ctrl+n")
	typeText(t, m, "team")
	press(t, m, "tab")
	typeText(t, m, "ops")
	press(t, m, "ctrl+s", "enter")
	if screenOf(m) != screenFingerprint {
		t.Fatalf("not saved:\n%s", screenText(m))
	}
	press(t, m, "n")
	req := m.form.request()
	if screenOf(m) != screenForm || req.Name != "" || req.Type != keys.ED25519 || req.Format != keys.PPK ||
		req.Source != pair.SourceOffline || len(req.Tags) != 1 || req.Tags[0] != (pair.Tag{Key: "team", Value: "ops"}) {
		t.Fatalf("screen %s request %+v", screenOf(m), req)
	}
}

// (6) Back on the form after a failure, the name is checked again.
func TestNameIsCheckedAgainAfterAFailedCreate(t *testing.T) {
	fake := newFakeAWS()
	m := newTestModel(t, testOptions(t, fake))
	typeText(t, m, "web")
	wantScreen(t, m, "✓ no key pair of this name in eu-west-1")
	fake.createErr = &awsapi.Error{Kind: awsapi.Throttled, Op: "CreateKeyPair", Region: "eu-west-1", KeyName: "web"}
	press(t, m, "ctrl+s")
	if screenOf(m) != screenResult {
		t.Fatalf("screen %s", screenOf(m))
	}
	fake.mu.Lock()
	fake.existing["web"] = true // made meanwhile (a retry, a colleague)
	fake.mu.Unlock()
	press(t, m, "esc")
	dontWantScreen(t, m, "✓ no key pair of this name")
	wantScreen(t, m, "already exists in eu-west-1")
}

// (10) No internal text: package prefixes, SDK chains, credential-source names.
func TestNoInternalTextReachesTheScreen(t *testing.T) {
	fake := newFakeAWS()
	fake.createErr = &awsapi.Error{Kind: awsapi.Network, Op: "CreateKeyPair", Region: "eu-west-1", KeyName: "web",
		Cause: "connection refused",
		Err:   errors.New("operation error EC2: CreateKeyPair, get identity: get credentials: failed to refresh cached credentials, ec2imds: dial tcp")}
	m := newTestModel(t, testOptions(t, fake))
	dontWantScreen(t, m, "EnvConfigCredentials")
	typeText(t, m, "web")
	press(t, m, "ctrl+s")
	wantScreen(t, m, "Could not reach EC2", "connection refused")
	dontWantScreen(t, m, "operation error", "ec2imds", "awsapi:")

	m = newTestModel(t, testOptions(t, nil))
	typeText(t, m, "web")
	press(t, m, "ctrl+s")
	notDir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notDir, []byte("x"), 0o600)
	saveOf(m).path.SetValue(filepath.Join(notDir, "web.pem"))
	press(t, m, "enter")
	wantScreen(t, m, "Could not save:", "The key is still in memory: choose another path.")
	dontWantScreen(t, m, "keys:")
	if n := strings.Count(flat(screenText(m)), "choose another path"); n != 1 {
		t.Fatalf("\"choose another path\" %d times:\n%s", n, screenText(m))
	}
}

// (11) The next step is the app's own: fields and the AWS files, no flags.
func TestNextStepsSpeakOfFieldsNotFlags(t *testing.T) {
	fake := newFakeAWS()
	fake.createErr = &awsapi.Error{Kind: awsapi.Unauthorized, Op: "CreateKeyPair", Region: "eu-west-1", KeyName: "web",
		Code: "UnauthorizedOperation", Message: "You are not authorized to perform this operation."}
	m := newTestModel(t, testOptions(t, fake))
	typeText(t, m, "web")
	press(t, m, "ctrl+s")
	wantScreen(t, m, "Your AWS identity is not allowed to create key pair \"web\" in eu-west-1: it needs the IAM permission ec2:CreateKeyPair.",
		"choose another profile in ~/.aws/config or set AWS_PROFILE and restart", "choose source offline above")
	dontWantScreen(t, m, "--profile", "--source")

	fake = newFakeAWS()
	fake.credErr = &awsapi.Error{Kind: awsapi.NoCredentials, Op: "Credentials", Region: "eu-west-1"}
	m = newTestModel(t, testOptions(t, fake))
	wantScreen(t, m, "choose source offline above")
	dontWantScreen(t, m, "--profile", "--source")
}

// (12) No region: said in the header, a problem before submit; with no
// credentials either, the form starts offline and says why.
func TestNoRegionIsAProblemBeforeSubmit(t *testing.T) {
	fake := newFakeAWS()
	fake.region = ""
	m := newTestModel(t, testOptions(t, fake))
	dontWantScreen(t, m, "SDK default")
	wantScreen(t, m, "no region set", "no AWS region is configured")
	typeText(t, m, "web")
	press(t, m, "ctrl+s")
	if screenOf(m) != screenForm || len(fake.creates) != 0 {
		t.Fatalf("submitted without a region: %s", screenOf(m))
	}

	fake = newFakeAWS()
	fake.region = ""
	fake.credErr = &awsapi.Error{Kind: awsapi.NoCredentials, Op: "Credentials"}
	m = newTestModel(t, testOptions(t, fake))
	if m.form.src() != pair.SourceOffline {
		t.Fatalf("source %s, want offline", m.form.src())
	}
	wantScreen(t, m, "Source offline was chosen because no AWS credentials and no region are configured")
}

// (14) RSA PEM is PKCS#1; ED25519 PEM is the OpenSSH format.
func TestFormatLabelsAreTruthful(t *testing.T) {
	m := newTestModel(t, testOptions(t, nil))
	wantScreen(t, m, ".pem  PKCS#1")
	dontWantScreen(t, m, "OpenSSH")
	m.form.setFocus(focusID{kind: fieldType})
	press(t, m, "right")
	wantScreen(t, m, ".pem  OpenSSH")
}

// (15) A folder as the path is called a folder.
func TestSaveToAFolderSaysFolder(t *testing.T) {
	m := newTestModel(t, testOptions(t, nil))
	typeText(t, m, "web")
	press(t, m, "ctrl+s")
	dir := t.TempDir()
	saveOf(m).path.SetValue(dir)
	press(t, m, "enter")
	wantScreen(t, m, dir+" is a folder: add a file name, e.g. "+dir+"/web.pem.")
	dontWantScreen(t, m, "exists")
}

// (15) After EC2 refused the import, the same key gets another name and
// is saved and imported again; it is never lost.
func TestRefusedImportRenamesAndRetriesWithTheSameKey(t *testing.T) {
	fake := newFakeAWS()
	fake.importErr = &awsapi.Error{Kind: awsapi.Duplicate, Op: "ImportKeyPair", Code: "InvalidKeyPair.Duplicate", KeyName: "web", Region: "eu-west-1"}
	opts := testOptions(t, fake)
	opts.Request.Source = pair.SourceLocal
	m := newTestModel(t, opts)
	typeText(t, m, "web")
	press(t, m, "ctrl+s", "enter")
	wantScreen(t, m, "EC2 did not import the public key", "ctrl+r gives the same key another name")
	pub := madeOf(m).PublicKey
	fake.mu.Lock()
	fake.importErr = nil
	fake.mu.Unlock()
	press(t, m, "ctrl+r", "ctrl+u")
	typeText(t, m, "web-2")
	press(t, m, "enter")
	if screenOf(m) != screenFingerprint {
		t.Fatalf("not saved:\n%s", screenText(m))
	}
	md := madeOf(m)
	if md.Request.Name != "web-2" || filepath.Base(md.Path) != "web-2.pem" || len(fake.imports) != 2 || fake.imports[1].Name != "web-2" {
		t.Fatalf("made %+v imports %d", md.Request, len(fake.imports))
	}
	if strings.Fields(md.PublicKey)[1] != strings.Fields(pub)[1] {
		t.Fatal("a new key was made instead of renaming the same one")
	}
}

// (16) Every problem shows; ctrl+s moves the focus to the first.
func TestEveryProblemShowsAndSubmitFocusesTheFirst(t *testing.T) {
	m := newTestModel(t, testOptions(t, nil))
	typeText(t, m, "é")
	press(t, m, "ctrl+n")
	m.form.setFocus(focusID{kind: fieldCreate})
	press(t, m, "ctrl+s")
	if m.form.focus != (focusID{kind: fieldName}) {
		t.Fatalf("focus %+v, want the name", m.form.focus)
	}
	wantScreen(t, m, "cannot create yet: 2 problems", "• name: only printable ASCII", "• tag[1].key: required")
}

// (17) Full help wraps instead of being cut; ? is not offered where it
// types a character or while the help is open.
func TestHelpWrapsAndOffersQuestionMarkOnlyWhereItWorks(t *testing.T) {
	m := newTestModel(t, testOptions(t, nil))
	dontWantScreen(t, m, "more keys") // the name field has the focus
	press(t, m, "tab", "?")
	s := screenText(m)
	for _, want := range []string{"previous option", "remove tag", "ctrl+c quit", "fewer keys"} {
		if !strings.Contains(s, want) {
			t.Fatalf("full help lacks %q:\n%s", want, s)
		}
	}
	dontWantScreen(t, m, "…", "more keys")
	press(t, m, "?")
	wantScreen(t, m, "? more keys")
}

// (18) Without colour, placeholders are marked so they cannot pass for typed values.
func TestPlaceholdersAreMarkedWithoutColour(t *testing.T) {
	m := newTestModel(t, testOptions(t, nil, "NO_COLOR=1"))
	wantScreen(t, m, "<name of the key pair, e.g. web-prod>")
	m = newTestModel(t, testOptions(t, nil))
	m.Update(tea.ColorProfileMsg{Profile: colorprofile.TrueColor})
	dontWantScreen(t, m, "<name of the key pair")
}

// (19) The quit question follows the state: once the key arrived, it no
// longer says EC2 is being asked.
func TestQuitQuestionFollowsTheState(t *testing.T) {
	fake := newFakeAWS()
	fake.createBlock = make(chan struct{})
	m := newTestModel(t, testOptions(t, fake))
	typeText(t, m, "web")
	_, cmd := m.Update(keyMsg("ctrl+s"))
	m.Update(keyMsg("ctrl+c"))
	wantScreen(t, m, "EC2 is being asked")
	close(fake.createBlock)
	drain(t, m, cmd)
	if screenOf(m) != screenSave {
		t.Fatalf("screen %s", screenOf(m))
	}
	wantScreen(t, m, "The private key is not saved", "exists in EC2")
	dontWantScreen(t, m, "EC2 is being asked")
}

// Issue 9 (10): every warning of the pipeline reaches the fingerprint view
// and the exit summary.
func TestPipelineWarningsReachTheViewAndTheSummary(t *testing.T) {
	fake := newFakeAWS()
	fake.createFP = "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33"
	m := newTestModel(t, testOptions(t, fake))
	typeText(t, m, "web")
	press(t, m, "ctrl+s", "enter")
	wantScreen(t, m, "! EC2 reported the fingerprint 00:11:22")
	r := m.Result()
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "EC2 reported the fingerprint 00:11:22") {
		t.Fatalf("notes %q", r.Notes)
	}
}

// The save path the dialog will propose is checked before EC2 is called.
func TestUnusableSavePathStopsTheFormBeforeEC2(t *testing.T) {
	fake := newFakeAWS()
	opts := testOptions(t, fake)
	os.MkdirAll(opts.Config.SaveDir, 0o700)
	os.WriteFile(filepath.Join(opts.Config.SaveDir, "web.pem"), []byte("old\n"), 0o600)
	m := newTestModel(t, opts)
	typeText(t, m, "web")
	press(t, m, "ctrl+s")
	if screenOf(m) != screenForm || len(fake.creates) != 0 {
		t.Fatalf("EC2 was called (%d) or the form left: %s", len(fake.creates), screenOf(m))
	}
	wantScreen(t, m, "✗ save path:", "exists (keypair never overwrites a file): choose another name")
	typeText(t, m, "-2")
	dontWantScreen(t, m, "never overwrites")
	press(t, m, "ctrl+s")
	if screenOf(m) != screenSave {
		t.Fatalf("screen %s", screenOf(m))
	}
}

// relLuminance is WCAG 2's relative luminance of c.
func relLuminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

func contrast(a, b color.Color) float64 {
	la, lb := relLuminance(a), relLuminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// Every foreground, footer and help included, reaches WCAG AA (4.5:1).
func TestColoursReachWCAGAA(t *testing.T) {
	for _, bg := range []struct {
		dark bool
		hex  string
	}{{true, "#000000"}, {true, "#1e1e1e"}, {false, "#ffffff"}} {
		st := NewStyles(bg.dark, colorprofile.TrueColor)
		fgs := st.foregrounds()
		if len(fgs) < 10 {
			t.Fatalf("only %d coloured styles", len(fgs))
		}
		for name, fg := range fgs {
			if r := contrast(fg, lipgloss.Color(bg.hex)); r < 4.5 {
				t.Errorf("%s on %s: contrast %.2f < 4.5", name, bg.hex, r)
			}
		}
	}
}

// A complete request carries RSA's default size; switching the type to
// ED25519 in the form must not turn that size into a problem.
func TestSwitchingTypeDropsRSABits(t *testing.T) {
	opts := testOptions(t, nil)
	opts.Request.Type, opts.Request.Bits = keys.RSA, keys.DefaultRSABits
	m := newTestModel(t, opts)
	typeText(t, m, "web")
	press(t, m, "tab")
	press(t, m, "right")
	if got := m.form.request(); got.Type != keys.ED25519 || got.Bits != 0 {
		t.Fatalf("request %+v", got)
	}
	dontWantScreen(t, m, "fixed size")
}

// Issue 9, item 2: a signal (SIGHUP from a dropped SSH session) ends the
// app while EC2 is still making the pair. Run waits for the answer and the
// pair is deleted again: nothing is left in EC2 without its key.
func TestSignalWhileEC2MakesThePairLeavesNothing(t *testing.T) {
	fake := newFakeAWS()
	fake.createBlock = make(chan struct{})
	s := startSession(t, testOptions(t, fake), colorprofile.TrueColor)
	s.waitFor("credentials: ok")
	s.send("hup", kCtrlS)
	s.waitFor("EC2 is creating the key pair \"hup\"")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		fake.mu.Lock()
		sent := len(fake.creates)
		fake.mu.Unlock()
		if sent == 1 {
			break // EC2 holds the request
		}
		if time.Now().After(deadline) {
			t.Fatal("CreateKeyPair never reached EC2")
		}
	}
	s.cancel() // the signal
	time.Sleep(50 * time.Millisecond)
	close(fake.createBlock) // EC2 answers after the app has gone
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return")
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if len(fake.deletes) != 1 || fake.deletes[0] != "hup" {
		t.Fatalf("deletes %v: the pair EC2 made is left without its key", fake.deletes)
	}
	if s.res == nil || len(s.res.Notes) == 0 {
		t.Errorf("no note on the way out: %+v", s.res)
	}
}

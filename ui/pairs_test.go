package ui

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/fleet"
	"github.com/keypair-dev/keypair/localkeys"
	"github.com/keypair-dev/keypair/maker"
)

// openPairs builds an app with the Pairs screen on fake and opens it.
func openPairs(t *testing.T, fake *fakeFleet, env ...string) *Model {
	t.Helper()
	m := newTestModel(t, pairsOptions(testOptions(t, newFakeAWS(), env...), fake))
	press(t, m, "ctrl+p")
	if screenOf(m) != screenPairs {
		t.Fatalf("ctrl+p shows %s, want the Pairs list", screenOf(m))
	}
	return m
}

// bodyRows are the names of the rows on screen, in order.
func bodyRows(m *Model) []string {
	var out []string
	for _, l := range strings.Split(screenText(m), "\n") {
		f := strings.Fields(strings.TrimPrefix(l, ">"))
		if len(f) > 0 && strings.HasPrefix(f[0], "pair-") || len(f) > 0 && strings.HasPrefix(f[0], "web") {
			out = append(out, f[0])
		}
	}
	return out
}

func TestPairsOpensFromTheFormAndEscKeepsTheForm(t *testing.T) {
	fake := newFakeFleet()
	fake.pairs = manyPairs(3)
	m := newTestModel(t, pairsOptions(testOptions(t, newFakeAWS()), fake))
	typeText(t, m, "half-typed")
	wantScreen(t, m, "keypair test · Create ·", "ctrl+p key pairs")
	press(t, m, "ctrl+p")
	wantScreen(t, m, "keypair test · Pairs ·", "Key pairs in eu-west-1 · 3", "pair-00000", "pair-00002", "NAME", "EC2 FINGERPRINT", "CREATED", "LOCAL", "TAGS", "env=prod")
	press(t, m, "esc")
	if screenOf(m) != screenForm {
		t.Fatalf("esc shows %s, want the form", screenOf(m))
	}
	wantScreen(t, m, "Name     half-typed", "· Create ·")
	// Opening again lists the region again (a pair may have been made meanwhile).
	press(t, m, "ctrl+p")
	if n := fake.listCount(); n != 2 {
		t.Fatalf("%d lists, want 2", n)
	}
}

func TestPairsWithoutAClientSaysWhy(t *testing.T) {
	m := newTestModel(t, testOptions(t, nil))
	dontWantScreen(t, m, "ctrl+p")
	press(t, m, "ctrl+p")
	if screenOf(m) != screenForm {
		t.Fatalf("ctrl+p shows %s without a client", screenOf(m))
	}
	wantScreen(t, m, "The Pairs screen needs AWS")
}

func TestPairsLoadingNeverBlocksAKey(t *testing.T) {
	fake := newFakeFleet()
	fake.pairs = manyPairs(2)
	fake.listGate = make(chan struct{})
	m := newTestModel(t, pairsOptions(testOptions(t, newFakeAWS()), fake))
	// The load runs in its command: Update returns at once with a spinner.
	_, cmd := m.Update(keyMsg("ctrl+p"))
	wantScreen(t, m, "Listing the key pairs of eu-west-1 and looking for local keys…")
	m.Update(keyMsg("esc")) // a key while loading is answered
	if screenOf(m) != screenForm {
		t.Fatalf("esc while loading shows %s", screenOf(m))
	}
	close(fake.listGate)
	drain(t, m, cmd) // the answer arrives while the form shows
	press(t, m, "ctrl+p")
	wantScreen(t, m, "pair-00001")
}

func TestPairsLoadErrorSaysWhatToDoAndRetries(t *testing.T) {
	fake := newFakeFleet()
	fake.listErr = &awsapi.Error{Kind: awsapi.Unauthorized, Op: "DescribeKeyPairs", Code: "UnauthorizedOperation", Message: "You are not authorized\x1b[2J", Region: "eu-west-1"}
	m := openPairs(t, fake)
	wantScreen(t, m, "✗ Could not list the key pairs of eu-west-1", "not authorized", "ec2:DescribeKeyPairs", "r tries again")
	if strings.Contains(m.View().Content, "\x1b[2J") {
		t.Fatal("server text drawn uncleaned")
	}
	fake.mu.Lock()
	fake.listErr = nil
	fake.pairs = manyPairs(1)
	fake.mu.Unlock()
	press(t, m, "r")
	wantScreen(t, m, "pair-00000")
	dontWantScreen(t, m, "Could not list")
}

func TestPairsLocalKeysLineAndMark(t *testing.T) {
	fake := newFakeFleet()
	fake.pairs = manyPairs(3)
	fake.pairs[1].LocalKeys = []localkeys.Key{localKey(fake.pairs[1], "/home/u/.ssh/one.pem")}
	fake.found = &localkeys.Found{Keys: fake.pairs[1].LocalKeys, Skipped: 2, AgentError: errors.New("connection refused")}
	m := openPairs(t, fake)
	wantScreen(t, m, "local keys: 1 found (2 files skipped) · ! agent: connection refused")
	fake.found.AgentError = nil
	press(t, m, "r")
	wantScreen(t, m, "local keys: 1 found in /home/u/.ssh and the agent (2 files skipped)")
	for _, l := range strings.Split(screenText(m), "\n") {
		if strings.Contains(l, "pair-0000") {
			if got, want := strings.Contains(l, "✓"), strings.Contains(l, "pair-00001"); got != want {
				t.Fatalf("local mark %v on %q", got, l)
			}
		}
	}
	fake.findErr = errors.New("localkeys: read /home/u/.ssh: permission denied")
	press(t, m, "r")
	wantScreen(t, m, "! could not look for local keys: read /home/u/.ssh: permission denied", "pair-00002")
}

func TestPairsFilterAsYouType(t *testing.T) {
	fake := newFakeFleet()
	fake.pairs = manyPairs(30)
	fake.pairs[7].KeyName = "web-prod"
	fake.pairs[8].KeyName = "web-dev"
	m := openPairs(t, fake)
	press(t, m, "/")
	if !m.screen.typing() {
		t.Fatal("/ does not start the filter")
	}
	typeText(t, m, "WEB")
	if got := bodyRows(m); strings.Join(got, ",") != "web-dev,web-prod" {
		t.Fatalf("rows %v, want web-dev,web-prod", got)
	}
	wantScreen(t, m, "/ WEB", "2 of 30")
	typeText(t, m, "-p")
	if got := bodyRows(m); strings.Join(got, ",") != "web-prod" {
		t.Fatalf("rows %v after web-p", got)
	}
	press(t, m, "backspace", "backspace") // a shorter filter finds the rows again
	if got := bodyRows(m); len(got) != 2 {
		t.Fatalf("rows %v after backspace", got)
	}
	typeText(t, m, "zzz")
	wantScreen(t, m, `No key pair matches "WEBzzz"`)
	// Tags, IDs and fingerprints are searched too.
	press(t, m, "esc")
	if m.screen.typing() || len(bodyRows(m)) < 10 {
		t.Fatalf("esc does not clear the filter: %v", bodyRows(m))
	}
	press(t, m, "/")
	typeText(t, m, strings.ToUpper(fake.pairs[4].KeyPairID))
	if got := bodyRows(m); strings.Join(got, ",") != "pair-00004" {
		t.Fatalf("rows %v for an ID", got)
	}
	press(t, m, "tab") // keep the filter, list keys again
	if m.screen.typing() {
		t.Fatal("tab did not leave the filter")
	}
	wantScreen(t, m, "/ KEY-")
	press(t, m, "esc") // first esc clears a kept filter
	if screenOf(m) != screenPairs || len(bodyRows(m)) < 10 {
		t.Fatalf("esc with a kept filter: %s %v", screenOf(m), bodyRows(m))
	}
	press(t, m, "esc")
	if screenOf(m) != screenForm {
		t.Fatalf("esc without a filter shows %s", screenOf(m))
	}
}

func TestPairsSortByNameOrAge(t *testing.T) {
	fake := newFakeFleet()
	fake.pairs = manyPairs(5)
	fake.pairs[0].KeyName = "zeta"     // oldest
	fake.pairs[4].KeyName = "alpha"    // newest
	fake.pairs[2].KeyName = "pair-mid" // keeps the others' names
	m := openPairs(t, fake)
	first := func() string {
		for _, l := range strings.Split(screenText(m), "\n") {
			if strings.HasPrefix(l, "> ") {
				return strings.Fields(l)[1]
			}
		}
		return ""
	}
	if got := first(); got != "alpha" {
		t.Fatalf("by name, first %q", got)
	}
	wantScreen(t, m, "by name", "s sorts by age")
	press(t, m, "s")
	wantScreen(t, m, "by age, newest first")
	// The selection stays on alpha, which is also the newest.
	if got := first(); got != "alpha" {
		t.Fatalf("by age, selected %q", got)
	}
	press(t, m, "end")
	if got := first(); got != "zeta" {
		t.Fatalf("by age, last %q, want the oldest", got)
	}
	press(t, m, "s")
	if got := first(); got != "zeta" {
		t.Fatalf("back to name: selection %q, want it kept", got)
	}
	press(t, m, "home")
	if got := first(); got != "alpha" {
		t.Fatalf("home: %q", got)
	}
}

func TestPairsScrollDrawsOnlyTheRowsInView(t *testing.T) {
	fake := newFakeFleet()
	fake.pairs = manyPairs(5000)
	m := openPairs(t, fake, "NO_COLOR=1")
	lines := strings.Split(screenText(m), "\n")
	if len(lines) > 24 {
		t.Fatalf("%d lines at 80x24", len(lines))
	}
	for _, l := range strings.Split(m.View().Content, "\n") {
		if w := ansi.StringWidth(l); w > 80 {
			t.Fatalf("line of %d cells at 80 wide: %q", w, l)
		}
	}
	rows := bodyRows(m)
	if len(rows) < 10 || rows[0] != "pair-00000" {
		t.Fatalf("rows %v", rows)
	}
	n := len(rows)
	for range n + 2 {
		press(t, m, "down")
	}
	rows = bodyRows(m)
	if len(rows) != n || rows[len(rows)-1] != "pair-"+pad5(n+2) {
		t.Fatalf("after %d downs rows %v", n+2, rows)
	}
	press(t, m, "end")
	rows = bodyRows(m)
	if rows[len(rows)-1] != "pair-04999" || len(rows) != n {
		t.Fatalf("end: rows %v", rows)
	}
	press(t, m, "pgup")
	if got := bodyRows(m); got[len(got)-1] == "pair-04999" {
		t.Fatalf("pgup did not move: %v", got)
	}
	// Only what is in view was drawn: rows far away have no cached line.
	p := m.pairs
	drawn := 0
	for _, r := range p.byName {
		if r.line != "" {
			drawn++
		}
	}
	if drawn > 6*n {
		t.Fatalf("%d of 5000 rows were rendered", drawn)
	}
	// A bigger terminal shows more rows, each within the width.
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if got := len(bodyRows(m)); got <= n {
		t.Fatalf("120x40 shows %d rows, 80x24 showed %d", got, n)
	}
	if colourSGR(m.View().Content) {
		t.Fatal("NO_COLOR screen has colour")
	}
}

func pad5(n int) string { s := itoa(n); return strings.Repeat("0", 5-len(s)) + s }

func TestPairsColumnsFit(t *testing.T) {
	for _, w := range []int{60, 80, 120, 200} {
		c := layoutCols(w, 40, 59)
		total := colMarker + c.name + c.typ + c.fp + c.created + c.local + c.tags + 5
		if total > w || c.name < minName || c.fp < minFP {
			t.Fatalf("width %d: %+v (total %d)", w, c, total)
		}
		if w >= 120 && c.fp < 44 {
			t.Fatalf("width %d: an ED25519 fingerprint (44) is cut: %+v", w, c)
		}
	}
}

// detailFixture opens the detail of web-prod, an ED25519 pair a local file matches.
func detailFixture(t *testing.T) (*fakeFleet, *Model) {
	fake := newFakeFleet()
	fake.pairs = manyPairs(4)
	fake.pairs[2].KeyName = "web-prod"
	fake.pairs[2].PublicKey = strings.Replace(fake.pairs[2].PublicKey, "pair-00002", "web-prod", 1)
	fake.pairs[2].LocalKeys = []localkeys.Key{localKey(fake.pairs[2], "/home/u/.ssh/web-prod.pem")}
	fake.found = &localkeys.Found{Keys: fake.pairs[2].LocalKeys}
	m := openPairs(t, fake)
	press(t, m, "/")
	typeText(t, m, "web")
	press(t, m, "enter")
	if screenOf(m) != screenPair {
		t.Fatalf("enter shows %s", screenOf(m))
	}
	return fake, m
}

func TestPairDetailShowsEveryFingerprintTheKeyAndLocalFiles(t *testing.T) {
	fake, m := detailFixture(t)
	p := fake.pairs[2]
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	pub, _, _ := keysParse(p.PublicKey)
	wantScreen(t, m, "Key pair web-prod", p.KeyPairID, "eu-west-1", "ED25519",
		"EC2: "+maker.FingerprintED25519.String(), p.KeyFingerprint,
		"OpenSSH SHA256", p.SHA256Fingerprint, "OpenSSH MD5", p.MD5Fingerprint,
		"Public key (c copies it)", "ssh-ed25519 "+pub[:30],
		"Tags: env=dev", "/home/u/.ssh/web-prod.pem (file)", "nothing uses it")
	// c copies the public key with OSC 52.
	_, cmd := m.Update(keyMsg("c"))
	if cmd == nil {
		t.Fatal("c returns no command")
	}
	if got := ansi.Strip(fmtMsg(cmd())); !strings.Contains(got, "ssh-ed25519 "+pub) {
		t.Fatalf("c copies %q", got)
	}
	wantScreen(t, m, "Copied the public key")
	press(t, m, "esc")
	if screenOf(m) != screenPairs {
		t.Fatalf("esc shows %s", screenOf(m))
	}
	wantScreen(t, m, "/ web") // the list kept its filter
}

func TestPairDetailLabelsRSAFingerprints(t *testing.T) {
	for _, tc := range []struct {
		name    string
		created bool
		want    maker.FingerprintKind
	}{
		{"imported", false, maker.FingerprintImportedRSA},
		{"created", true, maker.FingerprintCreatedRSA},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFakeFleet()
			p, imported := rsaPair(t, tc.created)
			fake.pairs = []fleet.Pair{p}
			m := openPairs(t, fake)
			m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
			press(t, m, "enter")
			wantScreen(t, m, "EC2: "+tc.want.String(), p.KeyFingerprint, "RSA 2048")
			if tc.created {
				wantScreen(t, m, "EC2 once imported: "+maker.FingerprintImportedRSA.String(), imported)
			} else {
				dontWantScreen(t, m, "EC2 once imported")
			}
		})
	}
}

func TestPairWithoutPublicKey(t *testing.T) {
	fake := newFakeFleet()
	fake.pairs = manyPairs(1)
	fake.pairs[0].PublicKey = ""
	m := openPairs(t, fake)
	press(t, m, "enter")
	wantScreen(t, m, "EC2 returned no public key", fake.pairs[0].KeyFingerprint)
	press(t, m, "c")
	wantScreen(t, m, "nothing to copy")
}

func TestPairDeleteUnusedAsksOnceThenRefreshes(t *testing.T) {
	fake, m := detailFixture(t)
	press(t, m, "d")
	wantScreen(t, m, `Delete the key pair "web-prod" from eu-west-1?`, "Nothing uses it", "y deletes it")
	press(t, m, "n")
	if len(fake.deleted()) != 0 || m.screen.(*pairScreen).stage != pairViewing {
		t.Fatal("n deleted or stayed in the question")
	}
	lists := fake.listCount()
	press(t, m, "d", "y")
	if got := fake.deleted(); len(got) != 1 || got[0] != "web-prod" {
		t.Fatalf("deleted %v", got)
	}
	if screenOf(m) != screenPairs {
		t.Fatalf("after delete: %s", screenOf(m))
	}
	wantScreen(t, m, `✓ Deleted the key pair "web-prod" from eu-west-1.`)
	if fake.listCount() != lists+1 {
		t.Fatal("the list was not refreshed")
	}
	dontWantScreen(t, m, "web-prod ")
}

func TestPairDeleteInUseNeedsTheNameTyped(t *testing.T) {
	fake, m := detailFixture(t)
	fake.mu.Lock()
	fake.uses["web-prod"] = []awsapi.Use{
		{Kind: awsapi.UseInstance, ID: "i-0123456789abcdef0", Detail: "running"},
		{Kind: awsapi.UseLaunchConfiguration, ID: "web-lc", Detail: "Auto Scaling\x1b[31m"},
	}
	fake.mu.Unlock()
	// The detail loaded its users when it opened (before the use was added): reopen.
	press(t, m, "esc", "enter")
	wantScreen(t, m, "instance i-0123456789abcdef0 (running)", "launch configuration web-lc (Auto Scaling)")
	press(t, m, "d")
	wantScreen(t, m, "It is in use by:", "• instance i-0123456789abcdef0 (running)", "y deletes it")
	press(t, m, "y")
	wantScreen(t, m, `type its name "web-prod"`)
	if len(fake.deleted()) != 0 {
		t.Fatal("deleted after one confirmation")
	}
	if !m.screen.typing() {
		t.Fatal("the name prompt does not take typing")
	}
	typeText(t, m, "web-pro")
	press(t, m, "enter")
	wantScreen(t, m, "nothing was deleted")
	if len(fake.deleted()) != 0 {
		t.Fatal("deleted with a wrong name")
	}
	press(t, m, "esc")
	if len(fake.deleted()) != 0 || m.screen.(*pairScreen).stage != pairViewing {
		t.Fatal("esc did not keep the pair")
	}
	press(t, m, "d", "y")
	typeText(t, m, "web-prod")
	press(t, m, "enter")
	if got := fake.deleted(); len(got) != 1 || got[0] != "web-prod" {
		t.Fatalf("deleted %v", got)
	}
	wantScreen(t, m, "✓ Deleted the key pair")
}

func TestPairDeleteFindsANewUserJustBefore(t *testing.T) {
	fake, m := detailFixture(t)
	press(t, m, "d")
	wantScreen(t, m, "Nothing uses it")
	fake.mu.Lock()
	fake.uses["web-prod"] = []awsapi.Use{{Kind: awsapi.UseSpotRequest, ID: "sir-0abc", Detail: "open"}}
	fake.mu.Unlock()
	press(t, m, "y")
	if len(fake.deleted()) != 0 {
		t.Fatal("deleted a pair that is in use now")
	}
	wantScreen(t, m, "Something uses the pair now", "Spot request sir-0abc (open)", `type its name "web-prod"`)
}

func TestPairDeleteWhenTheCheckFailsNeedsTheName(t *testing.T) {
	fake := newFakeFleet()
	fake.pairs = manyPairs(2)
	fake.checkErr = &awsapi.Error{Kind: awsapi.Unauthorized, Op: "DescribeInstances", Code: "UnauthorizedOperation", Message: "no ec2:DescribeInstances", Region: "eu-west-1"}
	m := openPairs(t, fake)
	press(t, m, "enter")
	wantScreen(t, m, "could not check what uses the pair")
	press(t, m, "d", "y")
	wantScreen(t, m, "is not known", "type its name")
	typeText(t, m, "pair-00000")
	press(t, m, "enter")
	if got := fake.deleted(); len(got) != 1 {
		t.Fatalf("deleted %v", got)
	}
}

func TestPairDeleteFailureStaysWithTheReason(t *testing.T) {
	fake, m := detailFixture(t)
	fake.deleteErr = &awsapi.Error{Kind: awsapi.Unauthorized, Op: "DeleteKeyPair", Code: "UnauthorizedOperation", Message: "You are not authorized", Region: "eu-west-1", KeyName: "web-prod"}
	press(t, m, "d", "y")
	if screenOf(m) != screenPair {
		t.Fatalf("after a failed delete: %s", screenOf(m))
	}
	wantScreen(t, m, "✗ The pair was not deleted", "not authorized", "ec2:DeleteKeyPair")
}

func TestPairImportIntoRegions(t *testing.T) {
	fake, m := detailFixture(t)
	fake.importAs["us-east-1"] = fleet.StatusPresent
	fake.importAs["ap-south-1"] = fleet.StatusConflict
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	wantScreen(t, m, "i imports this local key")
	press(t, m, "i")
	if screenOf(m) != screenImport {
		t.Fatalf("i shows %s", screenOf(m))
	}
	wantScreen(t, m, `Import "web-prod" into regions`, "/home/u/.ssh/web-prod.pem", "Regions")
	typeText(t, m, "eu-north-1,us-east-1,ap-south-1")
	press(t, m, "enter")
	wantScreen(t, m, `✗ "web-prod" is in 2 of 3 regions: 1 imported, 1 present, 1 conflict`,
		"REGION", "STATUS", "eu-north-1", "imported", "key-0eunorth1", "present", "conflict", "holds another public key")
	fake.mu.Lock()
	req := fake.imports[0]
	fake.mu.Unlock()
	if req.Name != "web-prod" || !strings.HasPrefix(string(req.PublicKey), "ssh-ed25519 ") || strings.Contains(string(req.PublicKey), "PRIVATE") {
		t.Fatalf("import request %+v", req)
	}
	if len(req.Tags) != 1 || req.Tags[0].Key != "env" {
		t.Fatalf("tags %+v", req.Tags)
	}
	press(t, m, "enter")
	if screenOf(m) != screenPair {
		t.Fatalf("back from the results: %s", screenOf(m))
	}
	// "all" is answered by the region lister.
	fake.allRegions = []string{"eu-west-1", "us-east-1"}
	fake.importAs = map[string]string{"eu-west-1": fleet.StatusPresent}
	press(t, m, "i")
	typeText(t, m, "all")
	press(t, m, "enter")
	wantScreen(t, m, `✓ "web-prod" is in all 2 regions: 1 imported, 1 present`)
	// A bad list is refused in the prompt, which stays.
	press(t, m, "esc", "i")
	fake.resolveErr = errors.New("fleet: unknown region \"mars-1\"")
	typeText(t, m, "mars-1")
	press(t, m, "enter")
	wantScreen(t, m, `✗ unknown region "mars-1"`, "Regions  mars-1")
}

func TestPairImportNotOfferedWithoutALocalKey(t *testing.T) {
	fake := newFakeFleet()
	fake.pairs = manyPairs(1)
	m := openPairs(t, fake)
	press(t, m, "enter")
	dontWantScreen(t, m, "i import")
	press(t, m, "i")
	if screenOf(m) != screenPair {
		t.Fatalf("i shows %s", screenOf(m))
	}
	wantScreen(t, m, "No local key is this pair")
}

func TestFingerprintViewImportsTheKeyMadeHere(t *testing.T) {
	fake := newFakeFleet()
	opts := pairsOptions(testOptions(t, nil), fake)
	m := newTestModel(t, opts)
	typeText(t, m, "made-here")
	press(t, m, "ctrl+s")
	saveOf(m)
	press(t, m, "enter")
	if screenOf(m) != screenFingerprint {
		t.Fatalf("after save: %s", screenOf(m))
	}
	press(t, m, "i")
	if screenOf(m) != screenImport {
		t.Fatalf("i shows %s", screenOf(m))
	}
	wantScreen(t, m, `Import "made-here" into regions`, "made-here.pem")
	typeText(t, m, "us-west-2")
	press(t, m, "enter")
	wantScreen(t, m, "us-west-2", "imported")
	fake.mu.Lock()
	req := fake.imports[0]
	fake.mu.Unlock()
	if req.Name != "made-here" || !strings.HasPrefix(string(req.PublicKey), "ssh-rsa ") {
		t.Fatalf("import %q %q", req.Name, req.PublicKey)
	}
	press(t, m, "esc")
	if screenOf(m) != screenFingerprint {
		t.Fatalf("esc shows %s", screenOf(m))
	}
}

func TestPairsKeyIsInTheHelp(t *testing.T) {
	fake := newFakeFleet()
	m := newTestModel(t, pairsOptions(testOptions(t, newFakeAWS()), fake))
	wantScreen(t, m, "ctrl+p key pairs") // the name field has the focus
	press(t, m, "tab")
	wantScreen(t, m, "? more keys")
	for _, l := range strings.Split(screenText(m), "\n") {
		if strings.HasSuffix(strings.TrimSpace(l), "…") {
			t.Fatalf("a cut line at 80 cells: %q", l)
		}
	}
	press(t, m, "?")
	wantScreen(t, m, "ctrl+p key pairs")
}

func TestPairDeleteCanBeTakenAway(t *testing.T) {
	fake := newFakeFleet()
	fake.pairs = manyPairs(1)
	opts := pairsOptions(testOptions(t, newFakeAWS()), fake)
	opts.NoDelete = true
	m := newTestModel(t, opts)
	press(t, m, "ctrl+p", "enter")
	dontWantScreen(t, m, "d delete")
	press(t, m, "d")
	wantScreen(t, m, "Deleting key pairs is not allowed in this session.")
	press(t, m, "y")
	if len(fake.deleted()) != 0 || m.screen.(*pairScreen).stage != pairViewing {
		t.Fatal("delete went ahead")
	}
}

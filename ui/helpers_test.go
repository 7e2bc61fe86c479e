package ui

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/config"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
)

// keyMsg builds the key press a terminal would send for name ("tab", "ctrl+c", "a").
func keyMsg(name string) tea.KeyPressMsg {
	special := map[string]tea.KeyPressMsg{
		"tab":       {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
		"enter":     {Code: tea.KeyEnter},
		"esc":       {Code: tea.KeyEscape},
		"space":     {Code: tea.KeySpace, Text: " "},
		"left":      {Code: tea.KeyLeft},
		"right":     {Code: tea.KeyRight},
		"up":        {Code: tea.KeyUp},
		"down":      {Code: tea.KeyDown},
		"backspace": {Code: tea.KeyBackspace},
	}
	if k, ok := special[name]; ok {
		return k
	}
	if rest, ok := strings.CutPrefix(name, "ctrl+"); ok {
		return tea.KeyPressMsg{Code: rune(rest[0]), Mod: tea.ModCtrl}
	}
	r := []rune(name)[0]
	return tea.KeyPressMsg{Code: r, Text: name}
}

// press sends keys to m and runs the commands they return.
func press(t *testing.T, m *Model, names ...string) {
	t.Helper()
	for _, n := range names {
		_, cmd := m.Update(keyMsg(n))
		drain(t, m, cmd)
	}
}

// typeText types s one character at a time.
func typeText(t *testing.T, m *Model, s string) {
	t.Helper()
	for _, r := range s {
		_, cmd := m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		drain(t, m, cmd)
	}
}

// drain runs cmd and feeds the app's own messages back into m, as the
// program would; timers of the spinner and the cursor are dropped.
func drain(t *testing.T, m *Model, cmd tea.Cmd) {
	t.Helper()
	if cmd == nil {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("a command did not return")
	}
	switch msg := msg.(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			drain(t, m, c)
		}
	case credsMsg, nameTickMsg, nameCheckMsg, madeMsg, savedMsg, completeMsg, deletedMsg,
		pairsLoadedMsg, usedByMsg, pairDeletedMsg, importedMsg:
		_, next := m.Update(msg)
		drain(t, m, next)
	}
}

// screenText is the screen without styles.
func screenText(m *Model) string { return ansi.Strip(m.View().Content) }

// wantScreen fails unless every sub is on the screen. A message may wrap
// at any space (paths in it come from t.TempDir, of varying length), so a
// sub also counts when it appears with the screen's line breaks folded.
func wantScreen(t *testing.T, m *Model, subs ...string) {
	t.Helper()
	s := screenText(m)
	for _, sub := range subs {
		if !screenHas(s, sub) {
			t.Fatalf("screen lacks %q:\n%s", sub, s)
		}
	}
}

// screenHas reports whether sub is on the screen, as is or with the
// screen's line breaks and padding folded into single spaces.
func screenHas(screen, sub string) bool {
	return strings.Contains(screen, sub) ||
		strings.Contains(strings.Join(strings.Fields(screen), " "), strings.Join(strings.Fields(sub), " "))
}

func dontWantScreen(t *testing.T, m *Model, subs ...string) {
	t.Helper()
	s := screenText(m)
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			t.Fatalf("screen shows %q:\n%s", sub, s)
		}
	}
}

// fakeAWS is an EC2 stand-in for the app: it is both the AWSClient of the
// header and name check and the awsapi.API of the maker.
type fakeAWS struct {
	mu        sync.Mutex
	region    string
	credErr   error
	existing  map[string]bool
	describes []string
	imports   []awsapi.ImportInput
	creates   []awsapi.CreateInput
	// describeGate, when set, holds each DescribeKeyPairs until it receives.
	describeGate chan struct{}
	createErr    error
	importErr    error
	dryRun       *awsapi.DryRunResult
	createBlock  chan struct{} // when set, CreateKeyPair waits for it or ctx
	deletes      []string
	deleteErr    error
	createFP     string // when set, the fingerprint CreateKeyPair reports
}

func newFakeAWS() *fakeAWS { return &fakeAWS{region: "eu-west-1", existing: map[string]bool{}} }

func (f *fakeAWS) Region() string { return f.region }

func (f *fakeAWS) Credentials(ctx context.Context) (awsapi.CredentialInfo, error) {
	if f.credErr != nil {
		return awsapi.CredentialInfo{}, f.credErr
	}
	return awsapi.CredentialInfo{Source: "EnvConfigCredentials", AccessKey: "…WXYZ"}, nil
}

func (f *fakeAWS) DescribeKeyPairs(ctx context.Context, in awsapi.DescribeInput) ([]awsapi.KeyPairInfo, error) {
	f.mu.Lock()
	f.describes = append(f.describes, strings.Join(in.Names, ","))
	gate := f.describeGate
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []awsapi.KeyPairInfo
	for _, n := range in.Names {
		if f.existing[n] {
			out = append(out, awsapi.KeyPairInfo{KeyName: n, KeyPairID: "key-0123456789abcdef0"})
		}
	}
	if len(out) == 0 {
		return nil, &awsapi.Error{Kind: awsapi.NotFound, Op: "DescribeKeyPairs", Code: "InvalidKeyPair.NotFound", Region: f.region}
	}
	return out, nil
}

func (f *fakeAWS) CreateKeyPair(ctx context.Context, in awsapi.CreateInput) (*awsapi.CreateOutput, error) {
	f.mu.Lock()
	f.creates = append(f.creates, in)
	block, cerr, dry := f.createBlock, f.createErr, f.dryRun
	f.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return nil, &awsapi.Error{Kind: awsapi.Canceled, Op: "CreateKeyPair", Message: "context canceled", Region: f.region, KeyName: in.Name, Err: ctx.Err()}
		}
	}
	if cerr != nil {
		return nil, cerr
	}
	if in.DryRun {
		return &awsapi.CreateOutput{DryRun: dry}, nil
	}
	k, err := keys.Generate(in.Type, 0, rand.Reader)
	if err != nil {
		return nil, err
	}
	material, err := keys.Encode(k, in.Format, 2)
	if err != nil {
		return nil, err
	}
	fp, err := keys.AWSFingerprint(k.SSHPublicKey(), k, true)
	if err != nil {
		return nil, err
	}
	if f.createFP != "" {
		fp = f.createFP
	}
	return &awsapi.CreateOutput{KeyName: in.Name, KeyPairID: "key-0aaaabbbbccccdddd", KeyFingerprint: fp, KeyMaterial: material, Tags: in.Tags}, nil
}

func (f *fakeAWS) ImportKeyPair(ctx context.Context, in awsapi.ImportInput) (*awsapi.ImportOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.imports = append(f.imports, in)
	if f.importErr != nil {
		return nil, f.importErr
	}
	if in.DryRun {
		return &awsapi.ImportOutput{DryRun: f.dryRun}, nil
	}
	pub, _, err := keys.ParsePublicKey(in.PublicKey)
	if err != nil {
		return nil, err
	}
	fp, err := keys.AWSFingerprint(pub, nil, false)
	if err != nil {
		return nil, err
	}
	return &awsapi.ImportOutput{KeyName: in.Name, KeyPairID: "key-0eeeeffff00001111", KeyFingerprint: fp}, nil
}

func (f *fakeAWS) DeleteKeyPair(ctx context.Context, in awsapi.DeleteInput) (*awsapi.DeleteOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deletes = append(f.deletes, in.Name)
	if f.deleteErr != nil {
		return nil, f.deleteErr
	}
	return &awsapi.DeleteOutput{}, nil
}

func (f *fakeAWS) describeCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.describes)
}

// testOptions are Options for a session in dir with fake AWS (nil: none).
func testOptions(t *testing.T, fake *fakeAWS, env ...string) Options {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	opts := Options{
		Config:  config.Config{SaveDir: dir + "/.ssh"},
		Request: pair.Request{Type: keys.RSA, Format: keys.PEM, PPKVersion: 3, Source: pair.SourceOffline},
		Version: "test",
		Env:     append([]string{"TERM=xterm-256color", "HOME=" + dir}, env...),
	}
	if fake != nil {
		opts.Request.Source = pair.SourceAWS
		opts.Client = fake
		opts.NewPipeline = func(context.Context) (*maker.Pipeline, error) {
			return &maker.Pipeline{API: fake, Region: fake.region}, nil
		}
	}
	return opts
}

// newTestModel builds a model at 80x24 and runs its Init.
func newTestModel(t *testing.T, opts Options) *Model {
	t.Helper()
	m := New(context.Background(), opts)
	m.c.debounce = time.Millisecond
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	drain(t, m, m.Init())
	return m
}

type rsaKey = *rsa.PrivateKey

// Names of the screens, for assertions.
const (
	screenForm        = "form"
	screenWorking     = "working"
	screenResult      = "result"
	screenSave        = "save"
	screenFingerprint = "fingerprint"
	screenPairs       = "pairs"
	screenPair        = "pair"
	screenImport      = "import"
)

func screenOf(m *Model) string {
	switch m.screen.(type) {
	case *formScreen:
		return screenForm
	case *workingScreen:
		return screenWorking
	case *resultScreen:
		return screenResult
	case *saveScreen:
		return screenSave
	case *fingerprintScreen:
		return screenFingerprint
	case *pairsScreen:
		return screenPairs
	case *pairScreen:
		return screenPair
	case *importScreen:
		return screenImport
	}
	return "?"
}

// saveOf is the save dialog; the test fails when another screen shows.
func saveOf(m *Model) *saveScreen {
	if d, ok := m.screen.(*saveScreen); ok {
		return d
	}
	panic("not on the save dialog: " + screenOf(m))
}

// madeOf is the key on the save dialog or the fingerprint view, or nil.
func madeOf(m *Model) *maker.Made {
	switch s := m.screen.(type) {
	case *saveScreen:
		return s.made()
	case *fingerprintScreen:
		return s.made
	}
	return nil
}

package main

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh/agent"

	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/internal/agenttest"
	"github.com/keypair-dev/keypair/keys"
)

// The Pairs contract against the real pieces that land in parallel:
// awsapi's UsedBy/Usage/Regions with the stand-in's DescribeRegions,
// DescribeInstances & co. (h-stand), and localkeys.Find/NewIndex/Match
// (h-local). Each test is skipped until its piece is merged; remove the
// t.Skip lines then (see the h-fleet report).

// --regions all is every region DescribeRegions returns; import into all of
// them, then list them all.
func TestIntegrationImportAndListRegionsAll(t *testing.T) {
	c, srv := awsCLI(t)
	_, pubFile, _, _, _ := writeKeyFiles(t, c.home)
	r := c.run("", "import", "--name", "everywhere", "--public-key", pubFile, "--regions", "all", "--json")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	res := jsonArray(t, r.stdout)
	if len(res) < 2 {
		t.Fatalf("all gave %d regions", len(res))
	}
	var regions []string
	for _, o := range res {
		region := o["region"].(string)
		regions = append(regions, region)
		if o["status"] != "imported" {
			t.Errorf("%v", o)
		}
		if kp := srv.KeyPairs(region); len(kp) != 1 || kp[0].Name != "everywhere" || kp[0].ID != o["keyPairId"] {
			t.Errorf("%s holds %+v", region, kp)
		}
	}
	if !sort.StringsAreSorted(regions) {
		t.Errorf("regions not sorted: %v", regions)
	}
	r = c.run("", "list", "--regions", "all", "--json")
	var listed []string
	for _, o := range jsonArray(t, r.stdout) {
		listed = append(listed, o["region"].(string))
	}
	if r.code != 0 || !reflect.DeepEqual(listed, regions) {
		t.Errorf("list --regions all: exit %d, regions %v, want %v", r.code, listed, regions)
	}
}

// Nothing uses a pair in a fresh stand-in: --used-by shows [], --unused
// shows every pair, and delete needs no --force.
func TestIntegrationUsedByAgainstTheStandIn(t *testing.T) {
	c, srv := awsCLI(t)
	_, pubFile, _, _, _ := writeKeyFiles(t, c.home)
	for _, name := range []string{"a", "b"} {
		if r := c.run("", "import", "--name", name, "--public-key", pubFile); r.code != 0 {
			t.Fatal(r.stderr)
		}
	}
	r := c.run("", "list", "--used-by", "--json")
	list := jsonArray(t, r.stdout)
	if r.code != 0 || len(list) != 2 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	for _, o := range list {
		if uses, ok := o["usedBy"].([]any); !ok || len(uses) != 0 {
			t.Errorf("usedBy %#v", o["usedBy"])
		}
	}
	if r := c.run("", "list", "--unused", "--json"); len(jsonArray(t, r.stdout)) != 2 {
		t.Errorf("--unused: %s", r.stdout)
	}
	if r := c.run("", "delete", "a", "--yes"); r.code != 0 || len(srv.KeyPairs("us-east-1")) != 1 {
		t.Errorf("delete: exit %d %s", r.code, r.stderr)
	}
	// A pair an instance uses: listed with its user, left out by --unused,
	// and not deleted without --force.
	id, err := srv.AddInstance("us-east-1", ec2test.Instance{KeyName: "b", Name: "web", State: "stopped"})
	if err != nil {
		t.Fatal(err)
	}
	r = c.run("", "list", "--used-by", "--json")
	list = jsonArray(t, r.stdout)
	if r.code != 0 || len(list) != 1 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	uses, _ := list[0]["usedBy"].([]any)
	if len(uses) != 1 {
		t.Fatalf("usedBy %#v", list[0]["usedBy"])
	}
	use, _ := uses[0].(map[string]any)
	if use["kind"] != "instance" || use["id"] != id || use["detail"] == "" {
		t.Errorf("usedBy[0] = %#v, want instance %s", use, id)
	}
	if r := c.run("", "list", "--unused", "--json"); len(jsonArray(t, r.stdout)) != 0 {
		t.Errorf("--unused lists a used pair: %s", r.stdout)
	}
	if r := c.run("", "delete", "b", "--yes"); r.code != 1 || len(srv.KeyPairs("us-east-1")) != 1 || !strings.Contains(r.stderr, id) {
		t.Errorf("delete of a used pair: exit %d, pairs %d, stderr %s", r.code, len(srv.KeyPairs("us-east-1")), r.stderr)
	}
	if r := c.run("", "delete", "b", "--yes", "--force"); r.code != 0 || len(srv.KeyPairs("us-east-1")) != 0 {
		t.Errorf("delete --force: exit %d %s", r.code, r.stderr)
	}
}

// Local keys: files in ~/.ssh and the save folder (a private key, a .pub,
// a passphrase-protected OpenSSH file) and the agent match the pairs.
func TestIntegrationListLocalKeys(t *testing.T) {
	c, _ := awsCLI(t)
	sshDir := filepath.Join(c.home, ".ssh")
	saveDir := filepath.Join(c.home, "keys")
	for _, d := range []string{sshDir, saveDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	c.env["KEYPAIR_SAVE_DIR"] = saveDir
	_, pubFile, privFile, _, _ := writeKeyFiles(t, sshDir)
	_, _, _, encFile, _ := writeKeyFiles(t, saveDir)
	// The agent holds a third key.
	agentKey, err := keys.Generate(keys.ED25519, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	keyring := agent.NewKeyring()
	if err := keyring.Add(agent.AddedKey{PrivateKey: agentKey.Key, Comment: "agent-comment"}); err != nil {
		t.Fatal(err)
	}
	sock := agenttest.Serve(t, keyring)
	c.env["SSH_AUTH_SOCK"] = sock
	agentPub := filepath.Join(t.TempDir(), "agent.pub")
	os.WriteFile(agentPub, []byte(keys.AuthorizedKey(agentKey.SSHPublicKey(), "")), 0o600)
	_, strangerPub, _, _, _ := writeKeyFiles(t, t.TempDir())

	for name, file := range map[string]string{"here": pubFile, "saved": encFile, "agent": agentPub, "stranger": strangerPub} {
		if r := c.run("", "import", "--name", name, "--public-key", file); r.code != 0 {
			t.Fatalf("%s: %s", name, r.stderr)
		}
	}
	r := c.run("", "list", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	got := map[string][]any{}
	for _, o := range jsonArray(t, r.stdout) {
		got[o["keyName"].(string)] = o["localKeys"].([]any)
	}
	has := func(name, path, source string) {
		t.Helper()
		for _, lk := range got[name] {
			m := lk.(map[string]any)
			if m["path"] == path && m["source"] == source {
				return
			}
		}
		t.Errorf("%s: localKeys %v lacks {%s %s}", name, got[name], path, source)
	}
	has("here", pubFile, "file")
	has("here", privFile, "file")
	has("saved", encFile, "file")
	has("agent", "agent-comment", "agent")
	if len(got["stranger"]) != 0 {
		t.Errorf("stranger: %v", got["stranger"])
	}
	r = c.run("", "list")
	if !strings.Contains(r.stdout, "LOCAL") || strings.Count(r.stdout, "yes") != 3 {
		t.Errorf("table:\n%s", r.stdout)
	}
}

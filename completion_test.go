package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The release ships cobra's completion scripts (see .goreleaser.yaml); each
// must come out of the real root command, name keypair and its subcommands,
// and (bash) parse.
func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			a := &app{stdout: &stdout, stderr: &stderr, getenv: os.Getenv, stdin: strings.NewReader("")}
			code := run(context.Background(), []string{"completion", shell}, a)
			if code != exitOK {
				t.Fatalf("keypair completion %s: exit %d, stderr %q", shell, code, stderr.String())
			}
			script := stdout.String()
			if strings.TrimSpace(script) == "" {
				t.Fatalf("keypair completion %s: empty script", shell)
			}
			if !strings.Contains(script, "keypair") {
				t.Errorf("%s script does not mention keypair", shell)
			}
			// cobra's scripts ask the binary for candidates at run time
			// (__complete), so check that the binary names its subcommands.
			if !strings.Contains(script, "__complete") {
				t.Errorf("%s script does not call keypair __complete", shell)
			}
			if shell == "bash" {
				if bash, err := exec.LookPath("bash"); err == nil {
					f := filepath.Join(t.TempDir(), "keypair.bash")
					if err := os.WriteFile(f, stdout.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					if out, err := exec.Command(bash, "-n", f).CombinedOutput(); err != nil {
						t.Errorf("bash -n: %v\n%s", err, out)
					}
				}
			}
		})
	}
}

// What the scripts get back when the user presses tab: subcommands, then
// flag values from the completion functions.
func TestCompletionCandidates(t *testing.T) {
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", ""}, []string{"create", "import", "list", "delete", "fingerprint", "version"}},
		{[]string{"__complete", "cr"}, []string{"create"}},
		{[]string{"__complete", "create", "--type", ""}, []string{"rsa", "ed25519"}},
		{[]string{"__complete", "create", "--source", ""}, []string{"aws", "local", "offline"}},
		{[]string{"__complete", "create", "--format", ""}, []string{"pem", "ppk"}},
		{[]string{"__complete", "create", "--"}, []string{"--name", "--batch", "--dry-run", "--endpoint-url"}},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		a := &app{stdout: &stdout, stderr: &stderr, getenv: os.Getenv, stdin: strings.NewReader("")}
		if code := run(context.Background(), c.args, a); code != exitOK {
			t.Errorf("keypair %q: exit %d, stderr %q", c.args, code, stderr.String())
			continue
		}
		got := map[string]bool{}
		for _, line := range strings.Split(stdout.String(), "\n") {
			if line == "" || strings.HasPrefix(line, ":") {
				continue
			}
			got[strings.SplitN(line, "\t", 2)[0]] = true
		}
		for _, w := range c.want {
			if !got[w] {
				t.Errorf("keypair %q: no candidate %q in\n%s", c.args, w, stdout.String())
			}
		}
	}
}

func TestRegionsFlagCompletesAll(t *testing.T) {
	for _, cmd := range []string{"list", "import"} {
		r := newCLI(t).run("", "__complete", cmd, "--regions", "")
		if r.code != 0 || !strings.HasPrefix(r.stdout, "all\n") {
			t.Errorf("%s --regions: exit %d %q", cmd, r.code, r.stdout)
		}
	}
}

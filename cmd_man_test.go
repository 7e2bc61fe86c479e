package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// runMan runs the root command with the man command on it, whether or not
// main.go has wired it in yet.
func runMan(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	a := &app{stdout: &stdout, stderr: &stderr, getenv: os.Getenv, stdin: strings.NewReader("")}
	root := a.rootCommand(nil)
	wired := false
	for _, c := range root.Commands() {
		if c.Name() == "man" {
			wired = true
		}
	}
	if !wired {
		root.AddCommand(a.manCommand())
	}
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(&stdout)
	root.SetErr(&stderr)
	err := root.ExecuteContext(context.Background())
	return stdout.String(), stderr.String(), err
}

func TestManPageSingle(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1790000000")
	out, errOut, err := runMan(t, "man")
	if err != nil {
		t.Fatalf("keypair man: %v (stderr %q)", err, errOut)
	}
	if !strings.HasPrefix(out, ".nh\n.TH \"KEYPAIR\" \"1\"") && !strings.Contains(out, ".TH \"KEYPAIR\" \"1\"") {
		t.Fatalf("no .TH header for KEYPAIR(1):\n%.300s", out)
	}
	if n := strings.Count(out, ".TH "); n != 1 {
		t.Errorf("want one page (one .TH), got %d", n)
	}
	for _, want := range []string{
		".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH COMMANDS", ".SH EXIT STATUS",
		"keypair create", "keypair import", "keypair list", "keypair delete",
		"keypair fingerprint", "keypair version", "keypair completion bash",
		`endpoint\-url`, `dry\-run`, "Sep 2026", ".TP",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("man page lacks %q", want)
		}
	}
	// Hidden commands (man itself) and the help command are not documented.
	if regexp.MustCompile(`keypair (man|help)\b`).MatchString(out) {
		t.Errorf("man page documents a hidden command")
	}
	// Reproducible: same input, same bytes.
	again, _, _ := runMan(t, "man")
	if again != out {
		t.Errorf("two runs with the same SOURCE_DATE_EPOCH differ")
	}
	// groff, where installed, must render it without warnings.
	if groff, err := exec.LookPath("groff"); err == nil {
		cmd := exec.Command(groff, "-man", "-Tutf8", "-ww", "-z")
		cmd.Stdin = strings.NewReader(out)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Errorf("groff -man: %v: %s", err, stderr.String())
		}
	}
}

func TestManPageTree(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "man1")
	if _, errOut, err := runMan(t, "man", "--dir", dir); err != nil {
		t.Fatalf("keypair man --dir: %v (stderr %q)", err, errOut)
	}
	for _, name := range []string{"keypair.1", "keypair-create.1", "keypair-version.1", "keypair-completion-bash.1"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("missing page: %v", err)
			continue
		}
		if !bytes.Contains(b, []byte(".TH ")) {
			t.Errorf("%s: no .TH header", name)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "keypair-man.1")); err == nil {
		t.Errorf("the hidden man command got a page")
	}
}

func TestManRefusesArgs(t *testing.T) {
	if _, _, err := runMan(t, "man", "extra"); err == nil {
		t.Fatal("keypair man extra: want a usage error")
	}
}

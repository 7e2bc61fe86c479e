// Package oracle is for tests: it finds the independent tools (ssh-keygen,
// openssl, puttygen, awscli, tmux) that judge keypair's output, and decides
// what a missing one means.
package oracle

import (
	"os"
	"os/exec"
	"testing"
)

// RequireEnv is the variable CI sets to "1": a missing oracle then fails the
// test instead of skipping it, so that a skip cannot hide a check.
const RequireEnv = "KEYPAIR_REQUIRE_ORACLES"

// Need returns the path of tool (a name looked up on PATH, or a path),
// skipping the test with the reason when it is missing, or failing it when
// RequireEnv is "1".
func Need(t testing.TB, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err == nil {
		return p
	}
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("oracle %s is required (%s=1) but missing: %v", tool, RequireEnv, err)
	}
	t.Skipf("oracle %s is not installed (%v): install openssh-client, openssl, putty-tools, awscli and tmux to run this check, or set %s=1 to fail instead", tool, err, RequireEnv)
	return ""
}

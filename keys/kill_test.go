package keys

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Environment of the helper process TestHelperSaveLoop.
const (
	killHelperDirEnv = "KEYPAIR_KILL_HELPER_DIR" // the folder to save into; unset: not a helper
	killRunsEnv      = "KEYPAIR_KILL_RUNS"       // how many kills (default 20); bench/killtest.sh uses 200
)

// TestHelperSaveLoop is not a test: TestKillDuringSaveLeavesNothing runs
// the test binary again with only this test and killHelperDirEnv set, and
// it saves keys in a loop (k-0.pem, k-1.pem, ...) until it is killed.
func TestHelperSaveLoop(t *testing.T) {
	dir := os.Getenv(killHelperDirEnv)
	if dir == "" {
		return // run as a helper only
	}
	data := readTestdata(t, "rsa2048.pem")
	for i := 0; ; i++ {
		if err := WriteNewFile(filepath.Join(dir, fmt.Sprintf("k-%d.pem", i)), data); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(3)
		}
		if i == 0 {
			fmt.Println("saving") // the parent's cue to start the clock
		}
	}
}

// TestKillDuringSaveLeavesNothing SIGKILLs a process that saves keys in a
// loop at random moments and checks the folder after each kill: no
// temporary file of ours, and every key file there complete byte for byte.
// With a named temporary file (before O_TMPFILE) nearly every kill left a
// ".keypair-*.tmp" holding the whole private key.
func TestKillDuringSaveLeavesNothing(t *testing.T) {
	if os.Getenv(killHelperDirEnv) != "" {
		t.Skip("inside the helper process")
	}
	runs := 20
	if s := os.Getenv(killRunsEnv); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", killRunsEnv, s)
		}
		runs = n
	}
	want := readTestdata(t, "rsa2048.pem")
	var saved, leftovers, partial int
	for run := range runs {
		dir := t.TempDir()
		saved += killOneSaver(t, dir, time.Duration(rand.IntN(20_000))*time.Microsecond)
		names, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range names {
			name := e.Name()
			if strings.HasPrefix(name, tempPrefix) {
				leftovers++
				t.Errorf("run %d: the temporary file %s was left behind", run, name)
				continue
			}
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil || !bytes.Equal(got, want) {
				partial++
				t.Errorf("run %d: %s holds %d bytes, not the complete key (%d bytes): %v", run, name, len(got), len(want), err)
			}
		}
	}
	t.Logf("%d kills, %d key files complete, %d temporary files left, %d partial files", runs, saved, leftovers, partial)
}

// killOneSaver starts the helper saving into dir, kills it after delay
// from its first save, and returns how many files it saved.
func killOneSaver(t *testing.T, dir string, delay time.Duration) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperSaveLoop$", "-test.count=1")
	cmd.Env = append(os.Environ(), killHelperDirEnv+"="+dir)
	cmd.Dir, _ = os.Getwd() // readTestdata reads ./testdata
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "saving" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the helper did not start saving (%q): %s", line, stderr.String())
	}
	time.Sleep(delay)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the helper ended by itself (%v), not by the kill: %s", err, stderr.String())
	}
	entries, _ := os.ReadDir(dir)
	return len(entries)
}

#!/bin/sh
# Kill a process that saves private keys 200 times at random moments and
# check that no temporary file and no partial key is ever left behind
# (keys.TestKillDuringSaveLeavesNothing; the suite runs it 20 times).
set -eu
cd "$(dirname "$0")/.."
KEYPAIR_KILL_RUNS="${KEYPAIR_KILL_RUNS:-200}" exec go test ./keys -run '^TestKillDuringSaveLeavesNothing$' -count=1 -v "$@"

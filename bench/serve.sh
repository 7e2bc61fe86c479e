#!/usr/bin/env bash
# keypair serve: memory per idle session and time from `ssh` to the first
# frame, against a plain `ssh` to a loopback sshd running `true` (issue 11).
# Builds the release the way bench/run.sh does, installs it, and runs
# bench/serve.py (RUNS_SERVE=20 and SESSIONS=20 by default). Needs ssh,
# ssh-keygen, python3 and sshd (Debian: openssh-server); run as root (sshd
# needs /run/sshd). Prints key=value lines for BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mapfile -t GCF < <(bench/release-gcflags)
CGO_ENABLED=0 go build -trimpath "${GCF[@]}" -ldflags "-s -w -X main.version=bench-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" -o "$WORK/keypair.built" .
go build -trimpath -o "$WORK/ec2stand" ./awsapi/ec2test/ec2stand
mkdir -p "$WORK/bin"
install -m 0755 "$WORK/keypair.built" "$WORK/bin/keypair"
SSHD="$(command -v sshd || echo /usr/sbin/sshd)"
[ -x "$SSHD" ] || { echo "bench/serve.sh: sshd not found (apt-get install openssh-server)" >&2; exit 1; }
python3 bench/serve.py "$WORK/bin/keypair" "$WORK/ec2stand" "$SSHD"

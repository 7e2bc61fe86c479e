#!/usr/bin/env bash
# Regenerate BENCHMARKS.md: keypair side by side with the AWS CLI, ssh-keygen,
# openssl and puttygen, every figure a ratio measured in the same run, and a
# PASS/MISSED verdict per performance budget in docs DESIGN.md.
#
#   bench/run.sh                      all groups (~7-11 minutes on 2 cores)
#   RUNS_RSA=30 BENCH_COUNT=2 bench/run.sh   quicker, noisier
#   COLD_BUILD=1 bench/run.sh         also time a build with an empty GOCACHE
#                                     (about 2 minutes and 1.5 GB more)
#   HF_ROUNDS=5 (default)             rounds each group's runs are split into, so
#                                     every command is timed across the whole window
#
# Every keypair figure is taken on an INSTALLED copy of the release build
# (`install -m 0755` into a temporary bin folder, as users run it), not the
# file the linker just wrote: on these machines that one runs faster.
#
# Groups, HF_ROUNDS hyperfine invocations each (whole processes, hyperfine -N):
#   startup  keypair version            vs a Go hello world built the same way (bench/hello)
#                                                                          budget <= 2.8x the hello world
#            and vs the dependency floor: a program generated from `go list` that
#            imports every outside package keypair imports and does nothing   recorded
#            and vs /usr/bin/aws --version                                 budget >= 20x faster
#   dryrun   keypair create --dry-run   vs aws ec2 create-key-pair --dry-run
#            against the ec2stand stand-in endpoint (signed round trip)    budget >= 5x faster
#   ed25519  keypair create --source offline --type ed25519
#            vs ssh-keygen (openssl genpkey, puttygen for context)         budget: no slower than ssh-keygen
#   rsa      keypair create --source offline --type rsa --bits 2048
#            vs openssl genrsa (ssh-keygen, puttygen for context)          budget: no slower than openssl
# then, outside hyperfine:
#   rss      peak RSS of `keypair version` (/usr/bin/time -f %M)          budget <= 10 MiB
#            (and of the hello world and the dependency floor)
#   size     the release binary                                             budget <= 15 MB (15,000,000 bytes)
#   init     GODEBUG=inittrace=1 on `keypair version`: package init time by group
#   idle     the form at rest under tmux (120x40), nothing happening, for IDLE_SECONDS:
#            context switches/s (/proc/PID/task/*/status) and syscalls/s
#            (strace -f -c -p), beside bench/teafloor, a one-line Bubble Tea
#            program, at its default 60 fps and at 10 fps
#   cold     (COLD_BUILD=1 only) `go build` of the release with an empty GOCACHE
# and Go benchmarks (go test -bench) in ./keys ./awsapi ./ui ./fleet and the root
# package (import --regions over 17 regions vs 1, against the stand-in), where the TUI
# budgets live: Update+View per keystroke < 200 us, < 100 bytes per typed char.
#
# Not run by CI. It may apt-get what it lacks (as root). Raw hyperfine JSON
# and go test output stay in bench/out/ (git-ignored). A "## Notes" section in
# an existing BENCHMARKS.md is carried over into the new one.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

RUNS_STARTUP="${RUNS_STARTUP:-30}"
RUNS_DRYRUN="${RUNS_DRYRUN:-20}"
RUNS_ED25519="${RUNS_ED25519:-100}"
RUNS_RSA="${RUNS_RSA:-100}"
BENCH_COUNT="${BENCH_COUNT:-5}"
RUNS_RSS="${RUNS_RSS:-20}"
RUNS_INIT="${RUNS_INIT:-20}"
IDLE_SECONDS="${IDLE_SECONDS:-10}"
COLD_BUILD="${COLD_BUILD:-0}"
AWS=/usr/bin/aws            # Debian's awscli v2; a plain `aws` may be pip's v1
OUT="$ROOT/bench/out"
RES="$OUT/results"
REPORT="$ROOT/BENCHMARKS.md"

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench/run.sh: %s\n' "$*" >&2; exit 1; }

# --- tools -----------------------------------------------------------------
missing=()
for t in hyperfine ssh-keygen openssl puttygen python3 go tmux strace; do
  command -v "$t" >/dev/null 2>&1 || missing+=("$t")
done
[ -x "$AWS" ] || missing+=("$AWS")
[ -x /usr/bin/time ] || missing+=(/usr/bin/time)
if [ "${#missing[@]}" -gt 0 ]; then
  pkgs=()
  for t in "${missing[@]}"; do
    case "$t" in
      hyperfine) pkgs+=(hyperfine) ;;
      ssh-keygen) pkgs+=(openssh-client) ;;
      openssl) pkgs+=(openssl) ;;
      puttygen) pkgs+=(putty-tools) ;;
      python3) pkgs+=(python3) ;;
      tmux) pkgs+=(tmux) ;;
      strace) pkgs+=(strace) ;;
      /usr/bin/time) pkgs+=(time) ;;
      "$AWS") pkgs+=(awscli) ;;
      *) die "missing $t (install it and re-run)" ;;
    esac
  done
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${pkgs[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
  else
    die "missing ${missing[*]}; install: apt-get install -y ${pkgs[*]}"
  fi
fi

# --- scratch space, the stand-in, cleanup -------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/keypair-bench.XXXXXX")"
STAND_PID=""
TMUX_SOCK="keypair-bench-$$"
cleanup() {
  if [ -n "$STAND_PID" ]; then
    kill "$STAND_PID" 2>/dev/null || true
    wait "$STAND_PID" 2>/dev/null || true
  fi
  tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUT" "$RES" "$WORK/home" "$WORK/keys" "$WORK/bin"
rm -f "$RES"/*

# --- build -----------------------------------------------------------------
log "building keypair, the hello world, teafloor and ec2stand"
STAND="$OUT/ec2stand"
# As the release builds it (.goreleaser.yaml): static, stripped, stamped.
# The floors are built the same way.
mapfile -t RELEASE_GCFLAGS < <(bench/release-gcflags)
RELEASE_FLAGS=(-trimpath "${RELEASE_GCFLAGS[@]}" -ldflags "-s -w -X main.version=bench-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)")
CGO_ENABLED=0 go build "${RELEASE_FLAGS[@]}" -o "$OUT/keypair" .
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$OUT/hello" ./bench/hello
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$OUT/teafloor" ./bench/teafloor
# The dependency floor: a program that imports every outside package keypair
# imports and does nothing. Go runs the package init of everything linked,
# whichever command runs, so this is what keypair's dependencies cost at
# start before keypair's own code does anything. Generated from `go list`
# (always today's imports) into a folder `./...` skips, built as keypair is.
DEPFLOOR_SRC=bench/out/_depfloor
mkdir -p "$DEPFLOOR_SRC"
{
  printf 'package main\n\nimport (\n\t"fmt"\n\n'
  go list -deps -f '{{if not .Standard}}{{if eq .Module.Path "github.com/keypair-dev/keypair"}}{{join .Imports "\n"}}{{end}}{{end}}' . |
    grep -v '^github.com/keypair-dev/' | grep '\.' | sort -u | sed 's/.*/\t_ "&"/'
  printf ')\n\nfunc main() { fmt.Println("depfloor") }\n'
} >"$DEPFLOOR_SRC/main.go"
CGO_ENABLED=0 go build -trimpath "${RELEASE_GCFLAGS[@]}" -ldflags "-s -w" -o "$OUT/depfloor" "./$DEPFLOOR_SRC"
rm -rf "$DEPFLOOR_SRC"
go build -trimpath -o "$STAND" ./awsapi/ec2test/ec2stand
# Time installed copies, as users run them: a fresh file written by install
# into a bin folder, not the one the linker wrote (which ran 0.75-0.87x as
# long on these machines: its pages were still in the page cache as written).
install -m 0755 "$OUT/keypair" "$OUT/hello" "$OUT/teafloor" "$OUT/depfloor" "$WORK/bin/"
KP="$WORK/bin/keypair"
HELLO="$WORK/bin/hello"
DEPFLOOR="$WORK/bin/depfloor"
TEAFLOOR="$WORK/bin/teafloor"
printf 'size_bytes\t%s\n' "$(stat -c %s "$KP")" >"$WORK/size.txt"

# Isolated environment: no user config or AWS profile can change what is
# measured, and the proxy safety net makes any non-loopback request fail.
# Go keeps its caches where they are (they default to paths under $HOME).
GOPATH="$(go env GOPATH)" GOMODCACHE="$(go env GOMODCACHE)" GOCACHE="$(go env GOCACHE)" GOENV="$(go env GOENV)"
export GOPATH GOMODCACHE GOCACHE GOENV
export HOME="$WORK/home"
unset XDG_CONFIG_HOME AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_EC2 \
  KEYPAIR_TYPE KEYPAIR_FORMAT KEYPAIR_SOURCE KEYPAIR_SAVE_DIR KEYPAIR_PPK_VERSION || true
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_PAGER="" AWS_EC2_METADATA_DISABLED=true
export HTTPS_PROXY=http://127.0.0.1:1 HTTP_PROXY=http://127.0.0.1:1 NO_PROXY=127.0.0.1,localhost

KEYS="$WORK/keys"
# hyperfine -N runs commands without a shell, so --prepare must not need one.
CLEAN="find $KEYS -mindepth 1 -delete"

# Every command must work once, outside hyperfine, before it is timed. CMD
# is the string hyperfine gets; a shell splits it the way hyperfine -N does.
check() { # check WANT_RC CMD
  local want="$1" cmd="$2" rc=0
  bash -c "exec $cmd" >"$WORK/check.out" 2>&1 || rc=$?
  if [ "$rc" != "$want" ]; then
    cat "$WORK/check.out" >&2
    die "'$cmd' exited $rc, want $want"
  fi
  find "$KEYS" -mindepth 1 -delete
}

# --- facts -----------------------------------------------------------------
facts="$RES/facts.txt"
{
  printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  printf 'cpu\t%s\n' "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  printf 'nproc\t%s\n' "$(nproc)"
  printf 'memory\t%s\n' "$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  # shellcheck disable=SC1091
  printf 'os\t%s\n' "$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  printf 'load_before\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'go\t%s\n' "$(go version)"
  printf 'keypair\t%s\n' "$("$KP" version | tr '\n' ' ' | sed 's/ *$//')"
  printf 'git\t%s\n' "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- 2>/dev/null || echo ' (with uncommitted changes)')"
  printf 'hyperfine\t%s\n' "$(hyperfine --version)"
  printf 'ssh-keygen\t%s\n' "$(ssh -V 2>&1)"
  printf 'openssl\t%s\n' "$(openssl version)"
  printf 'puttygen\t%s\n' "$(puttygen --version | head -1)"
  printf 'aws\t%s\n' "$("$AWS" --version 2>&1)"
  cat "$WORK/size.txt"
} >"$facts"

# hf GROUP RUNS WARMUP [hyperfine args...]: RUNS timed runs per command, in
# HF_ROUNDS rounds. hyperfine runs all of one command's runs, then all of the
# next one's; a machine that speeds up or slows down over a minute would bias
# the ratios between them. In rounds, every command is timed in every part
# of the window (the rounds' times are merged into $RES/GROUP.json).
HF_ROUNDS="${HF_ROUNDS:-5}"
hf() {
  local group="$1" runs="$2" warmup="$3" per round
  shift 3
  per=$(((runs + HF_ROUNDS - 1) / HF_ROUNDS))
  [ "$per" -ge 2 ] || per=2
  log "hyperfine: $group ($HF_ROUNDS rounds of $per runs per command)"
  for round in $(seq 1 "$HF_ROUNDS"); do
    hyperfine -N --style basic --warmup "$warmup" --runs "$per" \
      --export-json "$RES/$group.round$round.json" "$@" >&2
  done
  python3 - "$RES/$group.json" "$RES/$group".round*.json <<'PY'
import json, sys
merged = None
for path in sys.argv[2:]:
    results = json.load(open(path))["results"]
    if merged is None:
        merged = {"results": [dict(r) for r in results]}
        continue
    for m, r in zip(merged["results"], results):
        m["times"] = m["times"] + r["times"]
        m.setdefault("exit_codes", [])
        m["exit_codes"] = m["exit_codes"] + r.get("exit_codes", [])
json.dump(merged, open(sys.argv[1], "w"))
PY
}

# --- 1. start-up -------------------------------------------------------------
check 0 "$KP version"
check 0 "$HELLO"
check 0 "$AWS --version"
check 0 "$DEPFLOOR"
hf startup "$RUNS_STARTUP" 3 \
  -n "keypair version" "$KP version" \
  -n "go hello world" "$HELLO" \
  -n "dependency floor" "$DEPFLOOR" \
  -n "aws --version" "$AWS --version"

# Peak RSS (KiB, one line per run) of `keypair version` and of the floor.
log "peak RSS ($RUNS_RSS runs each)"
for _ in $(seq 1 "$RUNS_RSS"); do
  /usr/bin/time -f '%M' -a -o "$RES/rss-keypair.txt" "$KP" version >/dev/null
  /usr/bin/time -f '%M' -a -o "$RES/rss-hello.txt" "$HELLO" >/dev/null
  /usr/bin/time -f '%M' -a -o "$RES/rss-depfloor.txt" "$DEPFLOOR" >/dev/null
done

# Package initialisation: GODEBUG=inittrace=1 prints one line per package.
log "package init ($RUNS_INIT runs)"
for i in $(seq 1 "$RUNS_INIT"); do
  printf 'run %s\n' "$i" >>"$RES/inittrace.txt"
  GODEBUG=inittrace=1 "$KP" version 2>>"$RES/inittrace.txt" >/dev/null
done

# --- idle: the app at rest ------------------------------------------------------
# Start CMD in a detached tmux pane (120x40), let it settle, then count what
# its process does over IDLE_SECONDS with nothing happening: context
# switches of all its threads from /proc, then syscalls with strace -c (a
# second window, so strace's own cost does not touch the first count).
idle() { # idle NAME CMD
  local name="$1" cmd="$2" pid a b
  tmux -L "$TMUX_SOCK" new-session -d -s idle -x 120 -y 40 "exec $cmd"
  sleep 3
  pid="$(tmux -L "$TMUX_SOCK" list-panes -t idle -F '#{pane_pid}')"
  [ -d "/proc/$pid" ] || die "idle $name: the pane has no process (did '$cmd' exit?)"
  tmux -L "$TMUX_SOCK" capture-pane -p -t idle >"$RES/idle-$name.screen"
  ctxsw() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^(non)?voluntary_ctxt_switches/ {t += $2} END {print t}'; }
  a="$(ctxsw "$pid")"
  sleep "$IDLE_SECONDS"
  b="$(ctxsw "$pid")"
  printf '%s\tctxsw\t%s\t%s\t%s\n' "$name" "$((b - a))" "$IDLE_SECONDS" "$(ls /proc/"$pid"/task | wc -l)" >>"$RES/idle.txt"
  timeout -s INT "$IDLE_SECONDS" strace -f -c -o "$RES/idle-$name.strace" -p "$pid" >/dev/null 2>&1 || true
  tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
  sleep 0.5
}
log "idle: the form and the Bubble Tea floor at rest (${IDLE_SECONDS}s windows)"
idle keypair "$KP"
# The UI's wording changes; that it drew anything at all is what matters here.
grep -q '[[:alnum:]]' "$RES/idle-keypair.screen" || die "idle: keypair drew nothing in its pane"
idle teafloor "$TEAFLOOR"
idle teafloor-10fps "$TEAFLOOR -fps 10"

# --- cold build (COLD_BUILD=1) ---------------------------------------------------
if [ "$COLD_BUILD" = 1 ]; then
  log "cold build: go build with an empty GOCACHE (minutes)"
  mkdir -p "$WORK/gocache"
  env GOCACHE="$WORK/gocache" CGO_ENABLED=0 /usr/bin/time -f 'cold_build\t%e\t%M' -o "$RES/cold.txt" \
    go build "${RELEASE_FLAGS[@]}" -o "$WORK/cold-keypair" . >&2
  rm -rf "$WORK/gocache"
fi

# --- 2. signed dry-run round trip --------------------------------------------
log "starting ec2stand"
"$STAND" >"$WORK/stand.url" 2>"$WORK/stand.err" &
STAND_PID=$!
URL=""
for _ in $(seq 1 50); do
  URL="$(head -1 "$WORK/stand.url" 2>/dev/null || true)"
  [ -n "$URL" ] && break
  kill -0 "$STAND_PID" 2>/dev/null || { cat "$WORK/stand.err" >&2; die "ec2stand exited"; }
  sleep 0.1
done
case "$URL" in http://127.0.0.1:*) ;; *) die "ec2stand printed no URL (got '$URL')" ;; esac
KP_DRY="$KP create --batch --name bench --dry-run --source aws --endpoint-url $URL"
AWS_DRY="$AWS --endpoint-url $URL ec2 create-key-pair --key-name bench --dry-run"
# keypair: a permitted dry run is a success (0); awscli v2 exits 254 with
# DryRunOperation. hyperfine -i below ignores exit codes, so check both here.
check 0 "$KP_DRY"
check 254 "$AWS_DRY"
grep -q DryRunOperation "$WORK/check.out" || { cat "$WORK/check.out" >&2; die "aws dry run: no DryRunOperation"; }
hf dryrun "$RUNS_DRYRUN" 2 -i \
  -n "keypair create --dry-run" "$KP_DRY" \
  -n "aws ec2 create-key-pair --dry-run" "$AWS_DRY"
kill "$STAND_PID" 2>/dev/null || true
wait "$STAND_PID" 2>/dev/null || true
STAND_PID=""

# --- 3. ED25519, offline -------------------------------------------------------
KP_ED="$KP create --batch --source offline --type ed25519 --name b --out $KEYS/k"
SSH_ED="ssh-keygen -q -t ed25519 -N '' -f $KEYS/k"
OSSL_ED="openssl genpkey -algorithm ed25519 -out $KEYS/k.pem"
PUTTY_ED="puttygen -t ed25519 -o $KEYS/k.ppk --new-passphrase /dev/null"
for c in "$KP_ED" "$SSH_ED" "$OSSL_ED" "$PUTTY_ED"; do check 0 "$c"; done
hf ed25519 "$RUNS_ED25519" 5 --prepare "$CLEAN" \
  -n "keypair create --type ed25519" "$KP_ED" \
  -n "ssh-keygen -t ed25519" "$SSH_ED" \
  -n "openssl genpkey ed25519" "$OSSL_ED" \
  -n "puttygen -t ed25519" "$PUTTY_ED"

# --- 4. RSA 2048, offline --------------------------------------------------------
KP_RSA="$KP create --batch --source offline --type rsa --bits 2048 --name b --out $KEYS/k"
OSSL_RSA="openssl genrsa -traditional -out $KEYS/k.pem 2048"
SSH_RSA="ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -f $KEYS/k"
PUTTY_RSA="puttygen -t rsa -b 2048 -o $KEYS/k.ppk --new-passphrase /dev/null"
for c in "$KP_RSA" "$OSSL_RSA" "$SSH_RSA" "$PUTTY_RSA"; do check 0 "$c"; done
hf rsa "$RUNS_RSA" 3 --prepare "$CLEAN" \
  -n "keypair create --type rsa" "$KP_RSA" \
  -n "openssl genrsa 2048" "$OSSL_RSA" \
  -n "ssh-keygen -t rsa -b 2048" "$SSH_RSA" \
  -n "puttygen -t rsa -b 2048" "$PUTTY_RSA"

# --- 4b. keypair serve ----------------------------------------------------------
log "keypair serve: first frame and memory per session (bench/serve.sh)"
if bash bench/serve.sh >"$RES/serve.txt" 2>"$RES/serve.err"; then :; else
  log "bench/serve.sh failed; see $RES/serve.err (the report says so)"; rm -f "$RES/serve.txt"
fi

# --- 5. Go benchmarks ------------------------------------------------------------
log "go test -bench (count $BENCH_COUNT)"
pkgs=()
for p in ./keys/ ./awsapi/ ./ui/ ./fleet/ ./; do
  [ -d "$p" ] && pkgs+=("$p")
done
gorc=0
env -u HTTPS_PROXY -u HTTP_PROXY -u NO_PROXY \
  go test -run='^$' -bench=. -benchmem -count="$BENCH_COUNT" "${pkgs[@]}" >"$RES/gobench.txt" 2>&1 || gorc=$?
printf 'gobench_rc\t%s\n' "$gorc" >>"$facts"
printf 'load_after\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$facts"
[ "$gorc" = 0 ] || log "go test -bench exited $gorc; see $RES/gobench.txt (the report says so)"

# --- report ------------------------------------------------------------------------
log "writing $REPORT"
RES="$RES" REPORT="$REPORT" python3 - <<'PY'
import json, os, re, statistics as st

res, report = os.environ["RES"], os.environ["REPORT"]
facts = {}
for line in open(os.path.join(res, "facts.txt")):
    k, _, v = line.rstrip("\n").partition("\t")
    facts[k] = v

def load(group):
    with open(os.path.join(res, group + ".json")) as f:
        out = {}
        for r in json.load(f)["results"]:
            t = sorted(r["times"])
            q = st.quantiles(t, n=4, method="inclusive") if len(t) > 1 else [t[0]] * 3
            out[r["command"]] = dict(median=st.median(t) * 1e3, q1=q[0] * 1e3, q3=q[2] * 1e3,
                                     min=t[0] * 1e3, max=t[-1] * 1e3, runs=len(t))
        return out

def ms(x):
    return f"{x:.1f}" if x >= 10 else f"{x:.2f}"

def table(group, base, note=""):
    rows = load(group)
    b = rows[base]["median"]
    lines = ["| command | median ms | IQR ms | min–max ms | runs | ratio other/keypair |",
             "|---|---|---|---|---|---|"]
    for name, r in rows.items():
        ratio = "1.00 (keypair)" if name == base else f"{r['median'] / b:.2f}"
        lines.append(f"| `{name}` | {ms(r['median'])} | {ms(r['q1'])}–{ms(r['q3'])} | "
                     f"{ms(r['min'])}–{ms(r['max'])} | {r['runs']} | {ratio} |")
    return rows, "\n".join(lines) + ("\n\n" + note if note else "")

# Go benchmarks: median of each metric over -count runs.
bench, pkg, gotext = {}, None, open(os.path.join(res, "gobench.txt")).read()
for line in gotext.splitlines():
    if line.startswith("pkg: "):
        pkg = line[5:].strip()
    m = re.match(r"^(Benchmark\S+)\s+\d+\s+(.*)$", line)
    if not m:
        continue
    name = re.sub(r"-\d+$", "", m.group(1))
    fields = m.group(2).split()
    for val, unit in zip(fields[0::2], fields[1::2]):
        try:
            bench.setdefault((pkg, name), {}).setdefault(unit, []).append(float(val))
        except ValueError:
            pass
gomed = {k: {u: st.median(v) for u, v in units.items()} for k, units in bench.items()}

budgets = []  # (what, budget, measured, verdict)
def verdict(ok):
    return "PASS" if ok else "**MISSED**"

groups = {}
sections = []
rows, t = table("startup", "keypair version",
                "All are installed copies (`install -m 0755`), timed in rounds (HF_ROUNDS, default 5: every command a fifth of its runs per round, so a drifting machine weighs on all alike). "
                "`go hello world` is `bench/hello` (`fmt.Println`) built as the release builds keypair "
                "(`CGO_ENABLED=0 -trimpath -ldflags \"-s -w\"`): the floor for any Go program of this toolchain. "
                "`dependency floor` imports every outside package keypair imports and does nothing else, built as "
                "keypair is (generated from `go list` at each run): Go runs the init of every linked package on "
                "every start, so this is what the dependencies cost before keypair's own code runs.")
kp = rows["keypair version"]["median"]
r = kp / rows["go hello world"]["median"]
budgets.append(("start-up: `keypair version` vs a Go hello world built the same way", "≤ 2.8× the hello world", f"{r:.2f}×", verdict(r <= 2.8)))
r = rows["aws --version"]["median"] / kp
budgets.append(("start-up: `keypair version` vs `aws --version`", "≥ 20× faster", f"{r:.1f}× faster", verdict(r >= 20)))
r = kp / rows["dependency floor"]["median"]
budgets.append(("start-up: `keypair version` vs the dependency floor (its imports, doing nothing)", "recorded",
                f"{r:.2f}× ({rows['dependency floor']['median'] / rows['go hello world']['median']:.2f}× the hello world for the floor itself)", "RECORDED"))
sections.append(("1. Start-up, process start to exit", t))

def rss(name):
    v = [int(x) for x in open(os.path.join(res, f"rss-{name}.txt")).read().split() if x.isdigit()]
    return st.median(v), min(v), max(v), len(v)
m, lo, hi, n = rss("keypair")
hm, hlo, hhi, hn = rss("hello")
dm, dlo, dhi, dn = rss("depfloor")
budgets.append(("peak RSS of `keypair version`", "≤ 10 MiB", f"{m / 1024:.1f} MiB", verdict(m <= 10 * 1024)))
size = int(facts["size_bytes"])
budgets.append(("release binary (`CGO_ENABLED=0 -trimpath -ldflags \"-s -w\"`)", "≤ 15 MB (15,000,000 bytes)",
                f"{size / 1e6:.1f} MB ({size:,} bytes)", verdict(size <= 15_000_000)))
sections.append(("1b. Memory and size", "\n".join([
    "| what | median | min–max | runs |", "|---|---|---|---|",
    f"| peak RSS, `keypair version` | {m / 1024:.2f} MiB | {lo / 1024:.2f}–{hi / 1024:.2f} MiB | {n} |",
    f"| peak RSS, go hello world | {hm / 1024:.2f} MiB | {hlo / 1024:.2f}–{hhi / 1024:.2f} MiB | {hn} |",
    f"| peak RSS, dependency floor | {dm / 1024:.2f} MiB | {dlo / 1024:.2f}–{dhi / 1024:.2f} MiB | {dn} |",
    f"| release binary, linux/amd64 | {size:,} bytes ({size / 2**20:.1f} MiB) | | |",
    "", "Peak RSS is `/usr/bin/time -f %M` (maximum resident set, KiB) of the installed copy. "
        "The size limit is also enforced by `.ci/release-check`."])))

# Package initialisation, from GODEBUG=inittrace=1: "init PKG @T ms, CLOCK ms clock, ...".
groups = [
    ("AWS SDK credential chain: service/sts, sso, ssooidc, signin",
     r"^github\.com/aws/aws-sdk-go-v2/service/(sts|sso|ssooidc|signin)(/|$)"),
    ("AWS SDK service/ec2", r"^github\.com/aws/aws-sdk-go-v2/service/ec2(/|$)"),
    ("rest of the AWS SDK and smithy-go", r"^github\.com/aws/"),
    ("TOML parser (BurntSushi/toml; reads /etc/localtime)", r"^github\.com/BurntSushi/toml"),
    ("terminal stack (Charm, runewidth, uniseg, ...)",
     r"^(charm\.land/|github\.com/(charmbracelet|mattn|rivo|clipperhouse|lucasb-eyer|xo|muesli)/)"),
    ("golang.org/x/crypto/ssh", r"^golang\.org/x/crypto/"),
    ("filippo.io/edwards25519", r"^filippo\.io/edwards25519"),
    ("everything else (runtime, standard library, cobra)", r""),
]
runs_init, cur = [], None
for line in open(os.path.join(res, "inittrace.txt")):
    if line.startswith("run "):
        cur = {}
        runs_init.append(cur)
        continue
    mm = re.match(r"^init (\S+) @[\d.]+ ms, ([\d.]+) ms clock", line)
    if mm and cur is not None:
        for gname, pat in groups:
            if re.search(pat, mm.group(1)):
                cur[gname] = cur.get(gname, 0.0) + float(mm.group(2))
                break
itot = [sum(r.values()) for r in runs_init]
ilines = ["| packages | median ms | share of init |", "|---|---|---|"]
for gname, _ in groups:
    g = st.median([r.get(gname, 0.0) for r in runs_init])
    ilines.append(f"| {gname} | {g:.3f} | {100 * g / st.median(itot):.0f}% |")
ilines.append(f"| **all package init** | **{st.median(itot):.3f}** | |")
sections.append(("1c. Package initialisation of `keypair version`", "\n".join(ilines) +
    f"\n\n`GODEBUG=inittrace=1` on the installed copy, {len(runs_init)} runs, median per group of the "
    "summed `ms clock`. Go runs every linked package's init whichever subcommand runs; the AWS SDK "
    "and TOML inits are in dependencies we do not fork (see Notes)."))

# The app at rest.
idle = {}
for line in open(os.path.join(res, "idle.txt")):
    name, _, n, secs, threads = line.rstrip("\n").split("\t")
    calls, top = None, []
    sp = os.path.join(res, f"idle-{name}.strace")
    if os.path.exists(sp):
        for sl in open(sp):
            f = sl.split()
            if len(f) >= 5 and f[-1] == "total":
                calls = int(f[3])
            elif len(f) >= 5 and f[0][0].isdigit() and f[-1] != "syscall":
                top.append((int(f[3]), f[-1]))
    idle[name] = (int(n) / float(secs), None if calls is None else calls / float(secs),
                  ", ".join(f"{c} {n2}" for c, n2 in sorted(top, reverse=True)[:3]), threads)
ilines = ["| program at rest (tmux, 120x40) | context switches/s | syscalls/s (under strace) | threads | top syscalls in the window |",
          "|---|---|---|---|---|"]
labels = {"keypair": "`keypair` (the form)", "teafloor": "`bench/teafloor`, Bubble Tea default 60 fps",
          "teafloor-10fps": "`bench/teafloor -fps 10` (`tea.WithFPS(10)`)"}
for name, (cs, sc, top, th) in idle.items():
    scs = "–" if sc is None else f"{sc:.0f}"
    ilines.append(f"| {labels.get(name, name)} | {cs:.0f} | {scs} | {th} | {top} |")
if "keypair" in idle and "teafloor" in idle:
    k, f0 = idle["keypair"][0], idle["teafloor"][0]
    budgets.append(("the app at rest: context switches/s, the form vs a one-line Bubble Tea program",
                    "as few as the Bubble Tea version allows", f"{k:.0f}/s vs {f0:.0f}/s",
                    verdict(k <= 1.25 * f0 + 5)))
sections.append(("1d. The app at rest", "\n".join(ilines) +
    "\n\nContext switches are the sum of `voluntary_ctxt_switches` and `nonvoluntary_ctxt_switches` "
    "over `/proc/PID/task/*/status`, over one window with nothing attached; syscalls come from "
    "`strace -f -c -p` over a second window. PASS means within 25% (+5/s) of the Bubble Tea floor "
    "at the same frame rate: the rest is Bubble Tea's frame ticker (see Notes)."))

cold = os.path.join(res, "cold.txt")
if os.path.exists(cold):
    _, secs, kib = [l for l in open(cold).read().splitlines() if l.startswith("cold_build")][-1].split("\t")
    budgets.append(("cold build: `go build` of the release, empty GOCACHE, modules already downloaded",
                    "recorded", f"{float(secs):.0f} s, largest process {int(kib) / 2**20:.1f} GiB", "RECORDED"))
else:
    budgets.append(("cold build: `go build` of the release, empty GOCACHE", "recorded",
                    "not run (`COLD_BUILD=1 bench/run.sh`; see Notes)", "NOT RUN"))

rows, t = table("dryrun", "keypair create --dry-run",
                "Both sign a CreateKeyPair request with DryRun=true and send it to the same loopback "
                "stand-in (`ec2stand`), which checks the SigV4 signature and answers DryRunOperation. "
                "awscli v2 exits 254 for that answer (expected; timed with `-i`); both exit codes were checked before timing.")
r = rows["aws ec2 create-key-pair --dry-run"]["median"] / rows["keypair create --dry-run"]["median"]
budgets.append(("signed round trip: `keypair create --dry-run` vs `aws ec2 create-key-pair --dry-run`", "≥ 5× faster", f"{r:.1f}× faster", verdict(r >= 5)))
sections.append(("2. Signed round trip (dry run) against the stand-in endpoint", t))

rows, t = table("ed25519", "keypair create --type ed25519",
                "Whole process: generate, encode, save (ssh-keygen also writes the .pub file). "
                "The first ED25519 key of a process costs about 0.14 ms (`BenchmarkED25519Cold/scalarmult`); "
                "these times are process start-up and file I/O, both fsyncs kept.")
r = rows["ssh-keygen -t ed25519"]["median"] / rows["keypair create --type ed25519"]["median"]
budgets.append(("ED25519 generate+encode+save vs `ssh-keygen -t ed25519`", "no slower (ratio ≥ 1)", f"{r:.2f}", verdict(r >= 1)))
sections.append(("3. ED25519 key, offline, one key per process", t))

rows, t = table("rsa", "keypair create --type rsa",
                "RSA time is dominated by a random prime search: the spread is very large, so compare medians only.")
r = rows["openssl genrsa 2048"]["median"] / rows["keypair create --type rsa"]["median"]
budgets.append(("RSA 2048 generation vs `openssl genrsa 2048`", "no slower (ratio ≥ 1)", f"{r:.2f}", verdict(r >= 1)))
sections.append(("4. RSA 2048 key, offline, one key per process", t))

# TUI budgets from ./ui benchmarks, whatever they are called.
ui = {k: v for k, v in gomed.items() if k[0] and k[0].endswith("/ui")}
ks = [(k, v) for k, v in ui.items() if re.search(r"(?i)keystroke", k[1]) and "ns/op" in v]
if ks:
    k, v = sorted(ks, key=lambda kv: (kv[0][1] != "BenchmarkFormKeystroke", kv[0][1]))[0]
    ns = v["ns/op"]
    budgets.append((f"Update+View per keystroke (`{k[1]}`)", "< 200 µs", f"{ns / 1e3:.1f} µs", verdict(ns < 200e3)))
else:
    budgets.append(("Update+View per keystroke (`BenchmarkFormKeystroke`)", "< 200 µs", "not measured: no keystroke benchmark in ./ui", "NOT MEASURED"))
bpc = [(k, u, x) for k, v in ui.items() for u, x in v.items()
       if re.search(r"(?i)(byte|B)s?[/_ -]?(per[_ -]?)?(char|key|keystroke|rune)", u)]
if bpc:
    k, u, x = sorted(bpc)[0]
    budgets.append((f"bytes to the terminal per typed character (`{k[1]}`, `{u}`)", "< 100", f"{x:.1f}", verdict(x < 100)))
else:
    budgets.append(("bytes to the terminal per typed character", "< 100", "not measured: no bytes-per-char metric in ./ui", "NOT MEASURED"))
# The Pairs screen's budgets (DESIGN.md): 5,000 pairs at 120x40.
for name, what, limit in (("BenchmarkPairsFilterKeystroke", "Pairs, 5,000 pairs: one filter keystroke (Update+View, 120x40)", 2e6),
                          ("BenchmarkPairsOpen", "Pairs, 5,000 pairs: opening (parse, match 200 local keys, first frame)", 100e6)):
    got = [v["ns/op"] for k, v in ui.items() if k[1] == name and "ns/op" in v]
    if got:
        budgets.append((f"{what} (`{name}`)", f"< {limit / 1e6:g} ms", f"{got[0] / 1e6:.2f} ms", verdict(got[0] < limit)))
    else:
        budgets.append((f"{what} (`{name}`)", f"< {limit / 1e6:g} ms", "not measured: no such benchmark in ./ui", "NOT MEASURED"))
# import --regions over 17 regions, 50 ms injected latency per call, as a
# ratio to one region measured in the same benchmark run (the stand-in, the
# real CLI code in process).
ir = [v for k, v in gomed.items() if k[1] == "BenchmarkImportRegionsStandIn" and "x-one-region" in v]
if ir:
    v = ir[0]
    budgets.append(("`import --regions` over 17 regions, 50 ms latency per call (`BenchmarkImportRegionsStandIn`)", "< 3x one region",
                    f"{v['x-one-region']:.2f}x ({v.get('ms-17-regions', 0):.0f} ms vs {v.get('ms-1-region', 0):.0f} ms)", verdict(v["x-one-region"] < 3)))
else:
    budgets.append(("`import --regions` over 17 regions, 50 ms latency per call", "< 3x one region", "not measured: no BenchmarkImportRegionsStandIn", "NOT MEASURED"))
# keypair serve (bench/serve.sh): first frame over ssh vs ssh to sshd running true; memory per idle session.
serve = {}
sp = os.path.join(res, "serve.txt")
if os.path.exists(sp):
    for line in open(sp):
        k, _, v = line.strip().partition("=")
        serve[k] = v
if "first_frame_ratio" in serve:
    budgets.append(("`keypair serve`: `ssh` to the first frame vs `ssh` to a loopback sshd running `true`", "measured",
                    f"{serve['serve_first_frame_ms']} ms vs {serve['sshd_true_ms']} ms (ratio {serve['first_frame_ratio']})", "RECORDED"))
    budgets.append(("`keypair serve`: memory per idle session", "measured",
                    f"{serve['rss_per_idle_session_kib']} KiB (server RSS {serve.get('serve_rss_before_kib', '?')} KiB idle)", "RECORDED"))
else:
    budgets.append(("`keypair serve` first frame and memory per session", "measured", "not measured: bench/serve.sh did not run", "NOT MEASURED"))

gorc = facts.get("gobench_rc", "0")
golines = ["| package | benchmark | ns/op | B/op | allocs/op | other metrics |", "|---|---|---|---|---|---|"]
for (p, name), v in sorted(gomed.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
    other = ", ".join(f"{x:g} {u}" for u, x in v.items() if u not in ("ns/op", "B/op", "allocs/op"))
    def g(u, fmt="{:,.0f}"):
        return fmt.format(v[u]) if u in v else "–"
    golines.append(f"| `{(p or '?').split('/keypair/')[-1]}` | `{name}` | {g('ns/op')} | {g('B/op')} | {g('allocs/op')} | {other} |")
gonote = ""
if gorc != "0":
    gonote = f"\n\n**`go test -bench` exited {gorc}** (a package did not build or a benchmark failed); the output is in `bench/out/results/gobench.txt`."
if len(golines) == 2:
    golines.append("| – | no benchmarks found | | | | |")

# Keep the hand-written notes from the previous report.
notes = ""
if os.path.exists(report):
    old = open(report).read()
    m = re.search(r"^## Notes\n.*", old, re.S | re.M)
    if m:
        notes = m.group(0).rstrip() + "\n"
if not notes:
    notes = "## Notes\n\n(Explanations of missed budgets go here; bench/run.sh keeps this section when it regenerates the file.)\n"

out = []
out.append("# Benchmarks\n")
out.append(f"Generated by `bench/run.sh` on {facts['date']}. Do not edit above **Notes**; re-run the script.\n")
out.append("Every table comes from one run on one machine, the tools of a table timed by hyperfine in alternating rounds (see `hf` in bench/run.sh). "
           "**ratio = other tool's median / keypair's median**, so a ratio above 1 means keypair is faster. "
           "Medians and interquartile ranges (IQR) of wall time per whole process (`hyperfine -N`).\n")
out.append("## Machine\n")
for k, label in [("cpu", "CPU"), ("nproc", "nproc"), ("memory", "memory"), ("os", "OS"),
                 ("load_before", "load average before"), ("load_after", "load average after"),
                 ("go", "Go"), ("keypair", "keypair"), ("git", "source"), ("hyperfine", "hyperfine"),
                 ("ssh-keygen", "ssh-keygen"), ("openssl", "openssl"), ("puttygen", "puttygen"), ("aws", "aws (/usr/bin/aws)")]:
    out.append(f"- {label}: {facts.get(k, 'unknown')}")
out.append("")
out.append("## Budgets (DESIGN.md)\n")
out.append("| what | budget | measured | result |")
out.append("|---|---|---|---|")
for w, b, m, v in budgets:
    out.append(f"| {w} | {b} | {m} | {v} |")
out.append("")
missed = [w for w, _, _, v in budgets if v not in ("PASS", "RECORDED", "NOT RUN")]
if missed:
    for w in missed:
        out.append(f"- Why ({w}): see notes")
else:
    out.append("All budgets met in this run.")
out.append("")
for title, t in sections:
    out.append(f"## {title}\n")
    out.append(t + "\n")
out.append("## 5. Go benchmarks (in process)\n")
out.append(f"`go test -run='^$' -bench=. -benchmem -count=N ./keys/ ./awsapi/ ./ui/ ./fleet/ ./`; median of the N runs.\n")
out.append("\n".join(golines) + gonote + "\n")
out.append("## How to reproduce\n")
out.append("```sh\nbench/run.sh                 # raw results: bench/out/results/*.json, gobench.txt\n```\n")
out.append(notes)
open(report, "w").write("\n".join(out))
print(report)
PY
log "done: $REPORT"

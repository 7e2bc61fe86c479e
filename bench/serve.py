#!/usr/bin/env python3
"""keypair serve figures for BENCHMARKS.md (issue 11), run by bench/serve.sh.

  first frame   time from starting `ssh -tt` (OpenSSH's client, in a PTY) to
                keypair serve's first frame on the client ("Import login key"
                drawn), against `ssh -tt` to a private loopback sshd running
                `true` (start to exit): median of RUNS each, interleaved.
  idle session  the server's RSS (VmRSS) with SESSIONS idle sessions open at
                their first frame, minus its RSS before, divided by SESSIONS.

Arguments: keypair binary, ec2stand binary, sshd path. Prints key=value lines.
"""
import os, pty, select, signal, socket, statistics, subprocess, sys, tempfile, time

KP, STAND, SSHD = sys.argv[1:4]
RUNS = int(os.environ.get("RUNS_SERVE", "20"))
SESSIONS = int(os.environ.get("SESSIONS", "20"))
work = tempfile.mkdtemp(prefix="kp-serve-bench-")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def keygen(name):
    p = os.path.join(work, name)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", p], check=True)
    return p


def wait_port(port):
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    sys.exit("port %d never opened" % port)


client = keygen("client")
pub = open(client + ".pub").read()
ak = os.path.join(work, "authorized_keys")
open(ak, "w").write(pub)
os.chmod(ak, 0o600)

# ec2stand: the app resolves credentials and checks names against it.
stand = subprocess.Popen([STAND], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
url = stand.stdout.readline().strip()
env = {"PATH": os.environ["PATH"], "HOME": work, "XDG_STATE_HOME": os.path.join(work, "state"),
       "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
       "AWS_EC2_METADATA_DISABLED": "true", "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
       "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_REGION": "us-east-1",
       "AWS_ENDPOINT_URL_EC2": url}
kport = free_port()
serve = subprocess.Popen([KP, "serve", "--authorized-keys", ak, "--listen", "127.0.0.1:%d" % kport],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wait_port(kport)

# A private sshd: its own config, host key and port.
os.makedirs("/run/sshd", exist_ok=True)
hk = keygen("host")
sport = free_port()
cfg = os.path.join(work, "sshd_config")
open(cfg, "w").write("\n".join([
    "Port %d" % sport, "ListenAddress 127.0.0.1", "HostKey " + hk, "AuthorizedKeysFile " + ak,
    "StrictModes no", "UsePAM no", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
    "PermitRootLogin prohibit-password", "PidFile " + os.path.join(work, "sshd.pid"), "LogLevel ERROR", ""]))
sshd = subprocess.Popen([SSHD, "-D", "-e", "-f", cfg], stderr=subprocess.DEVNULL)
wait_port(sport)


def ssh_args(port, *more):
    return ["ssh", "-tt", "-F", "/dev/null", "-p", str(port), "-i", client, "-o", "IdentitiesOnly=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=" + os.path.join(work, "known"),
            "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "SetEnv=NO_COLOR=1"] + list(more)


def spawn(args):
    """ssh in a PTY of its own (80x24), as a terminal runs it."""
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.execvp(args[0], args)
    import fcntl, struct, termios
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    return pid, fd


def read_until(fd, marker, pid=None):
    buf = b""
    while marker is None or marker not in buf:
        r, _, _ = select.select([fd], [], [], 30)
        if not r:
            sys.exit("no frame within 30 s:\n%r" % buf[-500:])
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
    return buf


def to_first_frame():
    t0 = time.perf_counter()
    pid, fd = spawn(ssh_args(kport, "admin@127.0.0.1"))
    read_until(fd, b"Import login key")
    t = time.perf_counter() - t0
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    os.close(fd)
    return t


def plain_true():
    t0 = time.perf_counter()
    pid, fd = spawn(ssh_args(sport, "%s@127.0.0.1" % os.environ.get("USER", "root"), "true"))
    read_until(fd, None)
    _, status = os.waitpid(pid, 0)
    t = time.perf_counter() - t0
    os.close(fd)
    if status != 0:
        sys.exit("ssh ... true failed: %d" % status)
    return t


to_first_frame(); plain_true()  # warm-up: known_hosts, page cache
frames, trues = [], []
for _ in range(RUNS):
    frames.append(to_first_frame())
    trues.append(plain_true())


def rss_kib(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])


time.sleep(1)
before = rss_kib(serve.pid)
held = []
for _ in range(SESSIONS):
    pid, fd = spawn(ssh_args(kport, "admin@127.0.0.1"))
    read_until(fd, b"Import login key")
    held.append((pid, fd))
time.sleep(2)  # at rest
after = rss_kib(serve.pid)
for pid, fd in held:
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    os.close(fd)

med_f, med_t = statistics.median(frames), statistics.median(trues)
print("serve_first_frame_ms=%.1f" % (med_f * 1000))
print("sshd_true_ms=%.1f" % (med_t * 1000))
print("first_frame_ratio=%.2f" % (med_f / med_t))
print("serve_rss_before_kib=%d" % before)
print("serve_rss_%d_sessions_kib=%d" % (SESSIONS, after))
print("rss_per_idle_session_kib=%.0f" % ((after - before) / SESSIONS))
print("runs=%d sessions=%d" % (RUNS, SESSIONS))
serve.send_signal(signal.SIGTERM)
print("serve_exit_on_sigterm=%d" % serve.wait(timeout=60))
sshd.terminate(); sshd.wait()
stand.terminate(); stand.wait()

// Package nocore keeps private keys out of core dumps and away from
// debuggers of the same user, as ssh-agent does (OpenSSH ssh-agent.c:
// platform_disable_tracing and setrlimit(RLIMIT_CORE, 0)).
package nocore

// Disable makes the process write no core file (RLIMIT_CORE 0, soft and
// hard, so it cannot be raised again) and, on Linux, not dumpable
// (prctl PR_SET_DUMPABLE 0): no core dump, no ptrace attach and no
// /proc/PID/mem for other processes of the same user. Call it once, early,
// in a process that will hold a private key. Elsewhere than Linux only the
// core limit is set (Unix) or nothing is done.
func Disable() error { return disable() }

package nocore

import (
	"fmt"

	"golang.org/x/sys/unix"
)

func disable() error {
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0}); err != nil {
		return fmt.Errorf("could not turn off core dumps (RLIMIT_CORE): %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("could not make the process non-dumpable (PR_SET_DUMPABLE): %w", err)
	}
	return nil
}

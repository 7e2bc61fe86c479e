//go:build unix && !linux

package nocore

import (
	"fmt"

	"golang.org/x/sys/unix"
)

func disable() error {
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0}); err != nil {
		return fmt.Errorf("could not turn off core dumps (RLIMIT_CORE): %w", err)
	}
	return nil
}

//go:build unix

package gocollect

import (
	"syscall"
	"time"
)

// processCPUTime returns the user and system CPU time the process has
// used, so benchmarks can report cost that does not depend on how busy
// the machine is.
func processCPUTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

// Package cpuprofile starts and stops the CPU profile the bench commands write on request.
package cpuprofile

import (
	"errors"
	"os"
	"runtime/pprof"
)

// Start writes a CPU profile of the process to path ("": none) until stop is called; stop
// reports an error closing the file.
func Start(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// profiles writes the CPU and heap profiles convert was asked for, in the
// format `go tool pprof` reads. The zero value writes none.
type profiles struct {
	cpuPath, heapPath string
	cpu               *os.File
}

// start begins the CPU profile, if one was asked for.
func (p *profiles) start() error {
	if p.cpuPath == "" {
		return nil
	}
	f, err := os.Create(p.cpuPath)
	if err != nil {
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	p.cpu = f
	return nil
}

// stop ends the CPU profile and writes the heap profile (of the memory
// still in use, after a garbage collection, and of every allocation made).
func (p *profiles) stop() error {
	var err error
	if p.cpu != nil {
		pprof.StopCPUProfile()
		if cerr := p.cpu.Close(); cerr != nil {
			err = fmt.Errorf("--cpuprofile: %w", cerr)
		}
		p.cpu = nil
	}
	if p.heapPath == "" {
		return err
	}
	f, ferr := os.Create(p.heapPath)
	if ferr != nil {
		return fmt.Errorf("--memprofile: %w", ferr)
	}
	runtime.GC()
	if werr := pprof.WriteHeapProfile(f); werr != nil {
		_ = f.Close()
		return fmt.Errorf("--memprofile: %w", werr)
	}
	if cerr := f.Close(); cerr != nil {
		return fmt.Errorf("--memprofile: %w", cerr)
	}
	return err
}

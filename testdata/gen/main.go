// Command gen writes the project's test fixtures into testdata/:
//
//	go run ./testdata/gen
//
// sample.pcap is a small capture of an office network's traffic (TLS,
// HTTP, DNS, SSH, bulk transfers, UDP and ICMP) for the README's first
// run and for tests that need a realistic input without ../shared. The
// generator is deterministic, so the files only change when it does.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ipfixweb/ipfixweb/internal/synth"
)

func main() {
	dir := flag.String("dir", "testdata", "directory to write the fixtures into")
	flag.Parse()
	if err := write(filepath.Join(*dir, "sample.pcap"), synth.Sample); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func write(path string, cfg synth.Config) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	st, err := synth.Write(f, cfg)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Printf("%s: %d packets, %d flows, %d bytes\n", path, st.Packets, st.Flows, st.Bytes)
	return nil
}

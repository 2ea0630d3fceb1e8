// Command ipfixweb turns packet captures into IPFIX flow records.
//
//	ipfixweb serve [flags]                        serve the export API
//	ipfixweb convert [flags] -o OUT.ipfix IN...   convert captures to an IPFIX file
//	ipfixweb inspect [--json] FILE.ipfix          decode an IPFIX file
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `ipfixweb turns packet captures into IPFIX flow records.

Usage:
  ipfixweb serve [flags]                        serve the export API (REST, tasks, journal)
  ipfixweb convert [flags] -o OUT.ipfix IN...   convert captures into one IPFIX file
  ipfixweb convert [flags] --collector URL IN...
                                                stream them to a collector (udp:// or tcp://)
  ipfixweb inspect [--json] FILE.ipfix          decode an IPFIX file

Run "ipfixweb COMMAND -h" for the flags of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "convert":
		return runConvert(ctx, args[1:], stdout, stderr)
	case "inspect":
		return runInspect(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "ipfixweb: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}

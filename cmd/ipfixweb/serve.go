package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/ipfixweb/ipfixweb/actors"
	"github.com/ipfixweb/ipfixweb/internal/export"
	"github.com/ipfixweb/ipfixweb/internal/logging"
	"github.com/ipfixweb/ipfixweb/internal/service"
)

// envPrefix names the environment variables that stand in for flags:
// --task-timeout is IPFIXWEB_TASK_TIMEOUT. A flag on the command line wins.
const envPrefix = "IPFIXWEB_"

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

type serveFlags struct {
	cfg       service.Config
	inputs    listFlag
	logDir    string
	logLevel  string
	tokenFile string
	procs     int
	cluster   clusterFlags
}

// cores is the number of CPUs the process may use, as Go saw it at start
// (GOMAXPROCS before serve changes it).
var cores = runtime.GOMAXPROCS(0)

// procsPerCore is the Go processors per CPU of a server whose API is under
// load (see [service.Procs]).
const procsPerCore = 4

func (f *serveFlags) register(fs *flag.FlagSet) {
	c := &f.cfg
	fs.StringVar(&c.Listen, "listen", "127.0.0.1:8000", "address to serve the API on")
	fs.IntVar(&c.Workers, "workers", 2, "tasks running at once")
	fs.IntVar(&c.Queue, "queue", 64, "tasks waiting for a worker; past it submissions get 429")
	fs.DurationVar(&c.TaskTimeout, "task-timeout", time.Hour, "a task running longer ends as timed_out")
	fs.StringVar(&c.DataDir, "data-dir", "ipfixweb-data", "directory of the journal and state")
	fs.Var(&f.inputs, "input-root", "directory inputs must lie under (repeatable; default: the working directory)")
	fs.StringVar(&c.OutputRoot, "output-root", ".", "directory outputs must lie under")
	fs.StringVar(&f.logDir, "log-dir", "", "write JSON logs, rotated, into this directory (default: stderr)")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&f.tokenFile, "api-token-file", "", "file holding the bearer token every /api request must carry")
	fs.StringVar(&c.Node, "node-name", "", "this node's name (default: the host name)")
	fs.IntVar(&c.Shards, "shards", 0, "flow-table shards per task (0: one per CPU)")
	fs.IntVar(&f.procs, "gomaxprocs", 0, fmt.Sprintf("Go processors (GOMAXPROCS); 0: one per CPU, "+
		"and %d per CPU while the API is asked 500 times a second or more, unless the "+
		"GOMAXPROCS environment variable is set", procsPerCore))
	fs.IntVar(&c.MaxConns, "max-connections", 4096, "HTTP connections served at once; more wait or are refused")
	fs.DurationVar(&c.ReadTimeout, "read-timeout", 10*time.Second, "time a client has to send its request")
	fs.DurationVar(&c.WriteTimeout, "write-timeout", 10*time.Second, "time a client has to take its answer")
	fs.Var((*sizeFlag)(&c.FlowMemory), "flow-memory", "memory cap of each task's flow tables, "+
		"e.g. 512MiB (default 1GiB); past it the oldest flows are exported early with flowEndReason 5")
	fs.DurationVar(&c.CollectorRetry, "collector-retry", export.DefaultRetryFor,
		"a task fails when its TCP collector stays unreachable this long")
	f.cluster.register(fs, &c.Cluster)
}

// fromEnv sets every flag not given on the command line from its
// environment variable, if that is set. A repeatable flag takes a list
// separated by the system's path list separator.
func fromEnv(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		name := envPrefix + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		v := getenv(name)
		if v == "" {
			return
		}
		values := []string{v}
		if _, ok := f.Value.(*listFlag); ok {
			values = filepath.SplitList(v)
		}
		for _, x := range values {
			if e := fs.Set(f.Name, x); e != nil {
				err = fmt.Errorf("%s: %w", name, e)
				return
			}
		}
	})
	return err
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: ipfixweb serve [flags]")
		fmt.Fprintln(stderr, "Serves the export API. Every flag can also be set as IPFIXWEB_<NAME>,")
		fmt.Fprintln(stderr, "e.g. IPFIXWEB_TASK_TIMEOUT=30m; a flag on the command line wins.")
		fs.PrintDefaults()
	}
	var f serveFlags
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if err := fromEnv(fs, os.Getenv); err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return 2
	}
	level, err := zapcore.ParseLevel(f.logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "serve: --log-level: %v\n", err)
		return 2
	}
	if f.cfg.Workers < 1 || f.cfg.Queue < 1 || f.cfg.TaskTimeout <= 0 {
		fmt.Fprintln(stderr, "serve: --workers and --queue must be at least 1, --task-timeout positive")
		return 2
	}
	if f.cfg.Shards < 0 || f.cfg.Shards > actors.MaxShards {
		fmt.Fprintf(stderr, "serve: --shards must be 0 (one per CPU) to %d, not %d\n",
			actors.MaxShards, f.cfg.Shards)
		return 2
	}
	if f.cfg.MaxConns < 1 || f.cfg.ReadTimeout <= 0 || f.cfg.WriteTimeout <= 0 ||
		f.cfg.CollectorRetry <= 0 {
		fmt.Fprintln(stderr, "serve: --max-connections must be at least 1; --read-timeout, "+
			"--write-timeout and --collector-retry must be positive")
		return 2
	}
	if f.procs < 0 {
		fmt.Fprintf(stderr, "serve: --gomaxprocs must be 0 (one per CPU, more under load) or more, not %d\n",
			f.procs)
		return 2
	}
	switch {
	case f.procs > 0:
		f.cfg.Procs = service.Procs{Idle: f.procs, Busy: f.procs}
	case os.Getenv("GOMAXPROCS") == "":
		f.cfg.Procs = service.Procs{Idle: cores, Busy: procsPerCore * cores}
	}
	f.cfg.InputRoots = f.inputs
	if err := f.cluster.apply(&f.cfg); err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return 2
	}
	if f.tokenFile != "" {
		if f.cfg.Token, err = service.ReadToken(f.tokenFile); err != nil {
			fmt.Fprintf(stderr, "serve: %v\n", err)
			return 2
		}
	}
	log, err := logging.Production(level, f.logDir)
	if err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return 1
	}
	defer func() { _ = log.Sync() }()
	if err := service.Run(ctx, f.cfg, log, nil); err != nil {
		// The error says what went wrong and what to do; a stack trace of
		// this call would only add noise to it.
		log.WithOptions(zap.AddStacktrace(zapcore.FatalLevel)).Error("serve", zap.Error(err))
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return 1
	}
	return 0
}

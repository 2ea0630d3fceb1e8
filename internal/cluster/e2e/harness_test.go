package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/ipfixweb/ipfixweb/internal/cluster/etcdtest"
)

// ttl is the members' lease time in these tests, unless a test sets
// rig.ttl before it starts members.
const ttl = 2 * time.Second

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
	buildDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// ipfixweb builds the binary once for the whole package, with the race
// detector when the tests have it.
func ipfixweb(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "ipfixweb-e2e-")
		if buildErr != nil {
			return
		}
		binary = filepath.Join(buildDir, "ipfixweb")
		args := []string{"build", "-tags", "clustertest", "-o", binary}
		if raceEnabled {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", append(args, "./cmd/ipfixweb")...)
		cmd.Dir = filepath.Join("..", "..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binary
}

// rig is one etcd, the members started so far, and the directories
// every member sees as its shared storage.
type rig struct {
	t       *testing.T
	etcd    *etcdtest.Server
	cli     *clientv3.Client
	bin     string
	in, out string
	pace    time.Duration
	ttl     time.Duration // the members' lease time
	workers int           // each member's workers
	members map[string]*member
	refs    map[string]int // data records of each input converted alone
}

// newRig starts etcd for t. Members are started with start.
func newRig(t *testing.T, pace time.Duration) *rig {
	t.Helper()
	if os.Getenv("IPFIXWEB_CLUSTER_TEST") == "" || testing.Short() {
		t.Skip("multi-process cluster test: set IPFIXWEB_CLUSTER_TEST=1 to run it (.ci/run does, " +
			"apart from the other packages, whose load would upset its timings and theirs)")
	}
	bin := ipfixweb(t)
	c := &rig{t: t, etcd: etcdtest.Start(t), bin: bin, pace: pace, ttl: ttl, workers: 2,
		members: map[string]*member{}, refs: map[string]int{}}
	c.cli = c.etcd.Client()
	t.Cleanup(func() { _ = c.cli.Close() })
	base := t.TempDir()
	c.in, c.out = filepath.Join(base, "in"), filepath.Join(base, "out")
	for _, d := range []string{c.in, c.out} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// member is one ipfixweb process.
type member struct {
	name, ip     string
	http, remote string
	cmd          *exec.Cmd
	log          string
	exited       chan struct{}
	stopped      bool
}

// start runs member name on 127.0.0.<host> and waits until it serves. A
// member started again under the same name gets new ports.
func (c *rig) start(name string, host int) *member {
	c.t.Helper()
	m := c.launch(name, host)
	c.waitServing(m)
	return m
}

// launch runs the member without waiting for it.
func (c *rig) launch(name string, host int) *member {
	c.t.Helper()
	m := &member{name: name, ip: "127.0.0." + strconv.Itoa(host)}
	c.run(m)
	c.members[name] = m
	c.t.Cleanup(func() { c.reap(m) })
	return m
}

// run starts m's process on ports that were free a moment ago.
func (c *rig) run(m *member) {
	c.t.Helper()
	m.http, m.remote = freeAddrs(c.t, m.ip)
	m.exited = make(chan struct{})
	m.log = filepath.Join(c.t.TempDir(), m.name+".log")
	logf, err := os.Create(m.log)
	if err != nil {
		c.t.Fatal(err)
	}
	m.cmd = exec.Command(c.bin, "serve", "--listen", m.http, "--cluster-etcd", c.etcd.Endpoint,
		"--node-name", m.name, "--cluster-listen", m.remote, "--cluster-ttl", c.ttl.String(),
		"--input-root", c.in, "--output-root", c.out, "--workers", strconv.Itoa(c.workers),
		"--shards", "2")
	m.cmd.Env = append(os.Environ(), "IPFIXWEB_TEST_PACE="+c.pace.String(), "GOMAXPROCS=2")
	m.cmd.Stdout, m.cmd.Stderr = logf, logf
	if err := m.cmd.Start(); err != nil {
		c.t.Fatalf("start %s: %v", m.name, err)
	}
	_ = logf.Close()
	cmd, exited := m.cmd, m.exited
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
}

// portTaken reports whether m exited because one of its ports was taken
// between freeAddrs and its listen (another process on the machine got it).
func portTaken(m *member) bool {
	select {
	case <-m.exited:
	default:
		return false
	}
	b, _ := os.ReadFile(m.log)
	return bytes.Contains(b, []byte("address already in use"))
}

// reap kills the member if it still runs and checks its log for data
// races.
func (c *rig) reap(m *member) {
	if m.stopped {
		_ = m.cmd.Process.Signal(syscall.SIGCONT)
	}
	select {
	case <-m.exited:
	default:
		_ = m.cmd.Process.Kill()
		<-m.exited
	}
	b, _ := os.ReadFile(m.log)
	if bytes.Contains(b, []byte("WARNING: DATA RACE")) {
		c.t.Errorf("%s: data race:\n%s", m.name, b)
	}
	if c.t.Failed() {
		c.t.Logf("log of %s (last 4 KiB):\n%s", m.name, tail(b, 4096))
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// freeAddrs returns two TCP addresses of ip whose ports were free a
// moment ago, and differ.
func freeAddrs(tb testing.TB, ip string) (string, string) {
	tb.Helper()
	var addrs [2]string
	for i := range addrs {
		ln, err := net.Listen("tcp", ip+":0")
		if err != nil {
			tb.Fatal(err)
		}
		defer ln.Close()
		addrs[i] = ln.Addr().String()
	}
	return addrs[0], addrs[1]
}

// waitServing waits until m answers GET /api/cluster listing itself.
func (c *rig) waitServing(m *member) {
	c.t.Helper()
	retries := 3
	c.poll(20*time.Second, m.name+" serving", func() bool {
		if retries > 0 && portTaken(m) {
			retries--
			c.t.Logf("%s: a port was taken before it listened; starting it on others", m.name)
			c.run(m)
		}
		info, err := c.info(m)
		if err != nil {
			return false
		}
		for _, x := range info.Members {
			if x.Name == m.name {
				return true
			}
		}
		return false
	})
}

// signal sends sig to m.
func (c *rig) signal(m *member, sig syscall.Signal) {
	c.t.Helper()
	if err := m.cmd.Process.Signal(sig); err != nil {
		c.t.Fatalf("signal %s: %v", m.name, err)
	}
	switch sig {
	case syscall.SIGSTOP:
		m.stopped = true
	case syscall.SIGCONT:
		m.stopped = false
	}
}

// waitExit waits for m to exit and returns its exit code.
func (c *rig) waitExit(m *member, limit time.Duration) int {
	c.t.Helper()
	select {
	case <-m.exited:
		return m.cmd.ProcessState.ExitCode()
	case <-time.After(limit):
		c.t.Fatalf("%s did not exit within %s", m.name, limit)
		return -1
	}
}

// poll calls cond every 25 ms until it holds, or fails the test after
// limit.
func (c *rig) poll(limit time.Duration, what string, cond func() bool) {
	c.t.Helper()
	end := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(end) {
			c.t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// ctx returns a context that ends with the test.
func (c *rig) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	c.t.Cleanup(cancel)
	return ctx
}

// names returns the names of the members, sorted.
func names(ms ...*member) string {
	var s []string
	for _, m := range ms {
		s = append(s, m.name)
	}
	return strings.Join(s, ",")
}

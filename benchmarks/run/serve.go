package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// server is one `ipfixweb serve` process on a loopback port, with its own
// journal.
type server struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:PORT
	done chan error
	log  *os.File
}

// startServer starts a server and returns it once /readyz answers 200,
// with the seconds that took from the start of the process.
func startServer(bin, work, capDir, tag string, extra ...string) (*server, float64, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	dir := filepath.Join(work, "serve-"+tag)
	if err := os.MkdirAll(filepath.Join(dir, "out"), 0o755); err != nil {
		return nil, 0, err
	}
	log, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		return nil, 0, err
	}
	s := &server{base: fmt.Sprintf("http://127.0.0.1:%d", port), done: make(chan error, 1), log: log}
	s.cmd = exec.Command(bin, "serve", "--listen", fmt.Sprintf("127.0.0.1:%d", port),
		"--data-dir", filepath.Join(dir, "data"), "--input-root", capDir,
		"--output-root", filepath.Join(dir, "out"), "--log-level", "warn")
	s.cmd.Args = append(s.cmd.Args, extra...)
	s.cmd.Stdout, s.cmd.Stderr = log, log
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		log.Close()
		return nil, 0, err
	}
	go func() { s.done <- s.cmd.Wait() }()
	for deadline := start.Add(30 * time.Second); time.Now().Before(deadline); {
		if code, _ := s.get("/readyz"); code == http.StatusOK {
			return s, time.Since(start).Seconds(), nil
		}
		select {
		case err := <-s.done:
			log.Close()
			return nil, 0, fmt.Errorf("serve exited before ready: %v (log %s)", err, log.Name())
		case <-time.After(2 * time.Millisecond):
		}
	}
	s.kill()
	return nil, 0, errors.New("serve not ready within 30 s")
}

// stop sends SIGTERM and returns the seconds until the process exited.
func (s *server) stop() (float64, error) {
	defer s.log.Close()
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, err
	}
	select {
	case err := <-s.done:
		secs := time.Since(start).Seconds()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			return secs, err
		}
		return secs, nil
	case <-time.After(30 * time.Second):
		s.kill()
		return 0, errors.New("serve still running 30 s after SIGTERM")
	}
}

func (s *server) kill() {
	_ = s.cmd.Process.Kill()
	<-s.done
	s.log.Close()
}

var client = &http.Client{Timeout: 5 * time.Second}

func (s *server) get(path string) (int, []byte) {
	resp, err := client.Get(s.base + path)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// submit posts a conversion of captures to out and returns the task id.
func (s *server) submit(captures []string, out string, dpi bool) (string, error) {
	body, _ := json.Marshal(map[string]any{"pcap_files": captures, "output_path": out,
		"DPI": dpi, "overwrite": true})
	resp, err := client.Post(s.base+"/api/export-task", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var t struct {
		ID string `json:"task_id"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &t); err != nil || resp.StatusCode >= 300 || t.ID == "" {
		return "", fmt.Errorf("submit: %d %s", resp.StatusCode, raw)
	}
	return t.ID, nil
}

// taskState is the part of a task's status the runner reads.
type taskState struct {
	Status   string    `json:"status"`
	Started  time.Time `json:"started_at"`
	Finished time.Time `json:"finished_at"`
	Progress struct {
		Packets uint64 `json:"packets"`
	} `json:"progress"`
}

func (s *server) state(id string) taskState {
	var t taskState
	_, body := s.get("/api/task-status/" + id)
	_ = json.Unmarshal(body, &t)
	return t
}

// waitRunning waits until the task has metered packets.
func (s *server) waitRunning(id string) error {
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		t := s.state(id)
		switch {
		case t.Status == "running" && t.Progress.Packets > 0:
			return nil
		case t.Status != "queued" && t.Status != "running":
			return fmt.Errorf("task %s is %q before it ran", id, t.Status)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("task %s not running within 60 s", id)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// serveResult holds the serve measurements.
type serveResult struct {
	Ready, StopIdle, StopBusy []float64 // seconds, one per trial
	BusyLeftOutput            int       // busy stops that left a file at the output path
	// Task and TaskOneProc are the seconds a DPI task of the capture
	// ran, started to finished, in a server as it starts by default and
	// in one with --gomaxprocs set to the number of CPUs; one per round.
	Task, TaskOneProc []float64
	API               []apiResult
	Command           string
}

// measureServe measures start to ready and SIGTERM to exit, idle and
// while a DPI conversion runs, then the API under wrk.
func measureServe(b binaries, o *options) (*serveResult, error) {
	res := &serveResult{Command: "ipfixweb serve --listen 127.0.0.1:PORT --data-dir DIR " +
		"--input-root CAPTURE_DIR --output-root DIR/out --log-level warn"}
	capDir := filepath.Dir(o.capture)
	for i := range o.rounds {
		s, ready, err := startServer(b.ipfixweb, o.work, capDir, fmt.Sprintf("idle%d", i))
		if err != nil {
			return nil, err
		}
		res.Ready = append(res.Ready, ready)
		secs, err := s.stop()
		if err != nil {
			return nil, err
		}
		res.StopIdle = append(res.StopIdle, secs)
		if err := res.stopBusy(b, o, capDir, i); err != nil {
			return nil, err
		}
		for _, v := range []struct {
			to    *[]float64
			extra []string
		}{{&res.Task, nil}, {&res.TaskOneProc, []string{"--gomaxprocs", strconv.Itoa(runtime.NumCPU())}}} {
			secs, err := taskTime(b, o, capDir, fmt.Sprintf("task%d-%d", i, len(v.extra)), v.extra...)
			if err != nil {
				return nil, err
			}
			*v.to = append(*v.to, secs)
		}
	}
	logf("serve: DPI task %v s; with --gomaxprocs %d: %v s", res.Task, runtime.NumCPU(), res.TaskOneProc)
	logf("serve: ready %v s, SIGTERM idle %v s, busy %v s", res.Ready, res.StopIdle, res.StopBusy)
	api, err := loadAPI(b, o, capDir)
	res.API = api
	return res, err
}

// taskTime runs a DPI task of the capture in a new server started with
// extra flags and returns the seconds from its start to its end.
func taskTime(b binaries, o *options, capDir, tag string, extra ...string) (float64, error) {
	s, _, err := startServer(b.ipfixweb, o.work, capDir, tag, extra...)
	if err != nil {
		return 0, err
	}
	defer s.kill()
	id, err := s.submit([]string{o.capture}, filepath.Join(o.work, "serve-"+tag, "out", "task.ipfix"), true)
	if err != nil {
		return 0, err
	}
	for deadline := time.Now().Add(10 * time.Minute); time.Now().Before(deadline); {
		t := s.state(id)
		switch t.Status {
		case "queued", "running", "":
			time.Sleep(20 * time.Millisecond)
			continue
		case "completed":
			return t.Finished.Sub(t.Started).Seconds(), nil
		}
		return 0, fmt.Errorf("task %s ended %q", id, t.Status)
	}
	return 0, fmt.Errorf("task %s not done within 10 minutes", id)
}

// stopBusy stops a server while it converts the capture with DPI.
func (res *serveResult) stopBusy(b binaries, o *options, capDir string, i int) error {
	tag := fmt.Sprintf("busy%d", i)
	s, ready, err := startServer(b.ipfixweb, o.work, capDir, tag)
	if err != nil {
		return err
	}
	res.Ready = append(res.Ready, ready)
	out := filepath.Join(o.work, "serve-"+tag, "out", "busy.ipfix")
	id, err := s.submit([]string{o.capture}, out, true)
	if err == nil {
		err = s.waitRunning(id)
	}
	if err != nil {
		s.kill()
		return err
	}
	secs, err := s.stop()
	if err != nil {
		return err
	}
	res.StopBusy = append(res.StopBusy, secs)
	if _, err := os.Stat(out); err == nil {
		res.BusyLeftOutput++
	}
	return nil
}

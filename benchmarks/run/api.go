package main

import (
	"bufio"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// apiResult is one wrk run against one endpoint.
type apiResult struct {
	Endpoint      string
	Command       string
	ReqPerSec     float64
	P50, P99      float64 // milliseconds
	Requests      int64
	Non2xx        int64
	SocketErrors  string
	RunningBefore bool // a conversion was running when wrk started
	RunningAfter  bool // and still when it ended
}

// apiCopies is how many times the capture is listed in the conversion
// that runs under the API load: a DPI conversion of one copy can end
// before the wrk runs do.
const apiCopies = 4

// loadAPI starts a server, keeps a DPI conversion of the capture running
// and puts each read endpoint under wrk.
func loadAPI(b binaries, o *options, capDir string) ([]apiResult, error) {
	s, _, err := startServer(b.ipfixweb, o.work, capDir, "api")
	if err != nil {
		return nil, err
	}
	defer s.kill()
	var out []apiResult
	id := ""
	for i, ep := range []string{"/api/task-status/%s", "/api/tasks"} {
		if id == "" || s.state(id).Status != "running" {
			out := filepath.Join(o.work, "serve-api", "out", fmt.Sprintf("load%d.ipfix", i))
			if id, err = s.submit(slices.Repeat([]string{o.capture}, apiCopies), out, true); err != nil {
				return nil, err
			}
			if err := s.waitRunning(id); err != nil {
				return nil, err
			}
		}
		path := ep
		if strings.Contains(ep, "%s") {
			path = fmt.Sprintf(ep, id)
		}
		args := []string{"-t", strconv.Itoa(o.wrkThreads), "-c", strconv.Itoa(o.wrkConns),
			"-d", fmt.Sprintf("%ds", o.apiSeconds), "--latency", s.base + path}
		raw, err := exec.Command("wrk", args...).CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("wrk: %w\n%s", err, raw)
		}
		r := parseWrk(string(raw))
		r.Endpoint = "GET " + strings.ReplaceAll(ep, "%s", "{id}")
		r.Command = "wrk " + strings.Join(args[:len(args)-1], " ") + " http://127.0.0.1:PORT" +
			strings.ReplaceAll(ep, "%s", "{id}")
		r.RunningBefore = true
		r.RunningAfter = s.state(id).Status == "running"
		logf("api %s: %.0f req/s, p99 %.2f ms, conversion running after: %v", r.Endpoint,
			r.ReqPerSec, r.P99, r.RunningAfter)
		out = append(out, r)
	}
	return out, nil
}

// parseWrk reads wrk's report: requests per second, the latency
// distribution of --latency, and errors.
func parseWrk(text string) apiResult {
	var r apiResult
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			r.ReqPerSec, _ = strconv.ParseFloat(f[1], 64)
		case len(f) == 2 && f[0] == "50%":
			r.P50 = millis(f[1])
		case len(f) == 2 && f[0] == "99%":
			r.P99 = millis(f[1])
		case len(f) >= 2 && f[1] == "requests" && len(f[0]) > 0:
			r.Requests, _ = strconv.ParseInt(f[0], 10, 64)
		case len(f) == 5 && f[0] == "Non-2xx":
			r.Non2xx, _ = strconv.ParseInt(f[4], 10, 64)
		case len(f) > 2 && f[0] == "Socket" && f[1] == "errors:":
			r.SocketErrors = strings.Join(f[2:], " ")
		}
	}
	return r
}

// millis converts a wrk duration ("812.00us", "3.41ms", "1.02s") to ms.
func millis(s string) float64 {
	for _, u := range []struct {
		suffix string
		scale  float64
	}{{"us", 0.001}, {"ms", 1}, {"s", 1000}, {"m", 60000}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			x, err := strconv.ParseFloat(v, 64)
			if err == nil {
				return x * u.scale
			}
		}
	}
	return 0
}

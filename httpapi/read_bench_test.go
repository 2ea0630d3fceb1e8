package httpapi

import (
	"fmt"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/ipfixweb/ipfixweb/internal/task"
	"github.com/ipfixweb/ipfixweb/internal/taskview"
)

// benchServer is a Server whose board holds n finished tasks, as the
// supervisor publishes them; it returns the id of the newest.
func benchServer(b *testing.B, n int) (*Server, string) {
	b.Helper()
	board := taskview.New(n)
	if err := board.Load(nil, true); err != nil {
		b.Fatal(err)
	}
	id := ""
	for i := range n {
		id = fmt.Sprintf("01a24019-%04x-7d0c-a11e-4e44c898ef93", i)
		now := time.Unix(int64(i), 0).UTC()
		t := &task.Task{ID: id, Status: task.Completed, SubmittedAt: now, StartedAt: &now, FinishedAt: &now,
			Request: task.Request{PcapFiles: []string{"/srv/captures/a.pcap"}, OutputPath: "/srv/out/a.ipfix",
				DPI: true, AnalysisList: []string{"tcp", "udp"}, IdleTimeout: 300, ActiveTimeout: 1800},
			Errors: []task.FileError{}, Output: &task.Output{Path: "/srv/out/a.ipfix", Bytes: 1 << 20,
				Records: 1 << 12, SHA256: fmt.Sprintf("%064x", i)},
			Summary: &task.Summary{Flows: 1000, Records: 2000, Packets: 1 << 20}}
		if err := board.Put(t); err != nil {
			b.Fatal(err)
		}
	}
	return New(Config{Board: board}), id
}

// serve runs one GET through the server's handler, as fasthttp would.
func serve(b *testing.B, s *Server, ctx *fasthttp.RequestCtx, uri string) {
	ctx.Request.Reset()
	ctx.Response.Reset()
	ctx.Request.Header.SetMethod("GET")
	ctx.Request.SetRequestURI(uri)
	s.srv.Handler(ctx)
	if ctx.Response.StatusCode() != 200 {
		b.Fatalf("%s: %d %s", uri, ctx.Response.StatusCode(), ctx.Response.Body())
	}
}

// The handler path of GET /api/task-status/{id}: routing, the board's
// lookup and the response, without the network.
func BenchmarkStatus(b *testing.B) {
	s, id := benchServer(b, taskview.DefaultRecent)
	var ctx fasthttp.RequestCtx
	uri := "/api/task-status/" + id
	serve(b, s, &ctx, uri)
	b.SetBytes(int64(len(ctx.Response.Body())))
	b.ReportAllocs()
	for b.Loop() {
		serve(b, s, &ctx, uri)
	}
}

// The handler path of GET /api/tasks: a page of 100 tasks.
func BenchmarkList(b *testing.B) {
	s, _ := benchServer(b, taskview.DefaultRecent)
	var ctx fasthttp.RequestCtx
	serve(b, s, &ctx, "/api/tasks")
	b.SetBytes(int64(len(ctx.Response.Body())))
	b.ReportAllocs()
	for b.Loop() {
		serve(b, s, &ctx, "/api/tasks")
	}
}

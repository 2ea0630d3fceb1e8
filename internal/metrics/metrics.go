// Package metrics holds the Prometheus metrics of the service, in a
// registry of its own. A nil *Set is valid and records nothing, so code
// that runs without metrics (convert, tests) needs no special case.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/ipfixweb/ipfixweb/internal/task"
)

// Set is the service's metrics.
type Set struct {
	Registry *prometheus.Registry

	tasks      *prometheus.GaugeVec
	finished   *prometheus.CounterVec
	submitted  *prometheus.CounterVec
	queue      prometheus.Gauge
	packets    prometheus.Counter
	bytes      prometheus.Counter
	flows      prometheus.Counter
	records    prometheus.Counter
	badPackets prometheus.Counter
	dpiFailed  prometheus.Counter
	duration   *prometheus.HistogramVec
}

// New registers the metrics in a new registry, with the Go runtime and
// process collectors.
func New() *Set {
	s := &Set{Registry: prometheus.NewRegistry()}
	s.tasks = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ipfixweb_tasks",
		Help: "Tasks this node holds, by state (queued and running are live; the others count since start)."},
		[]string{"state"})
	s.finished = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ipfixweb_tasks_finished_total",
		Help: "Tasks that ended, by final state."}, []string{"state"})
	s.submitted = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ipfixweb_submissions_total",
		Help: "Export requests, by outcome (accepted, duplicate, key_reused, queue_full, conflict, draining, " +
			"invalid, error)."},
		[]string{"outcome"})
	s.queue = prometheus.NewGauge(prometheus.GaugeOpts{Name: "ipfixweb_queue_depth",
		Help: "Tasks waiting for a worker."})
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	}
	s.packets = counter("ipfixweb_packets_total",
		"IP packets decoded by tasks, counted as they run (left-out protocols included).")
	s.bytes = counter("ipfixweb_bytes_total", "IP-level octets of those packets, counted as tasks run.")
	s.flows = counter("ipfixweb_flows_total", "Distinct flows (connections) metered, counted as tasks run.")
	s.records = counter("ipfixweb_records_total", "Flow records written, counted as tasks run.")
	s.badPackets = counter("ipfixweb_bad_packets_total",
		"Frames that did not decode as IP, counted as tasks run.")
	s.dpiFailed = counter("ipfixweb_dpi_failures_total",
		"Flows whose inspection failed (a dissector panicked), counted as tasks run; exported as Unknown.")
	s.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ipfixweb_task_duration_seconds",
		Help:    "Time from start to end of a task's run, by final state.",
		Buckets: prometheus.ExponentialBuckets(0.01, 4, 10)}, []string{"state"})
	s.Registry.MustRegister(s.tasks, s.finished, s.submitted, s.queue, s.packets, s.bytes, s.flows,
		s.records, s.badPackets, s.dpiFailed, s.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, st := range task.Statuses {
		s.tasks.WithLabelValues(string(st))
		if !st.Live() {
			s.finished.WithLabelValues(string(st))
		}
	}
	return s
}

// Live sets the number of queued and running tasks.
func (s *Set) Live(queued, running int) {
	if s == nil {
		return
	}
	s.tasks.WithLabelValues(string(task.Queued)).Set(float64(queued))
	s.tasks.WithLabelValues(string(task.Running)).Set(float64(running))
	s.queue.Set(float64(queued))
}

// Submission counts one export request by its outcome.
func (s *Set) Submission(outcome string) {
	if s == nil {
		return
	}
	s.submitted.WithLabelValues(outcome).Inc()
}

// Finished records a task that ended. What it did is counted by
// [Set.Advance] as it runs.
func (s *Set) Finished(t *task.Task, seconds float64) {
	if s == nil {
		return
	}
	st := string(t.Status)
	s.finished.WithLabelValues(st).Inc()
	s.tasks.WithLabelValues(st).Inc()
	s.duration.WithLabelValues(st).Observe(seconds)
}

// Advance adds what running tasks did since they last reported.
func (s *Set) Advance(packets, bytes, flows, records, badPackets, dpiFailures uint64) {
	if s == nil {
		return
	}
	s.packets.Add(float64(packets))
	s.bytes.Add(float64(bytes))
	s.flows.Add(float64(flows))
	s.records.Add(float64(records))
	s.badPackets.Add(float64(badPackets))
	s.dpiFailed.Add(float64(dpiFailures))
}

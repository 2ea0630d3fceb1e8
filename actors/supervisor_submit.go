package actors

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/google/uuid"
	"go.uber.org/zap"

	"github.com/ipfixweb/ipfixweb/internal/task"
)

// Fingerprint identifies a normalised request: two submissions with the
// same fingerprint ask for the same work.
func Fingerprint(r task.Request) string {
	b, _ := json.Marshal(r)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// submit admits a new task, or answers with the earlier task the request
// duplicates, or with why it cannot be taken.
func (s *supervisor) submit(c actor.Context, m *Submit) *SubmitReply {
	print := Fingerprint(m.Request)
	if m.IdempotencyKey != "" {
		if r := s.findKey(m.IdempotencyKey, print); r.Task != nil || r.Err != nil {
			return r
		}
	}
	if id, ok := s.byPrint[print]; ok {
		return s.duplicate(id)
	}
	if r := s.refuse(m.Request.OutputPath); r != nil {
		return r
	}
	id, err := uuid.NewV7()
	if err != nil {
		return &SubmitReply{Err: fmt.Errorf("new task id: %w", err)}
	}
	t := &task.Task{ID: id.String(), Status: task.Queued, Request: m.Request,
		IdempotencyKey: m.IdempotencyKey, Fingerprint: print, SubmittedAt: time.Now().UTC(),
		Node: s.cfg.Node, Errors: []task.FileError{},
		Progress: task.Progress{FilesTotal: len(m.Request.PcapFiles)}}
	if err := s.cfg.Store.Put(t); err != nil {
		s.cfg.Metrics.Submission("error")
		return &SubmitReply{Err: fmt.Errorf("journal: %w", err)}
	}
	s.publish(t)
	s.cfg.Metrics.Submission("accepted")
	s.admit(t)
	s.queue = append(s.queue, t.ID)
	s.log.Info("task accepted", zap.String("task_id", t.ID), zap.Strings("pcap_files", m.Request.PcapFiles),
		zap.String("output_path", m.Request.OutputPath), zap.String("collector", m.Request.Collector),
		zap.Bool("dpi", m.Request.DPI))
	reply := &SubmitReply{Task: t.Clone(), Created: true}
	s.startNext(c)
	return reply
}

// refuse answers a new request the node cannot take now, or nil.
func (s *supervisor) refuse(output string) *SubmitReply {
	if s.draining {
		s.cfg.Metrics.Submission("draining")
		return &SubmitReply{Err: ErrDraining}
	}
	if id, ok := s.byOutput[output]; ok && output != "" {
		s.cfg.Metrics.Submission("conflict")
		return &SubmitReply{Err: &ConflictError{Path: output, TaskID: id}}
	}
	if s.running >= s.cfg.Workers && len(s.queue) >= s.cfg.Queue {
		s.cfg.Metrics.Submission("queue_full")
		return &SubmitReply{Err: ErrQueueFull}
	}
	return nil
}

// findKey answers a request sent with an Idempotency-Key: with the task
// the key was first sent with, whatever its state, as long as the
// journal holds it; with a [*KeyReusedError] when that task was for
// another request (print is the fingerprint of this one); with an empty
// reply when the key is new.
func (s *supervisor) findKey(key, print string) *SubmitReply {
	id, ok := s.byKey[key]
	if !ok {
		var err error
		id, err = s.cfg.Store.ByIdempotencyKey(key)
		if errors.Is(err, ErrNotFound) {
			return &SubmitReply{}
		}
		if err != nil {
			return &SubmitReply{Err: fmt.Errorf("journal: %w", err)}
		}
	}
	r := s.get(id)
	switch {
	case r.Err != nil:
		return &SubmitReply{Err: fmt.Errorf("journal: task %s of the key: %w", id, r.Err)}
	case r.Task.Fingerprint != print:
		s.cfg.Metrics.Submission("key_reused")
		return &SubmitReply{Err: &KeyReusedError{Key: key, TaskID: id}}
	}
	s.cfg.Metrics.Submission("duplicate")
	return &SubmitReply{Task: r.Task}
}

func (s *supervisor) duplicate(id string) *SubmitReply {
	r := s.get(id)
	if r.Err != nil {
		return &SubmitReply{Err: r.Err}
	}
	s.cfg.Metrics.Submission("duplicate")
	return &SubmitReply{Task: r.Task}
}

package actors

import (
	"go.uber.org/zap"

	"github.com/ipfixweb/ipfixweb/internal/task"
)

// publish puts a task's state on the board. Callers publish only what
// the journal holds (a state change once it is written, or the progress
// of a run whose start is written).
func (s *supervisor) publish(t *task.Task) {
	if s.cfg.Board == nil {
		return
	}
	if err := s.cfg.Board.Put(t); err != nil {
		s.log.Error("publish task", zap.String("task_id", t.ID), zap.Error(err))
	}
}

// loadBoard fills the board at start with the live tasks and the most
// recent finished ones of the journal.
func (s *supervisor) loadBoard(live []*task.Task) {
	b := s.cfg.Board
	if b == nil {
		return
	}
	recent, next, err := s.cfg.Store.List("", "", b.Recent())
	if err != nil {
		s.log.Error("load recent tasks", zap.Error(err))
		next = "more" // the board must not claim to hold every task
	}
	// Live tasks go first: their state is the newer where both hold one.
	if err := b.Load(append(live, recent...), next == ""); err != nil {
		s.log.Error("load the board", zap.Error(err))
	}
}

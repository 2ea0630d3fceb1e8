package actors

import (
	"errors"
	"fmt"

	"github.com/ipfixweb/ipfixweb/internal/journal"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// Errors a supervisor's replies can carry.
var (
	// ErrQueueFull means every worker is busy and the queue is full.
	ErrQueueFull = errors.New("queue full")
	// ErrDraining means the node is shutting down and takes no new task.
	ErrDraining = errors.New("shutting down")
	// ErrNotFound means no task has the id.
	ErrNotFound = journal.ErrNotFound
	// ErrFinished means the task already ended, so it cannot be cancelled.
	ErrFinished = errors.New("task already finished")
	// ErrBadCursor means a list cursor names no task.
	ErrBadCursor = errors.New("cursor names no task")
)

// ConflictError means another live task writes the same output path.
type ConflictError struct {
	Path   string
	TaskID string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("task %s is already writing %s", e.TaskID, e.Path)
}

// KeyReusedError means an Idempotency-Key came back with a request other
// than the one it was first sent with.
type KeyReusedError struct {
	Key    string
	TaskID string // the task the key was first used for
}

func (e *KeyReusedError) Error() string {
	return fmt.Sprintf("Idempotency-Key %q was already used for a different request (task %s); "+
		"use a new key for a new request", e.Key, e.TaskID)
}

// Messages the supervisor answers. Each is sent with Request (or
// RequestFuture) and answered with the reply named.

// Submit asks for a task for Request; the answer is a *SubmitReply.
type Submit struct {
	Request        task.Request
	IdempotencyKey string
}

// SubmitReply is the answer to [Submit] and [FindKey]. Created is false
// when the task is an earlier one the request duplicates.
type SubmitReply struct {
	Task    *task.Task
	Created bool
	Err     error
}

// FindKey asks for the task an Idempotency-Key was first sent with; the
// answer is a *SubmitReply: the task when Fingerprint (of the request
// sent now, see [Fingerprint]) is that task's, a [*KeyReusedError] when
// it is not, and neither when the key is new.
type FindKey struct {
	Key         string
	Fingerprint string
}

// GetTask asks for a task's state; the answer is a *TaskReply.
type GetTask struct{ ID string }

// CancelTask cancels a task; the answer, a *TaskReply, comes once it has
// stopped. A task that completed before it could be stopped answers with
// ErrFinished.
type CancelTask struct{ ID string }

// TaskReply is the answer to [GetTask] and [CancelTask].
type TaskReply struct {
	Task *task.Task
	Err  error
}

// ListTasks asks for a page of tasks, newest first; the answer is a
// *ListReply. The task list is read from the board (see
// [SupervisorConfig.Board]) where it can be; this reads the journal.
type ListTasks struct {
	Status task.Status // empty for every status
	After  string      // the cursor: the last id of the previous page
	Limit  int
}

// ListReply is the answer to [ListTasks]. Err is ErrBadCursor when After
// names no task.
type ListReply struct {
	Tasks []*task.Task
	Next  string
	Err   error
}

// Drain stops admission and hands every running task back to the queue
// in the journal, so the next start runs it again; the answer, a
// *Drained, comes once the running tasks have stopped. A task whose
// output was already published when the drain reached it is completed.
type Drain struct{}

// Drained is the answer to [Drain].
type Drained struct{ Requeued int }

// GetLoad asks how busy the node is; the answer is a *Load.
type GetLoad struct{}

// Load is the answer to [GetLoad].
type Load struct {
	Queued, Running, Workers, Queue int
	Draining                        bool
}

// deadline fires when a running task reaches its timeout.
type deadline struct {
	id      string
	attempt int
}

// Package journal keeps export tasks durably. [Store] is what the
// supervisor needs of a task store; [Bolt] implements it on one node with
// go.etcd.io/bbolt, writing every change with fsync before it returns.
package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/ipfixweb/ipfixweb/internal/task"
)

// Errors of a Store.
var (
	// ErrNotFound means no task has the id.
	ErrNotFound = errors.New("no such task")
	// ErrLocked means another process holds the journal open.
	ErrLocked = errors.New("journal is locked by another process")
	// ErrCorrupt means the journal file cannot be trusted.
	ErrCorrupt = errors.New("journal is corrupt")
)

// Store keeps tasks. Implementations are safe for concurrent use.
type Store interface {
	// Put writes the tasks in one durable transaction: when it returns nil
	// every one of them survives a crash.
	Put(tasks ...*task.Task) error
	// Get returns the task with the id, or ErrNotFound.
	Get(id string) (*task.Task, error)
	// List returns up to limit tasks, newest first, whose status is
	// status (any status when it is empty), starting after the task with
	// id after (from the newest when it is empty). next is the id to pass
	// as after for the following page, empty on the last page.
	List(status task.Status, after string, limit int) (tasks []*task.Task, next string, err error)
	// Live returns the queued and running tasks, oldest first.
	Live() ([]*task.Task, error)
	// ByIdempotencyKey returns the id of the task submitted with key, or
	// ErrNotFound.
	ByIdempotencyKey(key string) (string, error)
	// Close releases the store.
	Close() error
}

var (
	bucketTasks = []byte("tasks")
	bucketLive  = []byte("live")
	bucketIdem  = []byte("idempotency")
)

// Bolt is a Store in one bbolt file.
type Bolt struct {
	db   *bolt.DB
	path string
}

// FileName is the name of the journal file inside the data directory.
const FileName = "journal.db"

// Open opens (or creates) the journal in dir. A journal that another
// process holds open gives ErrLocked; one that fails its consistency
// check gives ErrCorrupt. Both errors say what to do.
func Open(dir string) (b *Bolt, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	if err := prepare(path); err != nil {
		return nil, err
	}
	defer func() {
		// bbolt can panic on a page it cannot make sense of.
		if r := recover(); r != nil {
			b, err = nil, corrupt(path, r)
		}
	}()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, locked(path)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrVersionMismatch),
		errors.Is(err, bolterrors.ErrChecksum):
		return nil, corrupt(path, err)
	case err != nil:
		return nil, fmt.Errorf("open journal %s: %w", path, err)
	}
	b = &Bolt{db: db, path: path}
	if err := b.check(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return b, nil
}

// check creates the buckets and verifies the whole file, so a damaged
// journal is found at start and not in the middle of serving.
func (b *Bolt) check() error {
	err := b.db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketTasks, bucketLive, bucketIdem} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		var bad error
		faults := 0
		for err := range tx.Check() { // drain: the check runs until the channel closes
			if faults++; faults <= 10 {
				bad = errors.Join(bad, err)
			}
		}
		if bad != nil {
			return fmt.Errorf("%d faults, the first: %w", faults, bad)
		}
		all := tx.Bucket(bucketTasks)
		err := all.ForEach(func(k, v []byte) error {
			var t task.Task
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("task %q: %w", k, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		// Every live task must be there: the next start runs them.
		return tx.Bucket(bucketLive).ForEach(func(k, _ []byte) error {
			if all.Get(k) == nil {
				return fmt.Errorf("live task %q has no record", k)
			}
			return nil
		})
	})
	if err != nil {
		return corrupt(b.path, err)
	}
	return nil
}

// Put implements Store.
func (b *Bolt) Put(tasks ...*task.Task) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		all, live, idem := tx.Bucket(bucketTasks), tx.Bucket(bucketLive), tx.Bucket(bucketIdem)
		for _, t := range tasks {
			v, err := json.Marshal(t)
			if err != nil {
				return fmt.Errorf("encode task %s: %w", t.ID, err)
			}
			id := []byte(t.ID)
			if err := all.Put(id, v); err != nil {
				return err
			}
			if t.Status.Live() {
				err = live.Put(id, nil)
			} else {
				err = live.Delete(id)
			}
			if err != nil {
				return err
			}
			if t.IdempotencyKey != "" {
				if err := idem.Put([]byte(t.IdempotencyKey), id); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// Get implements Store.
func (b *Bolt) Get(id string) (*task.Task, error) {
	var t *task.Task
	err := b.db.View(func(tx *bolt.Tx) error {
		var err error
		t, err = decode(tx.Bucket(bucketTasks).Get([]byte(id)))
		return err
	})
	return t, err
}

func decode(v []byte) (*task.Task, error) {
	if v == nil {
		return nil, ErrNotFound
	}
	t := new(task.Task)
	if err := json.Unmarshal(v, t); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return t, nil
}

// List implements Store. Task ids sort in the order of submission, so the
// newest task is the last key.
func (b *Bolt) List(status task.Status, after string, limit int) ([]*task.Task, string, error) {
	var out []*task.Task
	next := ""
	err := b.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketTasks).Cursor()
		var k, v []byte
		if after == "" {
			k, v = c.Last()
		} else {
			c.Seek([]byte(after))
			k, v = c.Prev()
		}
		for ; k != nil; k, v = c.Prev() {
			t, err := decode(v)
			if err != nil {
				return err
			}
			if status != "" && t.Status != status {
				continue
			}
			if len(out) == limit {
				next = out[len(out)-1].ID
				return nil
			}
			out = append(out, t)
		}
		return nil
	})
	return out, next, err
}

// Live implements Store.
func (b *Bolt) Live() ([]*task.Task, error) {
	var out []*task.Task
	err := b.db.View(func(tx *bolt.Tx) error {
		all := tx.Bucket(bucketTasks)
		return tx.Bucket(bucketLive).ForEach(func(k, _ []byte) error {
			t, err := decode(all.Get(k))
			if err != nil {
				return fmt.Errorf("live task %s: %w", k, err)
			}
			out = append(out, t)
			return nil
		})
	})
	return out, err
}

// ByIdempotencyKey implements Store.
func (b *Bolt) ByIdempotencyKey(key string) (string, error) {
	var id string
	err := b.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketIdem).Get([]byte(key))
		if v == nil {
			return ErrNotFound
		}
		id = string(v)
		return nil
	})
	return id, err
}

// Close implements Store.
func (b *Bolt) Close() error { return b.db.Close() }

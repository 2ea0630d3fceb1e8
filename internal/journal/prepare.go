package journal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
)

// corrupt wraps a reason the journal at path cannot be trusted, with what
// to do about it.
func corrupt(path string, reason any) error {
	return fmt.Errorf("%w: %s: %v; move it away to start with an empty journal, "+
		"or restore it from a backup", ErrCorrupt, path, reason)
}

func locked(path string) error {
	return fmt.Errorf("%w: %s: stop the other ipfixweb using this --data-dir, "+
		"or give this one another", ErrLocked, path)
}

// prepare makes sure the journal at path exists and can be handed to
// bbolt: a new journal is made whole under another name and renamed into
// place, so a journal file that is empty was damaged later and is
// refused, never taken for a new one; an existing one must pass
// [structureCheck] while this process holds its lock.
func prepare(path string) error {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return create(path)
	}
	if err != nil {
		return fmt.Errorf("open journal %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return corrupt(path, "not a regular file")
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("open journal %s: %w", path, err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return locked(path)
		}
		return fmt.Errorf("lock journal %s: %w", path, err)
	}
	defer func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }()
	if st.Size() == 0 {
		return corrupt(path, "the file is empty")
	}
	if err := structureCheck(path); err != nil {
		return corrupt(path, err)
	}
	return nil
}

// create makes an empty journal at path.
func create(path string) error {
	tmp := path + ".new"
	_ = os.Remove(tmp) // left by a start that died while making it
	db, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("create journal %s: %w", path, err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("create journal %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("create journal %s: %w", path, err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

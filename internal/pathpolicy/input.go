package pathpolicy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Input checks an input path and returns it absolute and clean (links
// are not replaced, so the task reports the name it was given). The file
// must exist, resolve under an input root and outside every reserved
// directory, be a regular file and be readable. It never blocks: the type
// is checked before the file is opened, and the open does not wait for a
// writer.
func (p *Policy) Input(path string) (string, error) {
	if path == "" {
		return "", refuse(path, ErrNotFound, "empty path")
	}
	if !filepath.IsAbs(path) {
		return "", refuse(path, ErrOutside, "must be an absolute path")
	}
	clean := filepath.Clean(path)
	real, err := filepath.EvalSymlinks(clean)
	if errors.Is(err, fs.ErrNotExist) {
		return "", refuse(path, ErrNotFound, "no such file")
	}
	if err != nil {
		return "", refuse(path, ErrNotReadable, "%v", unwrapPath(err))
	}
	if err := p.placeInput(path, real); err != nil {
		return "", err
	}
	f, err := openRegular(path, real)
	if err != nil {
		return "", err
	}
	_ = f.Close()
	return clean, nil
}

// placeInput refuses a resolved input outside the input roots or inside
// a reserved directory.
func (p *Policy) placeInput(path, real string) error {
	if !p.underInput(real) {
		return refuse(path, ErrOutside, "not under an input root (%s)", strings.Join(p.inputs, ", "))
	}
	return p.refuseReserved(path, real)
}

func (p *Policy) underInput(real string) bool {
	for _, r := range p.inputs {
		if within(real, r) {
			return true
		}
	}
	return false
}

// OpenInput opens an input for reading after checking it again: the file
// that was opened must still be a regular file, resolve under an input
// root and lie outside every reserved directory, so a link or a named
// pipe swapped in after the task was accepted is refused, without
// blocking.
func (p *Policy) OpenInput(path string) (*os.File, error) {
	f, err := openRegular(path, path)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(fdPath(f))
	if err != nil {
		// Without /proc, resolve the name instead.
		real, err = filepath.EvalSymlinks(path)
	}
	switch {
	case err != nil:
		err = refuse(path, ErrNotReadable, "%v", unwrapPath(err))
	case !p.underInput(real):
		err = refuse(path, ErrOutside, "no longer under an input root")
	default:
		err = p.refuseReserved(path, real)
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}

// OpenRegular opens name for reading only if it is a regular file, as
// [Policy.OpenInput] does but without the roots: a named pipe or a device
// is refused with an [*Error] wrapping [ErrNotRegular], never opened or
// waited on.
func OpenRegular(name string) (*os.File, error) { return openRegular(name, name) }

// openRegular opens name (which path names, for errors) for reading only
// if it is a regular file. Its type is looked at before the open, so a
// named pipe or a device is never opened, and the open itself does not
// wait (O_NONBLOCK), so a file swapped for a pipe in between cannot hang
// the caller; the opened file's own type is checked again, then blocking
// reads are restored.
func openRegular(path, name string) (*os.File, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, openError(path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, notRegular(path, st.Mode())
	}
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, openError(path, err)
	}
	if err := checkOpened(path, f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}

// checkOpened refuses an opened file that is not regular, and clears
// O_NONBLOCK on one that is.
func checkOpened(path string, f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return refuse(path, ErrNotReadable, "%v", unwrapPath(err))
	}
	if !st.Mode().IsRegular() {
		return notRegular(path, st.Mode())
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return refuse(path, ErrNotReadable, "%v", err)
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.SetNonblock(int(fd), false) }); err != nil {
		serr = err
	}
	if serr != nil {
		return refuse(path, ErrNotReadable, "%v", serr)
	}
	return nil
}

func openError(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return refuse(path, ErrNotFound, "no such file")
	}
	return refuse(path, ErrNotReadable, "cannot be read: %v", unwrapPath(err))
}

// fdPath names the open file f in /proc, where the kernel resolves it to
// the file that was opened.
func fdPath(f *os.File) string {
	fd := -1
	if rc, err := f.SyscallConn(); err == nil {
		_ = rc.Control(func(v uintptr) { fd = int(v) })
	}
	return fmt.Sprintf("/proc/self/fd/%d", fd)
}

// Package pathpolicy decides which files the service may read and where
// it may write. Inputs must lie under one of the input roots and outputs
// under the output root, judged after every symbolic link is resolved, so
// neither ".." nor a link can lead out. Reserved directories (the
// server's data directory with its journal) are refused as inputs and as
// outputs even when a root holds them. Only regular files are read or
// replaced: a named pipe or a device is refused without being opened in a
// way that could block. The checks run when a task is submitted and again
// when its files are opened.
package pathpolicy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Error is a refused path: Reason says why, for the person who sent it.
type Error struct {
	Path   string
	Reason string
	Err    error // a sentinel below
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Path, e.Reason) }

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

// Sentinels wrapped by [Error].
var (
	// ErrOutside means the path resolves outside the allowed roots.
	ErrOutside = errors.New("path outside the allowed roots")
	// ErrNotFound means the file (or an output's directory) does not exist.
	ErrNotFound = errors.New("no such file")
	// ErrNotReadable means the input exists but cannot be read.
	ErrNotReadable = errors.New("file not readable")
	// ErrNotRegular means the path is not a regular file: a directory, a
	// named pipe, a device, a socket, or (for an output) a link.
	ErrNotRegular = errors.New("not a regular file")
	// ErrExists means the output exists and overwriting was not asked for.
	ErrExists = errors.New("output exists")
	// ErrInsideInput means the output would land inside an input root.
	ErrInsideInput = errors.New("output inside an input root")
	// ErrReserved means the path lies in a reserved directory, such as
	// the server's data directory.
	ErrReserved = errors.New("path inside a reserved directory")
)

// Policy holds the resolved roots. It is safe for concurrent use.
type Policy struct {
	inputs   []string
	output   string
	reserved []string
}

// New resolves the roots and the reserved directories (all of which must
// exist and be directories) and returns their policy. No path inside a
// reserved directory is ever accepted, so a root may not lie inside one.
func New(inputRoots []string, outputRoot string, reserved ...string) (*Policy, error) {
	if len(inputRoots) == 0 {
		return nil, errors.New("no input root")
	}
	p := &Policy{}
	for _, r := range reserved {
		real, err := realDir(r)
		if err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		p.reserved = append(p.reserved, real)
	}
	for _, r := range inputRoots {
		real, err := p.root("input root", r)
		if err != nil {
			return nil, err
		}
		p.inputs = append(p.inputs, real)
	}
	real, err := p.root("output root", outputRoot)
	if err != nil {
		return nil, err
	}
	p.output = real
	return p, nil
}

// root resolves a root directory and refuses one inside a reserved
// directory, where nothing may be read or written.
func (p *Policy) root(what, dir string) (string, error) {
	real, err := realDir(dir)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	if r := p.reservedFor(real); r != "" {
		return "", fmt.Errorf("%s %s lies inside the data directory %s", what, dir, r)
	}
	return real, nil
}

// InputRoots returns the resolved input roots.
func (p *Policy) InputRoots() []string { return append([]string(nil), p.inputs...) }

// OutputRoot returns the resolved output root.
func (p *Policy) OutputRoot() string { return p.output }

func realDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(real)
	if err != nil {
		return "", err
	}
	if !st.IsDir() {
		return "", fmt.Errorf("%s is not a directory", dir)
	}
	return real, nil
}

// within reports whether path is root or lies below it.
func within(path, root string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// reservedFor returns the reserved directory that holds real, or "".
func (p *Policy) reservedFor(real string) string {
	for _, r := range p.reserved {
		if within(real, r) {
			return r
		}
	}
	return ""
}

// refuseReserved refuses a path that resolved to real when a reserved
// directory holds it.
func (p *Policy) refuseReserved(path, real string) error {
	if r := p.reservedFor(real); r != "" {
		return refuse(path, ErrReserved, "inside the server's data directory %s, "+
			"which holds its journal", r)
	}
	return nil
}

func refuse(path string, sentinel error, format string, args ...any) *Error {
	return &Error{Path: path, Reason: fmt.Sprintf(format, args...), Err: sentinel}
}

// Kind names a file type that is not a regular file, for a reason; it is
// empty for a type without a common name.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return ""
}

// notRegular refuses a path whose file has mode m.
func notRegular(path string, m fs.FileMode) *Error {
	if k := Kind(m); k != "" {
		return refuse(path, ErrNotRegular, "not a regular file: %s", k)
	}
	return refuse(path, ErrNotRegular, "not a regular file")
}

// unwrapPath drops the path from an *fs.PathError, which the caller
// already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Package pathpolicy decides which files the service may read and where
// it may write. Inputs must lie under one of the input roots and outputs
// under the output root, judged after every symbolic link is resolved, so
// neither ".." nor a link can lead out. The checks run when a task is
// submitted and again when its files are opened.
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
	// ErrNotRegular means the path is not a regular file.
	ErrNotRegular = errors.New("not a regular file")
	// ErrExists means the output exists and overwriting was not asked for.
	ErrExists = errors.New("output exists")
	// ErrInsideInput means the output would land inside an input root.
	ErrInsideInput = errors.New("output inside an input root")
)

// Policy holds the resolved roots. It is safe for concurrent use.
type Policy struct {
	inputs []string
	output string
}

// New resolves the roots (which must exist and be directories) and
// returns their policy.
func New(inputRoots []string, outputRoot string) (*Policy, error) {
	if len(inputRoots) == 0 {
		return nil, errors.New("no input root")
	}
	p := &Policy{}
	for _, r := range inputRoots {
		real, err := realDir(r)
		if err != nil {
			return nil, fmt.Errorf("input root: %w", err)
		}
		p.inputs = append(p.inputs, real)
	}
	real, err := realDir(outputRoot)
	if err != nil {
		return nil, fmt.Errorf("output root: %w", err)
	}
	p.output = real
	return p, nil
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

func refuse(path string, sentinel error, format string, args ...any) *Error {
	return &Error{Path: path, Reason: fmt.Sprintf(format, args...), Err: sentinel}
}

// Input checks an input path and returns it absolute and clean (links
// are not replaced, so the task reports the name it was given). The file
// must exist, be a regular file, be readable, and resolve under an input
// root.
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
	if !p.underInput(real) {
		return "", refuse(path, ErrOutside, "not under an input root (%s)", strings.Join(p.inputs, ", "))
	}
	f, err := os.Open(real)
	if err != nil {
		return "", refuse(path, ErrNotReadable, "cannot be read: %v", unwrapPath(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", refuse(path, ErrNotReadable, "%v", unwrapPath(err))
	}
	if !st.Mode().IsRegular() {
		return "", refuse(path, ErrNotRegular, "not a regular file")
	}
	return clean, nil
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
// that was opened must still resolve under an input root, so a link
// swapped in after the task was accepted cannot lead out.
func (p *Policy) OpenInput(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(fdPath(f))
	if err != nil {
		// Without /proc, resolve the name instead.
		real, err = filepath.EvalSymlinks(path)
	}
	st, serr := f.Stat()
	switch {
	case err != nil:
		err = refuse(path, ErrNotReadable, "%v", unwrapPath(err))
	case !p.underInput(real):
		err = refuse(path, ErrOutside, "no longer under an input root")
	case serr != nil:
		err = serr
	case !st.Mode().IsRegular():
		err = refuse(path, ErrNotRegular, "not a regular file")
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}

func fdPath(f *os.File) string { return fmt.Sprintf("/proc/self/fd/%d", f.Fd()) }

// Output checks an output path and returns it absolute and clean. Its
// directory must exist and resolve under the output root; the file must
// not exist unless overwrite is set (and then it must be a regular file);
// and it must not land inside an input root unless the output root itself
// lies inside that input root.
func (p *Policy) Output(path string, overwrite bool) (string, error) {
	if path == "" {
		return "", refuse(path, ErrNotFound, "empty path")
	}
	if !filepath.IsAbs(path) {
		return "", refuse(path, ErrOutside, "must be an absolute path")
	}
	clean := filepath.Clean(path)
	dir, err := filepath.EvalSymlinks(filepath.Dir(clean))
	if errors.Is(err, fs.ErrNotExist) {
		return "", refuse(path, ErrNotFound, "directory %s does not exist", filepath.Dir(clean))
	}
	if err != nil {
		return "", refuse(path, ErrNotReadable, "%v", unwrapPath(err))
	}
	real := filepath.Join(dir, filepath.Base(clean))
	if !within(dir, p.output) || real == p.output {
		return "", refuse(path, ErrOutside, "not under the output root (%s)", p.output)
	}
	for _, r := range p.inputs {
		if within(real, r) && !within(p.output, r) {
			return "", refuse(path, ErrInsideInput, "inside the input root %s", r)
		}
	}
	st, err := os.Lstat(real)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return "", refuse(path, ErrNotReadable, "%v", unwrapPath(err))
	case !st.Mode().IsRegular():
		return "", refuse(path, ErrNotRegular, "exists and is not a regular file")
	case !overwrite:
		return "", refuse(path, ErrExists, "exists; set \"overwrite\": true to replace it")
	}
	return clean, nil
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

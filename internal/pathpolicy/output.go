package pathpolicy

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Output checks an output path and returns it absolute and clean. Its
// name must not be one of a temporary file (".NAME.tmp"); its directory
// must exist and resolve under the output root and outside
// every reserved directory; the path must not name a directory (the
// output root included); the file must not exist unless overwrite is set
// (and then it must be a regular file); and it must not land inside an
// input root unless the output root itself lies inside that input root.
func (p *Policy) Output(path string, overwrite bool) (string, error) {
	if path == "" {
		return "", refuse(path, ErrNotFound, "empty path")
	}
	if !filepath.IsAbs(path) {
		return "", refuse(path, ErrOutside, "must be an absolute path")
	}
	clean := filepath.Clean(path)
	if b := filepath.Base(clean); strings.HasPrefix(b, ".") && strings.HasSuffix(b, ".tmp") {
		// A file so named may be taken for a temporary output left by a
		// crash, and removed.
		return "", refuse(path, ErrReserved, "names like .NAME.tmp are kept for temporary files")
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(clean))
	if errors.Is(err, fs.ErrNotExist) {
		return "", refuse(path, ErrNotFound, "directory %s does not exist", filepath.Dir(clean))
	}
	if err != nil {
		return "", refuse(path, ErrNotReadable, "%v", unwrapPath(err))
	}
	real := filepath.Join(dir, filepath.Base(clean))
	if err := p.placeOutput(path, dir, real); err != nil {
		return "", err
	}
	if err := existing(path, real, overwrite); err != nil {
		return "", err
	}
	return clean, nil
}

// placeOutput refuses an output that resolved to real (in directory dir)
// where no output may go.
func (p *Policy) placeOutput(path, dir, real string) error {
	if real == p.output {
		return refuse(path, ErrNotRegular, "is a directory (the output root); "+
			"name a file under it")
	}
	if !within(dir, p.output) {
		return refuse(path, ErrOutside, "not under the output root (%s)", p.output)
	}
	if err := p.refuseReserved(path, real); err != nil {
		return err
	}
	for _, r := range p.inputs {
		if within(real, r) && !within(p.output, r) {
			return refuse(path, ErrInsideInput, "inside the input root %s", r)
		}
	}
	return nil
}

// existing refuses what is already at an output path: anything but a
// regular file, and a regular file unless overwrite is set. Nothing is
// opened, so a named pipe there cannot block.
func existing(path, real string, overwrite bool) error {
	st, err := os.Lstat(real)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return refuse(path, ErrNotReadable, "%v", unwrapPath(err))
	case st.IsDir():
		return refuse(path, ErrNotRegular, "is a directory")
	case !st.Mode().IsRegular():
		if k := Kind(st.Mode()); k != "" {
			return refuse(path, ErrNotRegular, "exists and is %s, not a regular file", k)
		}
		return refuse(path, ErrNotRegular, "exists and is not a regular file")
	case !overwrite:
		return refuse(path, ErrExists, "exists; set \"overwrite\": true to replace it")
	}
	return nil
}

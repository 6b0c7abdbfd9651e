//go:build unix

package dsl

import (
	"io/fs"
	"syscall"
)

// fileKey is a file's device and inode.
func fileKey(info fs.FileInfo) (any, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return nil, false
	}
	return [2]uint64{uint64(st.Dev), uint64(st.Ino)}, true
}

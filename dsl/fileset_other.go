//go:build !unix

package dsl

import "io/fs"

// fileKey gives no key: files are compared with os.SameFile.
func fileKey(fs.FileInfo) (any, bool) { return nil, false }

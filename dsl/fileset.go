package dsl

import (
	"io/fs"
	"os"
)

// fileSet is a set of files by identity (os.SameFile), whatever the names
// they were found under: one key per file where the system gives one
// (fileKey), a list compared one by one elsewhere.
type fileSet struct {
	keys   map[any]bool
	others []fs.FileInfo
}

// add adds the file, reporting whether it was in the set already.
func (s *fileSet) add(info fs.FileInfo) bool {
	if k, ok := fileKey(info); ok {
		if s.keys == nil {
			s.keys = map[any]bool{}
		}
		seen := s.keys[k]
		s.keys[k] = true
		return seen
	}
	for _, o := range s.others {
		if os.SameFile(o, info) {
			return true
		}
	}
	s.others = append(s.others, info)
	return false
}

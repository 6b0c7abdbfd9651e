package dsl

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// IsYAML reports whether a file name ends in .yaml or .yml.
func IsYAML(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

// IsTestFile reports whether a file name is a test file's: *_test.yaml or *_test.yml.
func IsTestFile(name string) bool {
	return strings.HasSuffix(name, "_test.yaml") || strings.HasSuffix(name, "_test.yml")
}

// ExpandPaths turns command-line arguments into files: a file is taken as
// given, a directory is walked for the files keep accepts. The result is
// sorted.
func ExpandPaths(paths []string, keep func(path string) bool) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && keep(path) {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}

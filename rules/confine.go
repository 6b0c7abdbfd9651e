package rules

import (
	"io/fs"

	"github.com/leadscore/leadscore/dsl"
)

// CompileFileIn compiles the rule file that another file in dir names (a
// test file's model:), confined to dir as dsl.LoadIn confines it.
func CompileFileIn(dir, name string, opts ...Option) (*Model, error) {
	doc, err := dsl.LoadIn(dir, name)
	return compileLoaded(doc, err, opts)
}

// CompileFileInFS is CompileFileIn for the directory dir read through fsys
// (such as the files an editor holds over those on disk), as
// dsl.LoadInFS reads it.
func CompileFileInFS(fsys fs.FS, dir, name string, opts ...Option) (*Model, error) {
	doc, err := dsl.LoadInFS(fsys, dir, name)
	return compileLoaded(doc, err, opts)
}

package rules

import "github.com/leadscore/leadscore/dsl"

// CompileFileIn compiles the rule file that another file in dir names (a
// test file's model:), confined to dir as dsl.LoadIn confines it.
func CompileFileIn(dir, name string, opts ...Option) (*Model, error) {
	doc, err := dsl.LoadIn(dir, name)
	return compileLoaded(doc, err, opts)
}
